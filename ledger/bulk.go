package ledger

import (
	"database/sql/driver"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"
)

// InsertRows inserts rows into table: args holds them one after the other, each with
// a value for every column of cols, in order. It is the bulk path of the ingest.
//
// SQLite takes multi-row INSERTs of 256 rows, then 128, 64, … 1 for the rest: a few
// prepared statements serve every call, whatever the number of rows. PostgreSQL takes
// one INSERT … SELECT FROM unnest(…) of a text array per column, cast to the column's
// type: a few dozen arguments instead of one per value, which parses and binds
// several times faster than multi-row VALUES.
func (w *Writer) InsertRows(table string, cols []string, args []any) error {
	if len(args)%len(cols) != 0 {
		return fmt.Errorf("%s: %d values for %d columns", table, len(args), len(cols))
	}
	if table == "transactions" {
		w.nextTx = 0 // Post reads MAX(id) again
	}
	if w.store.D == Postgres {
		return w.insertUnnest(table, cols, args)
	}
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	row := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
	for len(args) > 0 {
		n := min(len(args)/len(cols), 256)
		n = 1 << (bits.Len(uint(n)) - 1) // the largest power of two <= n
		if _, err := w.Exec(head+strings.Repeat(row+", ", n-1)+row, args[:n*len(cols)]...); err != nil {
			return err
		}
		args = args[n*len(cols):]
	}
	return nil
}

// columnTypes caches the PostgreSQL type of each column of a table ("bigint", …).
var columnTypes sync.Map // table → map[string]string

func (w *Writer) insertUnnest(table string, cols []string, args []any) error {
	types, err := w.columnTypes(table)
	if err != nil {
		return err
	}
	sel := make([]string, len(cols))
	arrays := make([]string, len(cols))
	for i, c := range cols {
		t, ok := types[c]
		if !ok {
			return fmt.Errorf("%s has no column %s", table, c)
		}
		sel[i] = "u.c" + strconv.Itoa(i)
		if t != "text" {
			sel[i] = "CAST(" + sel[i] + " AS " + t + ")"
		}
		arrays[i] = "CAST(? AS text[])"
	}
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(sel, ", ") +
		" FROM unnest(" + strings.Join(arrays, ", ") + ") AS u(" + strings.Join(prefixed("c", len(cols)), ", ") + ")"
	n := len(args) / len(cols)
	cells := make([][]*string, len(cols))
	for i := range cells {
		cells[i] = make([]*string, n)
	}
	for r := range n {
		for i := range cols {
			s, err := asText(args[r*len(cols)+i])
			if err != nil {
				return fmt.Errorf("%s.%s: %w", table, cols[i], err)
			}
			cells[i][r] = s
		}
	}
	params := make([]any, len(cols))
	for i := range cells {
		params[i] = cells[i]
	}
	_, err = w.Exec(q, params...)
	return err
}

func prefixed(p string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = p + strconv.Itoa(i)
	}
	return out
}

func (w *Writer) columnTypes(table string) (map[string]string, error) {
	if t, ok := columnTypes.Load(table); ok {
		return t.(map[string]string), nil
	}
	var cols []struct {
		Name string `db:"column_name"`
		Type string `db:"data_type"`
	}
	if err := w.Select(&cols, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ?`, table); err != nil {
		return nil, err
	}
	types := map[string]string{}
	for _, c := range cols {
		types[c.Name] = c.Type
	}
	columnTypes.Store(table, types)
	return types, nil
}

// asText is a value as PostgreSQL reads it from text (nil for NULL).
func asText(v any) (*string, error) {
	dv, err := driver.DefaultParameterConverter.ConvertValue(v)
	if err != nil {
		return nil, err
	}
	var s string
	switch x := dv.(type) {
	case nil:
		return nil, nil
	case string:
		s = x
	case []byte:
		s = string(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case bool:
		s = strconv.FormatBool(x)
	case time.Time:
		s = x.Format(time.RFC3339Nano)
	default:
		return nil, fmt.Errorf("cannot write %T as text", dv)
	}
	return &s, nil
}
