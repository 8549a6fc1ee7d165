package ledger_test

import (
	"context"
	"os"
	"runtime"
	"settle"
	"settle/ledger"
	"settle/ledger/ledgertest"
	"settle/ledger/payments"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSDDBatch generates pain.008 files of 1,000,000 direct debits from the
// database (select, write, record), one per mandate as a real run has them, and
// reports transactions/s, the peak Go heap during the run, the process's peak resident
// memory of its own (anon) and its peak RSS with the file pages it mapped:
// go test ./ledger -run X -bench SDDBatch -benchtime 1x
// one-file puts them all in one file; files-of-100000 is the default bound
// (sdd.maxTransactions), ten files in a transaction each.
// The debits' ids are a permutation of their mandates' order, as top-ups arrive
// from wallets in no order: with debit n under mandate n, every lookup of a mandate
// and every rewritten page came in the table's own order, and the run took half
// the time a real database takes.
func BenchmarkSDDBatch(b *testing.B) {
	const n = 1_000_000
	for _, c := range []struct {
		name   string
		maxTxs int
	}{{"one-file", n}, {"files-of-100000", 100_000}} {
		b.Run(c.name, func(b *testing.B) { benchSDDBatch(b, n, c.maxTxs) })
	}
}

func benchSDDBatch(b *testing.B, n, maxTxs int) {
	for range b.N {
		b.StopTimer()
		s := openTest(b)
		seedWorld(b, s)
		ctx := context.Background()
		err := s.Write(ctx, func(w *ledger.Writer) error {
			d := s.D
			for _, q := range []string{
				`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ` + strconv.Itoa(n) + `)
				INSERT INTO wallets (wallet_id, partner_key, tax_id, first_name, last_name, iban, is_iban_validated, phone_number,
					email, creation_date, last_update_date, originating_dealer_key, status)
				SELECT 'w' || ` + d.ZeroPad("n", 7) + `, 'ACME', 'TAX' || ` + d.ZeroPad("n", 7) + `, 'Zoë', 'Müller & Söhne ' || n,
					'IT27X0300203280335719971372', TRUE, '+39.333', 'z@example.com', '2026-01-01', '2026-01-01', 'ACME_D1', 'Active' FROM seq`,
				`INSERT INTO mandates (mandate_id, partner_key, creditor_id, wallet_id, debtor_name, debtor_iban, signature_date,
					status, last_collection_date, created_at, updated_at)
				SELECT 'MND-' || ` + d.ZeroPad("n", 7) + `, 'ACME', 'IT66ZZZA1B2C3D4E5F6G7H8', wallet_id, name, iban,
					'2026-01-15', 'Active', CASE WHEN n % 2 = 0 THEN '2026-10-20' END, '2026-01-15', '2026-01-15'
				FROM (SELECT wallet_id, first_name || ' ' || last_name AS name, iban, CAST(substr(wallet_id, 2) AS INTEGER) AS n
					FROM wallets WHERE wallet_id LIKE 'w%') AS w`,
				`INSERT INTO direct_debits (id, topup_id, partner_key, wallet_id, mandate_id, amount_cents, requested_date, end_to_end_id,
					status, created_at, updated_at)
				SELECT ((CAST(n AS BIGINT) * 7919) % ` + strconv.Itoa(n) + `) + 1, 'TU-' || ` + d.ZeroPad("n", 7) + `, 'ACME', wallet_id, mandate_id, 1000 + n % 99000,
					CASE WHEN n % 3 = 0 THEN '2026-11-25' ELSE '2026-11-20' END, 'STL-DD-' || n, 'Created',
					'2026-11-20', '2026-11-20' FROM (SELECT wallet_id, mandate_id, CAST(substr(mandate_id, 5) AS INTEGER) AS n FROM mandates) AS m`,
			} {
				if _, err := w.Exec(q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		// The batch runs in a process of its own, as from cron, on a ledger that earlier
		// processes wrote: on SQLite their write-ahead log has gone into the database
		// file, and the pages the seeding just wrote are not all in this process's cache.
		s.Close()
		s = ledgertest.OpenAt(b, s.Path)
		s.Clock = settle.NewFakeClock(time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC))
		opt := batchDay
		opt.Outbox, opt.MaxTxs = b.TempDir(), maxTxs
		var peak, peakAnon atomic.Uint64
		done := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				if a := rssAnon(); a > peakAnon.Load() {
					peakAnon.Store(a)
				}
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		runtime.GC()
		b.StartTimer()
		run, err := payments.MakeSDDBatches(ctx, s, opt)
		b.StopTimer()
		close(done)
		if err != nil || run.Txs != n || len(run.Files) != (n+maxTxs-1)/maxTxs {
			b.Fatalf("%+v %v", run, err)
		}
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MB")
		b.ReportMetric(float64(peakAnon.Load())/(1<<20), "peak-anon-rss-MB")
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "tx/s")
}

// rssAnon is the process's resident memory of its own (RssAnon: heap, SQLite's page
// cache, stacks), in bytes, without the mapped file pages the kernel's cache shares
// (RssFile); 0 where /proc does not tell.
func rssAnon() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
