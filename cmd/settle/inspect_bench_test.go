package main

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"settle/gen"
)

// BenchmarkInspect times `settle inspect --json` of a generated 100,000-entry
// camt.053 and a bare encoding/xml RawToken scan of the same file in the same run,
// and reports their ratio (the target is 1.2 at most):
// go test ./cmd/settle -run X -bench Inspect -benchtime 3x
func BenchmarkInspect(b *testing.B) {
	const entries = 100_000
	files, err := gen.Generate(b.TempDir(), gen.Options{Wallets: 1000, Entries: entries}, nil)
	if err != nil {
		b.Fatal(err)
	}
	c053, _ := gen.Find(files, "camt.053")
	var scan, insp time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		rawScan(b, c053.Path)
		t1 := time.Now()
		f, err := os.Open(c053.Path)
		if err != nil {
			b.Fatal(err)
		}
		if err := inspect(f, c053.Path, io.Discard, true, 0); err != nil {
			b.Fatal(err)
		}
		f.Close()
		scan, insp = scan+t1.Sub(t0), insp+time.Since(t1)
	}
	b.ReportMetric(float64(entries*b.N)/insp.Seconds(), "entries/s")
	b.ReportMetric(insp.Seconds()/scan.Seconds(), "x-scan")
}

// rawScan reads every token of a file with encoding/xml's RawToken, nothing else.
func rawScan(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	for {
		if _, err := dec.RawToken(); err != nil {
			if !errors.Is(err, io.EOF) {
				b.Fatal(err)
			}
			return
		}
	}
}
