// Package ledger is the write side of settle: the store, reference data (partners,
// dealers, stores, wallets), accounts, transactions, postings and operations.
//
// It imports no HTTP, CLI or cron code.
package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"settle"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver (cgo)
)

// Store is the settle database, a SQLite file or a PostgreSQL database: one writer
// connection, so that SQLite's single writer is explicit and every write transaction
// takes the write lock up front (BEGIN IMMEDIATE), and a separate pool of read-only
// connections. On PostgreSQL the writer is one connection too: this process's writes
// stay serialised, other processes' run beside them.
type Store struct {
	wdb *sqlx.DB // the one writer connection
	R   *sqlx.DB // read-only pool
	// D is the SQL dialect of the backend: SQLite or PostgreSQL.
	D *Dialect
	// WriterWait is how long a write transaction on PostgreSQL waits for another
	// process's to end before it fails with IsBusy (default BusyTimeout). Jobs wait
	// longer: another worker's file is one transaction.
	WriterWait time.Duration
	ldb        *sqlx.DB // PostgreSQL: the connections of LeaseTx and FirstUse
	purgeAt    atomic.Int64
	// Path is the SQLite file, or the PostgreSQL URL without its password.
	Path string
	// Clock stamps what the store writes (created_at, updated_at). Open sets the wall
	// clock; the job runner and tests replace it. Business days never come from it:
	// they are passed in.
	Clock settle.Clock
	ws    writeState
}

// BusyTimeout is how long a connection waits for a lock held by another process.
const BusyTimeout = 10 * time.Second

func dsn(path string, readOnly bool) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	// The parameters apply to every connection the driver opens, so the PRAGMAs hold
	// on every pooled connection, not only the first.
	q := fmt.Sprintf("_foreign_keys=on&_busy_timeout=%d", BusyTimeout.Milliseconds())
	if readOnly {
		// The driver keeps each connection's last 64 prepared statements: the API asks
		// the same few queries thousands of times a second, and preparing them was a
		// quarter of its CPU.
		return "file:" + esc + "?mode=ro&_query_only=true&_stmt_cache_size=64&" + q
	}
	// synchronous=FULL: a committed transaction survives a power cut, not only a crash.
	// cache_size 64 MiB (SQLite's default is 2 MiB): inserts into large indexes keyed
	// by random UUIDs stay in memory (BenchmarkImportWallets at 200,000 rows: 7,900 →
	// 10,400 rows/s).
	return "file:" + esc + "?_journal_mode=WAL&_synchronous=FULL&_txlock=immediate&_cache_size=-65536&" + q
}

// ErrNoDatabase is returned by Open for a path with no database: a typo'd --db must
// not become a new, empty ledger.
var ErrNoDatabase = errors.New("no database")

// Open opens the existing database at path and applies pending migrations (taking
// the write lock only when some are pending). A missing or empty file is refused
// with ErrNoDatabase: only Create makes a database.
func Open(path string) (*Store, error) {
	if IsPostgres(path) {
		return openPostgres(path, false)
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist) || (err == nil && st.Size() == 0):
		return nil, fmt.Errorf("%w at %s: run 'settle migrate' first (or check --db)", ErrNoDatabase, path)
	case err != nil:
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return open(path)
}

// Create opens the database at path, creating it if needed, and applies pending
// migrations: for `settle migrate` and `settle demo`.
func Create(path string) (*Store, error) {
	if IsPostgres(path) {
		return openPostgres(path, true)
	}
	return open(path)
}

func open(path string) (*Store, error) {
	w, err := sqlx.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{wdb: w, D: SQLite, Path: path, Clock: settle.WallClock{}}
	if _, err := s.Migrate(context.Background()); err != nil {
		w.Close()
		return nil, err
	}
	if s.R, err = openReader(path); err != nil {
		w.Close()
		return nil, err
	}
	return s, nil
}

// OpenReadOnly opens an existing database for reading only (the HTTP API, reports).
func OpenReadOnly(path string) (*Store, error) {
	if IsPostgres(path) {
		return openPostgresReadOnly(path)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open %s: %w (run 'settle migrate' first)", path, err)
	}
	r, err := openReader(path)
	if err != nil {
		return nil, err
	}
	return &Store{R: r, D: SQLite, Path: path, Clock: settle.WallClock{}}, nil
}

func openReader(path string) (*sqlx.DB, error) {
	r, err := sqlx.Open("sqlite3", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open %s read-only: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	if err := r.Ping(); err != nil {
		r.Close()
		return nil, fmt.Errorf("open %s read-only: %w", path, err)
	}
	return r, nil
}

// Close closes the pools, the writer's last: on SQLite the last connection to close
// checkpoints the write-ahead log into the database file and deletes it, which a
// read-only connection cannot do. Closed the other way round, a finished run left
// its last commits in settle.db-wal, and a copy of settle.db alone was an older ledger.
func (s *Store) Close() error {
	var errs []error
	if s.R != nil {
		errs = append(errs, s.R.Close())
	}
	if s.ldb != nil {
		errs = append(errs, s.ldb.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	return errors.Join(errs...)
}

// WriteTx runs fn in a write transaction: BEGIN IMMEDIATE, fn, COMMIT. Any error
// from fn rolls everything back. The context should not be one that a signal cancels
// mid-chunk (database/sql rolls back a transaction whose context is cancelled):
// jobs pass context.WithoutCancel and check for a stop between chunks.
func (s *Store) WriteTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return s.writeTxLocked(ctx, false, fn)
}

// writeTxLocked is WriteTx, with the writer lock taken in share mode if shared.
func (s *Store) writeTxLocked(ctx context.Context, shared bool, fn func(tx *sqlx.Tx) error) error {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	err := s.writeTx(ctx, shared, func(tx *sqlx.Tx) error {
		if err := s.beatIn(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
	if berr := s.afterTx(ctx, err == nil); berr != nil && err == nil {
		err = berr
	}
	return err
}

func (s *Store) writeTx(ctx context.Context, shared bool, fn func(tx *sqlx.Tx) error) error {
	if s.wdb == nil {
		return settle.Errorf(settle.Internal, "the database is open read-only")
	}
	tx, err := s.wdb.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := s.D.lockWriter(ctx, tx, s.WriterWait, shared); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// LeaseTx runs fn in a write transaction for the coordination tables alone (leases
// and claims, inbox attempts), whose every statement is atomic on its own. On SQLite
// it is WriteTx. On PostgreSQL it runs on connections of its own, without the writer
// lock: a lease is renewed, a file claimed and its attempt noted, while another
// process's long transaction holds the writer lock, and while this process waits
// for it.
func (s *Store) LeaseTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if s.ldb == nil {
		return s.WriteTx(ctx, fn)
	}
	tx, err := s.ldb.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// snapshot is the options of a read-only transaction that sees one snapshot, as
// SQLite's read transactions do: on PostgreSQL, REPEATABLE READ (its default, READ
// COMMITTED, gives each statement a snapshot of its own).
func (s *Store) snapshot() *sql.TxOptions {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.D == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return opts
}

// Now is the store clock's time, in UTC.
func (s *Store) Now() time.Time { return s.Clock.Now().UTC() }

// NowText is Now as RFC 3339 text, the form timestamps are stored in.
func (s *Store) NowText() string { return s.Now().Format(time.RFC3339) }

// Warm opens every connection of the read pool (and of the API's replay guard on
// PostgreSQL) and has each plan a read of the tables the API reads, so that the
// first requests after a start do not wait for new database sessions: a new
// PostgreSQL session reads its catalog on first use, and a replica's first second
// answered in 30 to 500 ms instead of 2.
func (s *Store) Warm(ctx context.Context) error {
	warm := func(db *sqlx.DB, n int, q string) error {
		conns := make([]*sql.Conn, 0, n)
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for range n {
			c, err := db.Conn(ctx)
			if err != nil {
				return err
			}
			conns = append(conns, c)
			if _, err := c.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}
	if err := warm(s.R, s.R.Stats().MaxOpenConnections, `SELECT 1 FROM wallets w JOIN accounts a ON a.wallet_id = w.wallet_id
		JOIN postings p ON p.account_id = a.id JOIN transactions t ON t.id = p.transaction_id WHERE w.wallet_id = '' LIMIT 1`); err != nil {
		return fmt.Errorf("warm %s: %w", s.Path, err)
	}
	if s.ldb != nil {
		if err := warm(s.ldb, s.ldb.Stats().MaxOpenConnections, `SELECT 1 FROM api_replays WHERE signature = '' LIMIT 1`); err != nil {
			return fmt.Errorf("warm %s: %w", s.Path, err)
		}
	}
	return nil
}
