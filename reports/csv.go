// Package reports is the read side of settle: queries over the ledger, the finance
// reports (CSV, an XLSX workbook, a settlement page), statements for dealers and
// stores, and (in reports/api) the HTTP API.
package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// Format is how CSV files are written. The zero Format is the default: comma
// separated, UTF-8 without BOM, "." as the decimal separator.
type Format struct {
	// Excel starts the file with a UTF-8 byte order mark, without which Windows Excel
	// reads the file as Windows-1252 and garbles accented names.
	Excel bool
	// Separator is the field separator: ',' (0 means ',') or ';', which spreadsheets
	// in locales with a decimal comma (Italian, German, French …) expect.
	Separator rune
	// DecimalComma writes amounts with a decimal comma (12,30), as those locales read them.
	DecimalComma bool
}

// Check rejects a format a spreadsheet could not read back.
func (f Format) Check() error {
	switch f.Separator {
	case 0, ',', ';', '\t':
	default:
		return fmt.Errorf("csv separator %q: use \",\", \";\" or a tab", f.Separator)
	}
	if f.DecimalComma && (f.Separator == 0 || f.Separator == ',') {
		return fmt.Errorf("csv: a decimal comma needs a separator other than the comma")
	}
	return nil
}

// CSV writes finance CSV files: a header row, "\n" line ends. Text cells that a
// spreadsheet would run as a formula are prefixed with "'"; numbers are written as
// they are (with a decimal comma if the format says so).
type CSV struct {
	w   *csv.Writer
	f   Format
	row []string
}

// NewCSV starts a CSV with its header row (after the BOM, in Excel format).
func NewCSV(w io.Writer, f Format, header ...string) (*CSV, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	if f.Excel {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return nil, err
		}
	}
	c := &CSV{w: csv.NewWriter(w), f: f}
	if f.Separator != 0 {
		c.w.Comma = f.Separator
	}
	return c, c.w.Write(header)
}

// Text adds a text cell, defused against formula injection.
func (c *CSV) Text(s string) *CSV {
	c.row = append(c.row, SafeText(s))
	return c
}

// Number adds a cell that is a number already formatted by the caller (an amount from
// ledger.FormatCents, a count); it is written as is, but for the decimal separator.
func (c *CSV) Number(s string) *CSV {
	if c.f.DecimalComma {
		s = strings.Replace(s, ".", ",", 1)
	}
	c.row = append(c.row, s)
	return c
}

// End writes the row.
func (c *CSV) End() error {
	err := c.w.Write(c.row)
	c.row = c.row[:0]
	return err
}

// Row writes a report row: text and dates as text, the rest as numbers.
func (c *CSV) Row(cols []Column, row []string) error {
	for i, col := range cols {
		if col.Kind == Text || col.Kind == Date {
			c.Text(row[i])
		} else {
			c.Number(row[i])
		}
	}
	return c.End()
}

// Flush writes any buffered rows and reports a write error.
func (c *CSV) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// SafeText prefixes "'" to text a spreadsheet would evaluate: cells starting with
// = + - @, a tab or a carriage return.
func SafeText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
