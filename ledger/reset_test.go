package ledger_test

import (
	"context"
	"settle"
	"settle/ledger"
	"settle/ledger/payments"
	"testing"
)

func TestResetBalancesByReason(t *testing.T) {
	ctx := context.Background()
	s := feeWorld(t)                                                                                             // Polifemo holds 300.00 and has a validated IBAN
	importCSV(t, s, "operations", opHeader+"OP-1,"+mario+","+store1+",CashDeposit,10.00,2026-11-20,Completed\n") // Mario: 8.85, no IBAN
	wallet := func(id string) string { return balance(t, s, ledger.WalletAccountCode(id, ledger.BucketWithdrawable)) }

	// Selector and reason are required.
	if _, err := payments.ResetBalances(ctx, s, payments.ResetOptions{Reason: payments.ResetRedeem, Day: settle.MustParseDay("2026-11-21")}); settle.CodeOf(err) != settle.Invalid {
		t.Fatalf("no selector: %v", err)
	}
	if _, err := payments.ResetBalances(ctx, s, payments.ResetOptions{PartnerKey: "ACME", Reason: "zero", Day: settle.MustParseDay("2026-11-21")}); settle.CodeOf(err) != settle.Invalid {
		t.Fatalf("bad reason: %v", err)
	}

	// redeem: the partner's wallets; Mario has no IBAN and is skipped.
	res, err := payments.ResetBalances(ctx, s, payments.ResetOptions{PartnerKey: "ACME", Reason: payments.ResetRedeem, Day: settle.MustParseDay("2026-11-21"), By: "ops"})
	if err != nil || res.Wallets != 1 || res.Cents != 30000 || res.Skipped["no validated IBAN: unclaimed"] != 1 {
		t.Fatalf("redeem: %+v %v", res, err)
	}
	if wallet(polifemo) != "0.00" || balance(t, s, ledger.PartnerAccountCode("ACME", "payout_clearing")) != "-300.00" {
		t.Fatalf("after redeem: wallet %s, clearing %s", wallet(polifemo), balance(t, s, ledger.PartnerAccountCode("ACME", "payout_clearing")))
	}
	if again, _ := payments.ResetBalances(ctx, s, payments.ResetOptions{WalletID: polifemo, Reason: payments.ResetRedeem, Day: settle.MustParseDay("2026-11-21")}); again.Wallets != 0 {
		t.Fatalf("second reset the same day: %+v", again)
	}
	// The next SCT batch pays it without debiting the wallet again; the bank rejects it: the money is back.
	opt := batchDay
	opt.Today, opt.Outbox = settle.MustParseDay("2026-11-21"), t.TempDir()
	run, err := payments.MakeSCTBatches(ctx, s, opt)
	if err != nil || run.Txs != 1 || run.Total.Text() != ledger.FormatCents(30000) || wallet(polifemo) != "0.00" {
		t.Fatalf("batch %+v %v, wallet %s", run, err, wallet(polifemo))
	}
	msg := run.Files[0].MsgID
	if _, err := ingestFile(t, s, "r.xml", pain002("R-1", msg, "", "", msg+"-D20261123 STL-CT-1 RJCT AC04")); err != nil {
		t.Fatal(err)
	}
	if wallet(polifemo) != "-300.00" || statusOf(t, s, "reset:"+polifemo+":2026-11-21") != "Rejected AC04" {
		t.Fatalf("after the reject: wallet %s, %s", wallet(polifemo), statusOf(t, s, "reset:"+polifemo+":2026-11-21"))
	}

	// unclaimed: Mario's 8.85.
	if res, err := payments.ResetBalances(ctx, s, payments.ResetOptions{WalletID: mario, Reason: payments.ResetUnclaimed, Day: settle.MustParseDay("2026-11-22")}); err != nil || res.Cents != 885 {
		t.Fatalf("unclaimed: %+v %v", res, err)
	}
	if wallet(mario) != "0.00" || balance(t, s, ledger.PartnerAccountCode("ACME", "unclaimed")) != "-8.85" {
		t.Fatalf("after unclaimed: %s, %s", wallet(mario), balance(t, s, ledger.PartnerAccountCode("ACME", "unclaimed")))
	}

	// write-off: a debt of 50.00 (a returned collection after release, say).
	if _, _, err := s.Post(ctx, &ledger.Transaction{Key: "debt", Type: "Return", ValueDate: settle.MustParseDay("2026-11-22"), BookingDate: settle.MustParseDay("2026-11-22"),
		Postings: []ledger.Posting{{accountID(t, s, ledger.WalletAccountCode(mario, ledger.BucketWithdrawable)), 5000}, {accountID(t, s, ledger.PartnerAccountCode("ACME", "bank")), -5000}}}); err != nil {
		t.Fatal(err)
	}
	if res, _ := payments.ResetBalances(ctx, s, payments.ResetOptions{WalletID: mario, Reason: payments.ResetUnclaimed, Day: settle.MustParseDay("2026-11-23")}); res.Skipped["balance is negative (a debt): write-off"] != 1 {
		t.Fatalf("unclaimed on a debt: %+v", res)
	}
	if res, err := payments.ResetBalances(ctx, s, payments.ResetOptions{WalletID: mario, Reason: payments.ResetWriteOff, Day: settle.MustParseDay("2026-11-23")}); err != nil || res.Cents != 5000 {
		t.Fatalf("write-off: %+v %v", res, err)
	}
	if wallet(mario) != "0.00" || balance(t, s, ledger.PartnerAccountCode("ACME", "bad_debt")) != "50.00" {
		t.Fatalf("after write-off: %s, %s", wallet(mario), balance(t, s, ledger.PartnerAccountCode("ACME", "bad_debt")))
	}
	mustVerify(t, s)
}
