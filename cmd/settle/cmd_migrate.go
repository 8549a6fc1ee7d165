package main

import (
	"context"
	"flag"
	"fmt"

	"settle/jobs"
	"settle/ledger"
)

func init() {
	register("migrate", command{
		usage: "[--to postgres://…]",
		help:  "create the database or apply pending migrations (--to: copy the ledger into PostgreSQL)",
		example: `settle --db /srv/settle/settle.db migrate
settle --db /srv/settle/settle.db migrate --to postgres://settle@db.internal/settle`,
		run: cmdMigrate,
	})
}

func cmdMigrate(ctx context.Context, a *app, args []string) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	to := fs.String("to", "", "copy the ledger into this new PostgreSQL `URL` (a database with no ledger yet)")
	if _, ok := a.parse("migrate", fs, args, 0, 0); !ok {
		return exitUsage
	}
	if _, err := jobs.LoadConfig(a.config); err != nil {
		return a.fail(err)
	}
	if *to != "" {
		return migrateTo(ctx, a, *to)
	}
	// Create makes the database if needed and applies pending migrations; report what the database now has.
	s, err := ledger.Create(a.db)
	if err != nil {
		return a.fail(err)
	}
	defer s.Close()
	n, last, err := s.SchemaVersion(ctx)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "%s: %d migrations applied, the last %s\n", s.Path, n, last)
	return exitOK
}

// migrateTo copies the ledger at --db into the PostgreSQL database at to.
func migrateTo(ctx context.Context, a *app, to string) int {
	if !ledger.IsPostgres(to) {
		fmt.Fprintf(a.stderr, "settle migrate: --to takes a postgres:// URL, not %q (see 'settle help migrate')\n", to)
		return exitUsage
	}
	src, err := ledger.Open(a.db)
	if err != nil {
		return a.fail(err)
	}
	defer src.Close()
	dst, err := ledger.Create(to)
	if err != nil {
		return a.fail(err)
	}
	defer dst.Close()
	res, err := ledger.CopyTo(ctx, src, dst, func(table string, rows int64) {
		fmt.Fprintf(a.stdout, "  %-22s %10d rows\n", table, rows)
	})
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "copied %d tables, %d rows from %s to %s\n", res.Tables, res.Rows, src.Path, dst.Path)
	for _, side := range []struct {
		name string
		v    ledger.VerifyResult
	}{{src.Path, res.Source}, {dst.Path, res.Copy}} {
		fmt.Fprintf(a.stdout, "verify %s: %d accounts, %d transactions, %d postings, %d violations\n",
			side.name, side.v.Accounts, side.v.Transactions, side.v.Postings, side.v.Count)
	}
	fmt.Fprintf(a.stdout, "both verify alike: point --db (or SETTLE_DB) at %s\n", dst.Path)
	return exitOK
}
