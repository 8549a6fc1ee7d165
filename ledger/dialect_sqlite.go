package ledger

import "encoding/json"

// The SQL that only SQLite speaks lives here (and in backup_sqlite.go), so that the
// PostgreSQL dialect has one place to answer it.

// InList is the SQL of "col IN (the values of one list argument)": one prepared
// statement whatever the number of values. Pass the values with ListArg.
const InList = "IN (SELECT value FROM json_each(?))"

// ListArg is the argument InList reads: the values as a JSON array of strings.
func ListArg(vals []string) string {
	if vals == nil {
		vals = []string{}
	}
	b, _ := json.Marshal(vals)
	return string(b)
}
