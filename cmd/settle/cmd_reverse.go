package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"settle"
	"strconv"
)

func init() {
	register("reverse", command{
		usage:   "TX --reason TEXT [--by NAME] [--date D]",
		help:    "post the mirror image of a transaction, once",
		example: `settle reverse 1234 --reason 'booked twice' --by anna`,
		run:     cmdReverse,
	})
}

func cmdReverse(ctx context.Context, a *app, args []string) int {
	var reason, by string
	var date settle.Day
	fs := flag.NewFlagSet("reverse", flag.ContinueOnError)
	fs.StringVar(&reason, "reason", "", "why (required; journaled)")
	fs.StringVar(&by, "by", os.Getenv("USER"), "who asks (journaled)")
	dateFlag(fs, &date, "booking date of the reversal (default: today in the configured time zone)")
	pos, ok := a.parse("reverse", fs, args, 1, 1)
	if !ok {
		return exitUsage
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		fmt.Fprintf(a.stderr, "settle: reverse: %q is not a transaction id\n", pos[0])
		return exitUsage
	}
	if reason == "" {
		fmt.Fprintln(a.stderr, "settle: reverse: --reason is required")
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	if date.IsZero() {
		date = a.today()
	}
	rev, existed, err := s.Reverse(context.WithoutCancel(ctx), id, reason, by, date)
	if err != nil {
		return a.fail(err)
	}
	if existed {
		fmt.Fprintf(a.stdout, "transaction %d was already reversed by transaction %d; nothing posted\n", id, rev)
		return exitOK
	}
	fmt.Fprintf(a.stdout, "reversed transaction %d with transaction %d booked %s\n", id, rev, date)
	return exitOK
}
