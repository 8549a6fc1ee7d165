// Package ledgertest helps tests of every package: a store made in a temporary
// directory, and raw SQL for setting up a state no command makes (a crashed run's
// leftovers, a hostile value), through the store's own write transaction.
package ledgertest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"

	"settle/ledger"
)

// Open creates a migrated store in a temporary directory, closed when the test ends.
func Open(t testing.TB) *ledger.Store {
	t.Helper()
	s, err := ledger.Create(filepath.Join(t.TempDir(), "settle.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Exec runs q in a write transaction of s and fails the test on an error.
func Exec(t testing.TB, s *ledger.Store, q string, args ...any) {
	t.Helper()
	err := s.WriteTx(context.Background(), func(tx *sqlx.Tx) error {
		_, err := tx.Exec(q, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
