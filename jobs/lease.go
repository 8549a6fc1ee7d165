package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"settle/ledger"
)

// LeaseHeldError says that another process holds a lease.
type LeaseHeldError struct {
	Name   string
	Holder string
	Since  time.Time
	Until  time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("%s is running: held by %s since %s (lease until %s)", e.Name, e.Holder,
		e.Since.UTC().Format(time.RFC3339), e.Until.UTC().Format(time.RFC3339))
}

// ErrLeaseLost cancels a job whose lease was taken over or could not be renewed.
var ErrLeaseLost = errors.New("lease lost")

// Lease is an exclusive, expiring claim on a name, kept in the database so that it
// works across processes.
type Lease struct {
	Name     string
	Holder   string
	TookOver string // the previous holder whose expired lease was taken over, if any
}

// Acquire takes the lease name for holder for ttl. It fails with *LeaseHeldError
// while another holder's lease has not expired; an expired lease is taken over.
func Acquire(ctx context.Context, s *ledger.Store, name, holder string, ttl time.Duration) (Lease, error) {
	l := Lease{Name: name, Holder: holder}
	now := s.Now()
	err := s.LeaseTx(ctx, func(tx *sqlx.Tx) error {
		var cur struct {
			Holder     string `db:"holder"`
			AcquiredAt int64  `db:"acquired_at"`
			ExpiresAt  int64  `db:"expires_at"`
		}
		err := tx.GetContext(ctx, &cur, `SELECT holder, acquired_at, expires_at FROM leases WHERE name = ?`, name)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case cur.Holder != holder && cur.ExpiresAt > now.UnixMilli():
			return &LeaseHeldError{Name: name, Holder: cur.Holder, Since: time.UnixMilli(cur.AcquiredAt), Until: time.UnixMilli(cur.ExpiresAt)}
		case cur.Holder != holder:
			l.TookOver = cur.Holder
		}
		// Taken only if still free or expired when the row is locked: on PostgreSQL two
		// hosts may read the same expired lease at once, and only one gets it.
		res, err := tx.ExecContext(ctx, `INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
			expires_at = excluded.expires_at WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
			name, holder, now.UnixMilli(), now.Add(ttl).UnixMilli(), now.UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		if err := tx.GetContext(ctx, &cur, `SELECT holder, acquired_at, expires_at FROM leases WHERE name = ?`, name); err != nil {
			return err
		}
		return &LeaseHeldError{Name: name, Holder: cur.Holder, Since: time.UnixMilli(cur.AcquiredAt), Until: time.UnixMilli(cur.ExpiresAt)}
	})
	return l, err
}

// AcquireWait is Acquire, retrying until the lease is free or wait has passed
// (measured by a timer: the clock only stamps the lease). A database another process
// keeps locked past the busy timeout is waited for in the same way.
func AcquireWait(ctx context.Context, s *ledger.Store, name, holder string, ttl, wait time.Duration) (Lease, error) {
	waited := time.NewTimer(wait)
	defer waited.Stop()
	for {
		l, err := Acquire(ctx, s, name, holder, ttl)
		var held *LeaseHeldError
		if !(errors.As(err, &held) || ledger.IsBusy(err)) || wait <= 0 {
			return l, busy(ctx, s, name, err)
		}
		retry := time.NewTimer(500 * time.Millisecond)
		select {
		case <-ctx.Done():
			retry.Stop()
			return l, err
		case <-waited.C:
			retry.Stop()
			l, err = Acquire(ctx, s, name, holder, ttl) // a last try at the deadline
			return l, busy(ctx, s, name, err)
		case <-retry.C:
		}
	}
}

// takeOverWorkers deletes the expired leases of the workers of a job (named
// prefix+holder) and returns their holders: their runs are to be marked interrupted.
// Their claims expire with them and are taken over file by file.
func takeOverWorkers(ctx context.Context, s *ledger.Store, prefix string) (holders []string, err error) {
	err = s.LeaseTx(ctx, func(tx *sqlx.Tx) error {
		holders = nil
		if err := tx.SelectContext(ctx, &holders, `DELETE FROM leases WHERE name LIKE ? AND expires_at <= ? RETURNING holder`,
			prefix+"%", s.Now().UnixMilli()); err != nil {
			return err
		}
		return nil
	})
	return holders, err
}

// Renew extends the lease by ttl; it returns ErrLeaseLost if another holder has it.
func (l Lease) Renew(ctx context.Context, s *ledger.Store, ttl time.Duration) error {
	return s.LeaseTx(ctx, func(tx *sqlx.Tx) error { return l.renewIn(ctx, tx, s.Now().Add(ttl)) })
}

// renewIn extends the lease to until inside tx.
func (l Lease) renewIn(ctx context.Context, tx *sqlx.Tx, until time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?`,
		until.UnixMilli(), l.Name, l.Holder)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		return ErrLeaseLost
	}
	if err != nil {
		return err
	}
	// The files this holder has claimed (claims.go) stay claimed while it lives.
	_, err = tx.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE holder = ? AND name <> ?`,
		until.UnixMilli(), l.Holder, l.Name)
	return err
}

// Release gives the lease up, if this holder still has it.
func (l Lease) Release(ctx context.Context, s *ledger.Store) error {
	return s.LeaseTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, l.Name, l.Holder)
		return err
	})
}

// busy explains SQLite's "database is locked" to the one who waited for it, naming
// what holds the database (read from the leases, which a reader sees while a writer
// works).
func busy(ctx context.Context, s *ledger.Store, name string, err error) error {
	if !ledger.IsBusy(err) {
		return err
	}
	var held []struct {
		Name       string `db:"name"`
		Holder     string `db:"holder"`
		AcquiredAt int64  `db:"acquired_at"`
	}
	s.R.SelectContext(ctx, &held, `SELECT name, holder, acquired_at FROM leases WHERE expires_at > ? ORDER BY acquired_at`, s.Now().UnixMilli())
	who := "another process"
	if len(held) > 0 {
		var parts []string
		for _, h := range held {
			parts = append(parts, fmt.Sprintf("%s held by %s since %s", h.Name, h.Holder, time.UnixMilli(h.AcquiredAt).UTC().Format(time.RFC3339)))
		}
		who = strings.Join(parts, "; ")
	}
	return fmt.Errorf("%s cannot start: the database is busy with a long write for over %s (%s); --wait waits for it",
		name, ledger.BusyTimeout, who)
}
