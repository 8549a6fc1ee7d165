package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"settle/jobs"
	"settle/ledger"
	"settle/reports"
)

func init() {
	register("report", command{
		usage: "NAME [--date D] [--out FILE|-]",
		help:  "write one CSV report (trial-balance)",
		run:   cmdReport,
	})
}

// reportWriters are the reports `settle report` can write one at a time.
var reportWriters = map[string]func(ctx context.Context, s *ledger.Store, date string, w io.Writer) error{
	"trial-balance": func(ctx context.Context, s *ledger.Store, date string, w io.Writer) error {
		_, err := reports.WriteTrialBalance(ctx, s, date, w)
		return err
	},
}

func cmdReport(ctx context.Context, a *app, args []string) int {
	var date, out string
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.StringVar(&date, "date", "", "the day, YYYY-MM-DD (default: yesterday in the configured time zone)")
	fs.StringVar(&out, "out", "", "file to write, - for standard output (default: REPORTS/DATE/NAME.csv)")
	pos, ok := a.parse("report", fs, args, 1, 1)
	if !ok {
		return exitUsage
	}
	write, ok := reportWriters[pos[0]]
	if !ok {
		fmt.Fprintf(a.stderr, "settle: report: %q is not a report (trial-balance)\n", pos[0])
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	if date == "" {
		date = a.cfg.Yesterday(time.Now())
	} else if _, err := time.Parse(time.DateOnly, date); err != nil {
		fmt.Fprintf(a.stderr, "settle: report: --date %q is not YYYY-MM-DD\n", date)
		return exitUsage
	}
	if out == "-" {
		if err := write(ctx, s, date, a.stdout); err != nil {
			return a.fail(err)
		}
		return exitOK
	}
	if out == "" {
		out = filepath.Join(a.reports, date, pos[0]+".csv")
	}
	wf, err := jobs.WriteFileAtomic(out, func(w io.Writer) error { return write(ctx, s, date, w) })
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "%s as of the end of %s written to %s (sha256 %s)\n", pos[0], date, wf.Path, wf.SHA256)
	return exitOK
}
