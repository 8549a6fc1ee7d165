package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"settle"
	"time"

	"settle/gen"
	"settle/jobs"
	"settle/ledger"
	"settle/ledger/payments"
	"settle/reports"
)

func init() {
	register("demo", command{
		usage:   "[--wallets N] [--entries N] [--operations N] [--date D]",
		help:    "make a sample world here and run the whole cycle on it",
		example: `settle demo --wallets 1000 --entries 5000`,
		run:     cmdDemo,
	})
}

func cmdDemo(ctx context.Context, a *app, args []string) int {
	opt := gen.Options{Seed: 1, Date: gen.DefaultDate, Breaks: true, OpeningCents: demoOpeningCents}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.IntVar(&opt.Wallets, "wallets", 200, "number of wallets")
	fs.IntVar(&opt.Entries, "entries", 300, "incoming SCT entries in the day's bank files")
	fs.IntVar(&opt.Operations, "operations", 150, "store operations (cash deposits, cash withdrawals, payments)")
	fs.TextVar(&opt.Date, "date", gen.DefaultDate, "the world's day (YYYY-MM-DD); the demo runs as in the night after it")
	if _, ok := a.parse("demo", fs, args, 0, 0); !ok {
		return exitUsage
	}
	s, ok := a.create()
	if !ok {
		return exitFail
	}
	defer s.Close()
	// The demo runs as if it were 02:00 in the night after the world's day, whatever
	// the machine's clock says: the same flags give the same world, files and reports.
	a.clock = settle.NewFakeClock(opt.Date.AddDays(1).Start(a.cfg.Location()).Add(2 * time.Hour))
	s.Clock = a.clock
	out := a.stdout
	fmt.Fprintf(out, "1. Generating a world of %d wallets and a day of %d bank entries (seed %d, day %s) in the inbox %s\n",
		opt.Wallets, opt.Entries, opt.Seed, opt.Date, a.inbox)
	files, err := gen.Generate(a.inbox, opt, nil)
	if err != nil {
		return a.fail(err)
	}
	for _, f := range files {
		fmt.Fprintf(out, "   %-11s %6d rows  %s\n", f.Kind, f.Rows, f.Path)
	}
	if err := a.demoGoLive(ctx, s, files, opt.Date); err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(out, "2. Running the nightly pipeline for %s on %s\n", opt.Date, a.db)
	code := exitOK
	results, err := a.runner(s).RunNightly(ctx, jobs.RunOptions{Date: opt.Date})
	for _, res := range results {
		fmt.Fprintf(out, "   %-9s %s: %s\n", res.Job, res.Status, res.Line)
		// The world has three planted reconciliation breaks: reconcile is partial on purpose.
		if !res.OK() && !(res.Job == "reconcile" && res.Status == jobs.StatusPartial) {
			code = exitFail
		}
	}
	if err != nil {
		a.fail(err)
		code = exitFail
	}
	fmt.Fprintln(out, "3. Checking the ledger")
	v, err := s.Verify(ctx, 5)
	if err != nil {
		return a.fail(err)
	}
	for _, viol := range v.Violations {
		fmt.Fprintln(out, "   violation:", viol)
	}
	fmt.Fprintf(out, "   %d accounts, %d transactions, %d postings, %d violations\n", v.Accounts, v.Transactions, v.Postings, v.Count)
	if v.Count > 0 {
		code = exitFail
	}
	if err := a.demoWorld(ctx, s); err != nil {
		return a.fail(err)
	}
	if err := a.demoSettlement(ctx, s, opt.Date); err != nil {
		return a.fail(err)
	}
	if c := a.demoBankAnswers(ctx, s, opt.Date); c != exitOK {
		code = c
	}
	fmt.Fprintf(out, `
Outputs:
  database       %s
  inbox          %s (processed/ and rejected/ hold what was read)
  outbox         %s (pain.008 and pain.001 files, pre-notification CSVs)
  reports        %s
Try next:
  go run ./cmd/settle exceptions list                        the queue an operator works (assign, refund, write-off)
  go run ./cmd/settle breaks list                            the reconciliation breaks left to work (show, match, resolve)
  go run ./cmd/settle adjust list --status all               balance adjustments and who proposed and approved them
  go run ./cmd/settle jobs                                   the journal of every run
  go run ./cmd/settle batches list                           the batches; batches show MSGID lists each transaction
  go run ./cmd/settle batches sent MSGID | cancel MSGID      hand a batch to the bank, or take it back before
  go run ./cmd/settle gen answers                            the bank answers any new batch in the outbox (then: run ingest)
  go run ./cmd/settle inspect %s
  go run ./cmd/settle report trial-balance --date %s --out -
  go run ./cmd/settle verify
  go run ./cmd/settle gen --out /tmp/big --wallets 100000 --entries 1000000   a large world for the inbox
`, a.db, a.inbox, a.outbox, filepath.Join(a.reports, opt.Date.String()), filepath.Join(a.inbox, "processed", "camt.054."+opt.Date.String()+".xml"), opt.Date)
	return code
}

// demoWorld prints what the imported world holds.
func (a *app) demoWorld(ctx context.Context, s *ledger.Store) error {
	world, err := reports.WorldByPartner(ctx, s)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "4. The world by partner")
	for _, p := range world {
		fmt.Fprintf(a.stdout, "   %-14s %4d wallets: %4d IBAN validated, %3d pending validation, %3d suspended or closed\n",
			p.PartnerKey, p.Wallets, p.Validated, p.Pending, p.Inactive)
	}
	if err := a.demoExceptions(ctx, s); err != nil {
		return err
	}
	return a.demoBatches(ctx, s)
}

// demoBatches prints the batches the night made, with their files in the outbox.
func (a *app) demoBatches(ctx context.Context, s *ledger.Store) error {
	bs, err := payments.Batches(ctx, s, "")
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "6. Outgoing batches (pain.008 direct debits, pain.001 payouts and refunds) in the outbox")
	for i := len(bs) - 1; i >= 0; i-- {
		b := bs[i]
		fmt.Fprintf(a.stdout, "   %-22s %s %-14s %4d transactions %12s EUR  %s\n", b.MsgID, b.Message, b.PartnerKey, b.NbOfTxs,
			b.CtrlSum.StringFixed(2), filepath.Join(a.outbox, b.FileName))
	}
	return nil
}

// demoExceptions prints the open exception queue by reason.
func (a *app) demoExceptions(ctx context.Context, s *ledger.Store) error {
	groups, err := reports.OpenExceptionsByReason(ctx, s)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "5. The exception queue (money that could not be credited)")
	for _, g := range groups {
		where := "not posted"
		if g.InSuspense {
			where = "in suspense"
		}
		fmt.Fprintf(a.stdout, "   %-20s %4d  %12s %s  %s\n", g.Reason, g.Count, ledger.FormatCents(g.Cents), g.Currency, where)
	}
	return nil
}
