package main

import (
	"encoding/json"
	"fmt"

	"settle/jobs"
)

// printResult prints a run's one-line summary, or the whole result as one JSON object.
func (a *app) printResult(res jobs.Result, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(res)
		fmt.Fprintln(a.stdout, string(b))
		return
	}
	dry := ""
	if res.DryRun {
		dry = " (dry run)"
	}
	line := res.Line
	if res.Error != "" {
		line += " error: " + res.Error
	}
	fmt.Fprintf(a.stdout, "%s %s%s: %s: %s\n", res.Job, res.Date, dry, res.Status, line)
}

// exitFor maps a run's outcome to the exit code.
func exitFor(res jobs.Result, err error) int {
	if err != nil || !res.OK() {
		return exitFail
	}
	return exitOK
}
