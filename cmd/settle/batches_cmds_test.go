package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nightWorld generates the demo's world into the inbox and runs its night: the
// batches wait in the outbox, unanswered.
func nightWorld(t *testing.T, dir string) {
	t.Helper()
	migrate(t, dir)
	if r := runSettle(t, dir, "gen", "--out", filepath.Join(dir, "inbox"), "--wallets", "200", "--entries", "300"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runSettle(t, dir, "nightly", "--date", "2026-11-20"); r.code != 0 {
		t.Fatal(r.stdout, r.stderr)
	}
}

// TestBatchesCLI walks the lifecycle on the demo world: the night made both kinds
// of batch; show, sent, cancel (once), and the next run makes the cancelled
// payouts again; every file in the outbox validates against its XSD.
func TestBatchesCLI(t *testing.T) {
	dir := t.TempDir()
	nightWorld(t, dir)
	list := runSettle(t, dir, "batches", "list").stdout
	if !strings.Contains(list, "STL-SDD-20261121-1") || !strings.Contains(list, "STL-SCT-20261121-4") || !strings.Contains(list, "6 batches") {
		t.Fatalf("list:\n%s", list)
	}
	show := runSettle(t, dir, "batches", "show", "STL-SDD-20261121-1")
	if show.code != 0 || !strings.Contains(show.stdout, "SddCollection") || !strings.Contains(show.stdout, "Batched") {
		t.Fatalf("show:\n%s%s", show.stdout, show.stderr)
	}
	if r := runSettle(t, dir, "batches", "sent", "STL-SDD-20261121-1"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runSettle(t, dir, "batches", "cancel", "STL-SDD-20261121-1"); r.code != exitFail || !strings.Contains(r.stderr, "Sent") {
		t.Fatalf("cancelling a sent batch: %d %s", r.code, r.stderr)
	}
	if r := runSettle(t, dir, "batches", "cancel", "STL-SCT-20261121-4"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runSettle(t, dir, "batches", "cancel", "STL-SCT-20261121-4"); r.code != exitFail || !strings.Contains(r.stderr, "Cancelled") {
		t.Fatalf("second cancel: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "outbox", "STL-SCT-20261121-4.xml")); err == nil {
		t.Fatal("the cancelled batch's file is still in the outbox")
	}
	again := runSettle(t, dir, "run", "sct-batch", "--date", "2026-11-20")
	if again.code != 0 || !strings.Contains(again.stdout, "batched 10 credit transfers for 1249.39 in 1 files") {
		t.Fatalf("remade: %s %s", again.stdout, again.stderr)
	}
	if r := runSettle(t, dir, "run", "sdd-batch", "--date", "2026-11-20"); !strings.Contains(r.stdout, "batched 0 direct debits") {
		t.Fatalf("second sdd run: %s", r.stdout)
	}
	if r := runSettle(t, dir, "verify"); r.code != 0 {
		t.Fatal(r.stdout)
	}
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint is not installed")
	}
	xsd := filepath.Join("..", "..", "..", "shared", "xsd", "iso_pain")
	if _, err := os.Stat(xsd); err != nil {
		t.Skip("../shared is absent")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "outbox", "STL-*.xml"))
	if len(files) != 6 {
		t.Fatalf("outbox: %v", files)
	}
	for _, f := range files {
		schema := "pain.001.001.09.xsd"
		if strings.Contains(f, "SDD") {
			schema = "pain.008.001.08.xsd"
		}
		if out, err := exec.Command("xmllint", "--noout", "--schema", filepath.Join(xsd, schema), f).CombinedOutput(); err != nil {
			t.Fatalf("%s", out)
		}
	}
}

func TestImportPaymentFeedsReportRows(t *testing.T) {
	dir := t.TempDir()
	if r := runSettle(t, dir, "demo"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	csv := filepath.Join(dir, "topups.csv")
	os.WriteFile(csv, []byte("topUpId,walletId,mandateId,amount,requestedCollectionDate\nTU-X,00000000-0000-4000-8000-000000000000,MND-X,10.00,\n"), 0o644)
	r := runSettle(t, dir, "import", "topups", csv)
	if r.code != exitFail || !strings.Contains(r.stderr+r.stdout, "topups.csv:2: walletId: wallet 00000000-0000-4000-8000-000000000000 does not exist") {
		t.Fatalf("%d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestGenAnswersCLI: the bank answers each new batch once; the next ingest acts on
// every answer, leaving no batch unanswered and no bank entry unmatched.
func TestGenAnswersCLI(t *testing.T) {
	dir := t.TempDir()
	nightWorld(t, dir)
	r := runSettle(t, dir, "gen", "answers")
	if r.code != 0 || strings.Count(r.stdout, "answer-1.pain.002.xml") != 6 || !strings.Contains(r.stdout, "returned") {
		t.Fatalf("answers: %s %s", r.stdout, r.stderr)
	}
	if r := runSettle(t, dir, "gen", "answers"); !strings.Contains(r.stdout, "no batch in") {
		t.Fatalf("answered twice: %s", r.stdout)
	}
	ing := runSettle(t, dir, "run", "ingest", "--date", "2026-11-24")
	if ing.code != 0 || !strings.Contains(ing.stdout, "0 rejected files") || strings.Contains(ing.stdout, "exception") {
		t.Fatalf("ingest: %s %s", ing.stdout, ing.stderr)
	}
	if list := runSettle(t, dir, "batches", "list").stdout; strings.Contains(list, "Batched") {
		t.Fatalf("a batch is still waiting for the bank:\n%s", list)
	}
	if r := runSettle(t, dir, "verify"); r.code != 0 {
		t.Fatal(r.stdout)
	}
}

// TestResetAndReconcileCLI: reset-balances needs a selector and a reason and its
// flags belong to it alone; a reset moves the money and the ledger verifies;
// reconcile on the demo world reports its planted breaks with exit 1.
func TestResetAndReconcileCLI(t *testing.T) {
	dir := t.TempDir()
	if r := runSettle(t, dir, "demo"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// Regression (issue 15): no selector exited 1; it is bad usage.
	if r := runSettle(t, dir, "run", "reset-balances", "--date", "2026-11-21"); r.code != exitUsage || !strings.Contains(r.stdout+r.stderr, "--wallet ID, --partner KEY or --closed") {
		t.Fatalf("no selector: %d %s", r.code, r.stderr)
	}
	if r := runSettle(t, dir, "run", "ingest", "--reason", "redeem"); r.code != exitUsage {
		t.Fatalf("--reason on ingest: %d", r.code)
	}
	r := runSettle(t, dir, "run", "reset-balances", "--partner", "CONTANTE", "--reason", "unclaimed", "--by", "ops", "--date", "2026-11-21")
	if r.code != 0 || !strings.Contains(r.stdout, "reset ") || !strings.Contains(r.stdout, "has a validated IBAN: redeem") {
		t.Fatalf("reset: %s %s", r.stdout, r.stderr)
	}
	if again := runSettle(t, dir, "run", "reset-balances", "--partner", "CONTANTE", "--reason", "unclaimed", "--date", "2026-11-21"); !strings.Contains(again.stdout, "reset 0 wallets") {
		t.Fatalf("second reset: %s", again.stdout)
	}
	if r := runSettle(t, dir, "verify"); r.code != 0 {
		t.Fatal(r.stdout)
	}
	rec := runSettle(t, dir, "run", "reconcile", "--date", "2026-11-20")
	if rec.code != exitFail || !strings.Contains(rec.stdout, "2 missing from the ledger, 0 not on the statement, 1 amount differences") {
		t.Fatalf("reconcile: %d %s %s", rec.code, rec.stdout, rec.stderr)
	}
}

// TestKeysCLI: a key is created with its secret shown once, listed without it,
// revoked once; without the server key in the environment, creation says what to set.
func TestKeysCLI(t *testing.T) {
	dir := t.TempDir()
	nightWorld(t, dir)
	t.Setenv("SETTLE_SERVER_KEY", "")
	if r := runSettle(t, dir, "keys", "create", "--partner", "ACME_PAY"); r.code != exitFail || !strings.Contains(r.stderr, "SETTLE_SERVER_KEY is not set") {
		t.Fatalf("without a server key: %d %s", r.code, r.stderr)
	}
	t.Setenv("SETTLE_SERVER_KEY", strings.Repeat("ab", 32))
	r := runSettle(t, dir, "keys", "create", "--partner", "ACME_PAY", "--label", "crm")
	fields := strings.Fields(r.stdout)
	if r.code != 0 || len(fields) < 7 || fields[5] != "secret" || len(fields[6]) != 64 {
		t.Fatalf("create: %d %s %s", r.code, r.stdout, r.stderr)
	}
	id, secret := fields[1], fields[6]
	if r := runSettle(t, dir, "keys", "create", "--partner", "NOPE"); r.code != exitFail {
		t.Fatalf("unknown partner: %d", r.code)
	}
	if r := runSettle(t, dir, "keys", "create", "--partner", "ACME_PAY", "--platform"); r.code != exitUsage {
		t.Fatalf("both partner and platform: %d", r.code)
	}
	list := runSettle(t, dir, "keys", "list").stdout
	if !strings.Contains(list, id) || !strings.Contains(list, "active") || strings.Contains(list, secret) {
		t.Fatalf("list: %s", list)
	}
	if r := runSettle(t, dir, "keys", "revoke", id); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runSettle(t, dir, "keys", "revoke", id); r.code != exitFail {
		t.Fatalf("second revoke: %d", r.code)
	}
	if list := runSettle(t, dir, "keys", "list").stdout; !strings.Contains(list, "revoked") {
		t.Fatalf("list after revoke: %s", list)
	}
}

// Regression (issue 15): no batch ever reached Settled, and no report said so. After
// the demo's bank answers, each batch shows its final state in batches list, and the
// batches.csv of the day it closed lists it with its counts.
func TestBatchesReachTheirFinalStateInTheDaysReport(t *testing.T) {
	dir := t.TempDir()
	if r := runSettle(t, dir, "demo"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := runSettle(t, dir, "batches", "list", "--json")
	var closedOn string
	settled := 0
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var b struct {
			MsgID    string  `json:"msgId"`
			Status   string  `json:"status"`
			Settled  int     `json:"settledTxs"`
			ClosedOn *string `json:"closedOn"`
		}
		if err := json.Unmarshal([]byte(line), &b); err != nil {
			t.Fatal(err)
		}
		if b.Status == "Settled" {
			settled++
			if b.ClosedOn == nil || b.Settled == 0 {
				t.Errorf("settled batch %s without its day or counts: %s", b.MsgID, line)
			}
			closedOn = *b.ClosedOn
		}
	}
	if settled == 0 {
		t.Fatalf("no batch settled:\n%s", r.stdout)
	}
	rep := runSettle(t, dir, "report", "batches", "--date", closedOn, "--out", "-")
	if rep.code != 0 || !strings.Contains(rep.stdout, ",closed,Settled,") {
		t.Fatalf("batches.csv of %s: %d\n%s%s", closedOn, rep.code, rep.stdout, rep.stderr)
	}
}
