// Package reports is the read side of settle: queries over the ledger, the CSV
// writers for finance, and (in reports/api) the HTTP API.
package reports

import (
	"encoding/csv"
	"io"
	"strings"
)

// CSV writes finance CSV files: comma-separated, UTF-8 without BOM, "\n" line ends,
// a header row. Text cells that a spreadsheet would run as a formula are prefixed
// with "'"; amount cells are written as plain numbers through Amount.
type CSV struct {
	w   *csv.Writer
	row []string
}

// NewCSV starts a CSV with its header row.
func NewCSV(w io.Writer, header ...string) (*CSV, error) {
	c := &CSV{w: csv.NewWriter(w)}
	return c, c.w.Write(header)
}

// Text adds a text cell, defused against formula injection.
func (c *CSV) Text(s string) *CSV {
	c.row = append(c.row, SafeText(s))
	return c
}

// Number adds a cell that is a number already formatted by the caller (an amount from
// ledger.FormatCents, a count); it is written as is.
func (c *CSV) Number(s string) *CSV {
	c.row = append(c.row, s)
	return c
}

// End writes the row.
func (c *CSV) End() error {
	err := c.w.Write(c.row)
	c.row = c.row[:0]
	return err
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
