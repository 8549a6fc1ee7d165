package jobs

import (
	"context"
	"errors"
	"fmt"
	"settle"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Sleeper waits for d or until ctx is done. The scheduler sleeps through one so
// that tests can move a fake clock across days in no time.
type Sleeper func(ctx context.Context, d time.Duration) error

// SleepWall is the Sleeper of production: a real timer.
func SleepWall(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// entry is one configured schedule.
type entry struct {
	name  string
	spec  string
	sched cron.Schedule
	run   func(ctx context.Context)
	next  time.Time
}

// Schedule runs the configured schedules (Config.Schedules: "nightly" or a job name
// to a 5-field cron spec read in the configured time zone) until ctx is done,
// sleeping through sleep (SleepWall in production) and reading the runner's clock.
//
// Cron times are wall-clock times of the zone: one that does not exist on a
// spring-forward night runs at the first instant after the gap, one that happens
// twice on a fall-back night runs once. Runs happen one at a time; a time that
// passes while another run is going is skipped and logged (across processes the
// lease does the same). The nightly is a catch-up (Runner.CatchUp): it runs every
// day owed since the last one journaled, so each calendar day's nightly runs
// exactly once, whatever the clock changes, restarts or outages. A panic is
// recovered and journaled by the runner. When ctx ends, the running job is told to
// stop after its chunk and Schedule returns once it has.
func Schedule(ctx context.Context, r *Runner, sleep Sleeper) error {
	entries, err := r.entries()
	if err != nil {
		return err
	}
	loc := r.Config.Location()
	now := r.Clock.Now()
	for _, e := range entries {
		e.next = NextRun(e.sched, now, loc)
		r.Log.Info("scheduled", "what", e.name, "cron", e.spec, "timeZone", r.Config.TimeZone, "next", e.next.In(loc).Format(time.RFC3339))
		if e.name == NightlyJob {
			r.catchUpAtStart(ctx, e.sched, now, loc)
		}
	}
	for {
		sort.SliceStable(entries, func(i, j int) bool { return entries[i].next.Before(entries[j].next) })
		e := entries[0]
		if d := e.next.Sub(r.Clock.Now()); d > 0 {
			if err := sleep(ctx, d); err != nil {
				r.Log.Info("stopping: no run in progress")
				return nil
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		r.Log.Debug("schedule fires", "what", e.name, "at", e.next.In(loc).Format(time.RFC3339))
		e.run(ctx)
		if ctx.Err() != nil {
			r.Log.Info("stopped after the running job finished its chunk")
			return nil
		}
		now := r.Clock.Now()
		for _, o := range entries {
			if !o.next.After(now) {
				next := NextRun(o.sched, now, loc)
				if o != e {
					r.Log.Warn("skipped a scheduled run: another run was going", "what", o.name, "due", o.next.In(loc).Format(time.RFC3339))
				}
				o.next = next
			}
		}
	}
}

// entries parses the configured schedules, sorted by name.
func (r *Runner) entries() ([]*entry, error) {
	names := make([]string, 0, len(r.Config.Schedules))
	for name := range r.Config.Schedules {
		names = append(names, name)
	}
	sort.Strings(names)
	var es []*entry
	for _, name := range names {
		spec := r.Config.Schedules[name]
		if strings.Contains(spec, "TZ=") {
			return nil, fmt.Errorf("schedule %s %q: the time zone is the configured timeZone, not part of the spec", name, spec)
		}
		sched, err := cron.ParseStandard(spec)
		if err != nil {
			return nil, fmt.Errorf("schedule %s %q: %w", name, spec, err)
		}
		run, err := r.scheduledFunc(name)
		if err != nil {
			return nil, err
		}
		es = append(es, &entry{name: name, spec: spec, sched: sched, run: run})
	}
	if len(es) == 0 {
		return nil, errors.New("no schedules configured")
	}
	return es, nil
}

// NextRun is the first instant after `after` at which sched fires, reading its
// times as wall-clock times in loc. The spec is evaluated on the wall clock (where
// no day has 23 or 25 hours), and each wall time is then placed in loc: a wall time
// inside a spring-forward gap lands just after it, and a wall time that a fall-back
// repeats is used once.
func NextRun(sched cron.Schedule, after time.Time, loc *time.Location) time.Time {
	wall := toWall(after.In(loc))
	for {
		wall = sched.Next(wall)
		if t := fromWall(wall, loc); t.After(after) {
			return t
		}
	}
}

// toWall is t's wall-clock reading as a UTC time (a zone without daylight saving).
func toWall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// fromWall places a wall-clock reading in loc. A reading that a spring-forward
// gap skips becomes the end of the gap; one that a fall-back shows twice becomes
// its first occurrence.
func fromWall(w time.Time, loc *time.Location) time.Time {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
	start, _ := t.ZoneBounds()
	if !toWall(t).Equal(w) {
		return start // in the gap: the clock jumped from before w to after it at start
	}
	if !start.IsZero() {
		_, off := t.Zone()
		if _, before := start.Add(-time.Second).Zone(); before > off {
			// The clock went back at start: the same reading happened earlier too.
			if first := t.Add(-time.Duration(before-off) * time.Second).In(loc); toWall(first).Equal(w) {
				return first
			}
		}
	}
	return t
}

// catchUpAtStart runs, when the scheduler starts after an outage, the nightlies
// whose time passed while it was down: through yesterday if today's nightly time
// has passed, else through the day before (yesterday's runs at today's time).
// A database that never ran a nightly has nothing to catch up.
func (r *Runner) catchUpAtStart(ctx context.Context, sched cron.Schedule, now time.Time, loc *time.Location) {
	if _, ok, err := r.LastNightly(ctx); err != nil || !ok {
		return
	}
	today := settle.DayOf(now, loc)
	through := today.AddDays(-2)
	if due := NextRun(sched, today.Start(loc).Add(-time.Nanosecond), loc); !due.After(now) {
		through = today.AddDays(-1)
	}
	if _, err := r.CatchUp(ctx, RunOptions{}, through, true); err != nil {
		r.logScheduled(NightlyJob, err)
	}
}

func (r *Runner) scheduledFunc(name string) (func(context.Context), error) {
	if name == NightlyJob {
		return func(ctx context.Context) {
			if _, err := r.CatchUp(ctx, RunOptions{}, settle.Day{}, true); err != nil {
				r.logScheduled(NightlyJob, err)
			}
		}, nil
	}
	if _, ok := r.jobs[name]; !ok {
		return nil, fmt.Errorf("schedule names %q, which is neither nightly nor a job (%v)", name, r.Names())
	}
	return func(ctx context.Context) {
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
