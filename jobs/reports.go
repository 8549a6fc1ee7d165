package jobs

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"settle"

	"settle/ledger"
	"settle/reports"
)

// ReportsJob writes the day's CSV reports into <reports>/<date>/. Each report shows
// the ledger as of the end of the date by booking date, so rerunning it later gives
// byte-identical files.
func ReportsJob() Job {
	return Job{
		Name:        "reports",
		Description: "write the day's CSV reports (fee totals, store totals, exceptions, reconciliation, safeguarding, debts, batches, balances, trial balance, summary)",
		Run:         runReports,
	}
}

func runReports(ctx context.Context, env *Env) (Summary, error) {
	sum := Summary{Counts: map[string]int64{}}
	dir := filepath.Join(env.Dirs.Reports, env.Date.String())
	if err := removeOrphanTemps(dir, env); err != nil {
		return sum, err
	}
	var tb reports.TrialBalance
	for _, name := range reports.Names() {
		write := func(w io.Writer) error { return reports.WriteNamed(env.Work, env.Store, name, env.Date, w) }
		if name == "trial-balance" { // its totals go in the run's summary
			write = func(w io.Writer) (err error) {
				if tb, err = reports.WriteTrialBalance(env.Work, env.Store, env.Date, w); err == nil {
					err = tb.Check(env.Date)
				}
				return err
			}
		}
		if env.DryRun {
			if err := write(io.Discard); err != nil {
				return sum, err
			}
			continue
		}
		wf, err := WriteFileAtomic(filepath.Join(dir, name+".csv"), write)
		if err != nil {
			return sum, err
		}
		if err := RecordFile(env.Work, env.Store, env.RunID, "report:"+name, wf); err != nil {
			return sum, err
		}
		sum.Counts["files"]++
	}
	verb := "wrote"
	if env.DryRun {
		verb = "would write"
	}
	sum.Amounts = map[string]settle.Money{"debits": settle.MoneyFromCents(tb.DebitCents), "credits": settle.MoneyFromCents(tb.CreditCents)}
	sum.Line = fmt.Sprintf("%s %d reports as of the end of %s in %s; trial balance: debits %s, credits %s", verb, len(reports.Names()),
		env.Date, dir, ledger.FormatCents(tb.DebitCents), ledger.FormatCents(tb.CreditCents))
	return sum, nil
}
