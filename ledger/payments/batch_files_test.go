package payments

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The file written through its goroutine holds every byte in order, whatever the
// sizes of the writes, and its sha256 is that of those bytes.
func TestOutFileWritesEveryByte(t *testing.T) {
	dir := t.TempDir()
	o, err := createOutFile(dir, "a.xml")
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	for i := 0; want.Len() < 3*outBufs*outBufSize+17; i++ {
		p := bytes.Repeat([]byte{byte('a' + i%26)}, (i*7919)%(outBufSize+3)+1) // some larger than a buffer
		want.Write(p)
		if n, err := o.Write(p); n != len(p) || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	sum, err := o.finish()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, partName("a.xml")))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(want.Bytes())
	if !bytes.Equal(got, want.Bytes()) || sum != hex.EncodeToString(h[:]) {
		t.Fatalf("file of %d bytes (want %d), sha256 %s (want %x)", len(got), want.Len(), sum, h)
	}
}

// A write the disk refuses (full, say) fails the file: the Write after it and every
// later one return the error, and so does finish, though the file itself can still
// be synced and closed; nothing blocks, and discard removes the temporary file.
func TestOutFileReportsAFailedWrite(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, partName("b.xml")))
	if err != nil {
		t.Fatal(err)
	}
	full := errors.New("no space left on device")
	o := startOutFile(dir, "b.xml", f, sha256.New(), failingWriter{full})
	p := make([]byte, 1000)
	var werr error
	for i := 0; i < 10*outBufs*outBufSize/len(p) && werr == nil; i++ {
		_, werr = o.Write(p)
	}
	if !errors.Is(werr, full) {
		t.Fatalf("writes after the disk refused one: %v", werr)
	}
	if _, err := o.Write(p); !errors.Is(err, full) {
		t.Fatalf("a later write: %v, want the same error", err)
	}
	if sum, err := o.finish(); !errors.Is(err, full) {
		t.Fatalf("finish: %q, %v; want the write's error", sum, err)
	}
	o.discard()
	if _, err := os.Stat(filepath.Join(dir, partName("b.xml"))); !os.IsNotExist(err) {
		t.Fatalf("the temporary file is left: %v", err)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }
