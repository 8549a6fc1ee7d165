package main

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"settle/ledger/ledgertest"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// The crash harness: the nightly cycle of a generated world is killed with SIGKILL
// at a seeded random instant, run again to completion, and its ledger, outbox,
// inbox and reports compared with those of an uninterrupted run, byte for byte.
// `go test ./...` runs a few seeds; SETTLE_CRASH_SEEDS=1000 runs a thousand (about
// 20 minutes on two cores):
//
//	SETTLE_CRASH_SEEDS=1000 go test ./cmd/settle -run TestCrashHarness -v -timeout 2h
const crashClock = "2026-11-21T02:00:00Z" // both runs stand at the same instant: same stamps

func TestCrashHarness(t *testing.T) {
	if ledgertest.Postgres {
		// It compares SQLite files table by table; on PostgreSQL a killed process is
		// TestTwoIngestWorkersOneKilled's (and the tests that kill an import or an ingest).
		t.Skip("the crash harness runs on SQLite")
	}
	seeds := 4
	if v := os.Getenv("SETTLE_CRASH_SEEDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("SETTLE_CRASH_SEEDS=%q is not a positive number", v)
		}
		seeds = n
	}
	base := t.TempDir()
	world := filepath.Join(base, "world")
	os.MkdirAll(world, 0o755)
	crashRun(t, world, "migrate")
	crashRun(t, world, "gen", "--out", "inbox", "--wallets", "300", "--entries", "2000", "--operations", "300", "--breaks", "--date", "2026-11-20")

	ref := filepath.Join(base, "reference")
	copyTree(t, world, ref)
	started := time.Now()
	crashRun(t, ref, "nightly", "--date", "2026-11-20")
	took := time.Since(started)
	want := snapshot(t, ref)

	landed := map[string]int{}
	for seed := 1; seed <= seeds; seed++ {
		dir := filepath.Join(base, fmt.Sprintf("seed-%d", seed))
		copyTree(t, world, dir)
		rng := rand.New(rand.NewPCG(uint64(seed), 0x5e771e))
		after := time.Duration(rng.Int64N(int64(took + took/10)))
		cmd := exec.Command(bin, "nightly", "--date", "2026-11-20")
		cmd.Dir, cmd.Env = dir, crashEnv()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		job := runningJob(t, dir)
		landed[job]++
		// The dead process's leases expire (the clock stands still, so the harness
		// plays the time passing), then the nightly runs again to completion.
		execSQL(t, dir, `UPDATE leases SET expires_at = 0`)
		crashRun(t, dir, "nightly", "--date", "2026-11-20")
		if diff := compareSnapshots(want, snapshot(t, dir)); diff != "" {
			t.Errorf("seed %d (killed after %s, in %s): after the rerun %s", seed, after, job, diff)
			continue
		}
		os.RemoveAll(dir)
	}
	t.Logf("%d seeds over a %s nightly; the kills landed in: %s", seeds, took.Round(time.Millisecond), fmtCounts(landed))
}

func crashEnv() []string {
	return append(os.Environ(), "SETTLE_CLOCK="+crashClock, "SETTLE_LOG=error")
}

// crashRun runs settle to its end in dir; exit 1 (a partial nightly: the world has
// planted reconciliation breaks) is fine, anything else fails the test.
func crashRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, crashEnv()
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 && args[0] == "nightly" {
		return
	}
	if err != nil {
		t.Fatalf("settle %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// runningJob names the job a kill interrupted, from the journal ("none" when the
// kill came before the first job or after the last).
func runningJob(t *testing.T, dir string) string {
	db := openDB(t, dir)
	defer db.Close()
	var job string
	err := db.QueryRow(`SELECT job FROM job_runs WHERE status = 'running' AND job <> 'nightly' ORDER BY id DESC LIMIT 1`).Scan(&job)
	if err == sql.ErrNoRows {
		return "none"
	}
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func openDB(t *testing.T, dir string) *sql.DB {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "settle.db")+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func execSQL(t *testing.T, dir, q string) {
	db := openDB(t, dir)
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

// snapshot is what a user sees of a world: every row of the ledger's tables (not the
// journal of runs, which a crash rightly lengthens), and every file with its sha256.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	db := openDB(t, dir)
	defer db.Close()
	skip := map[string]bool{"job_runs": true, "leases": true, "inbox_attempts": true, "output_files": true,
		"schema_migrations": true, "sqlite_sequence": true}
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		if !skip[n] {
			tables = append(tables, n)
		}
	}
	rows.Close()
	for _, table := range tables {
		cols := columns(t, db, table)
		q := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + table
		if custom, ok := rerunReplaces[table]; ok {
			q, cols = custom.query, custom.cols
		}
		rs, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rs.Next() {
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if b2, ok := v.([]byte); ok {
					v = string(b2)
				}
				fmt.Fprintf(&b, "%s=%v;", cols[i], v)
			}
			lines = append(lines, b.String())
		}
		rs.Close()
		sort.Strings(lines)
		snap["table "+table] = strings.Join(lines, "\n")
	}
	for _, sub := range []string{"inbox", "outbox", "reports"} {
		filepath.WalkDir(filepath.Join(dir, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			snap["file "+rel] = fileSum(t, p)
			return nil
		})
	}
	return snap
}

// rerunReplaces are the tables whose rows a rerun of their job replaces on purpose:
// reconcile recomputes a statement's reconciliation, so its rows get new ids. They
// are compared by what they say and by the statement they belong to.
var rerunReplaces = map[string]struct {
	query string
	cols  []string
}{
	"reconciliations": {`SELECT statement_id, partner_key, day, opening_cents, closing_cents, entries_cents, previous_closing_cents,
		ledger_cents, continuity_ok, arithmetic_ok, drift_cents, matched, unmatched_bank, unmatched_ledger, amount_differences, status,
		created_at FROM reconciliations`, []string{"statement_id", "partner_key", "day", "opening_cents", "closing_cents", "entries_cents",
		"previous_closing_cents", "ledger_cents", "continuity_ok", "arithmetic_ok", "drift_cents", "matched", "unmatched_bank",
		"unmatched_ledger", "amount_differences", "status", "created_at"}},
	"reconciliation_items": {`SELECT r.statement_id, i.status, i.rule, i.bank_entry_id, i.transaction_id, i.bank_cents, i.ledger_cents,
		i.detail FROM reconciliation_items i JOIN reconciliations r ON r.id = i.reconciliation_id`, []string{"statement_id", "status",
		"rule", "bank_entry_id", "transaction_id", "bank_cents", "ledger_cents", "detail"}},
}

// columns lists a table's columns but the ones naming a run of the journal.
func columns(t *testing.T, db *sql.DB, table string) []string {
	rows, err := db.Query(`SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		if c != "job_run_id" {
			cols = append(cols, c)
		}
	}
	return cols
}

func fileSum(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// compareSnapshots says where two snapshots first differ ("" when they are equal).
func compareSnapshots(want, got map[string]string) string {
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		w, inWant := want[k]
		g, inGot := got[k]
		switch {
		case !inWant:
			return k + " exists, which the uninterrupted run does not have"
		case !inGot:
			return k + " is missing"
		case w != g && strings.HasPrefix(k, "table "):
			wl, gl := strings.Split(w, "\n"), strings.Split(g, "\n")
			for i := 0; i < len(wl) || i < len(gl); i++ {
				if i >= len(wl) || i >= len(gl) || wl[i] != gl[i] {
					return fmt.Sprintf("%s differs (%d rows, want %d): first at\n  got  %q\n  want %q", k, len(gl), len(wl), at(gl, i), at(wl, i))
				}
			}
		case w != g:
			return k + " differs"
		}
	}
	return ""
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(none)"
}

func fmtCounts(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
