package ledgertest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection that makes the test databases

	"settle/ledger"
)

// Every test that touches the database runs on both backends: Main runs a package's
// tests on SQLite, then, when SETTLE_TEST_POSTGRES holds a PostgreSQL URL (its
// database is only used to create and drop others), once more on PostgreSQL, where
// each test gets a database of its own, dropped when it ends.

// PostgresEnv names the environment variable holding the PostgreSQL server to test on.
const PostgresEnv = "SETTLE_TEST_POSTGRES"

// Postgres tells whether the tests now running run on PostgreSQL.
var Postgres bool

var pg struct {
	admin    *sql.DB
	base     *url.URL
	template string // a migrated database that Open clones
	once     sync.Once
	err      error
	n        atomic.Int64
}

// Main runs the package's tests on SQLite, then on PostgreSQL when PostgresEnv is
// set, and returns the exit code for os.Exit. Without it, it says that the
// PostgreSQL runs were skipped.
func Main(m *testing.M) int {
	dsn := os.Getenv(PostgresEnv)
	code := 0
	if os.Getenv("SETTLE_TEST_SQLITE") != "off" || dsn == "" { // off: profile PostgreSQL alone
		code = m.Run()
	}
	if dsn == "" {
		say(fmt.Sprintf("%s: PostgreSQL runs skipped (%s is not set; e.g. postgres://postgres@127.0.0.1:5432/postgres)\n",
			pkgName(), PostgresEnv))
		return code
	}
	fmt.Printf("=== the same tests on PostgreSQL (%s)\n", ledger.Redact(dsn))
	Postgres = true
	defer func() { Postgres = false }()
	if pgCode := m.Run(); pgCode != 0 {
		code = pgCode
	}
	if pg.template != "" {
		dropDatabase(pg.template)
	}
	if pg.admin != nil {
		pg.admin.Close()
	}
	return code
}

// say prints msg, and also on the terminal when there is one: go test shows a
// passing package's output only with -v, and a skipped backend must not go unseen.
func say(msg string) {
	fmt.Print(msg)
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		tty.WriteString(msg)
		tty.Close()
	}
}

// pkgName is the import path of the package under test, from its test binary's name.
func pkgName() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Path != "" {
		return strings.TrimSuffix(bi.Path, ".test")
	}
	return filepath.Base(os.Args[0])
}

func pgSetup() error {
	pg.once.Do(func() {
		u, err := url.Parse(os.Getenv(PostgresEnv))
		if err != nil {
			pg.err = fmt.Errorf("%s: %w", PostgresEnv, err)
			return
		}
		pg.base = u
		if pg.admin, pg.err = sql.Open("pgx", u.String()); pg.err != nil {
			return
		}
		pg.template, pg.err = createDatabase(byteOrder)
		if pg.err != nil {
			return
		}
		s, err := ledger.Create(dbURL(pg.template))
		if err != nil {
			pg.err = err
			return
		}
		pg.err = s.Close()
	})
	return pg.err
}

func dbURL(name string) string {
	u := *pg.base
	u.Path = "/" + name
	return u.String()
}

func createDatabase(options ...string) (string, error) {
	name := fmt.Sprintf("settle_test_%d_%d", os.Getpid(), pg.n.Add(1))
	q := `CREATE DATABASE ` + name
	if len(options) > 0 {
		q += ` ` + options[0]
	}
	if _, err := pg.admin.ExecContext(context.Background(), q); err != nil {
		return "", fmt.Errorf("%s: %w", q, err)
	}
	return name, nil
}

func dropDatabase(name string) {
	pg.admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
}

// byteOrder makes a test database sort text as SQLite does, whatever the server's
// default (settle refuses any other).
const byteOrder = "TEMPLATE template0 LOCALE 'C.UTF-8'"

// NewPostgresDB is the URL of a new, empty PostgreSQL database made with the CREATE
// DATABASE options given (a test of what settle refuses), dropped when t ends.
func NewPostgresDB(t testing.TB, options string) string {
	t.Helper()
	return pgDatabase(t, false, options)
}

// NewDB is the --db of a new, empty database for t: a file in t's temporary
// directory on SQLite, a new database on PostgreSQL, dropped when t ends.
func NewDB(t testing.TB) string {
	t.Helper()
	if !Postgres {
		return t.TempDir() + "/settle.db"
	}
	return pgDatabase(t, false, byteOrder)
}

func pgDatabase(t testing.TB, migrated bool, options ...string) string {
	t.Helper()
	if err := pgSetup(); err != nil {
		t.Fatal(err)
	}
	var name string
	var err error
	if migrated {
		name, err = createDatabase("TEMPLATE " + pg.template)
	} else {
		name, err = createDatabase(options...)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	return dbURL(name)
}
