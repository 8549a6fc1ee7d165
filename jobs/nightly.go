package jobs

import (
	"context"
	"errors"
	"time"
)

// NightlyOrder is the order of the nightly pipeline. Jobs not built yet are not
// registered and are skipped; reset-balances never runs at night.
var NightlyOrder = []string{"ingest", "sdd-batch", "sct-batch", "release-funds", "fee-totals", "reconcile", "reports"}

// builtJobs lists the jobs this build has.
func builtJobs() []Job {
	return []Job{IngestJob(), SDDBatchJob(), SCTBatchJob(), ReleaseFundsJob(), FeeTotalsJob(), ReconcileJob(), ReportsJob(), ResetBalancesJob()}
}

// RunNightly runs the registered jobs of NightlyOrder for one date D (default
// yesterday), the batch jobs for D+1 (the day their files go to the bank), under a
// "nightly" lease so that two pipelines never interleave. A failing job does not stop
// the ones after it (each is independent and idempotent); the returned error joins
// the failures.
func (r *Runner) RunNightly(ctx context.Context, opt RunOptions) ([]Result, error) {
	if opt.Date == "" {
		opt.Date = r.Config.Yesterday(time.Now())
	}
	ttl := time.Duration(r.Config.LeaseTTL)
	lease, err := AcquireWait(ctx, r.Store, "nightly", r.Holder, ttl, opt.Wait)
	if err != nil {
		return nil, err
	}
	defer lease.Release(context.WithoutCancel(ctx), r.Store)
	stop := r.keepLease(ctx, lease, ttl, func(error) {}, r.Log)
	defer stop()
	var results []Result
	var errs []error
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
			d, _ := time.Parse(time.DateOnly, opt.Date)
			jobOpt.Date = d.AddDate(0, 0, 1).Format(time.DateOnly)
		}
		res, err := r.Run(ctx, name, jobOpt)
		results = append(results, res)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return results, errors.Join(errs...)
}
