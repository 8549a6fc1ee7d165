package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"settle/gen"
	"settle/ledger"
	"settle/ledger/ingest"
	"settle/ledger/ledgertest"
	"settle/reports"
)

// The demo world gives the same reports and exception queue every time, as the
// golden files say (go test ./cmd/settle -run Golden -update rewrites them).
func TestDemoGolden(t *testing.T) {
	dir := t.TempDir()
	if r := runSettle(t, dir, "demo"); r.code != 0 {
		t.Fatalf("demo: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	golden := map[string][]byte{"demo-exceptions.golden.txt": []byte(runSettle(t, dir, "exceptions", "list").stdout)}
	csvs, _ := filepath.Glob(filepath.Join(dir, "reports", gen.DefaultDate.String(), "*.csv"))
	if len(csvs) != len(reports.All()) {
		t.Fatalf("reports: %v", csvs)
	}
	for _, f := range csvs { // fee-totals-2026-11-20.csv is testdata/demo-reports/fee-totals.csv
		name := strings.TrimSuffix(filepath.Base(f), "-"+gen.DefaultDate.String()+".csv") + ".csv"
		golden[filepath.Join("demo-reports", name)], _ = os.ReadFile(f)
	}
	for name, got := range golden {
		ledgertest.Golden(t, filepath.Join("testdata", name), got)
	}
	if r := runSettle(t, dir, "verify"); r.code != 0 {
		t.Fatal(r.stdout)
	}
}

func TestExceptionsCLI(t *testing.T) {
	dir := t.TempDir()
	if r := runSettle(t, dir, "demo"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := runSettle(t, dir, "exceptions", "list", "--json")
	var xs []ledger.Exception
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var x ledger.Exception
		if err := json.Unmarshal(sc.Bytes(), &x); err != nil {
			t.Fatal(err)
		}
		xs = append(xs, x)
	}
	byReason := map[string]ledger.Exception{}
	for _, x := range xs {
		byReason[x.Reason] = x
	}
	mismatch, foreign := byReason[ingest.ExcIBANMismatch], byReason[ingest.ExcForeignCurrency]
	if mismatch.ID == 0 || foreign.ID == 0 || !strings.Contains(r.stdout, `"amount":`) {
		t.Fatalf("exceptions: %s", r.stdout)
	}
	id := strconv.FormatInt(mismatch.ID, 10)
	if r := runSettle(t, dir, "exceptions", "refund", id, "--by", "anna", "--reason", "sender asked"); r.code != 0 {
		t.Fatalf("refund: %s", r.stderr)
	}
	if r := runSettle(t, dir, "exceptions", "refund", id); r.code != exitFail || !strings.Contains(r.stderr, "refunded already") {
		t.Fatalf("refund twice: %d %s", r.code, r.stderr)
	}
	fid := strconv.FormatInt(foreign.ID, 10)
	if r := runSettle(t, dir, "exceptions", "write-off", fid); r.code != exitUsage {
		t.Fatalf("write-off without reason: %d", r.code)
	}
	if r := runSettle(t, dir, "exceptions", "assign", fid, "a1b2c3d4-e5f6-7890-abcd-ef1234567890"); r.code != exitFail {
		t.Fatalf("assigning a foreign-currency entry: %d %s", r.code, r.stderr)
	}
	if r := runSettle(t, dir, "exceptions", "write-off", fid, "--reason", "returned by the bank"); r.code != 0 {
		t.Fatalf("write-off: %s", r.stderr)
	}
	if r := runSettle(t, dir, "exceptions", "frobnicate"); r.code != exitUsage {
		t.Fatal("bad verb")
	}
	all := runSettle(t, dir, "exceptions", "list", "--all").stdout
	if !strings.Contains(all, "refunded") || !strings.Contains(all, "written_off") {
		t.Fatalf("%s", all)
	}
	if r := runSettle(t, dir, "verify"); r.code != 0 {
		t.Fatal(r.stdout)
	}
}

// A process killed in the middle of a bank file leaves nothing of it; the rerun
// ingests it whole.
func TestKilledIngestLeavesNothingOfTheFile(t *testing.T) {
	dir := t.TempDir()
	migrate(t, dir)
	if _, err := gen.Generate(filepath.Join(dir, "inbox"), gen.Options{Wallets: 3000, Entries: 60_000}, nil); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "settle.json"), []byte(`{"leaseTtl": "1s"}`), 0o644)
	cmd := settleCommand(t, dir, "--config", "settle.json", "run", "ingest")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the feeds are in (each its own file), then kill during the bank file.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if n, _ := counts(t, dir); n == 3000 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	s, err := ledger.OpenReadOnly(dbOf(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	var files, entries, txs int
	s.R.Get(&files, `SELECT COUNT(*) FROM input_files WHERE kind LIKE 'camt%'`)
	s.R.Get(&entries, `SELECT COUNT(*) FROM bank_entries`)
	s.R.Get(&txs, `SELECT COUNT(*) FROM transactions`)
	s.Close()
	if files != 0 {
		t.Skip("the first bank file was committed before the kill; nothing to check")
	}
	if entries != 0 || txs != 0 {
		t.Fatalf("after the kill: %d entries, %d transactions of an uncommitted file", entries, txs)
	}
	if _, err := os.Stat(filepath.Join(dir, "inbox", "camt.053."+gen.DefaultDate.String()+".xml")); err != nil {
		t.Fatal("the file left the inbox without being ingested")
	}
	r := runSettle(t, dir, "--config", "settle.json", "run", "ingest", "--wait", "5s")
	if r.code != 0 || !strings.Contains(r.stdout, "ingested 2 bank files") {
		t.Fatalf("rerun: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runSettle(t, dir, "verify"); r.code != 0 {
		t.Fatal(r.stdout)
	}
}
