package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Dialect holds the SQL that SQLite and PostgreSQL spell differently. Every other
// query is written once, with ? placeholders (the PostgreSQL connection rewrites them
// to $1, $2, … in rebind.go), and runs on both. A query that needs one of these
// differences asks the store's dialect for it: st.D.DayDiff(…), w.D().InList, ….
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// InList is the SQL of "col IN (the values of one list argument)": one prepared
	// statement whatever the number of values. Pass the values with ListArg.
	InList string
	// Pairs is the SQL of a table of integer pairs (id, v) read from one argument,
	// a JSON array of two-element arrays: one prepared statement for any number.
	Pairs string

	dayDiff  string // absolute days between two ISO dates: %[1]s and %[2]s
	addDays  string // the ISO date %[1]s plus %[2]s days, as ISO text
	contains string // strictly positive when %[2]s occurs in %[1]s
	jsonText string // the text of key %[2]s of the JSON object in column %[1]s
	jsonObj  string // a JSON object, as text, of the key-value list %[1]s
	zeroPad  string // integer %[1]s as text, zero-padded to %[2]d digits
	types    *strings.Replacer
}

// lockWriter makes tx the only write transaction of the database until it ends, as
// SQLite's BEGIN IMMEDIATE does. On PostgreSQL this is a transaction-scoped advisory
// lock, taken by every process on every host: writers queue transaction by
// transaction, readers never wait (MVCC), and what settle numbers itself (MAX(id) + 1
// under the lock) stays exact. A transaction is one chunk of a job, so a neighbour
// waits for at most a chunk; a lock held longer than BusyTimeout fails with IsBusy.
//
// With shared, on PostgreSQL, the lock is taken in share mode instead: any number of
// shared writers run at once, each claiming what it writes with Writer.LockPartner,
// while an exclusive writer waits for all of them and they for it (Store.WriteShared).
func (d *Dialect) lockWriter(ctx context.Context, tx *sqlx.Tx, wait time.Duration, shared bool) error {
	if d != Postgres {
		return nil // BEGIN IMMEDIATE took it
	}
	lock := `SELECT pg_advisory_xact_lock(7413260000)`
	if shared {
		lock = `SELECT pg_advisory_xact_lock_shared(7413260000)`
	}
	return lockWaiting(ctx, tx, wait, lock)
}

// lockWaiting runs the statement lock, which waits for a lock, waiting at most wait
// (BusyTimeout when 0); the transaction's later statements wait BusyTimeout.
func lockWaiting(ctx context.Context, tx *sqlx.Tx, wait time.Duration, lock string, args ...any) error {
	if wait <= 0 {
		wait = BusyTimeout
	}
	for _, q := range []string{
		fmt.Sprintf(`SET LOCAL lock_timeout = %d`, wait.Milliseconds()),
		lock,
		fmt.Sprintf(`SET LOCAL lock_timeout = %d`, BusyTimeout.Milliseconds()),
	} {
		var a []any
		if q == lock {
			a = args
		}
		if _, err := tx.ExecContext(ctx, q, a...); err != nil {
			return err
		}
	}
	return nil
}

// DayDiff is the SQL of the absolute number of days between two ISO date
// expressions.
func (d *Dialect) DayDiff(a, b string) string { return fmt.Sprintf(d.dayDiff, a, b) }

// AddDays is the SQL of the ISO date expression date plus n days, as ISO text.
func (d *Dialect) AddDays(date, n string) string { return fmt.Sprintf(d.addDays, date, n) }

// Contains is the SQL of a condition true when needle occurs in haystack.
func (d *Dialect) Contains(haystack, needle string) string {
	return fmt.Sprintf(d.contains, haystack, needle) + " > 0"
}

// JSONText is the SQL of the text value of key in the JSON object held by col.
func (d *Dialect) JSONText(col, key string) string { return fmt.Sprintf(d.jsonText, col, key) }

// JSONObject is the SQL of a JSON object, as text, built from a list of keys and
// values ('k1', v1, 'k2', v2).
func (d *Dialect) JSONObject(pairs string) string { return fmt.Sprintf(d.jsonObj, pairs) }

// ZeroPad is the SQL of the integer expression expr as text, left-padded with zeros
// to n digits.
func (d *Dialect) ZeroPad(expr string, n int) string { return fmt.Sprintf(d.zeroPad, expr, n) }

// DDL is a migration's SQL as this dialect spells it.
func (d *Dialect) DDL(sql string) string { return d.types.Replace(sql) }

// ListArg is the argument InList reads: the values as a JSON array of strings.
func ListArg(vals []string) string {
	if vals == nil {
		vals = []string{}
	}
	b, _ := json.Marshal(vals)
	return string(b)
}
