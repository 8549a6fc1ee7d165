package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"settle/ledger"
)

// Regression (issue 14): the lease expired while one long file transaction was open,
// because its renewal waited for the write lock that transaction held.
func TestLeaseOutlivesALongTransaction(t *testing.T) {
	r, s := testRunner(t)
	ttl := 300 * time.Millisecond
	r.Config.LeaseTTL = Duration(ttl)
	s2, err := ledger.Open(s.Path) // a neighbour process
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()

	var afterCommit error
	r.Register(Job{Name: "long", Run: func(ctx context.Context, env *Env) (Summary, error) {
		err := env.Store.Write(env.Work, func(w *ledger.Writer) error {
			// One transaction of five lease lifetimes, with a statement every 10 ms.
			for end := time.Now().Add(5 * ttl); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
				if _, err := w.Exec(`SELECT 1`); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return Summary{}, err
		}
		// The moment the transaction commits, the neighbour must find the lease held.
		_, afterCommit = Acquire(context.Background(), s2, "job:long", "neighbour:1", ttl)
		return Summary{Line: "done"}, nil
	}})
	res, err := r.Run(context.Background(), "long", RunOptions{})
	if err != nil || !res.OK() {
		t.Fatalf("run: %+v %v", res, err)
	}
	var held *LeaseHeldError
	if !errors.As(afterCommit, &held) {
		t.Fatalf("a neighbour after the long transaction got %v; want the lease held by %s", afterCommit, r.Holder)
	}
}

// A lease renewal inside a transaction that rolls back is made again on its own.
func TestLeaseRenewalSurvivesARollback(t *testing.T) {
	r, s := testRunner(t)
	ttl := 300 * time.Millisecond
	r.Config.LeaseTTL = Duration(ttl)
	s2, err := ledger.Open(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()

	var afterRollback error
	r.Register(Job{Name: "rolls-back", Run: func(ctx context.Context, env *Env) (Summary, error) {
		err := env.Store.Write(env.Work, func(w *ledger.Writer) error {
			for end := time.Now().Add(3 * ttl); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
				if _, err := w.Exec(`SELECT 1`); err != nil {
					return err
				}
			}
			return errors.New("this file is bad")
		})
		if err == nil {
			t.Error("the write should have failed")
		}
		_, afterRollback = Acquire(context.Background(), s2, "job:rolls-back", "neighbour:1", ttl)
		return Summary{Line: "done"}, nil
	}})
	if res, err := r.Run(context.Background(), "rolls-back", RunOptions{}); err != nil || !res.OK() {
		t.Fatalf("run: %+v %v", res, err)
	}
	var held *LeaseHeldError
	if !errors.As(afterRollback, &held) {
		t.Fatalf("a neighbour after the rollback got %v; want the lease held", afterRollback)
	}
}
