package ledger

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Verify finds what a broken database holds: a stored balance that is not the sum of
// its postings, a transaction that does not sum to zero, and balances not summing to zero.
func TestVerifyNamesViolations(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	bank := accountID(t, s, PartnerAccountCode("ACME", "bank"))
	wallet := accountID(t, s, WalletAccountCode(mario, BucketWithdrawable))
	id, _, err := s.Post(ctx, deposit("camt:1", bank, wallet, 1000))
	if err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s)
	// Tamper as a bad migration or a hand-made UPDATE would.
	s.wdb.Exec(`UPDATE accounts SET balance_cents = balance_cents + 1 WHERE id = ?`, bank)
	s.wdb.Exec(`UPDATE postings SET amount_cents = -999 WHERE transaction_id = ? AND account_id = ?`, id, wallet)
	res, err := s.Verify(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range res.Violations {
		got = append(got, v.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"balance partner:ACME:bank: stored balance 10.01 but postings sum to 10.00",
		"balance wallet:" + mario + ":withdrawable: stored balance -10.00 but postings sum to -9.99",
		"transaction 1: 2 postings summing to 0.01",
		"trial-balance all accounts: balances sum to 0.01, not 0.00",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
	if res.Count != 4 {
		t.Errorf("%d violations; want 4", res.Count)
	}
}

// Opening a database with nothing to migrate takes no write lock: a neighbour in
// the middle of a long write does not stop it. A schema newer than the binary is
// refused naming both versions.
func TestOpenTakesNoWriteLockAndRefusesNewerSchema(t *testing.T) {
	s := openTest(t)
	tx, err := s.wdb.Beginx() // BEGIN IMMEDIATE: holds the write lock, as a long ingest does
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		s2, err := Open(s.Path)
		if err == nil {
			s2.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("open during a write: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("open waited for the writer's lock")
	}
	tx.Rollback()
	if _, err := s.wdb.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(s.Path); err == nil || !strings.Contains(err.Error(), "9999") || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("newer schema: %v", err)
	}
}
