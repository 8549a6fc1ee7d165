package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"settle/gen"
)

// What people do after the demo's night, by command: the last break matched by hand
// with its difference recorded, an adjustment needing a second person, the opening
// balance posted once.
func TestPeopleInTheLoopCommands(t *testing.T) {
	dir := t.TempDir()
	if r := runSettle(t, dir, "demo"); r.code != 0 {
		t.Fatalf("demo: %s", r.stderr)
	}
	r := runSettle(t, dir, "breaks", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "1 breaks") || !strings.Contains(r.stdout, "amount_difference") {
		t.Fatalf("breaks list: %s", r.stdout)
	}
	day := gen.DefaultDate.String()
	f, _ := os.Open(filepath.Join(dir, "reports", day, "reconciliation-"+day+".csv"))
	rows, _ := csv.NewReader(f).ReadAll()
	f.Close()
	var tx string
	for _, row := range rows {
		if row[4] == "amount_difference" {
			tx = row[8]
		}
	}
	id := strings.Fields(strings.Split(r.stdout, "\n")[1])[0]
	if r := runSettle(t, dir, "breaks", "match", id, "--tx", tx, "--by", "anna"); r.code != 1 || !strings.Contains(r.stderr, "give a reason") {
		t.Fatalf("a match with a difference and no reason: %d %s", r.code, r.stderr)
	}
	if r := runSettle(t, dir, "breaks", "match", id, "--tx", tx, "--by", "anna", "--reason", "the bank rounded"); r.code != 0 ||
		!strings.Contains(r.stdout, "a difference of 0.01 recorded") {
		t.Fatalf("breaks match: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runSettle(t, dir, "breaks", "list"); !strings.Contains(r.stdout, "0 breaks") {
		t.Fatalf("after the match: %s", r.stdout)
	}
	if r := runSettle(t, dir, "breaks", "show", id); !strings.Contains(r.stdout, "matched    anna") {
		t.Fatalf("the journal: %s", r.stdout)
	}
	if r := runSettle(t, dir, "breaks", "resolve", id, "--reason", "x"); r.code != 1 || !strings.Contains(r.stderr, "who does it") {
		t.Fatalf("a change without --by: %d %s", r.code, r.stderr)
	}

	wallet := "00cf6b97-5f36-44ee-a2c2-a3200a15de71"
	r = runSettle(t, dir, "adjust", "propose", "--wallet", wallet, "--amount", "-2.00", "--reason", "fee charged twice", "--by", "anna")
	if r.code != 0 {
		t.Fatalf("propose: %s", r.stderr)
	}
	adj := strings.TrimSuffix(strings.Fields(r.stdout)[1], ":")
	if r := runSettle(t, dir, "adjust", "approve", adj, "--by", "anna"); r.code != 1 || !strings.Contains(r.stderr, "another person") {
		t.Fatalf("self-approval: %d %s", r.code, r.stderr)
	}
	if r := runSettle(t, dir, "adjust", "approve", adj, "--by", "bruno"); r.code != 0 || !strings.Contains(r.stdout, "posted as transaction") {
		t.Fatalf("approve: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runSettle(t, dir, "adjust", "approve", adj, "--by", "carla"); r.code != 0 || !strings.Contains(r.stdout, "approved already") {
		t.Fatalf("approve again: %s", r.stdout)
	}
	if r := runSettle(t, dir, "adjust", "propose", "--wallet", wallet, "--amount", "1.234", "--reason", "x", "--by", "anna"); r.code != 2 {
		t.Fatalf("three decimals: %d", r.code)
	}
	if r := runSettle(t, dir, "opening-balance", "--partner", "CONTANTE", "--amount", "25000.00", "--date", "2026-11-19", "--by", "anna"); r.code != 0 ||
		!strings.Contains(r.stdout, "nothing posted") {
		t.Fatalf("the demo's opening balance again: %s %s", r.stdout, r.stderr)
	}
	if r := runSettle(t, dir, "opening-balance", "--partner", "CONTANTE", "--amount", "1.00", "--date", "2026-11-19", "--by", "anna"); r.code != 1 ||
		!strings.Contains(r.stderr, "reverse it first") {
		t.Fatalf("another opening balance: %d %s", r.code, r.stderr)
	}
	if r := runSettle(t, dir, "verify"); r.code != 0 {
		t.Fatal(r.stdout)
	}
}

// settle gen --opening writes the last partner's go-live balance into its statement.
func TestGenOpening(t *testing.T) {
	dir := t.TempDir()
	if r := runSettle(t, dir, "gen", "--out", "w", "--wallets", "20", "--entries", "30", "--opening", "1000.50"); r.code != 0 {
		t.Fatalf("gen: %s", r.stderr)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "w", "camt.053."+gen.DefaultDate.String()+".xml"))
	if strings.Count(string(b), `<Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.50</Amt>`) != 1 {
		t.Fatal("the last partner's statement does not open at 1000.50")
	}
	if r := runSettle(t, dir, "gen", "--out", "w", "--opening", "-1"); r.code != 2 {
		t.Fatalf("a negative opening: %d", r.code)
	}
}
