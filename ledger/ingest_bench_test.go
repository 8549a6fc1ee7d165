package ledger_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"settle/gen"
	"settle/ledger/feeds"
	"settle/ledger/ingest"
	"settle/ledger/ledgertest"
)

// BenchmarkIngest measures the end-to-end ingest of a generated camt.054 (parse,
// classify, match wallets, post, commit) beside a bare encoding/xml RawToken scan of
// the same file: go test ./ledger -run X -bench Ingest -benchtime 1x (200,000 entries).
func BenchmarkIngest(b *testing.B) {
	const entries = 200_000
	dir := b.TempDir()
	files, err := gen.Generate(filepath.Join(dir, "world"), gen.Options{Wallets: 20_000, Entries: entries}, nil)
	if err != nil {
		b.Fatal(err)
	}
	c054, _ := gen.Find(files, "camt.054")
	camt := c054.Path
	st, _ := os.Stat(camt)
	b.Run("tokens", func(b *testing.B) {
		b.SetBytes(st.Size())
		for range b.N {
			f, _ := os.Open(camt)
			dec := xml.NewDecoder(f)
			for {
				if _, err := dec.RawToken(); err != nil {
					if !errors.Is(err, io.EOF) {
						b.Fatal(err)
					}
					break
				}
			}
			f.Close()
		}
		b.ReportMetric(float64(entries*b.N)/b.Elapsed().Seconds(), "entries/s")
	})
	b.Run("ingest", func(b *testing.B) {
		b.SetBytes(st.Size())
		for range b.N {
			b.StopTimer()
			s := ledgertest.Open(b)
			for _, f := range files {
				if f.Kind == "camt.054" || f.Kind == "camt.053" || f.Kind == "withdrawals" {
					continue
				}
				fh, _ := os.Open(f.Path)
				if _, err := feeds.Import(context.Background(), s, f.Kind, f.Path, fh, feeds.ImportOptions{Day: testDay}); err != nil {
					b.Fatal(err)
				}
				fh.Close()
			}
			fh, _ := os.Open(camt)
			b.StartTimer()
			sum, err := ingest.IngestBank(context.Background(), s, camt, fh, ingest.IngestOptions{Day: testDay, SHA256: "bench", Size: st.Size()})
			b.StopTimer()
			fh.Close()
			if err != nil || sum.Units != entries || sum.Counts[ingest.OutcomePosted] < entries/2 {
				b.Fatalf("%v %+v", err, sum)
			}
			s.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(entries*b.N)/b.Elapsed().Seconds(), "entries/s")
	})
}
