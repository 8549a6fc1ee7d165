package gen

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"settle"
	"strings"
	"testing"

	"settle/ledger/feeds"
	"settle/ledger/ledgertest"
	"settle/sepa"
)

func TestSameSeedSameFiles(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	opt := Options{Wallets: 300, Entries: 200, Seed: 42}
	for _, dir := range []string{a, b} {
		if _, err := Generate(dir, opt, nil); err != nil {
			t.Fatal(err)
		}
	}
	opt.Seed = 43
	Generate(c, opt, nil)
	for _, f := range append(Files, "camt.054."+DefaultDate.String(), "camt.053."+DefaultDate.String()) {
		ext := ".csv"
		if strings.HasPrefix(f, "camt") {
			ext = ".xml"
		}
		fa, _ := os.ReadFile(filepath.Join(a, f+ext))
		fb, _ := os.ReadFile(filepath.Join(b, f+ext))
		fc, _ := os.ReadFile(filepath.Join(c, f+ext))
		if len(fa) == 0 {
			t.Fatalf("%s%s is empty", f, ext)
		}
		if !bytes.Equal(fa, fb) {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
		if bytes.Equal(fa, fc) {
			t.Errorf("%s is the same for seeds 42 and 43", f)
		}
	}
}

// The generated world imports with no rejected row: valid UUIDs, tax ids (unique per
// partner, check letter right), IBANs, e-mails and phone numbers.
func TestWorldImportsCleanly(t *testing.T) {
	dir := t.TempDir()
	files, err := Generate(dir, Options{Wallets: 3000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := ledgertest.Open(t)
	for _, f := range files {
		fh, _ := os.Open(f.Path)
		res, err := feeds.Import(context.Background(), s, f.Kind, f.Path, fh, feeds.ImportOptions{Day: testDay})
		fh.Close()
		if err != nil || res.Rejected > 0 || res.Imported != f.Rows {
			t.Fatalf("%s: %v imported %d of %d, errors %v", f.Kind, err, res.Imported, f.Rows, res.Errors)
		}
	}
	var validated, pending, none, foreign, accented int
	s.R.Get(&validated, `SELECT COUNT(*) FROM wallets WHERE is_iban_validated`)
	s.R.Get(&pending, `SELECT COUNT(*) FROM wallets WHERE iban IS NOT NULL AND NOT is_iban_validated AND iban_validation_code IS NOT NULL`)
	s.R.Get(&none, `SELECT COUNT(*) FROM wallets WHERE iban IS NULL`)
	s.R.Get(&foreign, `SELECT COUNT(*) FROM wallets WHERE iban NOT LIKE 'IT%'`)
	var names []string
	s.R.Select(&names, `SELECT first_name || last_name FROM wallets`)
	for _, n := range names {
		if strings.ContainsFunc(n, func(r rune) bool { return r > '~' }) {
			accented++
		}
	}
	if validated < 1900 || pending < 300 || none < 300 || foreign < 300 || accented < 100 {
		t.Fatalf("mix: %d validated, %d pending, %d without IBAN, %d foreign IBANs, %d accented names",
			validated, pending, none, foreign, accented)
	}
}

// Generated IBANs pass the full check, national check digits included.
func TestGeneratedIBANsAreValid(t *testing.T) {
	r := (&world{opt: Options{Seed: 5}}).stream("t")
	countries := map[string]int{}
	for i := 0; i < 2000; i++ {
		iban, _ := randomIBAN(r)
		if _, err := sepa.CheckIBAN(iban); err != nil {
			t.Fatal(err)
		}
		countries[iban[:2]]++
	}
	if len(countries) != len(banks) {
		t.Fatalf("countries drawn: %v", countries)
	}
}

func TestTaxIDsAreValidAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200000; i += 7 {
		cf, _, _ := taxID(i, "Nicolò", "D'Amico")
		if seen[cf] {
			t.Fatalf("tax id %s repeats at %d", cf, i)
		}
		seen[cf] = true
		if c, _ := sepa.ItalianCheckChar(cf[:15]); cf[15] != c || !strings.HasPrefix(cf, "DMCNCL") {
			t.Fatalf("%s", cf)
		}
	}
}

// BenchmarkGenerateWallets measures wallet rows per second written to a file.
func BenchmarkGenerateWallets(b *testing.B) {
	dir := b.TempDir()
	b.ResetTimer()
	if _, err := Generate(dir, Options{Wallets: b.N}, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "wallets/s")
}

// testDay is the business day the tests import and ingest on.
var testDay = settle.MustParseDay("2026-11-20")
