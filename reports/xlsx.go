package reports

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"settle"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"settle/ledger"
)

// WorkbookName is the file name of day's workbook: settlement-2026-11-20.xlsx.
func WorkbookName(day settle.Day) string { return "settlement-" + day.String() + ".xlsx" }

// maxSheetRows is the most rows a sheet holds (Excel's limit) with the header and
// the totals row: a report longer than that goes on in a sheet "name (2)".
var maxSheetRows = 1_048_576 - 2

// WriteWorkbook writes every report of day as one sheet of an XLSX workbook:
// amounts and counts as numbers (two decimals for amounts), days as dates, the
// header row frozen with a filter, column widths to fit, and a totals row under
// every report with a column that sums (a SUBTOTAL, so it follows the filter, with
// its value computed exactly here). Sheets are streamed: memory stays flat
// however many wallets a report lists.
//
// A spreadsheet holds numbers as binary doubles: an amount is exact in the
// workbook up to 15 significant digits (under ten trillion euros); the CSV files
// stay the exact record.
func WriteWorkbook(ctx context.Context, s *ledger.Store, day settle.Day, w io.Writer, opt Options) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newSheetStyles(f)
	if err != nil {
		return err
	}
	first := true
	for _, r := range All() {
		if err := writeSheets(ctx, f, s, day, r, st, opt, &first); err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
	}
	f.SetActiveSheet(0)
	return writeSorted(f, w)
}

// writeSorted writes the workbook with its zip entries in the order of their names:
// excelize writes them in a map's order, which changes from run to run, and a
// rerun of the reports must give the same bytes. The workbook goes through a
// temporary file, and its entries are copied without being compressed again.
func writeSorted(f *excelize.File, w io.Writer) error {
	tmp, err := os.CreateTemp("", "settle-workbook-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := f.WriteTo(tmp); err != nil {
		return err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(tmp, size)
	if err != nil {
		return err
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for _, zf := range files {
		if err := zw.Copy(zf); err != nil {
			return err
		}
	}
	return zw.Close()
}

// sheetStyles are the cell styles of the workbook.
type sheetStyles struct {
	header, amount, count, date, total, totalAmount, totalCount int
}

func newSheetStyles(f *excelize.File) (sheetStyles, error) {
	var st sheetStyles
	amountFmt, countFmt, dateFmt := "#,##0.00;-#,##0.00", "#,##0", "yyyy-mm-dd"
	bold := &excelize.Font{Bold: true}
	top := []excelize.Border{{Type: "top", Color: "000000", Style: 1}}
	for _, d := range []struct {
		id    *int
		style excelize.Style
	}{
		{&st.header, excelize.Style{Font: bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}}}},
		{&st.amount, excelize.Style{CustomNumFmt: &amountFmt}},
		{&st.count, excelize.Style{CustomNumFmt: &countFmt}},
		{&st.date, excelize.Style{CustomNumFmt: &dateFmt}},
		{&st.total, excelize.Style{Font: bold, Border: top}},
		{&st.totalAmount, excelize.Style{Font: bold, Border: top, CustomNumFmt: &amountFmt}},
		{&st.totalCount, excelize.Style{Font: bold, Border: top, CustomNumFmt: &countFmt}},
	} {
		id, err := f.NewStyle(&d.style)
		if err != nil {
			return st, err
		}
		*d.id = id
	}
	return st, nil
}

// writeSheets writes report r into one sheet, or several when it is longer than a
// sheet can hold.
func writeSheets(ctx context.Context, f *excelize.File, s *ledger.Store, day settle.Day, r Report, st sheetStyles, opt Options, first *bool) error {
	var sw *excelize.StreamWriter
	var totals *Totals
	part, n := 0, 0
	start := func() error {
		part++
		name := r.Name
		if part > 1 {
			name = fmt.Sprintf("%s (%d)", r.Name, part)
		}
		if *first {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
			*first = false
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		var err error
		if sw, err = f.NewStreamWriter(name); err != nil {
			return err
		}
		for i, c := range r.Columns {
			if err := sw.SetColWidth(i+1, i+1, columnWidth(c)); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		header := make([]any, len(r.Columns))
		for i, c := range r.Columns {
			header[i] = excelize.Cell{StyleID: st.header, Value: c.Name}
		}
		totals, n = NewTotals(r.Columns), 0
		return sw.SetRow("A1", header)
	}
	finish := func() error {
		end := max(n+1, 2) // a table has a row under its header, if an empty one
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + cellName(len(r.Columns), end), StyleName: "TableStyleLight1"}); err != nil {
			return err
		}
		if HasTotals(r.Columns) {
			if err := sw.SetRow(cellName(1, end+1), totalsRow(r.Columns, totals, end, st)); err != nil {
				return err
			}
		}
		return sw.Flush()
	}
	if err := start(); err != nil {
		return err
	}
	cells := make([]any, len(r.Columns))
	err := r.Each(ctx, s, day, opt, func(row []string) error {
		if n == maxSheetRows {
			if err := finish(); err != nil {
				return err
			}
			if err := start(); err != nil {
				return err
			}
		}
		if err := totals.Add(row); err != nil {
			return err
		}
		for i, c := range r.Columns {
			cells[i] = sheetCell(c, row[i], st)
		}
		n++
		return sw.SetRow(cellName(1, n+1), cells)
	})
	if err != nil {
		return err
	}
	return finish()
}

// sheetCell is a report cell as the workbook holds it: a number, a date or text.
func sheetCell(c Column, v string, st sheetStyles) any {
	if v == "" {
		return nil
	}
	switch c.Kind {
	case Cents:
		if d, err := decimal.NewFromString(v); err == nil {
			return excelize.Cell{StyleID: st.amount, Value: d.InexactFloat64()}
		}
	case Count, Number:
		if i, err := strconv.ParseInt(v, 10, 64); err == nil {
			return excelize.Cell{StyleID: st.count, Value: i}
		}
		if d, err := decimal.NewFromString(v); err == nil {
			return excelize.Cell{StyleID: st.amount, Value: d.InexactFloat64()}
		}
	case Date:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return excelize.Cell{StyleID: st.date, Value: t}
		}
	}
	return v
}

// totalsRow is the row under a table ending on row end: "total" and, in each summing
// column, a SUBTOTAL of the column (it follows the filter) with the exact sum as its
// value.
func totalsRow(cols []Column, t *Totals, end int, st sheetStyles) []any {
	label := t.Row("total")
	row := make([]any, len(cols))
	for i, c := range cols {
		if !c.Sums() {
			row[i] = excelize.Cell{StyleID: st.total, Value: label[i]}
			continue
		}
		style := st.totalAmount
		if c.Kind == Count {
			style = st.totalCount
		}
		formula := "SUBTOTAL(109," + cellName(i+1, 2) + ":" + cellName(i+1, end) + ")"
		row[i] = excelize.Cell{StyleID: style, Formula: formula, Value: t.Sum(i).InexactFloat64()}
	}
	return row
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// columnWidth is a width that fits the column's header and usual values.
func columnWidth(c Column) float64 {
	w := float64(len(c.Name)) + 4 // room for the filter button
	switch c.Kind {
	case Cents:
		w = max(w, 16)
	case Date:
		w = max(w, 12)
	case Text:
		w = max(w, 14)
	}
	return min(w, 60)
}
