package main

import (
	"context"
	"flag"
	"fmt"
)

func init() {
	register("backup", command{
		usage:   "FILE",
		help:    "a consistent copy of the database while it is in use",
		example: `settle backup /srv/backup/settle-$(date +%F).db`,
		run:     cmdBackup,
	})
}

func cmdBackup(ctx context.Context, a *app, args []string) int {
	pos, ok := a.parse("backup", flag.NewFlagSet("backup", flag.ContinueOnError), args, 1, 1)
	if !ok {
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	if err := s.Backup(ctx, pos[0]); err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "backup of %s written to %s (integrity checked)\n", a.db, pos[0])
	return exitOK
}
