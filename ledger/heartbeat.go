package ledger

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// A heartbeat is work that must keep running while this process holds the write lock:
// the job runner renews its leases with it. SQLite has one writer, so a renewal in a
// transaction of its own would wait for the very transaction it must outlive; instead
// the renewal runs inside the open write transaction, before its next statement, and
// commits with it. Nobody can take the lease over before that commit, because taking
// it over needs the write lock.
type heartbeat struct {
	due atomic.Bool
	fn  func(ctx context.Context, tx *sqlx.Tx) error
}

// writeState serialises this process's write transactions and holds its heartbeats.
type writeState struct {
	mu    sync.Mutex // held for the life of each write transaction
	hbMu  sync.Mutex
	beats []*heartbeat
	due   atomic.Bool // some heartbeat is due: the only cost on a statement's path
	ran   []*heartbeat
}

// OnHeartbeat installs fn as a heartbeat until stop is called. Each Beat runs fn once
// in a write transaction: its own when none is open, otherwise the open one, before
// its next statement.
func (s *Store) OnHeartbeat(fn func(ctx context.Context, tx *sqlx.Tx) error) (beat func(ctx context.Context) error, stop func()) {
	hb := &heartbeat{fn: fn}
	s.ws.hbMu.Lock()
	s.ws.beats = append(s.ws.beats, hb)
	s.ws.hbMu.Unlock()
	stop = func() {
		s.ws.hbMu.Lock()
		defer s.ws.hbMu.Unlock()
		for i, b := range s.ws.beats {
			if b == hb {
				s.ws.beats = append(s.ws.beats[:i:i], s.ws.beats[i+1:]...)
				return
			}
		}
	}
	return func(ctx context.Context) error { return s.beat(ctx, hb) }, stop
}

// beat runs hb now in a transaction of its own when no write transaction is open in
// this process, and returns its error. While one is open, hb is left to it (the
// transaction fails and rolls back if hb fails) and beat returns nil.
func (s *Store) beat(ctx context.Context, hb *heartbeat) error {
	if s.ldb != nil { // PostgreSQL: beside any transaction, visible at once
		return s.LeaseTx(ctx, func(tx *sqlx.Tx) error { return hb.fn(ctx, tx) })
	}
	if !s.ws.mu.TryLock() {
		hb.due.Store(true)
		s.ws.due.Store(true)
		return nil
	}
	defer s.ws.mu.Unlock()
	hb.due.Store(false)
	return s.writeTx(ctx, false, func(tx *sqlx.Tx) error { return hb.fn(ctx, tx) })
}

// beatIn runs, inside the open transaction tx, the heartbeats that are due.
func (s *Store) beatIn(ctx context.Context, tx *sqlx.Tx) error {
	if !s.ws.due.Load() {
		return nil
	}
	s.ws.hbMu.Lock()
	s.ws.due.Store(false)
	var due []*heartbeat
	for _, hb := range s.ws.beats {
		if hb.due.Swap(false) {
			due = append(due, hb)
		}
	}
	s.ws.hbMu.Unlock()
	for _, hb := range due {
		s.ws.ran = append(s.ws.ran, hb)
		if err := hb.fn(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// afterTx is called with the write lock still held when a write transaction ends: a
// heartbeat that ran in a transaction that rolled back did not happen, so it runs
// again in a transaction of its own.
func (s *Store) afterTx(ctx context.Context, committed bool) error {
	ran := s.ws.ran
	s.ws.ran = nil
	if committed {
		return nil
	}
	var errs []error
	for _, hb := range ran {
		errs = append(errs, s.writeTx(ctx, false, func(tx *sqlx.Tx) error { return hb.fn(ctx, tx) }))
	}
	return errors.Join(errs...)
}
