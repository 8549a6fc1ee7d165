package ledger_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"settle"
	"settle/ledger"
	"settle/ledger/ingest"
	"settle/ledger/ledgertest"
	"settle/ledger/payments"
	"strings"
	"testing"
)

// sddWorld batches the three test top-ups (STL-DD-1 100.00 FRST, STL-DD-3 1999.00
// RCUR on 23 November; STL-DD-2 250.50 on the 25th) and returns the batch's MsgId.
func sddWorld(t *testing.T) (*ledger.Store, string) {
	t.Helper()
	s := batchWorld(t)
	opt := batchDay
	opt.Outbox = t.TempDir()
	run, err := payments.MakeSDDBatches(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s, run.Files[0].MsgID
}

func TestBookingsSettleCollectionsOnce(t *testing.T) {
	s, msg := sddWorld(t)
	restricted := ledger.WalletAccountCode(polifemo, ledger.BucketRestricted)
	// Block B0002 (STL-DD-3) batch-booked, STL-DD-1 single-booked; STL-DD-2 booked for a wrong amount.
	doc := camt054(
		ntry{ref: "B1", amount: "1999.00", code: "PMNT/IDDT/ESDD", pmtInf: msg + "-B0002"},
		ntry{ref: "B2", amount: "100.00", code: "PMNT/IDDT/ESDD", e2e: "STL-DD-1"},
		ntry{ref: "B3", amount: "250.00", code: "PMNT/IDDT/ESDD", e2e: "STL-DD-2"},
	)
	sum, err := ingestFile(t, s, "book.xml", doc)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[ingest.OutcomePosted] != 2 || sum.Counts[ingest.OutcomeException] != 1 || sum.Counts[ingest.OutcomeRecorded] != 0 {
		t.Fatalf("%s", sum.Line())
	}
	if b := balance(t, s, restricted); b != "-2099.00" {
		t.Fatalf("restricted %s", b)
	}
	if got := statusOf(t, s, "TU-3") + "|" + statusOf(t, s, "TU-1") + "|" + statusOf(t, s, "TU-2"); got != "Settled |Settled |Batched " {
		t.Fatal(got)
	}
	if rs := reasons(t, s); len(rs) != 1 || rs[0] != ingest.ExcAmountMismatch {
		t.Fatalf("exceptions %v", rs)
	}
	// The statement repeats the bookings: duplicates, nothing moves.
	if sum, _ := ingestFile(t, s, "stmt.xml", strings.Replace(doc, "<MsgId>T1</MsgId>", "<MsgId>T2</MsgId>", 1)); sum.Counts[ingest.OutcomeDuplicate] != 3 {
		t.Fatalf("%s", sum.Line())
	}
	if b := balance(t, s, restricted); b != "-2099.00" {
		t.Fatalf("restricted after the replay %s", b)
	}
	mustVerify(t, s)
}

func TestSDDReturnDebitsTheWalletWithTheCharge(t *testing.T) {
	for _, c := range []struct {
		name, reason, status, mandate string
		released                      bool
	}{
		{"insufficient funds, before release", "AM04", "Returned", payments.MandateActive, false},
		{"account closed, after release: a debt", "AC04", "Returned", payments.MandateRevoked, true},
		{"refund", "MD06", "Refunded", payments.MandateActive, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := sddWorld(t)
			if _, err := ingestFile(t, s, "book.xml", camt054(ntry{ref: "B2", amount: "100.00", code: "PMNT/IDDT/ESDD", e2e: "STL-DD-1"})); err != nil {
				t.Fatal(err)
			}
			restricted, withdrawable := ledger.WalletAccountCode(polifemo, ledger.BucketRestricted), ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable)
			if c.released { // release-funds moved the money to withdrawable, and the owner spent it
				if res, err := payments.ReleaseFunds(context.Background(), s, settle.MustParseDay("2026-11-30"), 5, 100, false); err != nil || res.Collections != 1 {
					t.Fatalf("release %+v %v", res, err)
				}
				s.Post(context.Background(), &ledger.Transaction{Key: "spent", Type: "Payment", ValueDate: settle.MustParseDay("2026-11-30"), BookingDate: settle.MustParseDay("2026-11-30"),
					Postings: []ledger.Posting{{accountID(t, s, withdrawable), 10000}, {accountID(t, s, ledger.PartnerAccountCode("ACME", "bank")), -10000}}})
			}
			ret := ntry{ref: "R1", amount: "103.00", dir: "DBIT", code: "PMNT/IDDT/UPDD", e2e: "STL-DD-1", returnReason: c.reason, charge: "3.00"}
			doc := camt054(ret)
			for _, d := range []string{doc, strings.Replace(doc, "<MsgId>T1</MsgId>", "<MsgId>T2</MsgId>", 1)} {
				if _, err := ingestFile(t, s, "ret.xml", d); err != nil { // told twice (statement after notification): acts once
					t.Fatal(err)
				}
			}
			if got := statusOf(t, s, "TU-1"); got != c.status+" "+c.reason {
				t.Fatal(got)
			}
			want := map[string]string{restricted: "0.00", withdrawable: "0.00", ledger.PartnerAccountCode("ACME", "bank_charges"): "3.00"}
			if c.released {
				want[withdrawable] = "100.00" // a debit balance on a liability: the owner owes 100.00
			}
			for code, w := range want {
				if got := balance(t, s, code); got != w {
					t.Errorf("%s %s, want %s", code, got, w)
				}
			}
			if got := mandateStatus(t, s, "MND-POLI-1"); got != c.mandate {
				t.Errorf("mandate %s, want %s", got, c.mandate)
			}
			mustVerify(t, s)
		})
	}
}

func TestPayoutBookedThenReturned(t *testing.T) {
	s := batchWorld(t)
	ctx := context.Background()
	if _, err := ingestFile(t, s, "in.xml", camt054(ntry{ref: "C1", amount: "300.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"})); err != nil {
		t.Fatal(err)
	}
	importCSV(t, s, "withdrawals", "withdrawalId,walletId,amount,operationType,requestedExecutionDate,remittance\nWD-1,"+polifemo+",120.00,,2026-11-20,\n")
	opt := batchDay
	opt.Outbox = t.TempDir()
	if _, err := payments.MakeSCTBatches(ctx, s, opt); err != nil {
		t.Fatal(err)
	}
	clearing := ledger.PartnerAccountCode("ACME", "payout_clearing")
	if _, err := ingestFile(t, s, "out.xml", camt054(ntry{ref: "P1", amount: "120.00", dir: "DBIT", code: "PMNT/ICDT/ESCT", e2e: "STL-CT-1"})); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, s, clearing); b != "0.00" || statusOf(t, s, "WD-1") != "Settled " {
		t.Fatalf("after the booking: clearing %s, %s", b, statusOf(t, s, "WD-1"))
	}
	if _, err := ingestFile(t, s, "back.xml", camt054(ntry{ref: "P2", amount: "120.00", code: "PMNT/ICDT/RRTN", e2e: "STL-CT-1", returnReason: "AC04"})); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, s, ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable)); b != "-300.00" || statusOf(t, s, "WD-1") != "Returned AC04" {
		t.Fatalf("after the return: wallet %s, %s", b, statusOf(t, s, "WD-1"))
	}
	mustVerify(t, s)
}

func TestReleaseFundsAfterTheWindowOnce(t *testing.T) {
	s, _ := sddWorld(t)
	ctx := context.Background()
	// Booked on Friday 20 November (the test files' booking date).
	if _, err := ingestFile(t, s, "book.xml", camt054(ntry{ref: "B2", amount: "100.00", code: "PMNT/IDDT/ESDD", e2e: "STL-DD-1"})); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		day  string
		want int
	}{{"2026-11-26", 0}, {"2026-11-27", 1}, {"2026-11-27", 0}, {"2026-11-30", 0}} {
		res, err := payments.ReleaseFunds(ctx, s, settle.MustParseDay(c.day), 5, 2, false)
		if err != nil || res.Collections != c.want {
			t.Fatalf("%s: %+v %v, want %d", c.day, res, err, c.want)
		}
	}
	if r, w := balance(t, s, ledger.WalletAccountCode(polifemo, ledger.BucketRestricted)), balance(t, s, ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable)); r != "0.00" || w != "-100.00" {
		t.Fatalf("restricted %s, withdrawable %s", r, w)
	}
	mustVerify(t, s)
}

// The German return in the corpus (hbci4j's Rücklastschrift: 53.00 = 50.00 + a 3.00
// charge, MS03, no EndToEndId, mandate TEST1234) matches a collection of ours under
// that mandate and is handled as a return.
func TestCorpusGermanReturnIsAReturn(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "shared", "corpus", "hbci4j_hbci4java", "test-camt-ruecklastschrift.xml"))
	if err != nil {
		t.Skip("../shared is absent")
	}
	s := batchWorld(t)
	// Our partner's account is the file's, and our collection of 50.00 under TEST1234 was booked.
	ledgertest.Exec(t, s, `UPDATE partners SET settlement_iban = 'DE1234567890' WHERE partner_key = 'ACME'`)
	ledgertest.Exec(t, s, `INSERT INTO mandates (mandate_id, partner_key, creditor_id, wallet_id, debtor_name, debtor_iban, signature_date, status,
		last_collection_date, created_at, updated_at) VALUES ('TEST1234', 'ACME', 'IT66ZZZA1B2C3D4E5F6G7H8', ?, 'Sven Schuldner',
		'IT27X0300203280335719971372', '2021-01-04', 'Active', '2021-03-19', '2021-01-04', '2021-01-04')`, polifemo)
	ledgertest.Exec(t, s, `INSERT INTO direct_debits (id, topup_id, partner_key, wallet_id, mandate_id, amount_cents, requested_date, end_to_end_id,
		status, collection_date, sequence_type, created_at, updated_at) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM direct_debits), 'TU-DE', 'ACME', ?, 'TEST1234', 5000, '2021-03-19',
		'STL-DD-99', 'Settled', '2021-03-19', 'RCUR', '2021-03-19', '2021-03-19')`, polifemo)
	sum, err := ingest.IngestBank(context.Background(), s, "test-camt-ruecklastschrift.xml", bytes.NewReader(doc), ingest.IngestOptions{Day: testDay, SHA256: "de", Size: int64(len(doc))})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[ingest.OutcomePosted] != 1 || statusOf(t, s, "TU-DE") != "Returned MS03" {
		t.Fatalf("%s; %s", sum.Line(), statusOf(t, s, "TU-DE"))
	}
	if got := balance(t, s, ledger.PartnerAccountCode("ACME", "bank_charges")); got != "3.00" {
		t.Fatalf("bank charges %s", got)
	}
	if got := balance(t, s, ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable)); got != "50.00" {
		t.Fatalf("wallet %s: the owner owes the returned 50.00", got)
	}
	mustVerify(t, s)
}

// Regression (issue 15): a batch never reached Settled. Once none of its
// transactions is Batched or Sent it shows its final state and counts, and a later
// return updates the counts.
func TestABatchWhoseTransactionsAreAllFinalIsSettled(t *testing.T) {
	s, msg := sddWorld(t)
	ctx := context.Background()
	batch := func() payments.Batch {
		t.Helper()
		b, err := payments.BatchByMsgID(ctx, s, msg)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if _, err := ingestFile(t, s, "book1.xml", camt054(ntry{ref: "B1", amount: "1999.00", code: "PMNT/IDDT/ESDD", pmtInf: msg + "-B0002"})); err != nil {
		t.Fatal(err)
	}
	if b := batch(); b.Status != payments.BatchBatched || b.SettledTxs != 1 || b.SettledAt != nil {
		t.Fatalf("one of three booked: %+v", b)
	}
	book2 := strings.Replace(camt054(ntry{ref: "B2", amount: "100.00", code: "PMNT/IDDT/ESDD", e2e: "STL-DD-1"},
		ntry{ref: "B3", amount: "250.50", code: "PMNT/IDDT/ESDD", e2e: "STL-DD-2"}), "<MsgId>T1</MsgId>", "<MsgId>T2</MsgId>", 1)
	if _, err := ingestFile(t, s, "book2.xml", book2); err != nil {
		t.Fatal(err)
	}
	if b := batch(); b.Status != payments.BatchSettled || b.SettledTxs != 3 || b.ReturnedTxs != 0 || b.SettledAt == nil {
		t.Fatalf("all booked: %+v", b)
	}
	ret := camt054(ntry{ref: "R1", amount: "100.00", dir: "DBIT", code: "PMNT/IDDT/UPDD", e2e: "STL-DD-1", returnReason: "AM04"})
	if _, err := ingestFile(t, s, "return.xml", strings.Replace(ret, "<MsgId>T1</MsgId>", "<MsgId>T3</MsgId>", 1)); err != nil {
		t.Fatal(err)
	}
	if b := batch(); b.Status != payments.BatchSettled || b.SettledTxs != 2 || b.ReturnedTxs != 1 {
		t.Fatalf("after a return: %+v", b)
	}
}

// A mismatched booking's exception is numbered after the exceptions the file's
// entries made, on both backends: on PostgreSQL the ingest numbered those itself
// while this one took the table's sequence, which had not moved (duplicate key).
func TestMismatchExceptionAfterAnEntryException(t *testing.T) {
	s, _ := sddWorld(t)
	doc := camt054(
		ntry{ref: "U1", amount: "5.00", remittance: "NOBODY KNOWS THIS", debtorIBAN: "IT60X0542811101000000123456"},
		ntry{ref: "B3", amount: "250.00", code: "PMNT/IDDT/ESDD", e2e: "STL-DD-2"},
	)
	sum, err := ingestFile(t, s, "book.xml", doc)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[ingest.OutcomeException] != 2 {
		t.Fatalf("%s", sum.Line())
	}
	if rs := reasons(t, s); len(rs) != 2 {
		t.Fatalf("exceptions %v", rs)
	}
	mustVerify(t, s)
}
