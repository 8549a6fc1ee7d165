package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"settle"
	"slices"
	"strings"

	"settle/jobs"
	"settle/ledger"
	"settle/reports"
)

func init() {
	register("report", command{
		usage:   "NAME [--date D] [--out FILE|-]",
		help:    "write one of a day's CSV reports",
		more:    "NAME is one of: " + strings.Join(reports.Names(), ", ") + ".",
		example: `settle report trial-balance --date 2026-11-20 --out -`,
		run:     cmdReport,
	})
}

func cmdReport(ctx context.Context, a *app, args []string) int {
	var out string
	var date settle.Day
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dateFlag(fs, &date, "the day (default: yesterday in the configured time zone)")
	fs.StringVar(&out, "out", "", "file to write, - for standard output (default: REPORTS/DATE/NAME.csv)")
	pos, ok := a.parse("report", fs, args, 1, 1)
	if !ok {
		return exitUsage
	}
	if !slices.Contains(reports.Names(), pos[0]) {
		fmt.Fprintf(a.stderr, "settle: report: %q is not a report (%s)\n", pos[0], strings.Join(reports.Names(), ", "))
		return exitUsage
	}
	write := func(ctx context.Context, s *ledger.Store, date settle.Day, w io.Writer) error {
		return reports.WriteNamed(ctx, s, pos[0], date, w)
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	if date.IsZero() {
		date = a.today().AddDays(-1)
	}
	if out == "-" {
		if err := write(ctx, s, date, a.stdout); err != nil {
			return a.fail(err)
		}
		return exitOK
	}
	if out == "" {
		out = filepath.Join(a.reports, date.String(), pos[0]+".csv")
	}
	wf, err := jobs.WriteFileAtomic(out, func(w io.Writer) error { return write(ctx, s, date, w) })
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "%s as of the end of %s written to %s (sha256 %s)\n", pos[0], date, wf.Path, wf.SHA256)
	return exitOK
}
