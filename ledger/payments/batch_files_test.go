package payments

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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

// A write the disk refuses fails the file, at a later Write or at finish, and
// neither blocks; discard after it removes the temporary file.
func TestOutFileReportsAFailedWrite(t *testing.T) {
	dir := t.TempDir()
	o, err := createOutFile(dir, "b.xml")
	if err != nil {
		t.Fatal(err)
	}
	o.f.Close() // every write of the goroutine fails
	p := make([]byte, 1000)
	var werr error
	for i := 0; i < 10*outBufs*outBufSize/len(p) && werr == nil; i++ {
		_, werr = o.Write(p)
	}
	if _, err := o.finish(); err == nil {
		t.Fatal("finish of a file whose writes failed: no error")
	}
	o.discard()
	if _, err := os.Stat(filepath.Join(dir, partName("b.xml"))); !os.IsNotExist(err) {
		t.Fatalf("the temporary file is left: %v", err)
	}
}
