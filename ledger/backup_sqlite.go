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
func (s *Store) Backup(ctx context.Context, dst string) error {
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
