package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"settle"
	"slices"
	"strings"

	"settle/jobs"
	"settle/reports"
)

func init() {
	register("report", command{
		usage: "NAME [--date D] [--out FILE|-] [--zero-balances]\n" +
			"workbook [--date D] [--out FILE]\n" +
			"page [--date D] [--partner KEY] [--out FILE|-]\n" +
			"store-statement --store ID --from D --to D [--out FILE|-]\n" +
			"dealer-statement --dealer KEY --from D --to D [--out FILE|-]",
		help: "write a day's report, workbook or settlement page, or a statement",
		more: "NAME is one of: " + strings.Join(reports.Names(), ", ") + ". The CSV format follows the config's csv settings. " +
			"A statement is written as CSV and as an HTML page into REPORTS/TO/statements/ unless --out names one file " +
			"(.html for the page).",
		example: `settle report trial-balance --date 2026-11-20 --out -`,
		run:     cmdReport,
	})
}

// reportFlags are the flags of every form of `settle report`.
type reportFlags struct {
	date, from, to            settle.Day
	out, partner, store, deal string
	zero                      bool
}

func cmdReport(ctx context.Context, a *app, args []string) int {
	var f reportFlags
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dateFlag(fs, &f.date, "the day (default: yesterday in the configured time zone)")
	fs.StringVar(&f.out, "out", "", "file to write, - for standard output (default: in REPORTS/DATE/)")
	fs.BoolVar(&f.zero, "zero-balances", false, "trial-balance: list accounts whose balance is zero too")
	fs.StringVar(&f.partner, "partner", "", "page: one partner's page (default: every partner)")
	fs.StringVar(&f.store, "store", "", "store-statement: the store `ID`")
	fs.StringVar(&f.deal, "dealer", "", "dealer-statement: the dealer `KEY`")
	fs.TextVar(&f.from, "from", settle.Day{}, "statement: the first day of the period")
	fs.TextVar(&f.to, "to", settle.Day{}, "statement: the last day of the period")
	pos, ok := a.parse("report", fs, args, 1, 1)
	if !ok {
		return exitUsage
	}
	name := pos[0]
	known := append(reports.Names(), "workbook", "page", "store-statement", "dealer-statement")
	if !slices.Contains(known, name) {
		fmt.Fprintf(a.stderr, "settle: report: %q is not a report (%s)\n", name, strings.Join(known, ", "))
		return exitUsage
	}
	if strings.HasSuffix(name, "-statement") {
		return cmdStatement(ctx, a, strings.TrimSuffix(name, "-statement"), f)
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	if f.date.IsZero() {
		f.date = a.today().AddDays(-1)
	}
	opt := reports.Options{ZeroBalances: f.zero}
	var file string
	var write func(w io.Writer) error
	switch name {
	case "workbook":
		file = reports.WorkbookName(f.date)
		write = func(w io.Writer) error { return reports.WriteWorkbook(ctx, s, f.date, w, opt) }
	case "page":
		file = reports.PageName(f.date)
		if f.partner != "" {
			file = "settlement-" + reports.SafeFileName(f.partner) + "-" + f.date.String() + ".html"
		}
		write = func(w io.Writer) error { return reports.WritePage(ctx, s, f.date, f.partner, w) }
	default:
		r, _ := reports.ReportByName(name)
		file = r.FileName(f.date)
		write = func(w io.Writer) error { return reports.WriteNamed(ctx, s, name, f.date, w, a.cfg.CSV.Format(), opt) }
	}
	if f.out == "" {
		f.out = filepath.Join(a.reports, f.date.String(), file)
	}
	return a.writeOut(f.out, write, fmt.Sprintf("%s as of the end of %s", name, f.date))
}

// writeOut writes to standard output (out "-") or atomically to the file out, and
// says what it wrote.
func (a *app) writeOut(out string, write func(w io.Writer) error, what string) int {
	if out == "-" {
		if err := write(a.stdout); err != nil {
			return a.fail(err)
		}
		return exitOK
	}
	wf, err := jobs.WriteFileAtomic(out, write)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "%s written to %s (sha256 %s)\n", what, wf.Path, wf.SHA256)
	return exitOK
}

// cmdStatement writes a store's or a dealer's statement for a period.
func cmdStatement(ctx context.Context, a *app, kind string, f reportFlags) int {
	id := map[string]string{"store": f.store, "dealer": f.deal}[kind]
	if id == "" || f.from.IsZero() || f.to.IsZero() {
		fmt.Fprintf(a.stderr, "settle report %s-statement: --%s, --from and --to are required\n", kind, kind)
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	st, err := reports.BuildStatement(ctx, s, kind, id, f.from, f.to)
	if err != nil {
		return a.fail(err)
	}
	what := fmt.Sprintf("%s statement of %s, %s to %s,", kind, id, f.from, f.to)
	csvOut := func(w io.Writer) error { return st.WriteCSV(w, a.cfg.CSV.Format()) }
	if f.out != "" {
		if strings.HasSuffix(f.out, ".html") {
			return a.writeOut(f.out, st.WritePage, what)
		}
		return a.writeOut(f.out, csvOut, what)
	}
	dir := filepath.Join(a.reports, f.to.String(), "statements")
	if code := a.writeOut(filepath.Join(dir, st.FileName(".csv")), csvOut, what); code != exitOK {
		return code
	}
	return a.writeOut(filepath.Join(dir, st.FileName(".html")), st.WritePage, what)
}
