package jobs

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"settle/ledger"
	"settle/reports"
)

// ReportsJob writes the day's CSV reports into <reports>/<date>/. Each report shows
// the ledger as of the end of the date by booking date, so rerunning it later gives
// byte-identical files.
func ReportsJob() Job {
	return Job{
		Name:        "reports",
		Description: "write the day's CSV reports (trial balance)",
		Run:         runReports,
	}
}

func runReports(ctx context.Context, env *Env) (Summary, error) {
	path := filepath.Join(env.Dirs.Reports, env.Date, "trial-balance.csv")
	var tb reports.TrialBalance
	write := func(w io.Writer) (err error) {
		tb, err = reports.WriteTrialBalance(env.Work, env.Store, env.Date, w)
		return err
	}
	sum := Summary{Counts: map[string]int64{}}
	if env.DryRun {
		if err := write(io.Discard); err != nil {
			return sum, err
		}
	} else {
		wf, err := WriteFileAtomic(path, write)
		if err != nil {
			return sum, err
		}
		if err := RecordFile(env.Work, env.Store, env.RunID, "report:trial-balance", wf); err != nil {
			return sum, err
		}
		sum.Counts["files"] = 1
	}
	sum.Counts["accounts"] = tb.Accounts
	sum.Amounts = map[string]ledger.Money{"debits": ledger.MoneyFromCents(tb.DebitCents), "credits": ledger.MoneyFromCents(tb.CreditCents)}
	verb := "wrote"
	if env.DryRun {
		verb = "would write"
	}
	sum.Line = fmt.Sprintf("%s %s: %d accounts, debits %s, credits %s", verb, path, tb.Accounts,
		ledger.FormatCents(tb.DebitCents), ledger.FormatCents(tb.CreditCents))
	if tb.DebitCents+tb.CreditCents != 0 {
		return sum, fmt.Errorf("trial balance of %s does not balance: debits %s, credits %s", env.Date,
			ledger.FormatCents(tb.DebitCents), ledger.FormatCents(tb.CreditCents))
	}
	return sum, nil
}
