package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"settle/gen"
	"settle/ledger/ledgertest"
	"settle/reports"
)

// reportFiles reads the day's reports the nightly wrote in dir: the CSV files, the
// workbook and the page.
func reportFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "reports", gen.DefaultDate.String(), "*"))
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(b)
	}
	if len(out) != len(reports.All())+2 {
		t.Fatalf("%d reports in %s", len(out), dir)
	}
	return out
}

// The demo on PostgreSQL writes the same reports, byte for byte, as on SQLite.
func TestDemoOnPostgresWritesSQLitesReports(t *testing.T) {
	if !ledgertest.Postgres {
		t.Skip("compares PostgreSQL with SQLite")
	}
	lite := t.TempDir()
	if r := runSettle(t, lite, "--db", filepath.Join(lite, "demo.db"), "demo"); r.code != 0 {
		t.Fatalf("demo on SQLite: %s", r.stderr)
	}
	pg := t.TempDir()
	if r := runSettle(t, pg, "demo"); r.code != 0 || !strings.Contains(r.stdout, "postgres://") {
		t.Fatalf("demo on PostgreSQL: %d %s", r.code, r.stderr)
	}
	want, got := reportFiles(t, lite), reportFiles(t, pg)
	for name, b := range want {
		if got[name] != b {
			t.Errorf("%s differs between SQLite and PostgreSQL", name)
		}
	}
}

// settle migrate --to copies a SQLite ledger into PostgreSQL: both verify alike, the
// reports of the copy are the original's, and the next night runs on the copy.
func TestMigrateToPostgres(t *testing.T) {
	if !ledgertest.Postgres {
		t.Skip("copies into PostgreSQL")
	}
	dir := t.TempDir()
	lite := filepath.Join(dir, "demo.db")
	if r := runSettle(t, dir, "--db", lite, "demo"); r.code != 0 {
		t.Fatalf("demo: %s", r.stderr)
	}
	want := reportFiles(t, dir)
	os.RemoveAll(filepath.Join(dir, "reports"))
	to := ledgertest.NewDB(t)
	r := runSettle(t, dir, "--db", lite, "migrate", "--to", to)
	if r.code != 0 || !strings.Contains(r.stdout, "both verify alike") || !strings.Contains(r.stdout, "1670 postings, 0 violations") {
		t.Fatalf("migrate --to: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runSettle(t, dir, "--db", lite, "migrate", "--to", to); r.code == 0 || !strings.Contains(r.stderr, "holds a ledger already") {
		t.Fatalf("a second copy into the same database: %d %s", r.code, r.stderr)
	}
	if r := runSettle(t, dir, "--db", to, "run", "reports", "--date", gen.DefaultDate.String()); r.code != 0 {
		t.Fatalf("reports on the copy: %s", r.stderr)
	}
	got := reportFiles(t, dir)
	for name, b := range want {
		if got[name] != b {
			t.Errorf("%s of the copy differs from the original's", name)
		}
	}
	// The copy goes on: ids continue past the copied ones.
	if r := runSettle(t, dir, "--db", to, "reverse", "1", "--reason", "test", "--by", "ops"); r.code != 0 {
		t.Fatalf("a transaction on the copy: %s", r.stderr)
	}
	if r := runSettle(t, dir, "--db", to, "verify"); r.code != 0 {
		t.Fatalf("verify the copy: %s", r.stdout+r.stderr)
	}
}

// A PostgreSQL database that sorts text by language rules would order the reports
// otherwise than SQLite: migrate refuses it and says how to create one.
func TestMigrateRefusesALanguageCollation(t *testing.T) {
	if !ledgertest.Postgres {
		t.Skip("a PostgreSQL database's collation")
	}
	db := ledgertest.NewPostgresDB(t, "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
	r := runSettle(t, t.TempDir(), "--db", db, "migrate")
	if r.code == 0 || !strings.Contains(r.stderr, "byte-order collation") || !strings.Contains(r.stderr, "createdb --template=template0") {
		t.Fatalf("migrate on an ICU database: exit %d %s", r.code, r.stderr)
	}
}
