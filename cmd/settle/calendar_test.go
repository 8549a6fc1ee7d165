package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"settle/gen"
)

var (
	isoDate     = regexp.MustCompile(`20\d\d-[01]\d-[0-3]\d(T[0-9:]+)?`)
	compactDate = regexp.MustCompile(`20\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])|\b\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])-`)
	txElement   = regexp.MustCompile(`<(DrctDbtTxInf|CdtTrfTxInf)>.*?</(DrctDbtTxInf|CdtTrfTxInf)>`)
	groupTotals = regexp.MustCompile(`<GrpHdr>.*?<NbOfTxs>(\d+)</NbOfTxs><CtrlSum>([0-9.]+)</CtrlSum>`)
)

// maskDates replaces every date, in any of the forms the files use, by DATE.
func maskDates(s string) string {
	return compactDate.ReplaceAllString(isoDate.ReplaceAllString(s, "DATE"), "DATE")
}

// demoOutputs runs the demo for day in a fresh directory and returns its reports
// and, per batch file, its totals and transactions, dates masked.
func demoOutputs(t *testing.T, day string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	if r := runSettle(t, dir, "demo", "--date", day); r.code != 0 {
		t.Fatalf("demo --date %s: exit %d\n%s", day, r.code, r.stderr)
	}
	out := map[string]string{}
	reports, _ := filepath.Glob(filepath.Join(dir, "reports", day, "*.csv"))
	for _, f := range reports {
		b, _ := os.ReadFile(f)
		out["report "+maskDates(filepath.Base(f))] = maskDates(string(b))
	}
	batches, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.xml"))
	for _, f := range batches {
		b, _ := os.ReadFile(f)
		doc := maskDates(string(b))
		txs := txElement.FindAllString(doc, -1)
		sort.Strings(txs)
		totals := groupTotals.FindStringSubmatch(doc)
		out["batch "+maskDates(filepath.Base(f))] = strings.Join(totals[1:], " ") + "\n" + strings.Join(txs, "\n")
	}
	return out
}

// The demo world's whole cycle moved 400 days later gives the same reports and the
// same batches (transactions, amounts, totals), only dated 400 days later. The
// calendar is real: collection dates follow the TARGET2 days of the later year, so
// how a batch's transactions group into payment blocks may differ; what is paid,
// to whom and for how much does not.
func TestDemoWorldMovedByFourHundredDays(t *testing.T) {
	base := gen.DefaultDate
	moved := base.AddDays(400)
	a, b := demoOutputs(t, base.String()), demoOutputs(t, moved.String())
	if len(a) < 15 || len(a) != len(b) {
		t.Fatalf("%d outputs on %s, %d on %s", len(a), base, len(b), moved)
	}
	for name, want := range a {
		got, ok := b[name]
		switch {
		case !ok:
			t.Errorf("%s: missing %d days later", name, moved.Sub(base))
		case got != want:
			t.Errorf("%s differs beyond its dates:\n%s\n---- moved:\n%s", name, firstDiff(want, got), firstDiff(got, want))
		}
	}
}

// firstDiff is the first line of a that b lacks.
func firstDiff(a, b string) string {
	bl := map[string]bool{}
	for _, l := range strings.Split(b, "\n") {
		bl[l] = true
	}
	for _, l := range strings.Split(a, "\n") {
		if !bl[l] {
			return l
		}
	}
	return "(same lines, another order)"
}

// Regression: `nightly --date foo` ran and journaled the batch jobs as succeeded
// for 0001-01-02, and `--date 2026-13-45` exited 1. A bad date is bad usage.
func TestBadDateIsBadUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"nightly", "--date", "foo"}, {"run", "ingest", "--date", "2026-13-45"},
		{"report", "summary", "--date", "2026-02-30"}, {"reverse", "1", "--reason", "x", "--date", "1/2/2026"},
		{"demo", "--date", "tomorrow"}, {"gen", "--out", "x", "--date", "2026-11"}} {
		r := runSettle(t, dir, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "-date") || !strings.Contains(r.stderr, args[len(args)-1]) {
			t.Errorf("settle %v: exit %d; want 2 naming the flag and the value\n%s", args, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "settle.db")); err == nil {
		t.Error("a bad date created a database")
	}
}
