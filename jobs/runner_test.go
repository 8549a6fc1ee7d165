package jobs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"settle"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"settle/ledger"
	"settle/ledger/ledgertest"
)

func testRunner(t *testing.T) (*Runner, *ledger.Store) {
	t.Helper()
	dir := t.TempDir()
	s := ledgertest.Open(t)
	cfg := DefaultConfig()
	cfg.LeaseTTL = Duration(3 * time.Second)
	r := NewRunner(s, cfg, Dirs{Reports: filepath.Join(dir, "reports")}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return r, s
}

func lastRun(t *testing.T, s *ledger.Store) RunRecord {
	t.Helper()
	runs, err := RecentRuns(context.Background(), s, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("journal: %v %v", runs, err)
	}
	return runs[0]
}

func TestTwoRunnersOneLease(t *testing.T) {
	r1, s := testRunner(t)
	// A second process on the same database: another runner with another holder.
	s2, err := ledger.Open(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	r2 := NewRunner(s2, r1.Config, r1.Dirs, r1.Log)
	r2.Holder = "other-host:4242"

	started, release := make(chan struct{}), make(chan struct{})
	var runs atomic.Int32
	slow := Job{Name: "slow", Run: func(ctx context.Context, env *Env) (Summary, error) {
		runs.Add(1)
		close(started)
		<-release
		return Summary{Line: "done"}, nil
	}}
	r1.Register(slow)
	r2.Register(slow)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if res, err := r1.Run(context.Background(), "slow", RunOptions{}); err != nil || !res.OK() {
			t.Errorf("first run: %+v %v", res, err)
		}
	}()
	<-started
	_, err = r2.Run(context.Background(), "slow", RunOptions{})
	var held *LeaseHeldError
	if !errors.As(err, &held) || held.Holder != r1.Holder || !strings.Contains(err.Error(), "held by "+r1.Holder+" since ") {
		t.Fatalf("second run: %v; want a LeaseHeldError naming %s", err, r1.Holder)
	}
	close(release)
	wg.Wait()
	if runs.Load() != 1 {
		t.Fatalf("the job ran %d times; want exactly once", runs.Load())
	}
	// --wait: the second queues behind the first and then runs.
	release = make(chan struct{})
	started = make(chan struct{})
	go func() { r1.Run(context.Background(), "slow", RunOptions{}) }()
	<-started
	go func() { time.Sleep(300 * time.Millisecond); close(release) }()
	started2 := make(chan struct{})
	r2.Register(Job{Name: "slow", Run: func(context.Context, *Env) (Summary, error) { close(started2); return Summary{}, nil }})
	if res, err := r2.Run(context.Background(), "slow", RunOptions{Wait: 10 * time.Second}); err != nil || !res.OK() {
		t.Fatalf("waiting run: %+v %v", res, err)
	}
}

func TestExpiredLeaseIsTakenOver(t *testing.T) {
	_, s := testRunner(t)
	ctx := context.Background()
	if _, err := Acquire(ctx, s, "job:x", "crashed:1", 400*time.Millisecond); err != nil { // long enough for a loaded machine
		t.Fatal(err)
	}
	if _, err := Acquire(ctx, s, "job:x", "me:2", time.Minute); err == nil {
		t.Fatal("took a live lease")
	}
	time.Sleep(500 * time.Millisecond)
	l, err := Acquire(ctx, s, "job:x", "me:2", time.Minute)
	if err != nil || l.TookOver != "crashed:1" {
		t.Fatalf("takeover: %+v %v", l, err)
	}
	// The old holder learns it lost the lease.
	old := Lease{Name: "job:x", Holder: "crashed:1"}
	if err := old.Renew(ctx, s, time.Minute); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("renew by the old holder: %v", err)
	}
}

func TestLostLeaseStopsTheJob(t *testing.T) {
	r, s := testRunner(t)
	r.Config.LeaseTTL = Duration(300 * time.Millisecond)
	r.Register(Job{Name: "long", Run: func(ctx context.Context, env *Env) (Summary, error) {
		// Another process steals the lease; the job must be told to stop.
		ledgertest.Exec(t, env.Store, `UPDATE leases SET holder = 'thief:9' WHERE name = 'job:long'`)
		select {
		case <-ctx.Done():
			return Summary{}, ctx.Err()
		case <-time.After(5 * time.Second):
			return Summary{}, errors.New("never told to stop")
		}
	}})
	res, err := r.Run(context.Background(), "long", RunOptions{})
	if res.Status != StatusInterrupted || !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("status %s err %v; want interrupted by a lost lease", res.Status, err)
	}
	_ = s
}

func TestPanicIsRecoveredAndJournaled(t *testing.T) {
	r, s := testRunner(t)
	r.Register(Job{Name: "boom", Run: func(context.Context, *Env) (Summary, error) { panic("index out of range") }})
	res, err := r.Run(context.Background(), "boom", RunOptions{})
	if err == nil || res.Status != StatusFailed {
		t.Fatalf("status %s err %v", res.Status, err)
	}
	rec := lastRun(t, s)
	if rec.Status != StatusFailed || !strings.Contains(rec.Error, "panic in job boom: index out of range") {
		t.Fatalf("journal: %+v", rec)
	}
	// The lease was released: the next run can start.
	r.Register(Job{Name: "boom", Run: func(context.Context, *Env) (Summary, error) { return Summary{}, nil }})
	if res, err := r.Run(context.Background(), "boom", RunOptions{}); err != nil || !res.OK() {
		t.Fatalf("run after panic: %+v %v", res, err)
	}
}

func TestRejectedInputMakesARunPartial(t *testing.T) {
	r, s := testRunner(t)
	r.Register(Job{Name: "feed", Run: func(context.Context, *Env) (Summary, error) {
		return Summary{Line: "2 rows, 1 rejected", Rejected: 1}, nil
	}})
	res, err := r.Run(context.Background(), "feed", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if err != nil || res.Status != StatusPartial || res.OK() {
		t.Fatalf("%+v %v", res, err)
	}
	if rec := lastRun(t, s); rec.Status != StatusPartial || rec.RunDate.String() != "2026-11-20" || !strings.Contains(rec.Summary, "1 rejected") {
		t.Fatalf("journal %+v", rec)
	}
}

func TestReportsJobWritesOnceAndDryRunWritesNothing(t *testing.T) {
	r, s := testRunner(t)
	ctx := context.Background()
	path := filepath.Join(r.Dirs.Reports, "2026-11-20", "trial-balance-2026-11-20.csv")
	res, err := r.Run(ctx, "reports", RunOptions{Date: settle.MustParseDay("2026-11-20"), DryRun: true})
	if err != nil || !res.OK() || !res.DryRun {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("dry run wrote %s", path)
	}
	if _, err := r.Run(ctx, "reports", RunOptions{Date: settle.MustParseDay("2026-11-20")}); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	if _, err := r.Run(ctx, "reports", RunOptions{Date: settle.MustParseDay("2026-11-20")}); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(path)
	if !bytes.Equal(first, second) || !bytes.HasPrefix(first, []byte("account,partnerKey,name,currency,accounts,debit,credit\n")) {
		t.Fatalf("rerun changed the report or header wrong:\n%s", second)
	}
	var files int
	s.R.Get(&files, `SELECT COUNT(*) FROM output_files WHERE path = ? AND length(sha256) = 64`, path)
	if files != 2 {
		t.Fatalf("%d recorded files; want 2 (one per real run)", files)
	}
}

// Regression (issue 14): a nightly killed while writing reports left
// reports/DAY/.X.csv.NNN.tmp behind for good. The next reports run removes them.
func TestReportsRunRemovesTheTemporaryFilesOfAKilledOne(t *testing.T) {
	r, _ := testRunner(t)
	dir := filepath.Join(r.Dirs.Reports, "2026-11-20")
	os.MkdirAll(dir, 0o755)
	orphan := filepath.Join(dir, ".summary.csv.123456.tmp")
	os.WriteFile(orphan, []byte("account,partn"), 0o644)
	if res, err := r.Run(context.Background(), "reports", RunOptions{Date: settle.MustParseDay("2026-11-20")}); err != nil || !res.OK() {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatalf("the orphan is still there: %v", err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".*")); len(tmps) != 0 {
		t.Fatalf("hidden files left: %v", tmps)
	}
}

func TestNightlyRunsRegisteredJobsInOrder(t *testing.T) {
	r, _ := testRunner(t)
	delete(r.jobs, "sdd-batch")
	delete(r.jobs, "sct-batch")
	delete(r.jobs, "release-funds")
	delete(r.jobs, "fee-totals")
	delete(r.jobs, "reconcile")
	var order []string
	for _, name := range []string{"reports", "ingest", "reconcile"} {
		name := name
		r.Register(Job{Name: name, Run: func(context.Context, *Env) (Summary, error) {
			order = append(order, name)
			if name == "ingest" {
				return Summary{}, errors.New("inbox unreadable")
			}
			return Summary{}, nil
		}})
	}
	r.Register(Job{Name: "reset-balances", Run: func(context.Context, *Env) (Summary, error) {
		t.Error("nightly ran reset-balances")
		return Summary{}, nil
	}})
	results, err := r.RunNightly(context.Background(), RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if got := strings.Join(order, ","); got != "ingest,reconcile,reports" {
		t.Fatalf("order %s", got)
	}
	if err == nil || len(results) != 3 || results[0].Status != StatusFailed || !results[2].OK() {
		t.Fatalf("results %+v err %v", results, err)
	}
}

// Regression: the nightly ran the batch jobs for yesterday, so collection dates
// counted from a day already gone.
func TestNightlyMakesBatchesForTheNextDay(t *testing.T) {
	r, _ := testRunner(t)
	results, err := r.RunNightly(context.Background(), RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if err != nil {
		t.Fatal(err)
	}
	dates := map[string]string{}
	for _, res := range results {
		dates[res.Job] = res.Date.String()
	}
	if dates["ingest"] != "2026-11-20" || dates["sdd-batch"] != "2026-11-21" || dates["sct-batch"] != "2026-11-21" || dates["reports"] != "2026-11-20" {
		t.Fatalf("%v", dates)
	}
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "c.json")
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	cfg, err := LoadConfig(write(`{"timeZone": "Europe/Berlin", "leaseTtl": "90s"}`))
	if err != nil || cfg.TimeZone != "Europe/Berlin" || time.Duration(cfg.LeaseTTL) != 90*time.Second || cfg.ChunkSize != 5000 {
		t.Fatalf("%+v %v", cfg, err)
	}
	for _, bad := range []string{`{"timeZon": "Europe/Rome"}`, `{"timeZone": "Mars/Olympus"}`, `{"chunkSize": 0}`, `{"leaseTtl": 5}`} {
		if _, err := LoadConfig(write(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := LoadConfig(write(`{"catchUpDays": 0}`)); err == nil {
		t.Error("catchUpDays 0 accepted")
	}
	// Yesterday is the previous day in the configured zone: 23:30 UTC on the 21st
	// is already the 22nd in Rome.
	r, _ := testRunner(t)
	r.Clock = settle.NewFakeClock(time.Date(2026, 11, 21, 23, 30, 0, 0, time.UTC))
	if got := r.Yesterday().String(); got != "2026-11-21" {
		t.Fatalf("yesterday %s", got)
	}
}

// Regression: a run whose process was killed stayed "running" in the journal for
// ever. The run that takes its expired lease over marks it interrupted.
func TestTakeoverMarksTheDeadRunInterrupted(t *testing.T) {
	r, s := testRunner(t)
	ctx := context.Background()
	r.Register(Job{Name: "x", Run: func(context.Context, *Env) (Summary, error) { return Summary{Line: "done"}, nil }})
	// A crashed process: its journaled run and its lease, expired.
	ledgertest.Exec(t, s, `INSERT INTO job_runs (job, holder, run_date, dry_run, status, started_at) VALUES ('x', 'crashed:1', '2026-11-20', FALSE, 'running', '2026-11-21T02:00:00Z')`)
	ledgertest.Exec(t, s, `INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ('job:x', 'crashed:1', 0, 1)`)
	if res, err := r.Run(ctx, "x", RunOptions{Date: settle.MustParseDay("2026-11-20")}); err != nil || !res.OK() {
		t.Fatalf("%+v %v", res, err)
	}
	var status, why string
	s.R.QueryRow(`SELECT status, error FROM job_runs WHERE holder = 'crashed:1'`).Scan(&status, &why)
	if status != StatusInterrupted || !strings.Contains(why, "crashed:1") {
		t.Fatalf("the dead run is %s (%s)", status, why)
	}
}
