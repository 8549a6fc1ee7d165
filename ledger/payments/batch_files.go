package payments

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"settle/ledger"
	"strings"
	"sync/atomic"
)

// outFile is a batch file being written. It is written under a hidden temporary
// name in the outbox and fsynced while the batch's transaction is open, and renamed
// to its final name only once the database has recorded it. A crash before the
// commit leaves a temporary file that the next run deletes (the batch is made
// again); a crash after it leaves one that the next run renames (the batch exists).
// Either way no orphan file and no double.
//
// Writing is in two stages: Write fills a buffer, and a goroutine of the file's
// own writes the full buffers to disk and hashes them, so that the XML of the next
// payments is formatted meanwhile (a pain.008 of a million debits is 1 GB).
type outFile struct {
	dir, name string
	f         *os.File
	h         hash.Hash
	buf       []byte      // being filled
	full      chan []byte // to the writing goroutine
	free      chan []byte // written, back from it
	done      chan error  // the goroutine's first error, once full is closed
	closed    bool        // full is closed
	err       error       // the goroutine's error, once closed
	failed    atomic.Bool // the goroutine met an error: Write stops early
}

// outBufSize is the size of each of an outFile's buffers (outBufs of them).
const outBufSize, outBufs = 256 << 10, 3

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
	return startOutFile(dir, name, f, h, io.MultiWriter(f, h)), nil
}

// startOutFile starts the goroutine that writes the file's buffers to w.
func startOutFile(dir, name string, f *os.File, h hash.Hash, w io.Writer) *outFile {
	o := &outFile{dir: dir, name: name, f: f, h: h, buf: make([]byte, 0, outBufSize),
		full: make(chan []byte, outBufs), free: make(chan []byte, outBufs), done: make(chan error, 1)}
	for range outBufs - 1 {
		o.free <- make([]byte, 0, outBufSize)
	}
	go o.drain(w)
	return o
}

// drain writes the full buffers to w until full is closed, keeps the first error
// (and stops writing at it, still handing the buffers back), and sends it on done.
func (o *outFile) drain(w io.Writer) {
	var err error
	for b := range o.full {
		if err == nil {
			if _, err = w.Write(b); err != nil {
				o.failed.Store(true)
			}
		}
		o.free <- b[:0]
	}
	o.done <- err
}

func (o *outFile) Write(p []byte) (int, error) {
	if o.failed.Load() {
		return 0, o.stop()
	}
	if o.closed {
		return 0, os.ErrClosed
	}
	n := len(p)
	for len(p) > 0 {
		c := copy(o.buf[len(o.buf):cap(o.buf)], p)
		o.buf, p = o.buf[:len(o.buf)+c], p[c:]
		if len(o.buf) == cap(o.buf) {
			o.full <- o.buf
			o.buf = <-o.free
		}
	}
	return n, nil
}

// stop hands over what is buffered, waits for the goroutine to write it and
// returns its error, the same at every later call.
func (o *outFile) stop() error {
	if !o.closed {
		o.closed = true
		if len(o.buf) > 0 {
			o.full <- o.buf
		}
		close(o.full)
		o.err = <-o.done
	}
	return o.err
}

// finish writes what is left, fsyncs and closes the temporary file and returns its sha256.
func (o *outFile) finish() (string, error) {
	if err := o.stop(); err != nil {
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
	o.stop()
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
// back) or was cancelled since is deleted.
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
		err := s.R.GetContext(ctx, &recorded, `SELECT COUNT(*) FROM batches WHERE (file_name = ? OR ? = 'prenotification-' || msg_id || '.csv')
			AND status <> 'Cancelled'`, name, name)
		if err != nil {
			return err
		}
		if recorded == 0 {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("outbox: removing %s of an unrecorded or cancelled batch: %w", e.Name(), err)
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
