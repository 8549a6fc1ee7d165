package ledger_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"settle/gen"
	"settle/ledger/feeds"
	"settle/ledger/ledgertest"
)

// BenchmarkImportWallets measures wallet rows imported per second (validate, upsert
// the wallet and its two bucket accounts), in chunks of 5,000.
func BenchmarkImportWallets(b *testing.B) {
	dir := b.TempDir()
	files, err := gen.Generate(filepath.Join(dir, "world"), gen.Options{Wallets: b.N}, nil)
	if err != nil {
		b.Fatal(err)
	}
	s := ledgertest.Open(b)
	ctx := context.Background()
	for _, f := range files {
		if f.Kind == "wallets" {
			b.ResetTimer()
		}
		fh, _ := os.Open(f.Path)
		res, err := feeds.Import(ctx, s, f.Kind, f.Path, fh, feeds.ImportOptions{Day: testDay})
		fh.Close()
		if err != nil || res.Rejected > 0 {
			b.Fatal(err, res.Errors)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// testDay is the business day the benchmarks import and ingest on.
