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

// ReportsJob writes the day's reports into <reports>/<date>/: a CSV file per
// report (fee-totals-2026-11-20.csv …), the same reports as one XLSX workbook, and
// the settlement page. Each shows the ledger as of the end of the date by booking
// date, so rerunning it later gives identical files.
func ReportsJob() Job {
	return Job{
		Name: "reports",
		Description: "write the day's CSV reports (fee totals, store totals, movements, exceptions, reconciliation, safeguarding, debts, batches, " +
			"balances, trial balance, summary), the XLSX workbook and the settlement page",
		Run: runReports,
	}
}

func runReports(ctx context.Context, env *Env) (Summary, error) {
	sum := Summary{Counts: map[string]int64{}}
	dir := filepath.Join(env.Dirs.Reports, env.Date.String())
	if err := removeOrphanTemps(dir, env); err != nil {
		return sum, err
	}
	format := env.Config.CSV.Format()
	var tb reports.TrialBalance
	type output struct {
		kind, file string
		write      func(w io.Writer) error
	}
	var outs []output
	for _, r := range reports.All() {
		write := func(w io.Writer) error {
			_, err := r.Write(env.Work, env.Store, env.Date, w, format, reports.Options{})
			return err
		}
		if r.Name == "trial-balance" { // its totals go in the run's summary
			write = func(w io.Writer) (err error) {
				if tb, err = reports.WriteTrialBalance(env.Work, env.Store, env.Date, w, format, reports.Options{}); err == nil {
					err = tb.Check(env.Date)
				}
				return err
			}
		}
		outs = append(outs, output{"report:" + r.Name, r.FileName(env.Date), write})
	}
	outs = append(outs,
		output{"report:workbook", reports.WorkbookName(env.Date), func(w io.Writer) error {
			return reports.WriteWorkbook(env.Work, env.Store, env.Date, w, reports.Options{})
		}},
		output{"report:page", reports.PageName(env.Date), func(w io.Writer) error {
			return reports.WritePage(env.Work, env.Store, env.Date, "", w)
		}})
	if _, _, next := env.Date.AddDays(1).Date(); next == 1 { // the nightly of the 1st: the month's statements
		y, m, _ := env.Date.Date()
		from := settle.NewDay(y, m, 1)
		err := reports.MonthlyStatements(env.Work, env.Store, from, env.Date, func(st *reports.Statement) error {
			sum.Counts["statements"]++
			outs = append(outs,
				output{"statement:" + st.Kind, filepath.Join("statements", st.FileName(".csv")), func(w io.Writer) error { return st.WriteCSV(w, format) }},
				output{"statement:" + st.Kind, filepath.Join("statements", st.FileName(".html")), st.WritePage})
			return nil
		})
		if err != nil {
			return sum, err
		}
	}
	for _, o := range outs {
		if env.DryRun {
			if err := o.write(io.Discard); err != nil {
				return sum, err
			}
			continue
		}
		wf, err := WriteFileAtomic(filepath.Join(dir, o.file), o.write)
		if err != nil {
			return sum, err
		}
		if err := RecordFile(env.Work, env.Store, env.RunID, o.kind, wf); err != nil {
			return sum, err
		}
		sum.Counts["files"]++
	}
	verb := "wrote"
	if env.DryRun {
		verb = "would write"
	}
	sum.Amounts = map[string]settle.Money{"debits": settle.MoneyFromCents(tb.DebitCents), "credits": settle.MoneyFromCents(tb.CreditCents)}
	statements := ""
	if n := sum.Counts["statements"]; n > 0 {
		statements = fmt.Sprintf(", %d dealer and store statements of the month", n)
	}
	sum.Line = fmt.Sprintf("%s %d reports, the workbook and the settlement page%s as of the end of %s in %s; trial balance: debits %s, credits %s",
		verb, len(reports.All()), statements, env.Date, dir, ledger.FormatCents(tb.DebitCents), ledger.FormatCents(tb.CreditCents))
	return sum, nil
}
