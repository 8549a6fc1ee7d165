package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
)

func init() {
	register("verify", command{
		usage:   "[--json] [--limit N]",
		help:    "check ledger invariants; exit 1 on any violation",
		example: `settle verify --limit 20`,
		run:     cmdVerify,
	})
}

func cmdVerify(ctx context.Context, a *app, args []string) int {
	var asJSON bool
	var limit int
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	fs.IntVar(&limit, "limit", 10, "violations listed per kind")
	if _, ok := a.parse("verify", fs, args, 0, 0); !ok {
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	res, err := s.Verify(ctx, limit)
	if err != nil {
		return a.fail(err)
	}
	if asJSON {
		b, _ := json.Marshal(res)
		fmt.Fprintln(a.stdout, string(b))
	} else {
		for _, v := range res.Violations {
			fmt.Fprintln(a.stdout, "violation:", v)
		}
		verdict := "ok"
		if res.Count > 0 {
			verdict = fmt.Sprintf("%d violations", res.Count)
		}
		fmt.Fprintf(a.stdout, "verify: %s (%d accounts, %d transactions, %d postings)\n", verdict, res.Accounts, res.Transactions, res.Postings)
	}
	return exitFailIf(res.Count > 0)
}
