package main

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"settle/jobs"
)

// progressFor draws progress bars (count, rate, time left) on a terminal and nothing
// elsewhere, so cron logs stay clean.
func progressFor(w io.Writer) jobs.ProgressFunc {
	if !isTerminal(w) {
		return jobs.NoProgress
	}
	return func(label, unit string, total int64) jobs.Progress {
		opts := []progressbar.Option{
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100 * time.Millisecond),
			progressbar.OptionClearOnFinish(),
		}
		if unit == "bytes" {
			opts = append(opts, progressbar.OptionShowBytes(true))
		} else {
			opts = append(opts, progressbar.OptionSetItsString(unit))
		}
		return bar{progressbar.NewOptions64(total, opts...)}
	}
}

type bar struct{ b *progressbar.ProgressBar }

func (b bar) Add(n int) { b.b.Add(n) }
func (b bar) Done()     { b.b.Finish() }
