package jobs

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"settle"
)

// NightlyOrder is the order of the nightly pipeline. Jobs not built yet are not
// registered and are skipped; reset-balances never runs at night.
var NightlyOrder = []string{"ingest", "sdd-batch", "sct-batch", "release-funds", "fee-totals", "reconcile", "reports"}

// NightlyJob is the name under which the journal records each nightly run, dated
// with the day it ran for: catch-up reads it to know which days have run.
const NightlyJob = "nightly"

// JobNames lists the jobs this build has, sorted (the CLI checks a name before it
// opens the database).
func JobNames() []string {
	var ns []string
	for _, j := range builtJobs() {
		ns = append(ns, j.Name)
	}
	sort.Strings(ns)
	return ns
}

// builtJobs lists the jobs this build has.
func builtJobs() []Job {
	return []Job{IngestJob(), SDDBatchJob(), SCTBatchJob(), ReleaseFundsJob(), FeeTotalsJob(), ReconcileJob(), ReportsJob(), ResetBalancesJob()}
}

// RunNightly runs the registered jobs of NightlyOrder for one day D (default
// yesterday), the batch jobs for D+1 (the day their files go to the bank), under a
// "nightly" lease so that two pipelines never interleave. A failing job does not stop
// the ones after it (each is independent and idempotent); the returned error joins
// the failures. The run is journaled as job "nightly" for D: succeeded, partial
// (some input rejected or a finding to work) or failed.
func (r *Runner) RunNightly(ctx context.Context, opt RunOptions) ([]Result, error) {
	if opt.Date.IsZero() {
		opt.Date = r.Yesterday()
	}
	ttl := time.Duration(r.Config.LeaseTTL)
	lease, err := AcquireWait(ctx, r.Store, NightlyJob, r.Holder, ttl, opt.Wait)
	if err != nil {
		return nil, err
	}
	work := context.WithoutCancel(ctx)
	defer lease.Release(work, r.Store)
	if lease.TookOver != "" {
		if err := r.markInterrupted(work, NightlyJob, lease.TookOver); err != nil {
			return nil, err
		}
	}
	stop := r.keepLease(ctx, lease, ttl, func(error) {}, r.Log)
	defer stop()
	started := r.Clock.Now()
	runID, err := r.journalStart(work, NightlyJob, opt.Date, opt.DryRun, started)
	if err != nil {
		return nil, err
	}
	var results []Result
	var errs []error
	status := StatusSucceeded
	for _, name := range NightlyOrder {
		if _, ok := r.jobs[name]; !ok {
			continue
		}
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		jobOpt := opt
		if r.jobs[name].Today {
			// The night after day D makes the batches of day D+1: the day they go to the bank.
			jobOpt.Date = opt.Date.AddDays(1)
		}
		res, err := r.Run(ctx, name, jobOpt)
		results = append(results, res)
		if err != nil {
			errs = append(errs, err)
		}
		switch {
		case err != nil || res.Status == StatusFailed || res.Status == StatusInterrupted:
			status = StatusFailed
		case res.Status == StatusPartial && status == StatusSucceeded:
			status = StatusPartial
		}
	}
	err = errors.Join(errs...)
	if ctx.Err() != nil {
		status = StatusInterrupted
	}
	sum := Summary{Line: fmt.Sprintf("nightly for %s: %d jobs, %s", opt.Date, len(results), status)}
	res := Result{RunID: runID, Job: NightlyJob, Date: opt.Date, DryRun: opt.DryRun, Status: status,
		Millis: r.Clock.Now().Sub(started).Milliseconds(), Summary: sum}
	if err != nil {
		res.Error = err.Error()
	}
	if jerr := r.journalFinish(work, res); jerr != nil {
		err = errors.Join(err, jerr)
	}
	return results, err
}

// ErrCatchUpLimit says that more days were missed than catchUpDays allows: the
// oldest ones ran, the rest wait for the next run (or an operator).
var ErrCatchUpLimit = errors.New("more nightly runs missed than catchUpDays allows")

// LastNightly returns the last day a nightly ran to its end for (succeeded or
// partial, not a dry run), from the journal; ok is false when none has.
func (r *Runner) LastNightly(ctx context.Context) (day settle.Day, ok bool, err error) {
	err = r.Store.R.GetContext(ctx, &day, `SELECT MAX(run_date) FROM job_runs WHERE job = ? AND NOT dry_run
		AND status IN (?, ?)`, NightlyJob, StatusSucceeded, StatusPartial)
	return day, err == nil && !day.IsZero(), err
}

// MissedDays lists the days a nightly is owed up to through, oldest first: from
// the day after the last one run (per the journal). With no nightly journaled yet
// it is through alone.
func (r *Runner) MissedDays(ctx context.Context, through settle.Day) ([]settle.Day, error) {
	last, ok, err := r.LastNightly(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return []settle.Day{through}, nil
	}
	var days []settle.Day
	for d := last.AddDays(1); !d.After(through); d = d.AddDays(1) {
		days = append(days, d)
	}
	return days, nil
}

// CatchUp runs the nightly once for every day it is owed up to through
// (MissedDays; through defaults to yesterday), oldest first, each as its own dated run, and at most Config.CatchUpDays of them: beyond
// that it stops and returns ErrCatchUpLimit naming the days left. A day whose
// nightly fails stops the catch-up (the next run starts again from it). When no day
// is owed, a scheduled run does nothing and a run by hand (scheduled false) runs
// yesterday again, as asked.
func (r *Runner) CatchUp(ctx context.Context, opt RunOptions, through settle.Day, scheduled bool) ([]Result, error) {
	if through.IsZero() {
		through = r.Yesterday()
	}
	days, err := r.MissedDays(ctx, through)
	if err != nil {
		return nil, err
	}
	if len(days) == 0 {
		if scheduled {
			r.Log.Info("nightly: every day has run; nothing to catch up", "through", through.String())
			return nil, nil
		}
		days = []settle.Day{through}
	}
	var left []settle.Day
	if limit := r.Config.CatchUpDays; len(days) > limit {
		days, left = days[:limit], days[limit:]
	}
	if len(days) > 1 {
		r.Log.Warn("nightly: catching up missed days", "from", days[0].String(), "to", days[len(days)-1].String(), "days", len(days))
	}
	var all []Result
	for _, d := range days {
		o := opt
		o.Date = d
		results, err := r.RunNightly(ctx, o)
		all = append(all, results...)
		if err != nil && nightlyFailed(results, err) {
			return all, fmt.Errorf("nightly for %s: %w (catch-up stops here; the next run starts again from %s)", d, err, d)
		}
	}
	if len(left) > 0 {
		return all, fmt.Errorf("%w: ran %s to %s; %d days remain, %s to %s: run `settle nightly --date DAY` for each, or raise catchUpDays",
			ErrCatchUpLimit, days[0], days[len(days)-1], len(left), left[0], left[len(left)-1])
	}
	return all, nil
}

// nightlyFailed tells whether a nightly's error is a failure (rather than input
// rejected, which the day's journal records as partial and a rerun would not mend).
func nightlyFailed(results []Result, err error) bool {
	if err == nil {
		return false
	}
	for _, res := range results {
		if res.Status == StatusFailed || res.Status == StatusInterrupted {
			return true
		}
	}
	var held *LeaseHeldError
	return errors.As(err, &held) || len(results) == 0
}
