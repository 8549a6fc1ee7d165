package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"settle"
	"strings"

	"settle/jobs"
	"settle/ledger"
	"settle/ledger/feeds"
)

func init() {
	register("import", command{
		usage:   "KIND FILE.csv [--json] [--wait DURATION]",
		help:    "import a CSV feed: reference data, payment requests, fees or store operations",
		more:    "KIND is one of: " + strings.Join(feeds.ImportKinds, ", ") + ".",
		example: `settle import wallets wallets.csv`,
		run:     cmdImport,
	})
}

func cmdImport(ctx context.Context, a *app, args []string) int {
	var asJSON bool
	var wait = new(jobs.RunOptions)
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	fs.DurationVar(&wait.Wait, "wait", 0, "wait up to this long for another import of the same kind")
	pos, ok := a.parse("import", fs, args, 2, 2)
	if !ok {
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	res, ir, err := importFile(ctx, a, s, pos[0], pos[1], *wait)
	if res.RunID == 0 && err != nil {
		if settle.CodeOf(err) == settle.Invalid && ir.File == "" {
			a.fail(err)
			return exitUsage
		}
		return a.fail(err)
	}
	for _, e := range ir.Errors {
		fmt.Fprintln(a.stderr, e.Error())
	}
	if asJSON {
		b, _ := json.Marshal(struct {
			jobs.Result
			Import feeds.ImportResult `json:"import"`
		}{res, ir})
		fmt.Fprintln(a.stdout, string(b))
	} else {
		a.printResult(res, false)
	}
	return exitFor(res, err)
}

// importFile imports one CSV file as a journaled job under the lease "import:KIND".
func importFile(ctx context.Context, a *app, s *ledger.Store, kind, path string, opt jobs.RunOptions) (jobs.Result, feeds.ImportResult, error) {
	var ir feeds.ImportResult
	valid := false
	for _, k := range feeds.ImportKinds {
		valid = valid || k == kind
	}
	if !valid {
		return jobs.Result{}, ir, settle.FieldError("kind", "%q is not one of %v", kind, feeds.ImportKinds)
	}
	r := a.runner(s)
	// A feed imported by hand is read today: a request without a date is asked today.
	job := jobs.Job{Name: "import:" + kind, Description: "import " + kind, Today: true, Run: func(ctx context.Context, env *jobs.Env) (jobs.Summary, error) {
		f, err := os.Open(path)
		if err != nil {
			return jobs.Summary{}, err
		}
		defer f.Close()
		var total int64 = -1
		if st, err := f.Stat(); err == nil {
			total = st.Size()
		}
		p := env.Progress("import "+kind, "bytes", total)
		defer p.Done()
		cr := &countingReader{r: f, add: p.Add}
		ir, err = feeds.Import(env.Work, env.Store, kind, path, cr, feeds.ImportOptions{
			Day:       env.Date,
			ChunkSize: env.Config.ChunkSize,
			Location:  env.Config.Location(),
			Stop:      func() bool { return ctx.Err() != nil },
		})
		sum := jobs.Summary{
			Line:     fmt.Sprintf("%s: %d rows, %d imported, %d unchanged, %d rejected", path, ir.Rows, ir.Imported, ir.Unchanged, ir.Rejected),
			Counts:   map[string]int64{"rows": int64(ir.Rows), "imported": int64(ir.Imported), "unchanged": int64(ir.Unchanged), "rejected": int64(ir.Rejected)},
			Rejected: int64(ir.Rejected),
		}
		return sum, err
	}}
	res, err := r.RunJob(ctx, job, opt)
	return res, ir, err
}

// countingReader reports bytes read, for the progress bar.
type countingReader struct {
	r   *os.File
	add func(int)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.add(n)
	return n, err
}
