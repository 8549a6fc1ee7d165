package main

import (
	"context"
	"flag"
	"fmt"
	"slices"

	"settle/jobs"
)

func init() {
	register("run", command{
		usage:   "JOB [--date D] [--dry-run] [--json] [--wait DURATION]\nreset-balances --wallet ID|--partner KEY|--closed --reason R [--by NAME]",
		help:    "run one job (see 'settle jobs --list')",
		example: `settle run ingest --date 2026-11-20`,
		run:     cmdRun,
	})
}

func (a *app) runFlags(fs *flag.FlagSet, opt *jobs.RunOptions, asJSON *bool) {
	dateFlag(fs, &opt.Date, "the day to work on (default: yesterday in the configured time zone)")
	fs.BoolVar(&opt.DryRun, "dry-run", false, "compute and report, but commit and write nothing")
	fs.BoolVar(asJSON, "json", false, "print the result as one JSON object")
	fs.DurationVar(&opt.Wait, "wait", 0, "wait up to this long for another run holding the lease")
	fs.StringVar(&a.metricsFile, "metrics-file", "", "after each run, write the job figures to this node_exporter textfile (also config metricsFile)")
}

func cmdRun(ctx context.Context, a *app, args []string) int {
	var opt jobs.RunOptions
	var asJSON bool
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	a.runFlags(fs, &opt, &asJSON)
	fs.StringVar(&opt.Reset.WalletID, "wallet", "", "reset-balances: this wallet")
	fs.StringVar(&opt.Reset.PartnerKey, "partner", "", "reset-balances: this partner's wallets")
	fs.BoolVar(&opt.Reset.Closed, "closed", false, "reset-balances: closed wallets")
	fs.StringVar(&opt.Reset.Reason, "reason", "", "reset-balances: redeem, unclaimed or write-off")
	fs.StringVar(&opt.Reset.By, "by", "", "reset-balances: who asks (journaled)")
	pos, ok := a.parse("run", fs, args, 1, 1)
	if !ok {
		return exitUsage
	}
	if r := opt.Reset; pos[0] != "reset-balances" && (r.WalletID != "" || r.PartnerKey != "" || r.Closed || r.Reason != "" || r.By != "") {
		fmt.Fprintf(a.stderr, "settle: run %s: --wallet, --partner, --closed, --reason and --by are reset-balances' flags\n", pos[0])
		return exitUsage
	}
	if err := opt.Reset.Check(); pos[0] == "reset-balances" && err != nil {
		a.fail(err)
		return exitUsage
	}
	if !slices.Contains(jobs.JobNames(), pos[0]) {
		a.fail(errUnknownJob(pos[0]))
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	r := a.runner(s)
	res, err := r.Run(ctx, pos[0], opt)
	if res.RunID == 0 && err != nil {
		return a.fail(err)
	}
	a.printResult(res, asJSON)
	return exitFor(res, err)
}
