package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"settle/jobs"
)

func init() {
	register("jobs", command{
		usage:   "[--json] [--limit N] [--list]",
		help:    "recent job runs, newest first (--list: the jobs there are)",
		example: `settle jobs --limit 5`,
		run:     cmdJobs,
	})
}

func errUnknownJob(name string) error {
	return fmt.Errorf("%q is not a job; jobs: %s", name, strings.Join(jobs.JobNames(), ", "))
}

func cmdJobs(ctx context.Context, a *app, args []string) int {
	var asJSON, list bool
	var limit int
	fs := flag.NewFlagSet("jobs", flag.ContinueOnError)
	fs.BoolVar(&asJSON, "json", false, "one JSON object per run, one per line")
	fs.BoolVar(&list, "list", false, "list the jobs this build has")
	fs.IntVar(&limit, "limit", 20, "how many runs")
	if _, ok := a.parse("jobs", fs, args, 0, 0); !ok {
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	if list {
		r := a.runner(s)
		for _, n := range r.Names() {
			j, _ := r.Job(n)
			fmt.Fprintf(a.stdout, "%-16s %s\n", n, j.Description)
		}
		return exitOK
	}
	runs, err := jobs.RecentRuns(ctx, s, limit)
	if err != nil {
		return a.fail(err)
	}
	if asJSON {
		for _, r := range runs {
			obj := map[string]any{}
			b, _ := json.Marshal(r)
			json.Unmarshal(b, &obj)
			obj["result"] = json.RawMessage(r.Summary)
			b, _ = json.Marshal(obj)
			fmt.Fprintln(a.stdout, string(b))
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tJOB\tDATE\tSTATUS\tSTARTED\tHOLDER\tSUMMARY")
	for _, r := range runs {
		var sum jobs.Summary
		json.Unmarshal([]byte(r.Summary), &sum)
		line := sum.Line
		if r.Error != "" {
			line = r.Error
		}
		if r.DryRun {
			line = "(dry run) " + line
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Job, r.RunDate, r.Status, r.StartedAt, r.Holder, firstLine(line))
	}
	return exitFailIf(tw.Flush() != nil)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func exitFailIf(b bool) int {
	if b {
		return exitFail
	}
	return exitOK
}
