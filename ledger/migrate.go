package ledger

import (
	"context"
	"fmt"
	"io/fs"
	"settle"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"settle/migrations"
)

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations of dialect d in order of their number.
// A file NNNN_name.sql applies on both backends; NNNN_name.postgres.sql or
// NNNN_name.sqlite.sql only on that one, for the few changes whose SQL must differ.
func Migrations(d *Dialect) ([]Migration, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, n := range names {
		num, rest, ok := strings.Cut(n, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", n)
		}
		switch base := strings.TrimSuffix(rest, ".sql"); {
		case !strings.Contains(base, "."):
		case strings.HasSuffix(base, "."+d.Name):
		case strings.HasSuffix(base, "."+SQLite.Name), strings.HasSuffix(base, "."+Postgres.Name):
			continue // the other backend's
		default:
			return nil, fmt.Errorf("migration %s: only .sqlite.sql or .postgres.sql may follow the name", n)
		}
		b, err := migrations.FS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: n, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share a number", ms[i-1].Name, ms[i].Name)
		}
	}
	return ms, nil
}

// Migrate applies the migrations not yet recorded in schema_migrations, each in its
// own transaction, and records them. It returns how many it applied.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	ms, err := Migrations(s.D)
	if err != nil {
		return 0, err
	}
	// Read first, without the write lock: a neighbour writing a long file must not
	// stop a command that has nothing to migrate.
	var have []int
	exists, err := s.hasMigrationsTable(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	if exists {
		if err := s.wdb.SelectContext(ctx, &have, `SELECT version FROM schema_migrations ORDER BY version`); err != nil {
			return 0, fmt.Errorf("migrate: %w", err)
		}
	} else if err := s.checkCollation(ctx); err != nil {
		return 0, err
	}
	latest := ms[len(ms)-1]
	if n := len(have); n > 0 && have[n-1] > latest.Version {
		return 0, settle.Errorf(settle.Conflict, "the database's schema is version %d, newer than this settle's %d (%s): use a newer settle",
			have[n-1], latest.Version, latest.Name)
	}
	if exists && len(have) == len(ms) {
		return 0, nil // nothing pending: no write lock taken
	}
	applied := 0
	err = s.WriteTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	for _, m := range ms {
		err := s.WriteTx(ctx, func(tx *sqlx.Tx) error {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, s.D.DDL(m.SQL)); err != nil {
				return err
			}
			applied++
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, s.NowText())
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return applied, nil
}

func (s *Store) hasMigrationsTable(ctx context.Context) (bool, error) {
	q := `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if s.D == Postgres {
		q = `SELECT to_regclass('schema_migrations') IS NOT NULL`
	}
	var exists bool
	err := s.wdb.GetContext(ctx, &exists, q)
	return exists, err
}

// SchemaVersion says how many migrations the database has and the last one's name.
func (s *Store) SchemaVersion(ctx context.Context) (applied int, last string, err error) {
	err = s.R.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(name), '') FROM schema_migrations`).Scan(&applied, &last)
	return applied, last, err
}

// PendingMigrations lists the migrations this build has that the database has not
// applied (read through the read pool: the API's readiness asks it).
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	ms, err := Migrations(s.D)
	if err != nil {
		return nil, err
	}
	var have []int
	if err := s.R.SelectContext(ctx, &have, `SELECT version FROM schema_migrations`); err != nil {
		return nil, err
	}
	applied := map[int]bool{}
	for _, v := range have {
		applied[v] = true
	}
	var pending []string
	for _, m := range ms {
		if !applied[m.Version] {
			pending = append(pending, m.Name)
		}
	}
	return pending, nil
}
