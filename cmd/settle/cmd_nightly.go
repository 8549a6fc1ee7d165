package main

import (
	"context"
	"flag"
	"settle"

	"settle/jobs"
)

func init() {
	register("nightly", command{
		usage:   "[--date D] [--no-catch-up] [--json] [--wait DURATION]",
		help:    "the nightly jobs in order (the crontab entry); catches up missed days",
		example: `settle nightly --wait 1h`,
		run:     cmdNightly,
	})
}

func cmdNightly(ctx context.Context, a *app, args []string) int {
	var opt jobs.RunOptions
	var asJSON, noCatchUp bool
	fs := flag.NewFlagSet("nightly", flag.ContinueOnError)
	a.runFlags(fs, &opt, &asJSON)
	fs.BoolVar(&noCatchUp, "no-catch-up", false, "run yesterday only, even if earlier nights were missed")
	if _, ok := a.parse("nightly", fs, args, 0, 0); !ok {
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	r := a.runner(s)
	var results []jobs.Result
	var err error
	if opt.Date.IsZero() && !noCatchUp {
		// After an outage, each missed day runs in order, up to catchUpDays of them.
		results, err = r.CatchUp(ctx, opt, settle.Day{}, false)
	} else {
		results, err = r.RunNightly(ctx, opt)
	}
	code := exitOK
	for _, res := range results {
		a.printResult(res, asJSON)
		if !res.OK() {
			code = exitFail
		}
	}
	if err != nil {
		a.fail(err)
		code = exitFail
	}
	return code
}
