package ledger

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"settle"
)

// CopyResult is what CopyTo copied and what Verify said of both ledgers.
type CopyResult struct {
	Tables int
	Rows   int64
	Source VerifyResult
	Copy   VerifyResult
}

// copyBatch is the rows of one INSERT (PostgreSQL takes at most 65,535 arguments).
const copyBatch = 500

// CopyTo copies the SQLite ledger src into dst, a migrated PostgreSQL database with
// no ledger in it yet: every table but the run-time ones (leases, the API's replay
// guard), in the order the migrations created them, in one transaction of dst, the
// identity columns then set past the copied ids. src must verify clean first, and dst
// must verify to the same counts after: otherwise nothing is kept.
func CopyTo(ctx context.Context, src, dst *Store, progress func(table string, rows int64)) (CopyResult, error) {
	var res CopyResult
	if src.D != SQLite || dst.D != Postgres {
		return res, settle.Errorf(settle.Invalid, "settle copies a SQLite ledger into PostgreSQL (from %s to %s)", src.D.Name, dst.D.Name)
	}
	var err error
	if res.Source, err = src.Verify(ctx, 5); err != nil {
		return res, err
	}
	if res.Source.Count > 0 {
		return res, settle.Errorf(settle.Invalid, "%s does not verify (%d violations, first: %s): repair it before copying it",
			src.Path, res.Source.Count, res.Source.Violations[0].Detail)
	}
	var tables []string
	if err := src.R.SelectContext(ctx, &tables, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT IN ('schema_migrations', 'leases', 'api_replays') ORDER BY rowid`); err != nil {
		return res, err
	}
	err = dst.WriteTx(ctx, func(tx *sqlx.Tx) error {
		var used int64
		if err := tx.GetContext(ctx, &used, `SELECT (SELECT COUNT(*) FROM partners) + (SELECT COUNT(*) FROM transactions)
			+ (SELECT COUNT(*) FROM job_runs)`); err != nil {
			return err
		}
		if used > 0 {
			return settle.Errorf(settle.Conflict, "%s holds a ledger already: copy into a new database", dst.Path)
		}
		res.Tables, res.Rows = 0, 0
		for _, t := range tables {
			n, err := copyTable(ctx, src, tx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
			res.Tables++
			res.Rows += n
			if progress != nil {
				progress(t, n)
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if res.Copy, err = dst.Verify(ctx, 5); err != nil {
		return res, err
	}
	s, c := res.Source, res.Copy
	if c.Count > 0 || c.Accounts != s.Accounts || c.Transactions != s.Transactions || c.Postings != s.Postings {
		return res, settle.Errorf(settle.Internal, "the copy does not verify like the source: %d accounts, %d transactions, %d postings, "+
			"%d violations (source: %d, %d, %d, 0)", c.Accounts, c.Transactions, c.Postings, c.Count, s.Accounts, s.Transactions, s.Postings)
	}
	return res, nil
}

// copyTable copies one table's rows, converting SQLite's 0 and 1 to PostgreSQL's
// booleans where the column is one, and moves an identity column past the copied ids.
func copyTable(ctx context.Context, src *Store, tx *sqlx.Tx, table string) (int64, error) {
	var cols []struct {
		Name  string `db:"column_name"`
		Type  string `db:"data_type"`
		Ident string `db:"is_identity"`
	}
	if err := tx.SelectContext(ctx, &cols, `SELECT column_name, data_type, is_identity FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table); err != nil {
		return 0, err
	}
	if len(cols) == 0 {
		return 0, fmt.Errorf("no table %s in the copy's schema", table)
	}
	names := make([]string, len(cols))
	identity := ""
	for i, c := range cols {
		names[i] = c.Name
		if c.Ident == "YES" {
			identity = c.Name
		}
	}
	rows, err := src.R.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+table+` ORDER BY rowid`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var args []any
	var n int64
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		k := len(args) / len(cols)
		q := `INSERT INTO ` + table + ` (` + strings.Join(names, ", ") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", k), ", ")
		_, err := tx.ExecContext(ctx, q, args...)
		args = args[:0]
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			if b, ok := v.(int64); ok && cols[i].Type == "boolean" {
				v = b != 0
			}
			args = append(args, v)
		}
		n++
		if n%copyBatch == 0 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	if identity != "" {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX(`+identity+`) FROM `+table+`), 0) + 1, false)`,
			table, identity); err != nil {
			return n, err
		}
	}
	return n, nil
}
