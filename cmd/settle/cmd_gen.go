package main

import (
	"context"
	"flag"
	"fmt"

	"settle/gen"
	"settle/ledger"
)

func init() {
	register("gen", command{
		usage:   "--out DIR [--wallets N] [--entries N] [--operations N] [--breaks]\n--out DIR [--partners N] [--seed S] [--date D] [--camt-version V]\n--out DIR --entries N --opening AMOUNT\nanswers [--seed S] [--rejects N] [--returns N]",
		help:    "a deterministic synthetic world of any size; `gen answers` plays the bank",
		example: `settle gen --out /tmp/big --wallets 100000 --entries 1000000`,
		run:     cmdGen,
	})
}

func cmdGen(ctx context.Context, a *app, args []string) int {
	if len(args) > 0 && args[0] == "answers" {
		return cmdGenAnswers(a, args[1:])
	}
	var out string
	var opt gen.Options
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.StringVar(&out, "out", "", "directory to write into (required)")
	fs.IntVar(&opt.Wallets, "wallets", 1000, "number of wallets")
	fs.IntVar(&opt.Partners, "partners", 3, "number of partners (at most 5)")
	fs.IntVar(&opt.DealersPerPartner, "dealers", 4, "dealers per partner")
	fs.IntVar(&opt.StoresPerDealer, "stores", 3, "stores per dealer")
	fs.Uint64Var(&opt.Seed, "seed", opt.Seed, "random seed: the same seed gives the same files")
	fs.TextVar(&opt.Date, "date", gen.DefaultDate, "the world's today (YYYY-MM-DD)")
	fs.IntVar(&opt.Entries, "entries", 0, "incoming SCT entries in a camt.054 notification and camt.053 statement (0: none)")
	fs.StringVar(&opt.CamtVersion, "camt-version", "08", "camt message version, 01 to 13")
	fs.IntVar(&opt.Operations, "operations", 0, "store operations in operations.csv, priced by fees.csv (0: neither file)")
	fs.BoolVar(&opt.Breaks, "breaks", false, "plant three reconciliation breaks in the first partner's statement")
	var opening string
	fs.StringVar(&opening, "opening", "", "the last partner's bank `AMOUNT` at go-live: its statement opens with it (settle opening-balance)")
	if _, ok := a.parse("gen", fs, args, 0, 0); !ok {
		return exitUsage
	}
	if opening != "" {
		var err error
		if opt.OpeningCents, err = ledger.ParseAmount(opening); err != nil || opt.OpeningCents < 0 {
			fmt.Fprintf(a.stderr, "settle: gen: --opening %q is not an amount\n", opening)
			return exitUsage
		}
	}
	if out == "" {
		fmt.Fprintln(a.stderr, "settle: gen: --out DIR is required")
		return exitUsage
	}
	p := progressFor(a.stderr)("gen wallets", "rows", int64(opt.Wallets))
	last := 0
	files, err := gen.Generate(out, opt, func(n int) { p.Add(n - last); last = n })
	p.Done()
	if err != nil {
		return a.fail(err)
	}
	for _, f := range files {
		fmt.Fprintf(a.stdout, "%-9s %8d rows  %s\n", f.Kind, f.Rows, f.Path)
	}
	return exitOK
}

func cmdGenAnswers(a *app, args []string) int {
	opt := gen.DefaultAnswers
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.Uint64Var(&opt.Seed, "seed", opt.Seed, "random seed: the same seed gives the same answers")
	fs.IntVar(&opt.RejectPerK, "rejects", opt.RejectPerK, "transactions rejected in the pain.002, per thousand")
	fs.IntVar(&opt.ReturnPerK, "returns", opt.ReturnPerK, "booked transactions returned later, per thousand")
	if _, ok := a.parse("gen", fs, args, 0, 0); !ok {
		return exitUsage
	}
	files, err := gen.Answer(a.outbox, a.inbox, opt)
	if err != nil {
		return a.fail(err)
	}
	printAnswers(a, files, "")
	return exitOK
}

// printAnswers lists the bank's answer files.
func printAnswers(a *app, files []gen.File, indent string) {
	if len(files) == 0 {
		fmt.Fprintf(a.stdout, "%sno batch in %s waits for an answer\n", indent, a.outbox)
	}
	for _, f := range files {
		fmt.Fprintf(a.stdout, "%s%-8s %6d transactions  %s\n", indent, f.Kind, f.Rows, f.Path)
	}
}
