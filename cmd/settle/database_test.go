package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Regression: `settle --db /tmp/typo.db run ingest` made a new, empty ledger,
// recorded every entry as NOT_OUR_ACCOUNT and moved the bank file out of reach of
// the real database. A missing or empty database is refused; the inbox is untouched.
func TestMissingOrEmptyDatabaseIsRefused(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "inbox"), 0o755)
	os.WriteFile(filepath.Join(dir, "inbox", "camt.xml"), []byte("<Document/>"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.db"), nil, 0o644)
	for _, db := range []string{"typo.db", "empty.db"} {
		for _, args := range [][]string{{"run", "ingest"}, {"verify"}, {"jobs"}, {"nightly"}, {"import", "wallets", "w.csv"}, {"exceptions", "list"}} {
			r := runSettle(t, dir, append([]string{"--db", db}, args...)...)
			if r.code != exitFail || !strings.Contains(r.stderr, "no database at "+db) || !strings.Contains(r.stderr, "settle migrate") {
				t.Errorf("--db %s %v: exit %d\n%s", db, args, r.code, r.stderr)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); err == nil {
		t.Error("a command created typo.db")
	}
	if _, err := os.Stat(filepath.Join(dir, "inbox", "camt.xml")); err != nil {
		t.Error("the bank file left the inbox")
	}
	if r := runSettle(t, dir, "--db", "new.db", "migrate"); r.code != 0 || !strings.Contains(r.stdout, "migrations applied") {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	if r := runSettle(t, dir, "--db", "new.db", "verify"); r.code != 0 {
		t.Fatalf("verify after migrate: %d %s", r.code, r.stderr)
	}
}
