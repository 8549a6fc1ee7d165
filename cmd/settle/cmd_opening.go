package main

import (
	"context"
	"flag"
	"fmt"
	"settle"

	"settle/ledger"
)

func init() {
	register("opening-balance", command{
		usage: "--partner KEY --amount X --date D --by NAME",
		help:  "post a partner's bank balance at go-live, once",
		more: "The amount is the bank account's balance at the end of the day before D's first statement entries; it is " +
			"posted against the partner's opening (equity) account. Posting it again is a no-op; another amount is refused.",
		example: `settle opening-balance --partner ACME_PAY --amount 125000.00 --date 2026-11-19 --by anna`,
		run:     cmdOpening,
	})
}

func cmdOpening(ctx context.Context, a *app, args []string) int {
	var partner, amount, by string
	var date settle.Day
	fs := flag.NewFlagSet("opening-balance", flag.ContinueOnError)
	fs.StringVar(&partner, "partner", "", "the partner key")
	fs.StringVar(&amount, "amount", "", "the bank balance at go-live (a decimal)")
	fs.StringVar(&by, "by", "", "who posts it (journaled)")
	dateFlag(fs, &date, "the day it counts on (its booking date)")
	if _, ok := a.parse("opening-balance", fs, args, 0, 0); !ok {
		return exitUsage
	}
	cents, err := ledger.ParseAmount(amount)
	if partner == "" || by == "" || date.IsZero() || err != nil {
		fmt.Fprintf(a.stderr, "settle opening-balance: --partner, --amount (a decimal), --date and --by are required\n")
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	id, existed, err := s.OpeningBalance(context.WithoutCancel(ctx), partner, cents, date, by)
	if err != nil {
		return a.fail(err)
	}
	if existed {
		fmt.Fprintf(a.stdout, "partner %s has this opening balance already (transaction %d); nothing posted\n", partner, id)
		return exitOK
	}
	fmt.Fprintf(a.stdout, "opening balance of %s: %s posted as transaction %d booked %s\n", partner, ledger.FormatCents(cents), id, date)
	return exitOK
}
