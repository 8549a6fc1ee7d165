package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jmoiron/sqlx"

	"settle"
)

// IsPostgres tells whether a --db value names a PostgreSQL database (a postgres:// or
// postgresql:// URL) rather than a SQLite file.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Redact is a database URL without its password, for messages and logs.
func Redact(db string) string {
	u, err := url.Parse(db)
	if err != nil || u.User == nil {
		return db
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// openPostgres connects to the PostgreSQL database at dbURL and applies pending
// migrations. Unless create is set, a database without settle's schema is refused
// with ErrNoDatabase, as a missing SQLite file is.
func openPostgres(dbURL string, create bool) (*Store, error) {
	name := Redact(dbURL)
	w, err := pgPool(dbURL, false)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	s := &Store{wdb: w, D: Postgres, Path: name, Clock: settle.WallClock{}}
	if !create {
		var exists bool
		if err := w.Get(&exists, `SELECT to_regclass('schema_migrations') IS NOT NULL`); err != nil {
			w.Close()
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		if !exists {
			w.Close()
			return nil, fmt.Errorf("%w at %s: run 'settle --db %s migrate' first (or check --db)", ErrNoDatabase, name, name)
		}
	}
	if _, err := s.Migrate(context.Background()); err != nil {
		w.Close()
		return nil, err
	}
	if s.R, err = pgPool(dbURL, true); err != nil {
		w.Close()
		return nil, err
	}
	if s.ldb, err = coordinationPool(dbURL, 2); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openPostgresReadOnly opens the read pool, and the few connections that write the
// small shared tables of coordination (the API replicas' replay guard).
func openPostgresReadOnly(dbURL string) (*Store, error) {
	r, err := pgPool(dbURL, true)
	if err != nil {
		return nil, err
	}
	s := &Store{R: r, D: Postgres, Path: Redact(dbURL), Clock: settle.WallClock{}}
	if s.ldb, err = coordinationPool(dbURL, 4); err != nil {
		r.Close()
		return nil, err
	}
	return s, nil
}

// byteOrder are the collations that sort text by its bytes, as SQLite does.
var byteOrder = map[string]bool{"C": true, "POSIX": true, "C.UTF-8": true, "C.utf8": true}

// checkCollation refuses to make settle's schema in a PostgreSQL database whose
// collation sorts text by language rules: the reports, sorted by keys and codes,
// would come out in another order than on SQLite.
func (s *Store) checkCollation(ctx context.Context) error {
	if s.D != Postgres {
		return nil
	}
	var db struct {
		Collate  string `db:"datcollate"`
		Provider string `db:"datlocprovider"` // c: the C library's; i: ICU, which sorts by language rules
	}
	if err := s.wdb.GetContext(ctx, &db, `SELECT datcollate, datlocprovider FROM pg_database WHERE datname = current_database()`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if coll := db.Collate; !byteOrder[coll] || db.Provider == "i" {
		if db.Provider == "i" {
			coll = "an ICU collation"
		}
		return settle.Errorf(settle.Invalid, "%s sorts text by %s: settle needs a byte-order collation, so that its reports sort "+
			"as on SQLite; create the database with createdb --template=template0 --locale=C.UTF-8 (or C)", s.Path, coll)
	}
	return nil
}

// coordinationPool opens the n connections of the small shared tables (leases,
// claims, the API's replay guard). Their commits do not wait for the disk
// (synchronous_commit off): what a crash of the server loses there is a lease renewal
// or a replay record of the last moment, and a crash ends every holder's work anyway.
// An API request would otherwise wait for one fsync.
func coordinationPool(dbURL string, n int) (*sqlx.DB, error) {
	db, err := pgPool(dbURL, false, "synchronous_commit", "off")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	return db, nil
}

// pgPool opens a pool of connections to dbURL whose queries are rebound (rebind.go).
// A read-only pool's sessions refuse writes, as SQLite's query_only connections do.
func pgPool(dbURL string, readOnly bool, params ...string) (*sqlx.DB, error) {
	name := Redact(dbURL)
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "settle"
	// A statement that waits for a lock longer than SQLite's busy timeout fails the
	// same way, with an error IsBusy recognises.
	cfg.RuntimeParams["lock_timeout"] = fmt.Sprint(BusyTimeout.Milliseconds())
	if readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	for i := 0; i+1 < len(params); i += 2 {
		cfg.RuntimeParams[params[i]] = params[i+1]
	}
	db := sqlx.NewDb(sql.OpenDB(newPGConnector(cfg)), "pgx")
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := db.Ping(); err != nil {
		db.Close()
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "3D000" { // invalid_catalog_name
			return nil, fmt.Errorf("%w at %s: create it first (createdb), then run 'settle --db %s migrate'", ErrNoDatabase, name, name)
		}
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return db, nil
}

// IngestTables are the tables an ingest run grows: what RefreshStatistics samples
// after one.
var IngestTables = []string{"wallets", "accounts", "mandates", "direct_debits", "credit_transfers", "transactions",
	"postings", "operations", "bank_entries", "exceptions"}

// RefreshStatistics has PostgreSQL sample tables that a job has just grown, so that
// the API's and the next jobs' queries are planned on today's rows. Left to
// autovacuum, the statistics of a large table follow only after a tenth of it
// changed (never where autovacuum is off): until then a new booking day lies past
// the histogram and is planned as empty, and a table grown from nothing as a few
// rows (the API's statement pages took 16-22 ms instead of 2, and 500 req/s piled
// up into 10 s timeouts). SQLite plans without statistics: a no-op there.
func (s *Store) RefreshStatistics(ctx context.Context, tables ...string) error {
	if s.D != Postgres || s.wdb == nil {
		return nil
	}
	if _, err := s.wdb.ExecContext(ctx, `ANALYZE `+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("analyze %s: %w", strings.Join(tables, ", "), err)
	}
	return nil
}
