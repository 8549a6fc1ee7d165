package gen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"settle"
	"strings"
	"testing"
	"time"

	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/ingest"
	"settle/ledger/ledgertest"
	"settle/ledger/payments"
)

// cycleWorld generates a world, imports it and ingests its bank files as the
// nightly ingest does, then makes the next day's batches (SDD batch-booked, SCT
// single-booked) into outbox.
func cycleWorld(t *testing.T) (s *ledger.Store, dir, outbox string) {
	t.Helper()
	dir, outbox = t.TempDir(), t.TempDir()
	files, err := Generate(dir, Options{Wallets: 3000, Entries: 2000, Operations: 600}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s = ledgertest.Open(t)
	for _, kind := range append(append(append([]string{}, Files...), "mandates", "camt.054"), "topups", "withdrawals", "fees", "operations") {
		f, ok := Find(files, kind)
		if !ok {
			t.Fatalf("no %s file", kind)
		}
		if kind == "camt.054" {
			ingestFile(t, s, f.Path, "")
			continue
		}
		fh, _ := os.Open(f.Path)
		res, err := feeds.Import(context.Background(), s, kind, f.Path, fh, feeds.ImportOptions{Day: testDay})
		fh.Close()
		if err != nil || res.Rejected > 0 || res.Imported < f.Rows { // every generated row lands, operations included
			t.Fatalf("%s: %v, %d of %d imported, errors %v", kind, err, res.Imported, f.Rows, res.Errors)
		}
	}
	opt := payments.BatchOptions{Outbox: outbox, Today: settle.MustParseDay("2026-11-21"), Created: time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC), LeadDays: 1, BatchBooking: true}
	if _, err := payments.MakeSDDBatches(context.Background(), s, opt); err != nil {
		t.Fatal(err)
	}
	opt.BatchBooking = false
	if _, err := payments.MakeSCTBatches(context.Background(), s, opt); err != nil {
		t.Fatal(err)
	}
	return s, dir, outbox
}

func ingestFile(t *testing.T, s *ledger.Store, path, salt string) *ingest.FileSummary {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.IngestBank(context.Background(), s, filepath.Base(path)+salt, bytes.NewReader(doc),
		ingest.IngestOptions{Day: testDay, SHA256: fmt.Sprintf("%x%s", sha256.Sum256(doc), salt), Size: int64(len(doc))})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return sum
}

// The bank's answers close the cycle: every rejected, booked and returned
// transaction ends in the state its answer says, no answer entry is left unmatched,
// the ledger verifies, and reading the answers again changes nothing.
func TestBankAnswersCloseTheCycle(t *testing.T) {
	s, dir, outbox := cycleWorld(t)
	inbox := filepath.Join(dir, "answers")
	os.Mkdir(inbox, 0o755)
	files, err := Answer(outbox, inbox, DefaultAnswers)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := Answer(outbox, inbox, DefaultAnswers); len(again) != 0 {
		t.Fatalf("a batch answered twice: %v", again)
	}
	want := map[string]int{}
	for _, f := range files {
		want[f.Kind] += f.Rows
		if f.Kind != "rejected" {
			xmllintCamt(t, f.Path)
		}
	}
	if want["rejected"] == 0 || want["booked"] < 500 || want["returned"] == 0 {
		t.Fatalf("answers %v: too few to test", want)
	}
	for _, f := range files {
		sum := ingestFile(t, s, f.Path, "")
		recorded := 0 // a pain.002's statuses are recorded (and acted on); bank entries must all be posted
		if f.Kind == "rejected" {
			recorded = sum.Units
		}
		if sum.Counts[ingest.OutcomeRecorded] != recorded || sum.Counts[ingest.OutcomeException] != 0 || sum.Units == 0 {
			t.Errorf("%s: %s", filepath.Base(f.Path), sum.Line())
		}
	}
	var rejected, settled, returned int
	for _, table := range []string{"direct_debits", "credit_transfers"} {
		var r, st, rt int
		s.R.Get(&r, `SELECT COUNT(*) FROM `+table+` WHERE status = 'Rejected'`)
		s.R.Get(&st, `SELECT COUNT(*) FROM `+table+` WHERE status = 'Settled'`)
		s.R.Get(&rt, `SELECT COUNT(*) FROM `+table+` WHERE status IN ('Returned', 'Refunded')`)
		rejected, settled, returned = rejected+r, settled+st, returned+rt
	}
	if rejected != want["rejected"] || returned != want["returned"] || settled+returned != want["booked"] {
		t.Fatalf("rejected %d, settled %d, returned %d; the answers said %v", rejected, settled, returned, want)
	}
	before := balances(t, s)
	for _, f := range files { // the bank sends them again, as other files
		sum := ingestFile(t, s, f.Path, "-again")
		if sum.Counts[ingest.OutcomePosted] != 0 || sum.Acted != 0 {
			t.Errorf("replayed %s: %s, acted %d", filepath.Base(f.Path), sum.Line(), sum.Acted)
		}
	}
	if after := balances(t, s); after != before {
		t.Fatal("replaying the answers moved money")
	}
	if v, err := s.Verify(context.Background(), 5); err != nil || v.Count > 0 {
		t.Fatalf("%+v %v", v, err)
	}
}

func balances(t *testing.T, s *ledger.Store) string {
	var rows []string
	if err := s.R.Select(&rows, `SELECT account_id || ':' || SUM(amount_cents) FROM postings GROUP BY account_id ORDER BY account_id`); err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows, ",")
}

func xmllintCamt(t *testing.T, path string) {
	t.Helper()
	xsd := filepath.Join("..", "..", "shared", "xsd", "iso_camt", "camt.054.001.08.xsd")
	if _, err := exec.LookPath("xmllint"); err != nil {
		return
	}
	if _, err := os.Stat(xsd); err != nil {
		return
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, path).CombinedOutput(); err != nil {
		t.Fatalf("%s", out)
	}
}
