package main

import (
	"context"
	"flag"

	"settle/jobs"
)

func init() {
	register("schedule", command{
		usage:   "",
		help:    "run jobs on their cron schedules until SIGTERM",
		example: `settle --config /etc/settle/config.json schedule`,
		run:     cmdSchedule,
	})
}

func cmdSchedule(ctx context.Context, a *app, args []string) int {
	if _, ok := a.parse("schedule", flag.NewFlagSet("schedule", flag.ContinueOnError), args, 0, 0); !ok {
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	r := a.runner(s)
	r.Progress = jobs.NoProgress // a daemon draws no bars
	if err := jobs.Schedule(ctx, r, jobs.SleepWall); err != nil {
		return a.fail(err)
	}
	return exitOK
}
