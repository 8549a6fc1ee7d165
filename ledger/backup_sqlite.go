package ledger

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"settle"
)

// Backup writes a consistent copy of the database to dst while other processes keep
// reading and writing: VACUUM INTO reads one snapshot. The copy is written under a
// temporary name, checked with PRAGMA integrity_check, synced and renamed. It runs
// on the writer connection (SQLite refuses VACUUM INTO on a query-only one) but
// takes no write lock: other processes keep writing while it copies.
//
// On PostgreSQL it copies nothing and says what to use: the server's own tools.
func (s *Store) Backup(ctx context.Context, dst string) error {
	if s.D == Postgres {
		return settle.Errorf(settle.Invalid, "settle backup copies SQLite files only; this ledger is on PostgreSQL (%s): "+
			"back it up with pg_dump --format=custom --file=%s '<the database URL>', or with the server's continuous archiving "+
			"(point-in-time recovery), and check a restored copy with 'settle --db <its URL> verify'", s.Path, dst)
	}
	if _, err := os.Stat(dst); err == nil {
		return settle.Errorf(settle.Conflict, "%s exists already; choose another name", dst)
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp")
	os.Remove(tmp)
	if s.wdb == nil {
		return settle.Errorf(settle.Internal, "backup needs the database opened for writing")
	}
	if _, err := s.wdb.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := checkIntegrity(ctx, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	return syncDir(filepath.Dir(dst))
}

func checkIntegrity(ctx context.Context, path string) error {
	c, err := OpenReadOnly(path)
	if err != nil {
		return err
	}
	defer c.Close()
	var res string
	if err := c.R.GetContext(ctx, &res, `PRAGMA integrity_check`); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check of the copy: %s", res)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
