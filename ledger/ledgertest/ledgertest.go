// Package ledgertest helps tests of every package: a store in a temporary directory,
// the shared small world of testdata/world loaded into it, raw SQL for setting up a
// state no command makes (a crashed run's leftovers, a hostile value) through the
// store's own write transaction, and golden files rewritten with -update.
package ledgertest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"settle"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"settle/ledger"
	"settle/ledger/feeds"
)

// Day is the business day of the test world: imports and ingests run on it.
var Day = settle.MustParseDay("2026-11-20")

// Update rewrites golden files instead of comparing with them (go test -update).
var Update = flag.Bool("update", false, "rewrite golden files")

// Open creates a migrated store, closed when the test ends: in a temporary directory
// on SQLite, a database of its own on PostgreSQL (see Main). Its clock is the wall
// clock unless the test sets another.
func Open(t testing.TB) *ledger.Store {
	t.Helper()
	db := filepath.Join(t.TempDir(), "settle.db")
	if Postgres {
		db = pgDatabase(t, true)
	}
	s, err := ledger.Create(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// worldDir is testdata/world at the repository's root, wherever the test runs.
func worldDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "world")
}

// WorldCSV is the world's feed of kind (partners, dealers, wallets), for a test that
// changes a row before importing it.
func WorldCSV(t testing.TB, kind string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(worldDir(), kind+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// World imports the shared world into s: one partner, one dealer and two wallets.
func World(t testing.TB, s *ledger.Store) {
	t.Helper()
	for _, kind := range []string{"partners", "dealers", "wallets"} {
		res, err := feeds.Import(context.Background(), s, kind, kind+".csv", strings.NewReader(WorldCSV(t, kind)), feeds.ImportOptions{Day: Day})
		if err != nil || res.Rejected > 0 {
			t.Fatalf("import %s: %v %+v", kind, err, res.Errors)
		}
	}
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

// Golden compares got with the file at path, or rewrites the file with -update.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file:\n%s\nwant:\n%s", path, got, want)
	}
}

// OpenAt is Open at a given --db (a test that runs the binary on the same database).
func OpenAt(t testing.TB, path string) *ledger.Store {
	t.Helper()
	s, err := ledger.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
