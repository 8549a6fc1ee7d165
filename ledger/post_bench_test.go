package ledger_test

import (
	"context"
	"fmt"
	"settle"
	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/ledgertest"
	"strings"
	"testing"
	"time"
)

// BenchmarkPost measures postings per second with the real schema and indexes:
// two-posting transactions (bank debit, wallet credit) over 1,000 wallets, committed
// in chunks of 5,000 transactions, as the ingest does.
func BenchmarkPost(b *testing.B) {
	s := openTest(b)
	seedWorld(b, s)
	ctx := context.Background()
	var w strings.Builder
	w.WriteString(strings.SplitN(ledgertest.WorldCSV(b, "wallets"), "\n", 2)[0] + "\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&w, "%08d-0000-4000-8000-000000000000,ACME,X%07dY,A,B,,,false,,+39.3330000000,a%d@example.com,2026-01-01,,,,,ACME_D1,,,,,,,Active,,\n", i, i, i)
	}
	if res, err := feeds.Import(ctx, s, "wallets", "w.csv", strings.NewReader(w.String()), feeds.ImportOptions{Day: testDay}); err != nil || res.Rejected > 0 {
		b.Fatal(err, res.Errors)
	}
	var wallets []int64
	s.R.Select(&wallets, `SELECT id FROM accounts WHERE name = 'withdrawable'`)
	bank := accountID(b, s, ledger.PartnerAccountCode("ACME", "bank"))
	const chunk = 5000
	b.ResetTimer()
	start := time.Now()
	for done := 0; done < b.N; {
		n := min(chunk, b.N-done)
		err := s.Write(ctx, func(wr *ledger.Writer) error {
			for i := 0; i < n; i++ {
				k := done + i
				tx := ledger.Transaction{Key: fmt.Sprintf("bench:%d", k), Type: "SctDeposit", PartnerKey: "ACME",
					ValueDate: settle.MustParseDay("2026-11-20"), BookingDate: settle.MustParseDay("2026-11-20"),
					Postings: []ledger.Posting{{bank, int64(100 + k%5000)}, {wallets[k%len(wallets)], -int64(100 + k%5000)}}}
				if _, _, err := wr.Post(&tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += n
	}
	b.ReportMetric(float64(2*b.N)/time.Since(start).Seconds(), "postings/s")
}
