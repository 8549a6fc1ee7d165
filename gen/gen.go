// Package gen makes a deterministic synthetic world for settle: reference data as
// CSV feeds (and, as the flows land, bank files and feeds of operations). The same
// options and seed give byte-identical files. Wallets are streamed, so a million of
// them take no more memory than ten.
//
// Every file draws from its own random stream, seeded by the world seed and the
// file's name, so adding a file never changes the files that were already there.
package gen

import (
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"settle"
	"strings"
	"time"

	"github.com/gocarina/gocsv"

	"settle/ledger"
)

// DefaultDate is the day the generated world has reached when no date is given: a
// fixed day, so that the world does not depend on when it is generated.
var DefaultDate = settle.MustParseDay("2026-11-20")

// Options shape the world.
type Options struct {
	Wallets           int        // number of wallets (default 1,000)
	Partners          int        // number of partners, 1..len(partnerNames) (default 3)
	DealersPerPartner int        // default 4
	StoresPerDealer   int        // default 3
	Seed              uint64     // default 1
	Date              settle.Day // the world's "today", default DefaultDate
	Entries           int        // incoming entries in the bank files (0: no bank files)
	CamtVersion       string     // "08" (default), "04" or "02"
	// Breaks plants three findings in the first partner's statement for the
	// reconciliation to find: a debit missing from the ledger, an entry one cent off
	// its notification, and an unexpected bank charge.
	Breaks bool
	// Operations is how many store operations operations.csv holds (with fees.csv,
	// the price list); 0: neither file.
	Operations int
	// OpeningCents is the balance the last partner's settlement account holds
	// before the world's day (its go-live): its statement opens with it, and the
	// ledger needs `settle opening-balance` to agree. 0: every account opens at zero.
	OpeningCents int64
}

func (o *Options) defaults() error {
	if o.Wallets == 0 {
		o.Wallets = 1000
	}
	if o.Partners == 0 {
		o.Partners = 3
	}
	if o.DealersPerPartner == 0 {
		o.DealersPerPartner = 4
	}
	if o.StoresPerDealer == 0 {
		o.StoresPerDealer = 3
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Date.IsZero() {
		o.Date = DefaultDate
	}
	if o.Wallets < 0 || o.Entries < 0 || o.DealersPerPartner < 1 || o.StoresPerDealer < 1 {
		return fmt.Errorf("wallets and entries must be ≥ 0, dealers and stores ≥ 1")
	}
	if _, err := versionOf(o.CamtVersion); err != nil {
		return err
	}
	if o.Partners < 1 || o.Partners > len(partnerNames) {
		return fmt.Errorf("partners must be between 1 and %d", len(partnerNames))
	}
	return nil
}

// File is one generated file.
type File struct {
	Kind string // the import kind (partners, ..., withdrawals) or the message (camt.054, camt.053)
	Path string
	Rows int // rows, or entries of a bank file
}

// Files lists the reference data files in import order.
var Files = []string{"partners", "dealers", "stores", "wallets"}

// RequestFiles lists the feeds beyond the reference data: mandates (read before the
// bank files), then top-ups, withdrawals (which draw on what the bank files credit),
// the fee schedule and the store operations it prices.
var RequestFiles = []string{"mandates", "topups", "withdrawals", "fees", "operations"}

// world is the small reference data every file needs; wallets are not kept.
type world struct {
	opt       Options
	today     time.Time // the world's day at midnight UTC
	date      string    // the same, YYYY-MM-DD
	partners  []ledger.PartnerRow
	dealers   []ledger.DealerRow
	stores    []ledger.StoreRow
	dealersOf map[string][]string // partner key → its dealers' keys
}

// stream returns the random stream of one file.
func (w *world) stream(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(w.opt.Seed, h.Sum64()))
}

// Generate writes the world into dir and returns the files in import order.
// progress, if not nil, is called with the number of wallets written so far.
func Generate(dir string, opt Options, progress func(n int)) ([]File, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	w := &world{opt: opt}
	w.today, w.date = opt.Date.Start(time.UTC), opt.Date.String()
	w.makeReference()
	var files []File
	for _, f := range []struct {
		kind  string
		write func(io.Writer) (int, error)
	}{
		{"partners", func(out io.Writer) (int, error) { return len(w.partners), gocsv.Marshal(w.partners, out) }},
		{"dealers", func(out io.Writer) (int, error) { return len(w.dealers), gocsv.Marshal(w.dealers, out) }},
		{"stores", func(out io.Writer) (int, error) { return len(w.stores), gocsv.Marshal(w.stores, out) }},
		{"wallets", func(out io.Writer) (int, error) { return w.writeWallets(out, progress) }},
		{"mandates", w.writeMandates},
		{"topups", w.writeTopUps},
		{"withdrawals", w.writeWithdrawals},
		{"fees", w.writeFees},
		{"operations", w.writeOperations},
		{"camt.054", func(out io.Writer) (int, error) { return w.writeCamt(out, false) }},
		{"camt.053", func(out io.Writer) (int, error) { return w.writeCamt(out, true) }},
	} {
		path := filepath.Join(dir, f.kind+".csv")
		if f.kind == "withdrawals" && opt.Entries == 0 {
			continue // withdrawals draw on what the bank files credit
		}
		if (f.kind == "fees" || f.kind == "operations") && opt.Operations == 0 {
			continue
		}
		if strings.HasPrefix(f.kind, "camt") {
			if opt.Entries == 0 {
				continue
			}
			path = filepath.Join(dir, f.kind+"."+w.date+".xml")
		}
		n, err := writeFile(path, f.write)
		if err != nil {
			return files, err
		}
		files = append(files, File{Kind: f.kind, Path: path, Rows: n})
	}
	return files, nil
}

func writeFile(path string, write func(io.Writer) (int, error)) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("write %s: %w", path, err)
	}
	return n, nil
}

// Find returns the generated file of a kind, and whether there is one.
func Find(files []File, kind string) (File, bool) {
	for _, f := range files {
		if f.Kind == kind {
			return f, true
		}
	}
	return File{}, false
}
