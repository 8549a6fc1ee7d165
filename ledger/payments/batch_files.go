package payments

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"settle/ledger"
	"strings"
)

// outFile is a batch file being written. It is written under a hidden temporary
// name in the outbox and fsynced while the batch's transaction is open, and renamed
// to its final name only once the database has recorded it. A crash before the
// commit leaves a temporary file that the next run deletes (the batch is made
// again); a crash after it leaves one that the next run renames (the batch exists).
// Either way no orphan file and no double.
type outFile struct {
	dir, name string
	f         *os.File
	h         interface{ Sum([]byte) []byte }
	w         *bufio.Writer
}

func partName(name string) string { return "." + name + ".part" }

func createOutFile(dir, name string) (*outFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, partName(name)), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	return &outFile{dir: dir, name: name, f: f, h: h, w: bufio.NewWriterSize(io.MultiWriter(f, h), 256<<10)}, nil
}

func (o *outFile) Write(p []byte) (int, error) { return o.w.Write(p) }

// finish flushes, fsyncs and closes the temporary file and returns its sha256.
func (o *outFile) finish() (string, error) {
	if err := o.w.Flush(); err != nil {
		o.f.Close()
		return "", err
	}
	if err := o.f.Sync(); err != nil {
		o.f.Close()
		return "", err
	}
	if err := o.f.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(o.h.Sum(nil)), nil
}

// discard removes the temporary file (the batch was not recorded).
func (o *outFile) discard() {
	o.f.Close()
	os.Remove(filepath.Join(o.dir, partName(o.name)))
}

// publish renames the recorded file to its final name and fsyncs the directory.
func publish(dir, name string) error {
	if err := os.Rename(filepath.Join(dir, partName(name)), filepath.Join(dir, name)); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// PrenotificationName is the pre-notification CSV written beside an SDD batch.
func PrenotificationName(msgID string) string { return "prenotification-" + msgID + ".csv" }

// recoverOutbox finishes what a crash interrupted: a temporary file whose batch is
// recorded is renamed into place; one whose batch is not (its transaction rolled
// back) is deleted.
func recoverOutbox(ctx context.Context, s *ledger.Store, dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(strings.TrimPrefix(e.Name(), "."), ".part")
		if !ok || !strings.HasPrefix(e.Name(), ".") {
			continue
		}
		var recorded int
		err := s.R.GetContext(ctx, &recorded, `SELECT COUNT(*) FROM batches WHERE file_name = ? OR ? = 'prenotification-' || msg_id || '.csv'`, name, name)
		if err != nil {
			return err
		}
		if recorded == 0 {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("outbox: removing %s of an unrecorded batch: %w", e.Name(), err)
			}
			continue
		}
		if err := publish(dir, name); err != nil {
			return fmt.Errorf("outbox: finishing %s of a recorded batch: %w", name, err)
		}
	}
	return nil
}

// afterCommit ends the files of a batch's transaction: discarded when it failed,
// renamed into place once it committed.
func afterCommit(err error, files []*outFile, opt BatchOptions) error {
	if err != nil {
		for _, f := range files {
			f.discard()
		}
		return err
	}
	if opt.FailAfterWrite != nil {
		if err := opt.FailAfterWrite(true); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := publish(f.dir, f.name); err != nil {
			return err
		}
	}
	return nil
}
