package ledger_test

import (
	"context"
	"settle"
	"strings"
	"testing"

	"settle/ledger"
)

const worldWallet = "a1b2c3d4-e5f6-7890-abcd-ef1234567890" // ACME's, in testdata/world

// Four eyes: an adjustment is posted only when a second person approves it; the
// proposer cannot approve; approving twice posts once; a rejected one posts nothing;
// an approved one is reversed like any transaction.
func TestAdjustmentNeedsASecondPerson(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	code := ledger.WalletAccountCode(worldWallet, ledger.BucketWithdrawable)
	id, err := s.ProposeAdjustment(ctx, worldWallet, ledger.BucketWithdrawable, 1500, "DISPUTE_ADJUSTMENT: card refund", "anna")
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := s.AccountByCode(ctx, code); a.BalanceCents != 0 {
		t.Fatalf("a proposal posted %d", a.BalanceCents)
	}
	if _, _, err := s.DecideAdjustment(ctx, id, true, " Anna ", "", testDay); settle.CodeOf(err) != settle.Forbidden {
		t.Fatalf("the proposer approved her own adjustment: %v", err)
	}
	adj, decided, err := s.DecideAdjustment(ctx, id, true, "bruno", "checked the dispute", testDay)
	if err != nil || !decided || adj.TransactionID == nil || adj.Status != ledger.AdjustmentApproved {
		t.Fatalf("%+v %v %v", adj, decided, err)
	}
	if _, decided, err := s.DecideAdjustment(ctx, id, true, "carla", "", testDay); err != nil || decided {
		t.Fatalf("a second approval: decided %v, %v", decided, err)
	}
	if _, _, err := s.DecideAdjustment(ctx, id, false, "carla", "", testDay); settle.CodeOf(err) != settle.Conflict {
		t.Fatalf("rejecting an approved adjustment: %v", err)
	}
	if a, _ := s.AccountByCode(ctx, code); a.BalanceCents != -1500 {
		t.Fatalf("the wallet's bucket is %d; want -1500 (a credit of 15.00)", a.BalanceCents)
	}
	tx, _ := s.Transaction(ctx, *adj.TransactionID)
	if tx.Type != "BalanceAdjustment" || !strings.Contains(tx.Description, "proposed by anna, approved by bruno") {
		t.Fatalf("%+v", tx)
	}
	if _, _, err := s.Reverse(ctx, tx.ID, "approved by mistake", "bruno", testDay); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.AccountByCode(ctx, code); a.BalanceCents != 0 {
		t.Fatalf("after the reversal the bucket is %d", a.BalanceCents)
	}

	// A debit beyond what the bucket holds is refused; a rejected one posts nothing.
	big, _ := s.ProposeAdjustment(ctx, worldWallet, ledger.BucketWithdrawable, -100, "fee charged twice", "anna")
	if _, _, err := s.DecideAdjustment(ctx, big, true, "bruno", "", testDay); settle.CodeOf(err) != settle.Invalid {
		t.Fatalf("a debit below zero: %v", err)
	}
	if adj, decided, err := s.DecideAdjustment(ctx, big, false, "bruno", "no", testDay); err != nil || !decided || adj.TransactionID != nil {
		t.Fatalf("reject: %+v %v %v", adj, decided, err)
	}
	for _, bad := range []struct {
		wallet, bucket string
		cents          int64
		reason, by     string
	}{
		{worldWallet, "savings", 100, "r", "anna"}, {worldWallet, ledger.BucketRestricted, 0, "r", "anna"},
		{worldWallet, ledger.BucketRestricted, 100, " ", "anna"}, {worldWallet, ledger.BucketRestricted, 100, "r", ""},
		{worldWallet, ledger.BucketRestricted, ledger.MaxAmountCents + 1, "r", "anna"},
	} {
		if _, err := s.ProposeAdjustment(ctx, bad.wallet, bad.bucket, bad.cents, bad.reason, bad.by); settle.CodeOf(err) != settle.Invalid {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if _, err := s.ProposeAdjustment(ctx, "no-such-wallet", ledger.BucketRestricted, 100, "r", "anna"); settle.CodeOf(err) != settle.NotFound {
		t.Errorf("unknown wallet: %v", err)
	}
	mustVerify(t, s)
}

// An opening balance is posted once against the partner's opening account; the same
// again changes nothing; another amount is refused.
func TestOpeningBalanceOnce(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	day := settle.MustParseDay("2026-11-19")
	id, existed, err := s.OpeningBalance(ctx, "ACME", 12_500_000, day, "anna")
	if err != nil || existed {
		t.Fatal(err, existed)
	}
	again, existed, err := s.OpeningBalance(ctx, "ACME", 12_500_000, day, "bruno")
	if err != nil || !existed || again != id {
		t.Fatalf("again: %d %v %v", again, existed, err)
	}
	if _, _, err := s.OpeningBalance(ctx, "ACME", 1, day, "anna"); settle.CodeOf(err) != settle.Conflict {
		t.Fatalf("another amount: %v", err)
	}
	if _, _, err := s.OpeningBalance(ctx, "NOPE", 1, day, "anna"); settle.CodeOf(err) != settle.NotFound {
		t.Fatalf("unknown partner: %v", err)
	}
	bank, _ := s.AccountByCode(ctx, "partner:ACME:bank")
	opening, _ := s.AccountByCode(ctx, "partner:ACME:opening")
	if bank.BalanceCents != 12_500_000 || opening.BalanceCents != -12_500_000 {
		t.Fatalf("bank %d, opening %d", bank.BalanceCents, opening.BalanceCents)
	}
	mustVerify(t, s)
}
