package jobs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"settle/gen"
	"settle/ledger"
	"settle/ledger/ledgertest"
)

// splitNotification writes each account's notification of a generated camt.054 as a
// file of its own, as banks send them: a day's inbox with one bank file per partner.
func splitNotification(b *testing.B, path string) {
	doc, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	start := bytes.Index(doc, []byte("<Ntfctn>"))
	end := bytes.LastIndex(doc, []byte("</Ntfctn>")) + len("</Ntfctn>")
	head, tail := doc[:start], doc[end:]
	parts := bytes.SplitAfter(doc[start:end], []byte("</Ntfctn>"))
	for i, p := range parts {
		p = bytes.TrimSpace(p)
		if len(p) == 0 {
			continue
		}
		h := bytes.Replace(head, []byte("</MsgId>"), []byte(fmt.Sprintf("-%d</MsgId>", i)), 1)
		out := append(append(append([]byte{}, h...), p...), tail...)
		if err := os.WriteFile(fmt.Sprintf("%s.part%d.xml", path, i), out, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	os.Remove(path)
}

// BenchmarkIngestWorkers ingests a day of 3 partners' notifications (one file each,
// entries in all) with 1 and, on PostgreSQL, 2 workers on one inbox:
// SETTLE_TEST_POSTGRES=… go test ./jobs -run X -bench IngestWorkers -benchtime 1x
func BenchmarkIngestWorkers(b *testing.B) {
	const entries = 150_000
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			if workers > 1 && !ledgertest.Postgres {
				b.Skip("on SQLite the ingest is one worker")
			}
			for range b.N {
				b.StopTimer()
				dir := b.TempDir()
				inbox := filepath.Join(dir, "inbox")
				files, err := gen.Generate(inbox, gen.Options{Wallets: 15_000, Entries: entries}, nil)
				if err != nil {
					b.Fatal(err)
				}
				for _, f := range files {
					switch f.Kind {
					case "camt.053", "withdrawals", "topups", "mandates":
						os.Remove(f.Path)
					case "camt.054":
						splitNotification(b, f.Path)
					}
				}
				s := ledgertest.Open(b)
				cfg := DefaultConfig()
				log := slog.New(slog.NewTextHandler(io.Discard, nil))
				// The feeds first, alone: the bank files are what is measured.
				feedsOnly := filepath.Join(dir, "feeds")
				os.MkdirAll(feedsOnly, 0o755)
				for _, f := range files {
					if f.Kind != "camt.054" && f.Kind != "camt.053" {
						os.Rename(f.Path, filepath.Join(feedsOnly, filepath.Base(f.Path)))
					}
				}
				r := NewRunner(s, cfg, Dirs{Inbox: feedsOnly, Reports: filepath.Join(dir, "reports")}, log)
				if res, err := r.Run(context.Background(), "ingest", RunOptions{Date: gen.DefaultDate}); err != nil || !res.OK() {
					b.Fatalf("feeds: %+v %v", res, err)
				}
				runners := []*Runner{}
				for w := range workers {
					st, err := ledger.Open(s.Path)
					if err != nil {
						b.Fatal(err)
					}
					defer st.Close()
					rw := NewRunner(st, cfg, Dirs{Inbox: inbox, Reports: filepath.Join(dir, "reports")}, log)
					rw.Holder = fmt.Sprintf("bench:%d", w)
					runners = append(runners, rw)
				}
				b.StartTimer()
				start := time.Now()
				var wg sync.WaitGroup
				errs := make([]error, workers)
				for i, rw := range runners {
					wg.Go(func() {
						_, errs[i] = rw.Run(context.Background(), "ingest", RunOptions{Date: gen.DefaultDate})
					})
				}
				wg.Wait()
				b.StopTimer()
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
				var n int
				s.R.Get(&n, `SELECT COUNT(*) FROM bank_entries`)
				if n != entries {
					b.Fatalf("%d entries ingested, want %d", n, entries)
				}
				b.ReportMetric(float64(entries)/time.Since(start).Seconds(), "entries/s")
			}
		})
	}
}
