package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"

	"settle/gen"
	"settle/jobs"
	"settle/ledger"
)

func init() {
	register("demo", command{
		usage: "[--world DIR] [--wallets N]",
		help:  "make a realistic sample world and run the whole nightly pipeline on it",
		run:   cmdDemo,
	})
}

func cmdDemo(ctx context.Context, a *app, args []string) int {
	var world string
	opt := gen.Options{Seed: 1, Date: gen.DefaultDate}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.StringVar(&world, "world", "./demo-world", "where the generated world's files go")
	fs.IntVar(&opt.Wallets, "wallets", 200, "number of wallets")
	if _, ok := a.parse("demo", fs, args, 0, 0); !ok {
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	out := a.stdout
	fmt.Fprintf(out, "1. Generating a world of %d wallets (seed %d, today = %s) in %s\n", opt.Wallets, opt.Seed, opt.Date, world)
	files, err := gen.Generate(world, opt, nil)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(out, "2. Importing it into %s\n", a.db)
	code := exitOK
	for _, f := range files {
		if !slices.Contains(ledger.ImportKinds, f.Kind) {
			continue // bank files are the ingest's
		}
		res, ir, err := importFile(ctx, a, s, f.Kind, f.Path, jobs.RunOptions{Date: opt.Date})
		if err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(out, "   %-9s %5d rows, %5d imported, %d rejected\n", f.Kind, ir.Rows, ir.Imported, ir.Rejected)
		if !res.OK() {
			code = exitFail
		}
	}
	fmt.Fprintf(out, "3. Running the nightly pipeline for %s\n", opt.Date)
	results, err := a.runner(s).RunNightly(ctx, jobs.RunOptions{Date: opt.Date})
	for _, res := range results {
		fmt.Fprintf(out, "   %-14s %s: %s\n", res.Job, res.Status, res.Line)
		if !res.OK() {
			code = exitFail
		}
	}
	if err != nil {
		a.fail(err)
		code = exitFail
	}
	fmt.Fprintln(out, "4. Checking the ledger")
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
	fmt.Fprintf(out, `
Outputs:
  database       %s
  world (CSV)    %s
  reports        %s
Try next:
  go run ./cmd/settle jobs                                   the journal of every run
  go run ./cmd/settle report trial-balance --date %s --out -
  go run ./cmd/settle run reports --date %s --dry-run --json
  go run ./cmd/settle verify
  go run ./cmd/settle gen --out /tmp/big --wallets 1000000   a large world (then: import wallets /tmp/big/wallets.csv)
`, a.db, world, filepath.Join(a.reports, opt.Date), opt.Date, opt.Date)
	return code
}

// demoWorld prints what the imported world holds.
func (a *app) demoWorld(ctx context.Context, s *ledger.Store) error {
	rows, err := s.R.QueryxContext(ctx, `SELECT p.partner_key,
		COUNT(w.wallet_id),
		COALESCE(SUM(CASE WHEN w.is_iban_validated THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN w.iban IS NOT NULL AND NOT w.is_iban_validated THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN w.status <> 'Active' THEN 1 ELSE 0 END), 0)
		FROM partners p LEFT JOIN wallets w ON w.partner_key = p.partner_key GROUP BY p.partner_key ORDER BY p.partner_key`)
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Fprintln(a.stdout, "5. The world by partner")
	for rows.Next() {
		var p string
		var n, validated, pending, inactive int
		if err := rows.Scan(&p, &n, &validated, &pending, &inactive); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "   %-14s %4d wallets: %4d IBAN validated, %3d pending validation, %3d suspended or closed\n",
			p, n, validated, pending, inactive)
	}
	return rows.Err()
}
