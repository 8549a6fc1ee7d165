package reports

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"settle"
	"strconv"

	"github.com/shopspring/decimal"

	"settle/ledger"
)

// Column kinds of a report. Every writer (CSV, workbook, page) reads a row as
// strings and decides by the kind how to show a cell.
const (
	Text   = iota // free text: defused against formula injection in CSV
	Cents         // an amount the ledger holds in cents, written with two decimals; it sums
	Count         // a count; it sums
	Number        // a number that does not sum (an id, a position, an amount as the bank wrote it)
	Date          // a day, YYYY-MM-DD
)

// Column is one column of a report: its header and kind.
type Column struct {
	Name string
	Kind int
}

// Sums tells whether a totals row adds the column up.
func (c Column) Sums() bool { return c.Kind == Cents || c.Kind == Count }

// Report is one of the daily finance reports: every one shows the ledger as of the
// end of its day (by booking date), in a fixed order, so the same inputs give
// byte-identical files and later postings never change a past day's file.
type Report struct {
	Name    string // the file is Name-DAY.csv
	About   string // one line for the README and `settle report`
	Columns []Column
	query   string // its ? are all the day, unless params says otherwise
	params  func(day settle.Day) []any
	// each, when set, produces the rows instead of query (trial balance, summary).
	each func(ctx context.Context, s *ledger.Store, day settle.Day, opt Options, fn func(row []string) error) error
}

// Options change what some reports hold (not how they are written; see Format).
type Options struct {
	// ZeroBalances keeps accounts whose balance is zero in the trial balance.
	ZeroBalances bool
}

// Header is the report's header row.
func (r Report) Header() []string {
	h := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		h[i] = c.Name
	}
	return h
}

// FileName is the report's CSV file name for day: fee-totals-2026-11-20.csv.
func (r Report) FileName(day settle.Day) string { return r.Name + "-" + day.String() + ".csv" }

// Each calls fn with every row of the report of day, in order. Cents cells are
// formatted amounts ("-12.30"), a NULL is "".
func (r Report) Each(ctx context.Context, s *ledger.Store, day settle.Day, opt Options, fn func(row []string) error) error {
	if r.each != nil {
		return r.each(ctx, s, day, opt, fn)
	}
	var args []any
	if r.params != nil {
		args = r.params(day)
	} else {
		args = make([]any, countParams(r.query))
		for i := range args {
			args[i] = day
		}
	}
	rows, err := s.R.QueryContext(ctx, r.query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", r.Name, err)
	}
	defer rows.Close()
	vals := make([]sql.NullString, len(r.Columns))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	row := make([]string, len(r.Columns))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
		for i, col := range r.Columns {
			row[i] = vals[i].String
			if col.Kind == Cents && vals[i].Valid {
				x, err := strconv.ParseInt(row[i], 10, 64)
				if err != nil {
					return fmt.Errorf("%s: %s %q is not cents", r.Name, col.Name, row[i])
				}
				row[i] = ledger.FormatCents(x)
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Write writes the report of day as CSV in format f and returns its row count. The
// trial balance, whose CSV ends with a totals row, is written by WriteTrialBalance
// (WriteNamed picks it).
func (r Report) Write(ctx context.Context, s *ledger.Store, day settle.Day, w io.Writer, f Format, opt Options) (int64, error) {
	c, err := NewCSV(w, f, r.Header()...)
	if err != nil {
		return 0, err
	}
	var n int64
	err = r.Each(ctx, s, day, opt, func(row []string) error {
		n++
		return c.Row(r.Columns, row)
	})
	if err != nil {
		return n, err
	}
	return n, c.Flush()
}

// Totals adds up a report's summing columns, exactly.
type Totals struct {
	cols []Column
	sums []decimal.Decimal
}

// NewTotals starts the totals of a report with these columns.
func NewTotals(cols []Column) *Totals {
	return &Totals{cols: cols, sums: make([]decimal.Decimal, len(cols))}
}

// Add adds a row.
func (t *Totals) Add(row []string) error {
	for i, c := range t.cols {
		if !c.Sums() || row[i] == "" {
			continue
		}
		d, err := decimal.NewFromString(row[i])
		if err != nil {
			return fmt.Errorf("%s %q is not a number", c.Name, row[i])
		}
		t.sums[i] = t.sums[i].Add(d)
	}
	return nil
}

// Sum is the total of column i.
func (t *Totals) Sum(i int) decimal.Decimal { return t.sums[i] }

// Row is the totals row: label in the first text column, the sums in the summing
// columns, the rest empty.
func (t *Totals) Row(label string) []string {
	row := make([]string, len(t.cols))
	labelled := false
	for i, c := range t.cols {
		switch {
		case c.Kind == Cents:
			row[i] = t.sums[i].StringFixed(2)
		case c.Kind == Count:
			row[i] = t.sums[i].String()
		case !labelled:
			row[i], labelled = label, true
		}
	}
	return row
}

// HasTotals tells whether any column of the report sums.
func HasTotals(cols []Column) bool {
	for _, c := range cols {
		if c.Sums() {
			return true
		}
	}
	return false
}

func countParams(q string) int {
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
		}
	}
	return n
}
