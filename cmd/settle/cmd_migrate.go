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
		usage:   "",
		help:    "create the database or apply pending migrations",
		example: `settle --db /srv/settle/settle.db migrate`,
		run:     cmdMigrate,
	})
}

func cmdMigrate(ctx context.Context, a *app, args []string) int {
	if _, ok := a.parse("migrate", flag.NewFlagSet("migrate", flag.ContinueOnError), args, 0, 0); !ok {
		return exitUsage
	}
	if _, err := jobs.LoadConfig(a.config); err != nil {
		return a.fail(err)
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
	fmt.Fprintf(a.stdout, "%s: %d migrations applied, the last %s\n", a.db, n, last)
	return exitOK
}
