package reconcile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"testing"

	"settle/gen"
	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/ingest"
	"settle/ledger/ledgertest"
)

// world generates a day (with or without the planted breaks) and ingests it as the
// nightly does: reference data, the notification, then the statement.
func world(t testing.TB, entries int, breaks bool) *ledger.Store {
	t.Helper()
	dir := t.TempDir()
	files, err := gen.Generate(dir, gen.Options{Wallets: 2000, Entries: entries, Breaks: breaks}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := ledgertest.Open(t)
	ctx := context.Background()
	for _, kind := range append(append([]string{}, gen.Files...), "camt.054", "camt.053") {
		f, ok := gen.Find(files, kind)
		if !ok {
			t.Fatalf("no %s", kind)
		}
		doc, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if kind[:4] == "camt" {
			if _, err := ingest.IngestBank(ctx, s, f.Path, bytes.NewReader(doc), ingest.IngestOptions{Day: gen.DefaultDate, SHA256: fmt.Sprintf("%x", sha256.Sum256(doc)),
				Size: int64(len(doc))}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if res, err := feeds.Import(ctx, s, kind, f.Path, bytes.NewReader(doc), feeds.ImportOptions{Day: gen.DefaultDate}); err != nil || res.Rejected > 0 {
			t.Fatalf("%s: %v %+v", kind, err, res.Errors)
		}
	}
	return s
}

var day = gen.DefaultDate

// The reconciliation finds exactly the planted breaks, on the first partner's
// statement, and nothing else; a rerun finds the same; safeguarding drifts by the
// same amount there and by nothing elsewhere.
func TestReconciliationFindsExactlyThePlantedBreaks(t *testing.T) {
	s := world(t, 1500, true)
	ctx := context.Background()
	for run := range 2 {
		res, err := Run(ctx, s, Options{Day: day, ToleranceDays: 2})
		if err != nil || len(res.Statements) != 3 {
			t.Fatalf("run %d: %+v %v", run, res, err)
		}
		for i, st := range res.Statements {
			if !st.ContinuityOK || !st.ArithmeticOK || st.UnmatchedLedger != 0 || st.Matched < 300 {
				t.Errorf("run %d statement %d: %+v", run, i, st)
			}
			want := [3]int64{0, 0, 0} // unmatched bank, amount differences, drift
			if st.PartnerKey == "ACME_PAY" {
				want = [3]int64{2, 1, 1 - 12345 - 250}
			}
			if got := [3]int64{st.UnmatchedBank, st.AmountDifference, st.DriftCents}; got != want {
				t.Errorf("run %d %s: unmatched bank, differences, drift = %v, want %v", run, st.PartnerKey, got, want)
			}
		}
		var items []string
		s.R.Select(&items, `SELECT i.status || ' ' || `+ledger.SQLCents("i.bank_cents")+` || ' ' || i.detail FROM reconciliation_items i
			WHERE i.status <> 'matched' ORDER BY i.status, i.bank_cents`)
		want := []string{"amount_difference " + "%", "unmatched_bank -123.45 no ledger movement on bank for it",
			"unmatched_bank -2.50 an unexpected bank charge (ACMT/MDOP/CHRG)"}
		if len(items) != 3 || items[1] != want[1] || items[2] != want[2] {
			t.Fatalf("run %d items %q", run, items)
		}
		for _, sg := range res.Safeguarded {
			want := int64(0)
			if sg.PartnerKey == "ACME_PAY" {
				want = 1 - 12345 - 250
			}
			if sg.DriftCents != want || !sg.FromStatement || sg.Shortfall != (want < 0) { // the bank lost 125.94 of customer money
				t.Errorf("safeguarding %+v, want drift %d", sg, want)
			}
		}
	}
	var n int
	s.R.Get(&n, `SELECT COUNT(*) FROM reconciliations`)
	if n != 3 {
		t.Fatalf("%d reconciliations after two runs: a rerun must replace", n)
	}
}

// An unbroken world reconciles: every entry matched, zero drift, zero safeguarding drift.
func TestUnbrokenWorldReconciles(t *testing.T) {
	s := world(t, 900, false)
	res, err := Run(context.Background(), s, Options{Day: day})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range res.Statements {
		if st.Status != "reconciled" || st.Breaks() != 0 || st.DriftCents != 0 {
			t.Errorf("%+v", st)
		}
	}
	for _, sg := range res.Safeguarded {
		if sg.DriftCents != 0 || sg.Shortfall {
			t.Errorf("%+v", sg)
		}
	}
}
