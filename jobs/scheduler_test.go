package jobs

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestScheduleRunsAndStopsAfterTheRunningJob(t *testing.T) {
	r, s := testRunner(t)
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
	go func() { done <- Schedule(ctx, r) }()
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
	for _, sched := range []map[string]string{{"nightly": "every night"}, {"nosuchjob": "0 2 * * *"}} {
		r.Config.Schedules = sched
		if err := Schedule(context.Background(), r); err == nil {
			t.Errorf("%v accepted", sched)
		}
	}
}
