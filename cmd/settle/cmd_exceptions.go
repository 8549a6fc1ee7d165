package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"settle"
	"strconv"
	"text/tabwriter"

	"settle/ledger"
)

func init() {
	register("exceptions", command{
		usage:   "[list] [--all] [--json]\nassign EXC WALLET | refund EXC | write-off EXC --reason TEXT [--by NAME]",
		help:    "work the exception queue (each resolution is journaled with --by and --reason)",
		example: `settle exceptions assign 12 0ecad4a2-3549-43fb-807e-9ff033247480 --by anna`,
		run:     cmdExceptions,
	})
}

func cmdExceptions(ctx context.Context, a *app, args []string) int {
	var asJSON, all bool
	var by, reason string
	var date settle.Day
	fs := flag.NewFlagSet("exceptions", flag.ContinueOnError)
	fs.BoolVar(&asJSON, "json", false, "list: one JSON object per exception, one per line")
	fs.BoolVar(&all, "all", false, "list: resolved exceptions too")
	fs.StringVar(&by, "by", os.Getenv("USER"), "who resolves (journaled)")
	fs.StringVar(&reason, "reason", "", "why (journaled; required to write off)")
	dateFlag(fs, &date, "booking date of the resolution (default: today in the configured time zone)")
	pos, ok := a.parse("exceptions", fs, args)
	if !ok {
		return exitUsage
	}
	if len(pos) == 0 {
		pos = []string{"list"}
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	if date.IsZero() {
		date = a.today()
	}
	work := context.WithoutCancel(ctx)
	id := func() (int64, bool) {
		if len(pos) < 2 {
			return 0, false
		}
		n, err := strconv.ParseInt(pos[1], 10, 64)
		return n, err == nil && n > 0
	}
	switch verb := pos[0]; {
	case verb == "list" && len(pos) == 1:
		return a.listExceptions(ctx, s, all, asJSON)
	case verb == "assign" && len(pos) == 3:
		n, ok := id()
		if !ok {
			break
		}
		tx, err := s.AssignException(work, n, pos[2], by, reason, date)
		if err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "exception %d assigned to wallet %s by transaction %d\n", n, pos[2], tx)
		return exitOK
	case verb == "refund" && len(pos) == 2:
		n, ok := id()
		if !ok {
			break
		}
		if err := s.RefundException(work, n, by, reason, date); err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "exception %d: refund to the sender queued for the next SCT batch\n", n)
		return exitOK
	case verb == "write-off" && len(pos) == 2:
		n, ok := id()
		if !ok {
			break
		}
		if err := s.WriteOffException(work, n, by, reason, date); err != nil {
			if settle.CodeOf(err) == settle.Invalid {
				a.fail(err)
				return exitUsage
			}
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "exception %d written off: %s\n", n, reason)
		return exitOK
	}
	fmt.Fprintf(a.stderr, "usage: settle exceptions %s\n", commands["exceptions"].usage)
	return exitUsage
}

func (a *app) listExceptions(ctx context.Context, s *ledger.Store, all, asJSON bool) int {
	status := ledger.ExceptionOpen
	if all {
		status = ""
	}
	xs, err := s.Exceptions(ctx, status)
	if err != nil {
		return a.fail(err)
	}
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		for _, x := range xs {
			enc.Encode(x)
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EXC\tSTATUS\tREASON\tAMOUNT\tPARTNER\tDEBTOR\tFILE:ENTRY\tDETAIL")
	for _, x := range xs {
		debtor := ""
		if x.DebtorIBAN != nil {
			debtor = *x.DebtorIBAN
		}
		partner := ""
		if x.PartnerKey != nil {
			partner = *x.PartnerKey
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s %s\t%s\t%s\t%s:%d\t%s\n", x.ID, x.Status, x.Reason, x.Amount.StringFixed(2), x.Currency,
			partner, debtor, x.File, x.Position, x.Detail)
	}
	tw.Flush()
	fmt.Fprintf(a.stdout, "%d exceptions\n", len(xs))
	return exitOK
}
