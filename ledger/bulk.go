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
// the rows by COPY FROM STDIN in binary, each value converted to its column's type
// here: no statement to parse or plan, no text to cast (twice as fast as one
// INSERT … SELECT FROM unnest of text arrays, which it replaced).
func (w *Writer) InsertRows(table string, cols []string, args []any) error {
	if len(args)%len(cols) != 0 {
		return fmt.Errorf("%s: %d values for %d columns", table, len(args), len(cols))
	}
	if table == "transactions" {
		w.nextTx = 0 // Post reads MAX(id) again
	}
	if w.store.D == Postgres {
		return w.copyRows(table, cols, args)
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

// copyRows copies the rows into table in one COPY (see copyQuery).
func (w *Writer) copyRows(table string, cols []string, args []any) error {
	if err := w.heartbeat(); err != nil {
		return err
	}
	types, err := w.columnTypes(table)
	if err != nil {
		return err
	}
	n := len(args) / len(cols)
	rows := make([][]any, n)
	for r := range rows {
		rows[r] = args[r*len(cols) : (r+1)*len(cols)]
		for i, c := range cols {
			t, ok := types[c]
			if !ok {
				return fmt.Errorf("%s has no column %s", table, c)
			}
			v, err := copyValue(rows[r][i], t)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", table, c, err)
			}
			rows[r][i] = v
		}
	}
	_, err = w.tx.ExecContext(w.ctx, copyQuery, &copyIn{table: table, cols: cols, rows: rows})
	return err
}

// copyValue converts v (any value database/sql takes) to the Go type COPY writes
// for a column of PostgreSQL type t. The ledger's columns are bigint, integer,
// boolean, text and bytea.
func copyValue(v any, t string) (any, error) {
	dv, err := driver.DefaultParameterConverter.ConvertValue(v)
	if err != nil || dv == nil {
		return nil, err
	}
	switch t {
	case "bigint", "integer", "smallint":
		switch x := dv.(type) {
		case int64:
			return x, nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		}
	case "boolean":
		switch x := dv.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		}
	case "text":
		switch x := dv.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case time.Time:
			return x.Format(time.RFC3339Nano), nil
		}
	case "bytea":
		switch x := dv.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	}
	return nil, fmt.Errorf("cannot write %T into a %s column", dv, t)
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
