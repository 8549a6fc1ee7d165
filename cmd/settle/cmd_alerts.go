package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"

	"settle/jobs"
)

func init() {
	register("alerts", command{
		usage:   "[list] [--pending] [--limit N] [--json]\nresend [ID]",
		help:    "the alerts sent to the configured webhooks, and sending them again",
		more:    "resend without ID sends every alert again (receivers de-duplicate on Settle-Event-Id).",
		example: "settle alerts list --pending",
		run:     cmdAlerts,
	})
}

func cmdAlerts(ctx context.Context, a *app, args []string) int {
	var pending, asJSON bool
	var limit int
	fs := flag.NewFlagSet("alerts", flag.ContinueOnError)
	fs.BoolVar(&pending, "pending", false, "list: only deliveries not yet made")
	fs.IntVar(&limit, "limit", 50, "list: at most this many")
	fs.BoolVar(&asJSON, "json", false, "list: one JSON object per line")
	pos, ok := a.parse("alerts", fs, args, 0, 2)
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
	switch {
	case pos[0] == "list" && len(pos) == 1:
		ds, err := jobs.Alerts(ctx, s, pending, limit)
		if err != nil {
			return a.fail(err)
		}
		if asJSON {
			return a.jsonLines(ds)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTYPE\tEVENT\tCREATED\tURL\tTRIES\tDELIVERED\tLAST ERROR")
		for _, d := range ds {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.Type, d.EventID, d.CreatedAt, d.URL, d.Attempts, deref(d.DeliveredAt), d.LastError)
		}
		tw.Flush()
		return exitOK
	case pos[0] == "resend":
		var id int64
		if len(pos) == 2 {
			var err error
			if id, err = strconv.ParseInt(pos[1], 10, 64); err != nil || id < 1 {
				fmt.Fprintf(a.stderr, "settle alerts: %q is not an alert id (see 'settle alerts list')\n", pos[1])
				return exitUsage
			}
		}
		sent, left, err := a.runner(s).ResendAlerts(context.WithoutCancel(ctx), id)
		if err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "alerts: %d delivered, %d still pending\n", sent, left)
		if left > 0 {
			return exitFail
		}
		return exitOK
	}
	fmt.Fprintf(a.stderr, "settle alerts: %q is not list or resend (see 'settle help alerts')\n", pos[0])
	return exitUsage
}
