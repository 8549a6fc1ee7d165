package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"settle/gen"
	"settle/ledger"
	"settle/ledger/ledgertest"
)

// workerWorld is a migrated ledger whose inbox holds a generated day: the feeds, two
// partners' notifications (camt.054) and their statement (camt.053).
func workerWorld(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	migrate(t, dir)
	if _, err := gen.Generate(filepath.Join(dir, "inbox"), gen.Options{Wallets: 2000, Entries: 30_000, Operations: 2000}, nil); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "settle.json"), []byte(`{"leaseTtl": "2s"}`), 0o644)
	return dir
}

// ledgerState is what must not depend on how many workers ingested: the trial
// balance, and every unit of every file once.
func ledgerState(t *testing.T, dir string) string {
	t.Helper()
	r := runSettle(t, dir, "report", "trial-balance", "--date", gen.DefaultDate.String(), "--out", "-")
	if r.code != 0 {
		t.Fatalf("trial balance: %s", r.stderr)
	}
	s, err := ledger.OpenReadOnly(dbOf(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var units []string
	if err := s.R.Select(&units, `SELECT f.name || ' ' || f.units || ' ' || COUNT(DISTINCT (e.position, e.detail)) || ' ' || COUNT(e.id)
		FROM input_files f LEFT JOIN bank_entries e ON e.file_id = f.id GROUP BY f.id, f.name, f.units ORDER BY f.name`); err != nil {
		t.Fatal(err)
	}
	return r.stdout + strings.Join(units, "\n")
}

// Two `settle run ingest` workers on one inbox, one killed in the middle of a bank
// file: the other takes the file over once the dead worker's claim expires, and the
// ledger is the one a single worker makes, every unit once.
func TestTwoIngestWorkersOneKilled(t *testing.T) {
	if !ledgertest.Postgres {
		t.Skip("several ingest workers need the ledger on PostgreSQL")
	}
	single := workerWorld(t)
	if r := runSettle(t, single, "--config", "settle.json", "run", "ingest", "--date", gen.DefaultDate.String()); r.code != 0 {
		t.Fatalf("single worker: %s", r.stderr)
	}
	want := ledgerState(t, single)

	dir := workerWorld(t)
	args := []string{"--config", "settle.json", "run", "ingest", "--date", gen.DefaultDate.String()}
	a, b := settleCommand(t, dir, args...), settleCommand(t, dir, args...)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill whichever worker holds a bank file, once it is in it.
	s, err := ledger.OpenReadOnly(dbOf(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var holder string
	deadline := time.Now().Add(60 * time.Second)
	for holder == "" && time.Now().Before(deadline) {
		s.R.Get(&holder, `SELECT holder FROM leases WHERE name LIKE 'inbox:camt.054%' LIMIT 1`)
		time.Sleep(20 * time.Millisecond)
	}
	if holder == "" {
		t.Fatal("no worker took the notifications")
	}
	time.Sleep(300 * time.Millisecond)
	pid, _ := strconv.Atoi(holder[strings.LastIndexByte(holder, ':')+1:])
	victim, survivor := a, b
	if b.Process.Pid == pid {
		victim, survivor = b, a
	}
	victim.Process.Signal(syscall.SIGKILL)
	victim.Wait()
	if err := survivor.Wait(); err != nil {
		t.Fatalf("the surviving worker: %v", err)
	}
	if got := ledgerState(t, dir); got != want {
		t.Fatalf("two workers, one killed:\n%s\n\none worker:\n%s", got, want)
	}
	// The survivor closed the dead worker's run.
	var interrupted int
	s.R.Get(&interrupted, `SELECT COUNT(*) FROM job_runs WHERE job = 'ingest' AND status = 'interrupted'`)
	if interrupted != 1 {
		t.Errorf("%d interrupted runs, want the dead worker's", interrupted)
	}
}
