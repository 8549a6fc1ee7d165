package jobs

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"settle"
)

func TestScheduleRunsAndStopsAfterTheRunningJob(t *testing.T) {
	r, s := testRunner(t)
	r.Clock = settle.WallClock{}
	var runs, finished atomic.Int32
	r.Register(Job{Name: "tick", Run: func(ctx context.Context, env *Env) (Summary, error) {
		runs.Add(1)
		if runs.Load() == 1 {
			panic("first run panics; the scheduler must survive it")
		}
		time.Sleep(700 * time.Millisecond) // still working when the stop comes
		finished.Add(1)
		return Summary{Line: "ticked"}, nil
	}})
	r.Config.Schedules = map[string]string{"tick": "@every 1s"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- Schedule(ctx, r, SleepWall) }()
	deadline := time.Now().Add(10 * time.Second)
	for runs.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if runs.Load() < 2 || finished.Load() != runs.Load()-1 {
		t.Fatalf("runs %d, finished %d: Schedule returned before the running job ended", runs.Load(), finished.Load())
	}
	var failed int
	s.R.Get(&failed, `SELECT COUNT(*) FROM job_runs WHERE job = 'tick' AND status = 'failed' AND error LIKE '%panic%'`)
	if failed != 1 {
		t.Fatalf("%d journaled panics; want 1", failed)
	}
}

func TestScheduleRefusesBadSpecs(t *testing.T) {
	r, _ := testRunner(t)
	for _, sched := range []map[string]string{{"nightly": "every night"}, {"nosuchjob": "0 2 * * *"},
		{"nightly": "CRON_TZ=UTC 0 2 * * *"}, {}} {
		r.Config.Schedules = sched
		if err := Schedule(context.Background(), r, SleepWall); err == nil {
			t.Errorf("%v accepted", sched)
		}
	}
}

func rome(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	return loc
}

// Regression: robfig/cron v3.0.1 in Europe/Rome skipped the nightly on the
// spring-forward night (next run a day later) and ran it twice on the fall-back
// night. NextRun fires once per calendar day, at 02:00 wall time or just after
// the gap.
func TestNextRunOncePerDayAcrossDaylightSaving(t *testing.T) {
	loc := rome(t)
	for _, c := range []struct {
		spec, from, to string
		special        map[string]string // day → the fire time expected, RFC 3339
	}{
		{"0 2 * * *", "2027-03-25", "2027-04-01", map[string]string{"2027-03-28": "2027-03-28T03:00:00+02:00"}},
		{"30 2 * * *", "2027-03-25", "2027-04-01", map[string]string{"2027-03-28": "2027-03-28T03:00:00+02:00"}},
		{"0 2 * * *", "2027-10-28", "2027-11-04", map[string]string{"2027-10-31": "2027-10-31T02:00:00+02:00"}},
		{"30 2 * * *", "2027-10-28", "2027-11-04", map[string]string{"2027-10-31": "2027-10-31T02:30:00+02:00"}},
		{"0 3 * * *", "2027-10-28", "2027-11-04", map[string]string{"2027-10-31": "2027-10-31T03:00:00+01:00"}},
	} {
		sched, err := cron.ParseStandard(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		from, to := settle.MustParseDay(c.from).Start(loc), settle.MustParseDay(c.to).Start(loc)
		perDay := map[string]int{}
		for at := NextRun(sched, from, loc); at.Before(to); at = NextRun(sched, at, loc) {
			day := settle.DayOf(at, loc).String()
			perDay[day]++
			if want, ok := c.special[day]; ok && at.Format(time.RFC3339) != want {
				t.Errorf("%s on %s fires at %s, want %s", c.spec, day, at.Format(time.RFC3339), want)
			}
		}
		for d := settle.MustParseDay(c.from); d.Before(settle.MustParseDay(c.to)); d = d.AddDays(1) {
			if perDay[d.String()] != 1 {
				t.Errorf("%s fires %d times on %s, want once", c.spec, perDay[d.String()], d)
			}
		}
	}
}

// fakeNight replaces the nightly's jobs with ones that record the day they ran for.
func fakeNight(r *Runner) func() []string {
	var mu sync.Mutex
	var ran []string
	for _, name := range NightlyOrder {
		name := name
		r.Register(Job{Name: name, Today: name == "sdd-batch" || name == "sct-batch", Run: func(_ context.Context, env *Env) (Summary, error) {
			if name == "ingest" {
				mu.Lock()
				ran = append(ran, env.Date.String())
				mu.Unlock()
			}
			return Summary{Line: "ok"}, nil
		}})
	}
	return func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), ran...) }
}

// runScheduleUntil runs the scheduler on the runner's fake clock, jumping the
// clock at each sleep, until the clock reaches end.
func runScheduleUntil(t *testing.T, r *Runner, clock *settle.FakeClock, end time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sleep := func(ctx context.Context, d time.Duration) error {
		if !clock.Now().Add(d).Before(end) {
			clock.Set(end)
			cancel()
			return context.Canceled
		}
		clock.Advance(d)
		return ctx.Err()
	}
	if err := Schedule(ctx, r, sleep); err != nil {
		t.Fatal(err)
	}
}

func nightlyDays(t *testing.T, r *Runner) []string {
	t.Helper()
	var days []string
	if err := r.Store.R.Select(&days, `SELECT run_date FROM job_runs WHERE job = 'nightly' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return days
}

// The scheduled nightly runs exactly once for each calendar day across the March
// and October transitions of Europe/Rome, and after a three-day outage it runs
// each missed day in order, each as its own dated run.
func TestScheduledNightlyOncePerDayAcrossDSTAndOutage(t *testing.T) {
	loc := rome(t)
	for _, c := range []struct {
		name, start, stop, restart, end string
		want                            []string
	}{
		{"spring forward", "2027-03-26T12:00", "2027-03-31T12:00", "", "",
			[]string{"2027-03-25", "2027-03-26", "2027-03-27", "2027-03-28", "2027-03-29", "2027-03-30"}},
		{"fall back", "2027-10-29T12:00", "2027-11-03T12:00", "", "",
			[]string{"2027-10-28", "2027-10-29", "2027-10-30", "2027-10-31", "2027-11-01", "2027-11-02"}},
		// Down from the 10th at 12:00 to the 13th at 10:00: the nights of the 11th,
		// 12th and 13th were missed; on restart the days 10, 11 and 12 run in order.
		{"outage", "2027-06-08T12:00", "2027-06-10T12:00", "2027-06-13T10:00", "2027-06-14T12:00",
			[]string{"2027-06-07", "2027-06-08", "2027-06-09", "2027-06-10", "2027-06-11", "2027-06-12", "2027-06-13"}},
		// Restarted before the night's time: the day before yesterday is caught up
		// at once, yesterday waits for its time.
		{"restart before the night's time", "2027-06-08T12:00", "2027-06-10T12:00", "2027-06-13T01:00", "2027-06-13T12:00",
			[]string{"2027-06-07", "2027-06-08", "2027-06-09", "2027-06-10", "2027-06-11", "2027-06-12"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, _ := testRunner(t)
			ran := fakeNight(r)
			at := func(s string) time.Time {
				v, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			clock := settle.NewFakeClock(at(c.start))
			r.Clock, r.Store.Clock = clock, clock
			// The first night ever runs yesterday; this world starts with one done.
			if _, err := r.RunNightly(context.Background(), RunOptions{Date: settle.DayOf(at(c.start), loc).AddDays(-2)}); err != nil {
				t.Fatal(err)
			}
			runScheduleUntil(t, r, clock, at(c.stop))
			if c.restart != "" {
				clock.Set(at(c.restart))
				runScheduleUntil(t, r, clock, at(c.end))
			}
			// The first entry is the night the world started with.
			if got := strings.Join(nightlyDays(t, r)[1:], " "); got != strings.Join(c.want, " ") {
				t.Errorf("nightly days journaled:\n got %s\nwant %s", got, strings.Join(c.want, " "))
			}
			if got := strings.Join(ran()[1:], " "); got != strings.Join(c.want, " ") {
				t.Errorf("ingest ran for:\n got %s\nwant %s", got, strings.Join(c.want, " "))
			}
		})
	}
}

// catchUpDays bounds one catch-up: the oldest days run, the rest are named.
func TestCatchUpStopsAtItsLimitAndSaysSo(t *testing.T) {
	r, _ := testRunner(t)
	ran := fakeNight(r)
	clock := settle.NewFakeClock(time.Date(2027, 6, 20, 10, 0, 0, 0, time.UTC))
	r.Clock, r.Store.Clock = clock, clock
	r.Config.CatchUpDays = 3
	if _, err := r.RunNightly(context.Background(), RunOptions{Date: settle.MustParseDay("2027-06-10")}); err != nil {
		t.Fatal(err)
	}
	_, err := r.CatchUp(context.Background(), RunOptions{}, settle.Day{}, false)
	if err == nil || !strings.Contains(err.Error(), "2027-06-14 to 2027-06-19") || !strings.Contains(err.Error(), "6 days remain") {
		t.Fatalf("error %v; want ErrCatchUpLimit naming the days left", err)
	}
	if got := strings.Join(ran(), " "); got != "2027-06-10 2027-06-11 2027-06-12 2027-06-13" {
		t.Fatalf("ran %s", got)
	}
	// The next run goes on from there; by hand with nothing owed, it reruns yesterday.
	r.Config.CatchUpDays = 7
	if _, err := r.CatchUp(context.Background(), RunOptions{}, settle.Day{}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CatchUp(context.Background(), RunOptions{}, settle.Day{}, false); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ran()[4:], " "); got != "2027-06-14 2027-06-15 2027-06-16 2027-06-17 2027-06-18 2027-06-19 2027-06-19" {
		t.Fatalf("ran %s", got)
	}
}
