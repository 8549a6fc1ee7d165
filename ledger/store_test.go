package ledger

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// These tests look at the store's own connections, so they live inside the package;
// the ledger's other tests are in ledger_test, over the flows.

func createTest(t *testing.T) *Store {
	t.Helper()
	s, err := Create(filepath.Join(t.TempDir(), "settle.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPragmasOnEveryConnection(t *testing.T) {
	s := createTest(t)
	ctx := context.Background()
	// Hold several read connections at once so the pool opens new ones.
	var conns []interface{ Close() error }
	for i := 0; i < 4; i++ {
		c, err := s.R.Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var fk, ro int
		var mode string
		c.GetContext(ctx, &fk, `PRAGMA foreign_keys`)
		c.GetContext(ctx, &ro, `PRAGMA query_only`)
		c.GetContext(ctx, &mode, `PRAGMA journal_mode`)
		if fk != 1 || ro != 1 || mode != "wal" {
			t.Fatalf("reader %d: foreign_keys=%d query_only=%d journal_mode=%s", i, fk, ro, mode)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	var sync int
	s.wdb.Get(&sync, `PRAGMA synchronous`)
	if sync != 2 {
		t.Fatalf("writer synchronous=%d; want 2 (FULL)", sync)
	}
	if _, err := s.R.Exec(`INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ('x', 'y', 0, 0)`); err == nil {
		t.Fatal("the read pool accepted a write")
	}
}

// Opening a database with nothing to migrate takes no write lock: a neighbour in
// the middle of a long write does not stop it. A schema newer than the binary is
// refused naming both versions.
func TestOpenTakesNoWriteLockAndRefusesNewerSchema(t *testing.T) {
	s := createTest(t)
	tx, err := s.wdb.Beginx() // BEGIN IMMEDIATE: holds the write lock, as a long ingest does
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		s2, err := Open(s.Path)
		if err == nil {
			s2.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("open during a write: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("open waited for the writer's lock")
	}
	tx.Rollback()
	if _, err := s.wdb.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(s.Path); err == nil || !strings.Contains(err.Error(), "9999") || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("newer schema: %v", err)
	}
}

// Regression: a closed store left its last commits in settle.db-wal (the read-only
// pool closed last and cannot checkpoint), so a copy of settle.db alone was an older
// ledger; a scaling run's copy even held a finished job's lease.
func TestClosedStoreIsOneFile(t *testing.T) {
	s := createTest(t)
	ctx := context.Background()
	if err := s.WriteTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`CREATE TABLE copy_check (x TEXT); INSERT INTO copy_check VALUES ('COPY')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.R.Get(&n, `SELECT COUNT(*) FROM copy_check WHERE x = 'COPY'`); err != nil || n != 1 {
		t.Fatalf("read before close: %d %v", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s-wal is left after Close (%v)", s.Path, err)
	}
	copied := filepath.Join(t.TempDir(), "copy.db")
	b, err := os.ReadFile(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(copied, b, 0o600)
	c, err := OpenReadOnly(copied)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.R.Get(&n, `SELECT COUNT(*) FROM copy_check WHERE x = 'COPY'`); err != nil || n != 1 {
		t.Fatalf("the copy of the file alone: %d rows, %v", n, err)
	}
}

// MapFile maps the database for its own transaction only: the writer's connection
// outlives it, and the next transaction (an ingest, whose resident memory must stay
// flat) reads through the page cache again.
func TestMapFileLastsOneTransaction(t *testing.T) {
	s := createTest(t)
	ctx := context.Background()
	mmap := func(w *Writer) int64 {
		var n int64
		if err := w.Get(&n, `PRAGMA mmap_size`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	err := s.Write(ctx, func(w *Writer) error {
		if n := mmap(w); n != 0 {
			t.Errorf("mapped before MapFile: %d", n)
		}
		if err := w.MapFile(); err != nil {
			return err
		}
		if n := mmap(w); n < 1<<30 {
			t.Errorf("MapFile mapped %d bytes, want the file up to SQLite's limit", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Write(ctx, func(w *Writer) error {
		if n := mmap(w); n != 0 {
			t.Errorf("the next transaction still maps %d bytes", n)
		}
		return nil
	})
}
