package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// Several `settle run ingest` processes, on several hosts, may work one inbox (a
// shared folder) when the ledger is on PostgreSQL: each takes its own job lease
// (job:ingest@holder) and claims the files it works on, one by one. A claim is a lease
// named after the file ("inbox:NAME", then "content:SHA256" once it is hashed, so that
// the same content under two names is never read by two workers at once), renewed
// with the holder's job lease and released when the file is done. A dead worker's
// claims expire with its lease, and the next worker to look takes the file over and
// resumes it from its last committed chunk.
//
// The order of the inbox holds across workers: a file waits until every file of an
// earlier rank (the feeds before the bank files, notifications before the day's
// statement) has left the inbox.

const claimPrefix = "inbox:"

// claimPoll is how often a worker looks again at a file another worker has.
const claimPoll = 250 * time.Millisecond

// claim takes the claim name for this run's holder; held says another live worker has it.
func claim(env *Env, name string) (l Lease, held bool, err error) {
	l, err = Acquire(env.Work, env.Store, name, env.Holder, time.Duration(env.Config.LeaseTTL))
	var he *LeaseHeldError
	if errors.As(err, &he) {
		return l, true, nil
	}
	return l, false, err
}

// claimWait takes the claim name, waiting while another worker has it.
func claimWait(ctx context.Context, env *Env, name string) (Lease, error) {
	for {
		l, held, err := claim(env, name)
		if err != nil || !held {
			return l, err
		}
		select {
		case <-ctx.Done():
			return l, ctx.Err()
		case <-time.After(claimPoll):
		}
	}
}

// waitGone waits until the file at path has left the inbox (another worker finished
// it). If its claim falls free first (its worker died), it returns claimed = true
// with the claim: the file is this worker's to finish.
func waitGone(ctx context.Context, env *Env, path string) (l Lease, claimed bool, err error) {
	for {
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			return l, false, nil
		}
		l, held, err := claim(env, claimPrefix+filepath.Base(path))
		if err != nil {
			return l, false, err
		}
		if !held {
			return l, true, nil
		}
		select {
		case <-ctx.Done():
			return l, false, ctx.Err()
		case <-time.After(claimPoll):
		}
	}
}
