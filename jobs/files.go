package jobs

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/jmoiron/sqlx"

	"settle/ledger"
)

// WrittenFile is a file a job wrote, with its sha256.
type WrittenFile struct {
	Path   string
	SHA256 string
	Size   int64
}

// WriteFileAtomic writes path through a temporary name in the same directory,
// fsyncs it, renames it into place and fsyncs the directory, so that a reader never
// sees a half-written file and a crash leaves either the old file or the new one.
func WriteFileAtomic(path string, write func(w io.Writer) error) (WrittenFile, error) {
	wf := WrittenFile{Path: path}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return wf, err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return wf, err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 256<<10)
	cw := &countWriter{w: bw}
	if err := write(cw); err != nil {
		f.Close()
		return wf, fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return wf, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return wf, fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return wf, err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return wf, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return wf, err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	wf.SHA256, wf.Size = hex.EncodeToString(h.Sum(nil)), cw.n
	return wf, nil
}

// removeOrphanTemps deletes the temporary files WriteFileAtomic leaves in dir when
// its process is killed mid-write. Only the job that writes dir calls it, under its
// lease, so no live writer's file is removed.
func removeOrphanTemps(dir string, env *Env) error {
	orphans, err := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if err != nil {
		return err
	}
	for _, o := range orphans {
		if env.DryRun {
			continue
		}
		env.Log.Warn("removing a temporary file left by an interrupted run", "file", o)
		if err := os.Remove(o); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// RecordFile stores a written file's path, kind and sha256 against the run.
func RecordFile(ctx context.Context, s *ledger.Store, runID int64, kind string, wf WrittenFile) error {
	return s.WriteTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO output_files (path, kind, sha256, size_bytes, job_run_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, wf.Path, kind, wf.SHA256, wf.Size, runID, s.NowText())
		return err
	})
}
