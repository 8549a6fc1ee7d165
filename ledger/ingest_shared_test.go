package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"settle/ledger"
	"settle/ledger/ingest"
	"settle/ledger/ledgertest"
	"strings"
	"testing"
	"time"
)

// betaIBAN is the settlement account of a second partner, BETA.
const betaIBAN = "DE89370400440532013000"

// twoPartners is the test world with a second partner, BETA, beside ACME.
func twoPartners(t *testing.T) *ledger.Store {
	t.Helper()
	s := openTest(t)
	seedWorld(t, s)
	if err := s.Write(context.Background(), func(w *ledger.Writer) error {
		return ledger.UpsertPartner(w, &ledger.Partner{PartnerKey: "BETA", Name: "Beta Pay", SettlementIBAN: betaIBAN, DestinationOwner: "Beta Pay AG"})
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// holdPartner runs a shared writer of its own process (another Store on the same
// database) that holds partner until release is closed; it returns once the lock
// is held, and the writer's error arrives on done.
func holdPartner(t *testing.T, s *ledger.Store, partner string) (release chan struct{}, done chan error) {
	t.Helper()
	other, err := ledger.Open(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- other.WriteShared(context.Background(), func(w *ledger.Writer) error {
			if err := w.LockPartner(partner); err != nil {
				close(held)
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	return release, done
}

// waitForWriterLock returns once a session of the database waits for the writer
// lock (an advisory lock of one 64-bit key, where the partners' have two 32-bit keys).
func waitForWriterLock(t *testing.T, s *ledger.Store) {
	t.Helper()
	for range 500 {
		var n int
		if err := s.R.Get(&n, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND NOT granted`); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no session waits for the writer lock")
}

// On PostgreSQL the ingests of different partners' files run side by side, while
// one partner's files, and any exclusive writer, wait for the partner's holder.
func TestIngestsOfDifferentPartnersRunSideBySide(t *testing.T) {
	if !ledgertest.Postgres {
		t.Skip("SQLite has one writer at a time")
	}
	s := twoPartners(t)
	release, done := holdPartner(t, s, "BETA")

	sum, err := ingestFile(t, s, "acme.xml", camt054(ntry{ref: "A1", amount: "25.50", debtorIBAN: polifemoIBAN, remittance: "Ricarica K7PQ2M"}))
	if err != nil {
		t.Fatalf("ACME's file beside a writer holding BETA: %v", err)
	}
	if sum.Counts[ingest.OutcomePosted] != 1 {
		t.Fatalf("%s", sum.Line())
	}
	s.WriterWait = 200 * time.Millisecond
	betaDoc := strings.Replace(camt054(ntry{ref: "B1", amount: "7.00", account: betaIBAN, debtorIBAN: polifemoIBAN, remittance: "unknown"}),
		"<MsgId>T1</MsgId>", "<MsgId>T2</MsgId>", 1)
	if _, err := ingestFile(t, s, "beta.xml", betaDoc); !ledger.IsBusy(err) {
		t.Fatalf("BETA's file while BETA is held: %v, want a lock timeout", err)
	}
	if err := s.Write(context.Background(), func(w *ledger.Writer) error { return nil }); !ledger.IsBusy(err) {
		t.Fatalf("an exclusive writer beside a shared one: %v, want a lock timeout", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sum, err := ingestFile(t, s, "beta.xml", betaDoc); err != nil || sum.Counts[ingest.OutcomeException] != 1 {
		t.Fatalf("BETA's file once BETA is free: %v %+v", err, sum)
	}
	if b := balance(t, s, ledger.PartnerAccountCode("BETA", "suspense")); b != "-7.00" {
		t.Fatalf("BETA's suspense %s", b)
	}
	mustVerify(t, s)
}

// A file naming two partners, the second of them held by another writer, does not
// wait holding the first (two such files would wait for each other): it is
// ingested again alone, once the other writer is done, and completely.
func TestIngestMeetingAHeldSecondPartnerRerunsAlone(t *testing.T) {
	if !ledgertest.Postgres {
		t.Skip("SQLite has one writer at a time")
	}
	s := twoPartners(t)
	release, done := holdPartner(t, s, "BETA")
	doc := camt054(
		ntry{ref: "A1", amount: "25.50", debtorIBAN: polifemoIBAN, remittance: "Ricarica K7PQ2M"},
		ntry{ref: "B1", amount: "7.00", account: betaIBAN, debtorIBAN: polifemoIBAN, remittance: "unknown"},
	)
	type result struct {
		sum *ingest.FileSummary
		err error
	}
	res := make(chan result, 1)
	go func() {
		sum, err := ingestFile(t, s, "both.xml", doc)
		res <- result{sum, err}
	}()
	waitForWriterLock(t, s) // the rerun, alone, waits for the writer holding BETA to end
	select {
	case r := <-res:
		t.Fatalf("ingested while BETA was held: %v %+v", r.err, r.sum)
	default:
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !r.sum.RanAlone || r.sum.Counts[ingest.OutcomePosted] != 1 || r.sum.Counts[ingest.OutcomeException] != 1 {
		t.Fatalf("ran alone %v: %s", r.sum.RanAlone, r.sum.Line())
	}
	var files []string
	if err := s.R.Select(&files, `SELECT summary FROM input_files`); err != nil || len(files) != 1 {
		t.Fatalf("%d input files recorded (%v), want 1: the first attempt left nothing", len(files), err)
	}
	if !strings.Contains(files[0], `"ranAlone":true`) {
		t.Fatalf("the file's recorded summary does not say it ran alone: %s", files[0])
	}
	mustVerify(t, s)
}

// An exclusive writer numbers rows itself (MAX(id) + 1); a shared writer after it
// takes its ids from the table's sequence, which the exclusive one brought past its
// own before it committed.
func TestSharedWriterIDsFollowAnExclusiveWriters(t *testing.T) {
	s := twoPartners(t)
	ctx := context.Background()
	bank, susp := accountID(t, s, ledger.PartnerAccountCode("ACME", "bank")), accountID(t, s, ledger.PartnerAccountCode("ACME", "suspense"))
	id, _, err := s.Post(ctx, &ledger.Transaction{Key: "manual:1", Type: "Adjustment", PartnerKey: "ACME", ValueDate: testDay,
		BookingDate: testDay, CreatedBy: "test", Postings: []ledger.Posting{{AccountID: bank, AmountCents: 100}, {AccountID: susp, AmountCents: -100}}})
	if err != nil {
		t.Fatal(err)
	}
	var next int64
	if err := s.WriteShared(ctx, func(w *ledger.Writer) error {
		next, err = ledger.NextID(w, "transactions")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if next <= id {
		t.Fatalf("a shared writer's next transaction id is %d, not after the exclusive writer's %d", next, id)
	}
	if err := s.WriteShared(ctx, func(w *ledger.Writer) error { return w.LockPartner("ACME") }); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteShared(ctx, func(w *ledger.Writer) error { return errors.Join(w.LockPartner("ACME"), w.LockPartner("BETA")) }); err != nil {
		t.Fatalf("two free partners: %v", err)
	}
}

// A worker notes the file it starts on while another worker's file is being
// ingested: the note does not wait for the writer lock.
func TestAttemptNotedBesideAnIngest(t *testing.T) {
	if !ledgertest.Postgres {
		t.Skip("SQLite has one writer at a time")
	}
	s := twoPartners(t)
	release, done := holdPartner(t, s, "BETA")
	s.WriterWait = 200 * time.Millisecond
	ctx := context.Background()
	if _, err := ingest.StartAttempt(ctx, s, "sha", "inbox/next.xml", "worker 2"); err != nil {
		t.Fatalf("noting an attempt beside an ingest: %v", err)
	}
	if err := ingest.FinishAttempt(ctx, s, "sha"); err != nil {
		t.Fatalf("finishing an attempt beside an ingest: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Shared writers in two processes reserve ids of one table at the same time: every
// id goes to one of them, and each block is consecutive.
func TestSharedWritersReserveDisjointIDs(t *testing.T) {
	if !ledgertest.Postgres {
		t.Skip("SQLite has one writer at a time")
	}
	s := twoPartners(t)
	got := make([][]int64, 2)
	errs := make(chan error, 2)
	for i, partner := range []string{"ACME", "BETA"} {
		st, err := ledger.Open(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		go func() {
			errs <- st.WriteShared(context.Background(), func(w *ledger.Writer) error {
				if err := w.LockPartner(partner); err != nil {
					return err
				}
				for range 50 {
					ids, err := ledger.ReserveIDs(w, "transactions", 100)
					if err != nil {
						return err
					}
					if ids[99]-ids[0] != 99 {
						return fmt.Errorf("a block of 100 from %d to %d", ids[0], ids[99])
					}
					got[i] = append(got[i], ids...)
				}
				return nil
			})
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int64]bool{}
	for _, ids := range got {
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("id %d reserved twice", id)
			}
			seen[id] = true
		}
	}
}
