package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"settle"
	"settle/ledger"
	"testing"
)

const mario = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"

func deposit(key string, bank, wallet, cents int64) *ledger.Transaction {
	return &ledger.Transaction{Key: key, Type: "SctDeposit", PartnerKey: "ACME", ValueDate: settle.MustParseDay("2026-11-20"), BookingDate: settle.MustParseDay("2026-11-20"),
		Postings: []ledger.Posting{{bank, cents}, {wallet, -cents}}}
}

func TestPostRefusesBadTransactions(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	bank := accountID(t, s, ledger.PartnerAccountCode("ACME", "bank"))
	wallet := accountID(t, s, ledger.WalletAccountCode(mario, ledger.BucketWithdrawable))
	for name, tc := range map[string]struct {
		tx    ledger.Transaction
		field string
	}{
		"unbalanced":      {ledger.Transaction{Key: "k1", Type: "X", ValueDate: settle.MustParseDay("2026-11-20"), BookingDate: settle.MustParseDay("2026-11-20"), Postings: []ledger.Posting{{bank, 1000}, {wallet, -999}}}, "postings"},
		"one posting":     {ledger.Transaction{Key: "k2", Type: "X", ValueDate: settle.MustParseDay("2026-11-20"), BookingDate: settle.MustParseDay("2026-11-20"), Postings: []ledger.Posting{{bank, 0}}}, "postings"},
		"zero posting":    {ledger.Transaction{Key: "k3", Type: "X", ValueDate: settle.MustParseDay("2026-11-20"), BookingDate: settle.MustParseDay("2026-11-20"), Postings: []ledger.Posting{{bank, 0}, {wallet, 0}}}, "postings[0]"},
		"no key":          {ledger.Transaction{Type: "X", ValueDate: settle.MustParseDay("2026-11-20"), BookingDate: settle.MustParseDay("2026-11-20"), Postings: []ledger.Posting{{bank, 1}, {wallet, -1}}}, "key"},
		"no date":         {ledger.Transaction{Key: "k4", Type: "X", BookingDate: settle.MustParseDay("2026-11-20"), Postings: []ledger.Posting{{bank, 1}, {wallet, -1}}}, "valueDate"},
		"unknown account": {ledger.Transaction{Key: "k5", Type: "X", ValueDate: settle.MustParseDay("2026-11-20"), BookingDate: settle.MustParseDay("2026-11-20"), Postings: []ledger.Posting{{bank, 1}, {999999, -1}}}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := s.Post(context.Background(), &tc.tx)
			if err == nil {
				t.Fatal("posted; want an error")
			}
			var e *settle.Error
			if tc.field != "" && (!errors.As(err, &e) || e.Field != tc.field) {
				t.Fatalf("error %v; want a field error on %s", err, tc.field)
			}
		})
	}
	var n int
	s.R.Get(&n, `SELECT COUNT(*) FROM transactions`)
	if n != 0 {
		t.Fatalf("%d transactions stored after refusals; want 0", n)
	}
	mustVerify(t, s)
}

func TestPostSameKeyChangesNothing(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	bank := accountID(t, s, ledger.PartnerAccountCode("ACME", "bank"))
	wallet := accountID(t, s, ledger.WalletAccountCode(mario, ledger.BucketWithdrawable))
	id1, existed, err := s.Post(ctx, deposit("camt:1", bank, wallet, 2500))
	if err != nil || existed {
		t.Fatalf("first post: %v existed=%v", err, existed)
	}
	// Same key, different amount: still the first transaction, nothing moves.
	id2, existed, err := s.Post(ctx, deposit("camt:1", bank, wallet, 9900))
	if err != nil || !existed || id2 != id1 {
		t.Fatalf("second post: id %d (first %d) existed=%v err=%v", id2, id1, existed, err)
	}
	a, _ := s.AccountByCode(ctx, ledger.WalletAccountCode(mario, ledger.BucketWithdrawable))
	if a.BalanceCents != -2500 {
		t.Fatalf("wallet balance %s; want -25.00 (credit)", ledger.FormatCents(a.BalanceCents))
	}
	var n int
	s.R.Get(&n, `SELECT COUNT(*) FROM postings`)
	if n != 2 {
		t.Fatalf("%d postings; want 2", n)
	}
	mustVerify(t, s)
}

// Property: after thousands of random balanced transactions (some replayed, some
// in chunks that fail and roll back), every stored balance equals the sum of its
// postings, each account's balance equals what the test expects, and the whole sums to zero.
func TestBalancesEqualPostingsProperty(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	var accounts []int64
	s.R.Select(&accounts, `SELECT id FROM accounts ORDER BY id`)
	want := map[int64]int64{}
	r := rand.New(rand.NewPCG(7, 11))
	keys := 0
	for chunk := 0; chunk < 40; chunk++ {
		pending := map[int64]int64{}
		fail := chunk%7 == 3 // this chunk rolls back
		err := s.Write(ctx, func(w *ledger.Writer) error {
			for i := 0; i < 100; i++ {
				var tx ledger.Transaction
				if keys > 0 && r.IntN(10) == 0 {
					tx.Key = fmt.Sprintf("k%d", r.IntN(keys)) // a replay: must change nothing
				} else {
					tx.Key = fmt.Sprintf("k%d", keys)
				}
				tx.Type, tx.ValueDate, tx.BookingDate = "Random", settle.MustParseDay("2026-11-20"), settle.MustParseDay("2026-11-20")
				n := 2 + r.IntN(4)
				var sum int64
				for j := 0; j < n-1; j++ {
					c := r.Int64N(2_000_000) - 1_000_000
					if c == 0 {
						c = 1
					}
					tx.Postings = append(tx.Postings, ledger.Posting{accounts[r.IntN(len(accounts))], c})
					sum += c
				}
				if sum == 0 {
					tx.Postings[0].AmountCents++
					sum++
				}
				tx.Postings = append(tx.Postings, ledger.Posting{accounts[r.IntN(len(accounts))], -sum})
				_, existed, err := w.Post(&tx)
				if err != nil {
					return err
				}
				if !existed {
					keys++
					for _, p := range tx.Postings {
						pending[p.AccountID] += p.AmountCents
					}
				}
			}
			if fail {
				return errors.New("rollback this chunk")
			}
			return nil
		})
		if fail {
			if err == nil {
				t.Fatal("failing chunk committed")
			}
			var committed int
			s.R.Get(&committed, `SELECT COUNT(*) FROM transactions`)
			keys = committed
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for a, c := range pending {
			want[a] += c
		}
	}
	if keys < 2000 {
		t.Fatalf("only %d transactions committed; the property wants thousands", keys)
	}
	for _, id := range accounts {
		var got int64
		s.R.Get(&got, `SELECT balance_cents FROM accounts WHERE id = ?`, id)
		if got != want[id] {
			t.Fatalf("account %d: balance %s, want %s", id, ledger.FormatCents(got), ledger.FormatCents(want[id]))
		}
	}
	mustVerify(t, s)
}

func TestReverseTwicePostsOnce(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	bank := accountID(t, s, ledger.PartnerAccountCode("ACME", "bank"))
	wallet := accountID(t, s, ledger.WalletAccountCode(mario, ledger.BucketWithdrawable))
	var txID int64
	err := s.Write(ctx, func(w *ledger.Writer) error {
		var err error
		tx := deposit("camt:9", bank, wallet, 1234)
		if txID, _, err = w.Post(tx); err != nil {
			return err
		}
		wid := mario
		return w.AddOperation(&ledger.Operation{OperationID: "op-1", TransactionID: &txID, OperationType: "SctDeposit",
			OperationStatus: ledger.StatusCompleted, AmountCents: 1234, CustomerNetCents: 1234, CustomerFinalCents: 1234,
			PartnerKey: "ACME", WalletID: &wid, OperationDate: settle.MustParseDay("2026-11-20")})
	})
	if err != nil {
		t.Fatal(err)
	}
	rev1, existed, err := s.Reverse(ctx, txID, "sent to the wrong wallet", "ops", settle.MustParseDay("2026-11-21"))
	if err != nil || existed {
		t.Fatalf("first reverse: %v existed=%v", err, existed)
	}
	rev2, existed, err := s.Reverse(ctx, txID, "again", "ops", settle.MustParseDay("2026-11-22"))
	if err != nil || !existed || rev2 != rev1 {
		t.Fatalf("second reverse: rev %d (first %d) existed=%v err=%v", rev2, rev1, existed, err)
	}
	if _, _, err := s.Reverse(ctx, rev1, "undo the undo", "ops", settle.MustParseDay("2026-11-22")); settle.CodeOf(err) != settle.Conflict {
		t.Fatalf("reversing a reversal: %v; want a conflict", err)
	}
	for _, code := range []string{ledger.PartnerAccountCode("ACME", "bank"), ledger.WalletAccountCode(mario, ledger.BucketWithdrawable)} {
		if a, _ := s.AccountByCode(ctx, code); a.BalanceCents != 0 {
			t.Fatalf("%s: balance %s after reversal; want 0.00", code, ledger.FormatCents(a.BalanceCents))
		}
	}
	rt, _ := s.Transaction(ctx, rev1)
	if rt.Description != "sent to the wrong wallet" || rt.CreatedBy != "ops" || rt.BookingDate.String() != "2026-11-21" {
		t.Fatalf("reversal journal: %+v", rt)
	}
	ops, _ := s.OperationsOf(ctx, txID)
	revOps, _ := s.OperationsOf(ctx, rev1)
	if len(ops) != 1 || ops[0].OperationStatus != ledger.StatusReversed || len(revOps) != 1 || revOps[0].OperationType != "Reversal" {
		t.Fatalf("operations: original %+v, reversal %+v", ops, revOps)
	}
	mustVerify(t, s)
}

func TestMigrationsRecordedOnce(t *testing.T) {
	s := openTest(t)
	ms, _ := ledger.Migrations(s.D)
	var n int
	s.R.Get(&n, `SELECT COUNT(*) FROM schema_migrations`)
	if n != len(ms) || n < 2 {
		t.Fatalf("%d migrations recorded; want %d", n, len(ms))
	}
	applied, err := s.Migrate(context.Background())
	if err != nil || applied != 0 {
		t.Fatalf("second migrate applied %d (%v); want 0", applied, err)
	}
}
