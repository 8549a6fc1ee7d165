package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"

	"github.com/robfig/cron/v3"
)

// Schedule runs the configured schedules (Config.Schedules: "nightly" or a job name
// to a 5-field cron spec, in the configured time zone) until ctx is done. A job never
// overlaps itself (a run still going when its next time comes is skipped and logged;
// across processes the lease does the same). A panic is recovered and journaled by
// the runner. When ctx ends, the running job is told to stop after its chunk and
// Schedule returns once it has.
func Schedule(ctx context.Context, r *Runner) error {
	logger := cronLogger{r.Log}
	c := cron.New(
		cron.WithLocation(r.Config.Location()),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)),
		cron.WithLogger(logger),
	)
	names := make([]string, 0, len(r.Config.Schedules))
	for name := range r.Config.Schedules {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		spec := r.Config.Schedules[name]
		run, err := r.scheduledFunc(ctx, name)
		if err != nil {
			return err
		}
		if _, err := c.AddFunc(spec, run); err != nil {
			return fmt.Errorf("schedule %s %q: %w", name, spec, err)
		}
		r.Log.Info("scheduled", "what", name, "cron", spec, "timeZone", r.Config.TimeZone)
	}
	c.Start()
	<-ctx.Done()
	r.Log.Info("stopping: waiting for the running job to finish its chunk")
	<-c.Stop().Done()
	return nil
}

func (r *Runner) scheduledFunc(ctx context.Context, name string) (func(), error) {
	if name == "nightly" {
		return func() {
			if _, err := r.RunNightly(ctx, RunOptions{}); err != nil {
				r.logScheduled("nightly", err)
			}
		}, nil
	}
	if _, ok := r.jobs[name]; !ok {
		return nil, fmt.Errorf("schedule names %q, which is neither nightly nor a job (%v)", name, r.Names())
	}
	return func() {
		if _, err := r.Run(ctx, name, RunOptions{}); err != nil {
			r.logScheduled(name, err)
		}
	}, nil
}

func (r *Runner) logScheduled(name string, err error) {
	var held *LeaseHeldError
	if errors.As(err, &held) {
		r.Log.Warn("skipped: already running elsewhere", "what", name, "holder", held.Holder)
		return
	}
	r.Log.Error("scheduled run failed", "what", name, "error", err)
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" { // SkipIfStillRunning: a run was skipped because the last one is still going
		c.l.Warn("cron: skipped a run: the previous one is still going", kv...)
		return
	}
	c.l.Debug("cron: "+msg, kv...)
}
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "error", err)...)
}
