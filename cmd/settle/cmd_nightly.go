package main

import (
	"context"
	"flag"

	"settle/jobs"
)

func init() {
	register("nightly", command{
		usage: "[--date D] [--json] [--wait DURATION]",
		help:  "run the nightly jobs in order (the crontab entry)",
		run:   cmdNightly,
	})
}

func cmdNightly(ctx context.Context, a *app, args []string) int {
	var opt jobs.RunOptions
	var asJSON bool
	fs := flag.NewFlagSet("nightly", flag.ContinueOnError)
	runFlags(fs, &opt, &asJSON)
	if _, ok := a.parse("nightly", fs, args, 0, 0); !ok {
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	results, err := a.runner(s).RunNightly(ctx, opt)
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
