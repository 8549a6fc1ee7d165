package ledger

import (
	"context"
	"database/sql/driver"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// settle's queries are written once, with SQLite's ? placeholders. On PostgreSQL they
// reach the server through pgConn, which rewrites them to $1, $2, … (rebind): the
// same strings run on both backends, and no call site has to remember a Rebind.

// pgConnector opens pgx connections that rebind every query.
type pgConnector struct{ inner driver.Connector }

func newPGConnector(cfg *pgx.ConnConfig) driver.Connector {
	return pgConnector{inner: stdlib.GetConnector(*cfg)}
}

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is a pgx connection whose queries are rebound; every other method (and so
// every optional interface database/sql looks for) is pgx's own.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) { return c.Conn.Prepare(rebind(query)) }

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if query == copyQuery && len(args) == 1 {
		if in, ok := args[0].Value.(*copyIn); ok {
			n, err := c.Conn.Conn().CopyFrom(ctx, pgx.Identifier{in.table}, in.cols, pgx.CopyFromRows(in.rows))
			return driver.RowsAffected(n), err
		}
	}
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

// copyQuery is the statement text of an Exec whose one argument is a *copyIn: the
// connection runs it as COPY … FROM STDIN (binary), which database/sql has no call
// for. It stays inside the caller's transaction: the connection is the same.
const copyQuery = "-- settle: COPY FROM STDIN"

// copyIn is rows to copy into table's columns, each value of its column's Go type.
type copyIn struct {
	table string
	cols  []string
	rows  [][]any
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// rebound caches rewritten queries: most are constants asked thousands of times.
var rebound struct {
	sync.Mutex
	m map[string]string
}

const reboundMax = 4096 // dynamic queries past this many are rewritten each time

// rebind rewrites the ? placeholders of query to $1, $2, …, leaving alone a ? inside
// a quoted string, a quoted identifier or a comment.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	rebound.Lock()
	q, ok := rebound.m[query]
	rebound.Unlock()
	if ok {
		return q
	}
	q = rebindScan(query)
	rebound.Lock()
	if rebound.m == nil {
		rebound.m = map[string]string{}
	}
	if len(rebound.m) < reboundMax {
		rebound.m[query] = q
	}
	rebound.Unlock()
	return q
}

func rebindScan(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c { // '' or "" inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(query[i:min(j+1, len(query))])
			i = j
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i - 1
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := strings.Index(query[i+2:], "*/")
			end := len(query)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(query[i:end])
			i = end - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
