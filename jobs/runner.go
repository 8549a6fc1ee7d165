package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"settle"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/payments"
	"settle/reports/metrics"
)

// Job is a named unit of batch work. Run must be idempotent: running it again for
// the same date finds its own committed work and does only what is left. It writes
// with a context that a stop does not cancel (Env.Work) and checks ctx between chunks.
type Job struct {
	Name        string
	Description string
	Run         func(ctx context.Context, env *Env) (Summary, error)
	// Today makes the job's default date today rather than yesterday: a batch is made
	// for the day it runs (collection dates count from it).
	Today bool
	// Workers lets several processes run the job at once on PostgreSQL, each under a
	// lease of its own, claiming the units it works on (the ingest's inbox files).
	// On SQLite, whose one writer would serialise them anyway, the job is exclusive.
	Workers bool
}

// Progress reports a long job's advance; the CLI draws it on a terminal only.
type Progress interface {
	Add(n int)
	Done()
}

// ProgressFunc starts a progress display of total units (-1 when unknown); unit is
// "bytes" or a plural noun such as "rows".
type ProgressFunc func(label, unit string, total int64) Progress

type noProgress struct{}

func (noProgress) Add(int) {}
func (noProgress) Done()   {}

// NoProgress draws nothing.
func NoProgress(string, string, int64) Progress { return noProgress{} }

// Dirs are the directories jobs read and write.
type Dirs struct {
	Inbox, Outbox, Reports string
}

// Env is what a running job gets.
type Env struct {
	Store    *ledger.Store
	Config   Config
	Dirs     Dirs
	Date     settle.Day // the business day the job works on
	DryRun   bool       // compute and report, but commit and write nothing
	RunID    int64
	Log      *slog.Logger
	Progress ProgressFunc
	// Work is the context for database writes: it is never cancelled by a stop, so a
	// chunk in flight commits whole; the job checks its ctx between chunks.
	Work context.Context
	// Reset is what reset-balances resets (its selector, reason and who); other jobs ignore it.
	Reset payments.ResetOptions
	// Holder is this process as a lease holder: claims are taken in its name.
	Holder string
}

// Summary is what a job reports: a one-line text, counts and amounts. Rejected > 0
// makes the run "partial" and the exit status 1.
type Summary struct {
	Line     string                  `json:"summary"`
	Counts   map[string]int64        `json:"counts,omitempty"`
	Amounts  map[string]settle.Money `json:"amounts,omitempty"`
	Rejected int64                   `json:"rejected"`
}

// Run statuses as journaled in job_runs.
const (
	StatusRunning     = "running"
	StatusSucceeded   = "succeeded"
	StatusPartial     = "partial"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
)

// Result is the outcome of one run.
type Result struct {
	RunID  int64      `json:"runId"`
	Job    string     `json:"job"`
	Date   settle.Day `json:"date"`
	DryRun bool       `json:"dryRun"`
	Status string     `json:"status"`
	Error  string     `json:"error,omitempty"`
	Millis int64      `json:"durationMs"`
	Summary
}

// OK tells whether the run finished with nothing failed or rejected.
func (r Result) OK() bool { return r.Status == StatusSucceeded }

// RunOptions are the per-run flags of `settle run`.
type RunOptions struct {
	Date   settle.Day            // default: yesterday in the configured time zone (today for Job.Today)
	DryRun bool                  // compute only
	Wait   time.Duration         // queue behind a lease holder for at most this long
	Reset  payments.ResetOptions // reset-balances: the wallets and the reason
}

// jobWriterWait bounds how long a job waits for another process's write transaction
// on PostgreSQL (SQLite's busy timeout stays as it is).
const jobWriterWait = time.Hour

// Runner runs registered jobs under a lease and journals every run.
type Runner struct {
	Store    *ledger.Store
	Config   Config
	Dirs     Dirs
	Log      *slog.Logger
	Progress ProgressFunc
	Holder   string       // this process, as lease holder: host:pid
	Version  string       // the build, journaled with each run
	HTTP     *http.Client // for the alert webhooks (default: a 10 s timeout)
	// Clock is what "now" and "today" are: the store's clock (the wall clock in
	// production), set to any instant in tests. Nothing in a job reads the wall clock.
	Clock settle.Clock
	jobs  map[string]Job
}

// NewRunner returns a runner with every built job registered.
func NewRunner(s *ledger.Store, cfg Config, dirs Dirs, log *slog.Logger) *Runner {
	host, _ := os.Hostname()
	r := &Runner{Store: s, Config: cfg, Dirs: dirs, Log: log, Progress: NoProgress,
		Holder: fmt.Sprintf("%s:%d", host, os.Getpid()), Clock: s.Clock, jobs: map[string]Job{}}
	for _, j := range builtJobs() {
		r.Register(j)
	}
	return r
}

// Register adds a job to the runner.
func (r *Runner) Register(j Job) { r.jobs[j.Name] = j }

// Job returns the registered job name.
func (r *Runner) Job(name string) (Job, bool) {
	j, ok := r.jobs[name]
	return j, ok
}

// Names lists the registered jobs, sorted.
func (r *Runner) Names() []string {
	var ns []string
	for n := range r.jobs {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// Run runs the named job: it takes the job's lease (waiting up to opt.Wait), journals
// the run, renews the lease while the job works, recovers a panic into a failed run,
// and releases the lease. A held lease returns *LeaseHeldError and journals nothing.
func (r *Runner) Run(ctx context.Context, name string, opt RunOptions) (Result, error) {
	j, ok := r.jobs[name]
	if !ok {
		return Result{}, settle.FieldError("job", "%q is not a job; jobs: %s", name, strings.Join(r.Names(), ", "))
	}
	return r.RunJob(ctx, j, opt)
}

// RunJob is Run for a job that need not be registered (an import, say).
func (r *Runner) RunJob(ctx context.Context, j Job, opt RunOptions) (Result, error) {
	date := opt.Date
	switch {
	case date.IsZero() && j.Today:
		date = r.Today()
	case date.IsZero():
		date = r.Yesterday()
	}
	ttl := time.Duration(r.Config.LeaseTTL)
	work := context.WithoutCancel(ctx)
	if r.Store.WriterWait < jobWriterWait {
		// On PostgreSQL another worker's file is one transaction: wait for it.
		r.Store.WriterWait = jobWriterWait
	}
	leaseName := "job:" + j.Name
	if j.Workers && r.Store.D == ledger.Postgres {
		leaseName += "@" + r.Holder
	}
	lease, err := AcquireWait(ctx, r.Store, leaseName, r.Holder, ttl, opt.Wait)
	if err != nil {
		return Result{Job: j.Name, Date: date, Status: StatusFailed, Error: err.Error()}, err
	}
	defer lease.Release(work, r.Store)
	log := r.Log.With("job", j.Name, "date", date)
	if err := r.closeDeadRuns(work, j, lease, log); err != nil {
		return Result{Job: j.Name, Date: date, Status: StatusFailed, Error: err.Error()}, err
	}
	res := Result{Job: j.Name, Date: date, DryRun: opt.DryRun, Status: StatusRunning}
	started := r.Clock.Now()
	if res.RunID, err = r.journalStart(work, j.Name, date, opt.DryRun, started); err != nil {
		return res, err
	}

	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopRenew := r.keepLease(jobCtx, lease, ttl, cancel, log)
	env := &Env{Store: r.Store, Config: r.Config, Dirs: r.Dirs, Date: date, DryRun: opt.DryRun,
		RunID: res.RunID, Log: log, Progress: r.Progress, Work: work, Reset: opt.Reset, Holder: r.Holder}
	log.Info("job started", "runId", res.RunID, "dryRun", opt.DryRun)
	res.Summary, err = runSafely(jobCtx, j, env)
	stopRenew()
	if j.Workers && r.Store.D == ledger.Postgres {
		// A worker that died while this one ran: its files were taken over, its run ends here.
		if cerr := r.closeDeadRuns(work, j, Lease{}, log); cerr != nil {
			log.Error("closing the runs of dead workers", "error", cerr)
		}
	}

	res.Millis = r.Clock.Now().Sub(started).Milliseconds()
	switch {
	case err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, feeds.ErrStopped)):
		res.Status = StatusInterrupted
		if cause := context.Cause(jobCtx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = fmt.Errorf("%w: %w", err, cause)
		}
	case err != nil:
		res.Status = StatusFailed
	case res.Rejected > 0:
		res.Status = StatusPartial
	default:
		res.Status = StatusSucceeded
	}
	if err != nil {
		res.Error = err.Error()
	}
	if jerr := r.journalFinish(work, res); jerr != nil {
		err = errors.Join(err, jerr)
	}
	r.alertAfterRun(work, res)
	r.writeMetrics(log)
	log.Info("job finished", "runId", res.RunID, "status", res.Status, "summary", res.Line, "durationMs", res.Millis)
	return res, err
}

// runSafely runs the job, turning a panic into an error with its stack.
func runSafely(ctx context.Context, j Job, env *Env) (sum Summary, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in job %s: %v\n%s", j.Name, p, debug.Stack())
		}
	}()
	return j.Run(ctx, env)
}

// keepLease renews the lease every ttl/3 until stopped. The renewal is the store's
// heartbeat: while a write transaction of this process is open (a long file, say) it
// runs inside it, so the lease cannot expire under a holder that is alive and working.
// If the lease was taken over, or could not be renewed before it expired (another
// process kept the database locked), the job's context is cancelled with ErrLeaseLost
// so that it stops at its next chunk.
func (r *Runner) keepLease(ctx context.Context, l Lease, ttl time.Duration, cancel context.CancelCauseFunc, log *slog.Logger) (stop func()) {
	var until atomic.Int64 // the expiry last written, in Unix ms
	until.Store(r.Store.Now().Add(ttl).UnixMilli())
	beat, unhook := r.Store.OnHeartbeat(func(ctx context.Context, tx *sqlx.Tx) error {
		next := r.Store.Now().Add(ttl)
		if err := l.renewIn(ctx, tx, next); err != nil {
			return err
		}
		until.Store(next.UnixMilli())
		return nil
	})
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				err := beat(context.WithoutCancel(ctx))
				switch {
				case err == nil:
				case !errors.Is(err, ErrLeaseLost) && r.Store.Now().UnixMilli() < until.Load():
					log.Warn("lease renewal failed; retrying", "error", err)
				default:
					log.Error("lease lost; stopping after this chunk", "error", err)
					cancel(fmt.Errorf("%w: %w", ErrLeaseLost, err))
					return
				}
			}
		}
	}()
	return func() { close(done); <-finished; unhook() }
}

// writeMetrics rewrites the configured metrics textfile after a run; a failure is
// logged, never the run's.
func (r *Runner) writeMetrics(log *slog.Logger) {
	if r.Config.MetricsFile == "" {
		return
	}
	if err := metrics.WriteTextfile(r.Config.MetricsFile, r.Store); err != nil {
		log.Error("metrics textfile not written", "file", r.Config.MetricsFile, "error", err)
	}
}

// Today is the day it is now on the runner's clock, in the configured time zone.
func (r *Runner) Today() settle.Day { return settle.Today(r.Clock, r.Config.Location()) }

// Yesterday is the default day of date-based jobs: the day before Today.
func (r *Runner) Yesterday() settle.Day { return r.Today().AddDays(-1) }

func (r *Runner) journalStart(ctx context.Context, job string, date settle.Day, dry bool, at time.Time) (int64, error) {
	var id int64
	err := r.Store.WriteTx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &id, `INSERT INTO job_runs (job, holder, run_date, dry_run, status, started_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, job, r.Holder, date, dry, StatusRunning, at.UTC().Format(time.RFC3339Nano), r.Version)
	})
	return id, err
}

// closeDeadRuns marks interrupted the runs of the holders whose lease expired: the
// one this run took over, and on PostgreSQL the job's workers whose leases expired.
func (r *Runner) closeDeadRuns(ctx context.Context, j Job, taken Lease, log *slog.Logger) error {
	dead := []string{taken.TookOver}
	if j.Workers && r.Store.D == ledger.Postgres {
		var err error
		if dead, err = takeOverWorkers(ctx, r.Store, "job:"+j.Name+"@"); err != nil {
			return err
		}
	}
	for _, holder := range dead {
		if holder == "" {
			continue
		}
		log.Warn("took over an expired lease", "previousHolder", holder)
		if err := r.markInterrupted(ctx, j.Name, holder); err != nil {
			return err
		}
	}
	return nil
}

// markInterrupted closes the runs a dead holder left "running": its lease expired
// and was taken over, so they will never finish.
func (r *Runner) markInterrupted(ctx context.Context, job, holder string) error {
	return r.Store.WriteTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE job_runs SET status = ?, finished_at = ?, error = ?
			WHERE job = ? AND holder = ? AND status = ?`, StatusInterrupted, r.Clock.Now().UTC().Format(time.RFC3339Nano),
			"its process ("+holder+") stopped: the lease expired and was taken over by "+r.Holder, job, holder, StatusRunning)
		return err
	})
}

func (r *Runner) journalFinish(ctx context.Context, res Result) error {
	sum, err := json.Marshal(res.Summary)
	if err != nil {
		return err
	}
	return r.Store.WriteTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE job_runs SET status = ?, finished_at = ?, summary = ?, error = ? WHERE id = ?`,
			res.Status, r.Clock.Now().UTC().Format(time.RFC3339Nano), string(sum), res.Error, res.RunID)
		return err
	})
}

// RunRecord is one journaled run.
type RunRecord struct {
	ID         int64      `db:"id" json:"runId"`
	Job        string     `db:"job" json:"job"`
	Holder     string     `db:"holder" json:"holder"`
	RunDate    settle.Day `db:"run_date" json:"date"`
	DryRun     bool       `db:"dry_run" json:"dryRun"`
	Status     string     `db:"status" json:"status"`
	StartedAt  string     `db:"started_at" json:"startedAt"`
	FinishedAt *string    `db:"finished_at" json:"finishedAt"`
	Summary    string     `db:"summary" json:"-"`
	Error      string     `db:"error" json:"error"`
	Version    string     `db:"version" json:"version"`
}

// RecentRuns returns the last n journaled runs, newest first.
func RecentRuns(ctx context.Context, s *ledger.Store, n int) ([]RunRecord, error) {
	var rs []RunRecord
	err := s.R.SelectContext(ctx, &rs, `SELECT * FROM job_runs ORDER BY id DESC LIMIT ?`, n)
	return rs, err
}
