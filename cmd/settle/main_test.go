package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"settle/gen"
	"settle/jobs"
	"settle/ledger"
	"settle/ledger/ledgertest"
	"settle/reports"
)

var bin string

// TestMain builds the settle binary once; the tests run it as an operator would, on
// SQLite, then on PostgreSQL when SETTLE_TEST_POSTGRES is set.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "settle-bin")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "settle")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := ledgertest.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// dbs is the PostgreSQL database of each test directory (on SQLite, the directory's
// settle.db is the default --db).
var dbs sync.Map

// dbOf is the --db of the ledger the binary uses when run in dir.
func dbOf(t testing.TB, dir string) string {
	if !ledgertest.Postgres {
		return filepath.Join(dir, "settle.db")
	}
	if db, ok := dbs.Load(dir); ok {
		return db.(string)
	}
	db := ledgertest.NewDB(t)
	dbs.Store(dir, db)
	return db
}

// settleCommand is the binary run in dir on dir's ledger.
func settleCommand(t testing.TB, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SETTLE_DB="+dbOf(t, dir))
	return cmd
}

func runSettle(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := settleCommand(t, dir, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

func TestUsageErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{}, {"frobnicate"}, {"run"}, {"run", "nosuchjob"}, {"reverse", "abc", "--reason", "x"},
		{"reverse", "1"}, {"import", "wallets"}, {"gen"}, {"run", "reports", "--bogus"}} {
		if r := runSettle(t, dir, args...); r.code != exitUsage {
			t.Errorf("settle %v: exit %d; want 2\n%s", args, r.code, r.stderr)
		}
	}
	if r := runSettle(t, dir, "help"); r.code != 0 || !strings.Contains(r.stdout, "nightly") || r.stderr != "" {
		t.Errorf("help: %d %s", r.code, r.stderr)
	}
}

// Regression (issue 18): help went to stderr with exit 2, "help run" printed the
// global list, flags showed as -by string, usage lines reached 346 columns and a
// typo got 22 lines of usage. Help now follows git's and kubectl's conventions.
func TestHelpByTheConventions(t *testing.T) {
	dir := t.TempDir()
	for _, c := range commandNames() {
		for _, args := range [][]string{{"help", c}, {c, "--help"}, {c, "-h"}} {
			r := runSettle(t, dir, args...)
			if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "usage: settle "+c) || !strings.Contains(r.stdout, "\nexample:\n  ") {
				t.Errorf("settle %v: exit %d\nstdout %s\nstderr %s", args, r.code, r.stdout, r.stderr)
			}
			for _, line := range strings.Split(r.stdout, "\n") {
				if len(line) > 100 {
					t.Errorf("settle %v: a line of %d columns: %s", args, len(line), line)
				}
			}
		}
	}
	if r := runSettle(t, dir, "help", "run"); !strings.Contains(r.stdout, "  --date YYYY-MM-DD ") || !strings.Contains(r.stdout, "  --wait DURATION ") {
		t.Errorf("help run: flags are not shown as --flag VALUE:\n%s", r.stdout)
	}
	for args, want := range map[string]string{
		"nightyl":               `settle: unknown command "nightyl"; did you mean "nightly"? (see 'settle help')`,
		"run ingest --dtae 1":   "settle run: unknown flag --dtae; did you mean --date? (see 'settle help run')",
		"help frobnicate":       `settle: unknown command "frobnicate" (see 'settle help')`,
		"repo":                  `settle: unknown command "repo"; did you mean "report"? (see 'settle help')`,
		"--versoin":             "settle: unknown flag --versoin; did you mean --version? (see 'settle help')",
		"run ingest --date foo": `settle run: invalid value "foo" for flag --date: "foo" is not a date (YYYY-MM-DD) (see 'settle help run')`,
	} {
		r := runSettle(t, dir, strings.Fields(args)...)
		if r.code != exitUsage || strings.TrimSpace(r.stderr) != want {
			t.Errorf("settle %s: exit %d\n%s\nwant\n%s", args, r.code, r.stderr, want)
		}
	}
}

func TestRunWhileAnotherProcessHoldsTheLease(t *testing.T) {
	dir := t.TempDir()
	s := ledgertest.OpenAt(t, dbOf(t, dir))
	if _, err := jobs.Acquire(context.Background(), s, "job:reports", "cron-host:777", time.Minute); err != nil {
		t.Fatal(err)
	}
	s.Close()
	r := runSettle(t, dir, "run", "reports", "--date", "2026-11-20")
	if r.code != exitFail || !strings.Contains(r.stderr, "cron-host:777") || !strings.Contains(r.stderr, "--wait") {
		t.Fatalf("exit %d; want 1 naming the holder\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "reports", "2026-11-20")); !os.IsNotExist(err) {
		t.Fatal("the refused run wrote its report")
	}
	// --wait gives up after the duration and still names the holder.
	if r := runSettle(t, dir, "run", "reports", "--wait", "700ms"); r.code != exitFail || !strings.Contains(r.stderr, "cron-host:777") {
		t.Fatalf("--wait: exit %d\n%s", r.code, r.stderr)
	}
}

// migrate creates the database in dir, as an operator does first.
func migrate(t *testing.T, dir string) {
	t.Helper()
	if r := runSettle(t, dir, "migrate"); r.code != 0 {
		t.Fatalf("migrate: %s", r.stderr)
	}
}

func TestRunJSONSummary(t *testing.T) {
	dir := t.TempDir()
	migrate(t, dir)
	r := runSettle(t, dir, "run", "reports", "--date", "2026-11-20", "--json")
	var res map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil || res["status"] != "succeeded" || res["amounts"] == nil {
		t.Fatalf("exit %d stdout %q", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, `"debits":0.00`) {
		t.Fatalf("amounts must be bare numbers with two decimals: %s", r.stdout)
	}
}

// bigWorld generates a world and imports its partners and dealers.
func bigWorld(t *testing.T, wallets int) (dir, walletsCSV string) {
	dir = t.TempDir()
	migrate(t, dir)
	files, err := gen.Generate(filepath.Join(dir, "world"), gen.Options{Wallets: wallets}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files[:3] {
		if r := runSettle(t, dir, "import", f.Kind, f.Path); r.code != 0 {
			t.Fatalf("import %s: %s", f.Kind, r.stderr)
		}
	}
	os.WriteFile(filepath.Join(dir, "settle.json"), []byte(`{"chunkSize": 500}`), 0o644)
	return dir, files[3].Path
}

func counts(t *testing.T, dir string) (wallets, accounts int) {
	t.Helper()
	s, err := ledger.OpenReadOnly(dbOf(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.R.Get(&wallets, `SELECT COUNT(*) FROM wallets`)
	s.R.Get(&accounts, `SELECT COUNT(*) FROM accounts WHERE wallet_id IS NOT NULL`)
	return wallets, accounts
}

// waitForRows starts settle and returns once some wallets are committed.
func startImport(t *testing.T, dir, path string) *exec.Cmd {
	cmd := settleCommand(t, dir, "--config", "settle.json", "import", "wallets", path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if n, _ := counts(t, dir); n > 0 {
			return cmd
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatal("no chunk committed in 20s")
	return nil
}

func TestKilledImportKeepsWholeChunksAndRerunCompletes(t *testing.T) {
	dir, path := bigWorld(t, 30000)
	// A short lease, so that the rerun can take over the killed process's lease.
	os.WriteFile(filepath.Join(dir, "settle.json"), []byte(`{"chunkSize": 500, "leaseTtl": "1s"}`), 0o644)
	cmd := startImport(t, dir, path)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	wallets, accounts := counts(t, dir)
	if wallets == 30000 {
		t.Skip("the import finished before the kill; nothing to check")
	}
	if wallets%500 != 0 || accounts != 2*wallets {
		t.Fatalf("after kill: %d wallets, %d bucket accounts; want whole chunks of 500, two accounts each", wallets, accounts)
	}
	// The killed process's lease is still there: a rerun queues until it expires.
	if r := runSettle(t, dir, "--config", "settle.json", "import", "wallets", path, "--wait", "5s"); r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
	}
	if wallets, accounts = counts(t, dir); wallets != 30000 || accounts != 60000 {
		t.Fatalf("after rerun: %d wallets, %d accounts", wallets, accounts)
	}
	if r := runSettle(t, dir, "verify"); r.code != 0 {
		t.Fatalf("verify: %s", r.stdout)
	}
}

func TestSIGTERMStopsBetweenChunks(t *testing.T) {
	dir, path := bigWorld(t, 30000)
	cmd := startImport(t, dir, path)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	wallets, accounts := counts(t, dir)
	if wallets == 30000 {
		t.Skip("the import finished before the signal")
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFail {
		t.Fatalf("exit %v; want 1", err)
	}
	if wallets%500 != 0 || accounts != 2*wallets {
		t.Fatalf("after SIGTERM: %d wallets, %d accounts; want whole chunks", wallets, accounts)
	}
	r := runSettle(t, dir, "jobs", "--json", "--limit", "1")
	if !strings.Contains(r.stdout, `"status":"interrupted"`) {
		t.Fatalf("journal: %s", r.stdout)
	}
	// The lease was released on the way out: a rerun starts at once and completes.
	if r := runSettle(t, dir, "--config", "settle.json", "import", "wallets", path); r.code != 0 {
		t.Fatalf("rerun: %s", r.stderr)
	}
	if wallets, _ = counts(t, dir); wallets != 30000 {
		t.Fatalf("after rerun: %d wallets", wallets)
	}
}

func TestImportReportsRowsAndExits1(t *testing.T) {
	dir, path := bigWorld(t, 10)
	b, _ := os.ReadFile(path)
	lines := strings.Split(string(b), "\n")
	lines[3] = strings.Replace(lines[3], "@example", "@@example", 1)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644)
	r := runSettle(t, dir, "import", "wallets", bad)
	if r.code != exitFail || !strings.Contains(r.stderr, "bad.csv:4: email:") || !strings.Contains(r.stdout, "9 imported, 0 unchanged, 1 rejected") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestDemoTwiceGivesTheSameReport(t *testing.T) {
	dir := t.TempDir()
	r := runSettle(t, dir, "demo")
	if r.code != 0 || !strings.Contains(r.stdout, "0 violations") || !strings.Contains(r.stdout, "Try next") {
		t.Fatalf("demo: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The whole cycle: the bank's answers acted on, a return, the money released.
	for _, want := range []string{"rejected", "returned", "direct debits    Returned", "direct debits    Settled", "credit transfers Settled",
		"released 17 collections", "ledger after the whole cycle"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the demo does not show %q:\n%s", want, r.stdout)
		}
	}
	read := func() map[string]string {
		files, _ := filepath.Glob(filepath.Join(dir, "reports", gen.DefaultDate.String(), "*"))
		out := map[string]string{}
		for _, f := range files {
			b, _ := os.ReadFile(f)
			out[filepath.Base(f)] = string(b)
		}
		return out
	}
	before := read()
	first := []byte(before["trial-balance-"+gen.DefaultDate.String()+".csv"])
	if r := runSettle(t, dir, "demo"); r.code != 0 {
		t.Fatalf("second demo: %s", r.stderr)
	}
	after := read() // the CSV files, the workbook and the page
	if len(after) != len(reports.All())+2 {
		t.Fatalf("reports %v", after)
	}
	for name, b := range after {
		if before[name] != b {
			t.Errorf("the second demo changed %s: a day's report must not change", name)
		}
	}
	if r := runSettle(t, dir, "report", "trial-balance", "--date", gen.DefaultDate.String(), "--out", "-"); r.stdout != string(first) {
		t.Fatal("settle report differs from the nightly report")
	}
}

func TestBackupWhileImporting(t *testing.T) {
	if ledgertest.Postgres {
		dir := t.TempDir()
		migrate(t, dir)
		r := runSettle(t, dir, "backup", "copy.dump")
		if r.code == 0 || !strings.Contains(r.stderr, "pg_dump") {
			t.Fatalf("backup on PostgreSQL: exit %d %s", r.code, r.stderr)
		}
		return
	}
	dir, path := bigWorld(t, 30000)
	cmd := startImport(t, dir, path)
	r := runSettle(t, dir, "backup", "copy.db")
	cmd.Wait()
	if r.code != 0 {
		t.Fatalf("backup: %s", r.stderr)
	}
	c, err := ledger.OpenReadOnly(filepath.Join(dir, "copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wallets, accounts int
	c.R.Get(&wallets, `SELECT COUNT(*) FROM wallets`)
	c.R.Get(&accounts, `SELECT COUNT(*) FROM accounts WHERE wallet_id IS NOT NULL`)
	if wallets == 0 || wallets%500 != 0 || accounts != 2*wallets {
		t.Fatalf("backup holds %d wallets, %d accounts: not one consistent snapshot", wallets, accounts)
	}
	if r := runSettle(t, dir, "backup", "copy.db"); r.code != exitFail {
		t.Fatal("backup overwrote an existing file")
	}
}

func TestVerifyExits1NamingViolations(t *testing.T) {
	dir := t.TempDir()
	migrate(t, dir)
	if r := runSettle(t, dir, "verify"); r.code != 0 || !strings.Contains(r.stdout, "verify: ok") {
		t.Fatalf("empty ledger: %d %s", r.code, r.stdout)
	}
	s := ledgertest.OpenAt(t, dbOf(t, dir))
	ledgertest.Exec(t, s, `INSERT INTO partners (partner_key, name, settlement_iban, destination_owner, created_at, updated_at)
		VALUES ('P', 'P', 'IT60X0542811101000000123456', 'P', '', '')`)
	ledgertest.Exec(t, s, `INSERT INTO accounts (code, partner_key, name, balance_cents, created_at) VALUES ('partner:P:bank', 'P', 'bank', 500, '')`)
	s.Close()
	r := runSettle(t, dir, "verify")
	if r.code != exitFail || !strings.Contains(r.stdout, "violation: balance partner:P:bank: stored balance 5.00 but postings sum to 0.00") {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
}

// settle version (and --version) says which build this is, from -ldflags when given;
// each job run journals it.
func TestVersion(t *testing.T) {
	dir := t.TempDir()
	stamped := filepath.Join(dir, "settle-stamped")
	ld := "-X main.version=1.4.0 -X main.commit=0123456789abcdef -X main.buildDate=2026-12-01T02:00:00Z"
	if out, err := exec.Command("go", "build", "-ldflags", ld, "-o", stamped, ".").CombinedOutput(); err != nil {
		t.Fatal(string(out))
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(stamped, args...).Output()
		if err != nil || !strings.HasPrefix(string(out), "settle 1.4.0 (commit 0123456789abcdef, built 2026-12-01T02:00:00Z, go") {
			t.Errorf("%v: %s %v", args, out, err)
		}
	}
	out, _ := exec.Command(stamped, "version", "--json").Output()
	var b buildInfo
	if err := json.Unmarshal(out, &b); err != nil || b.Version != "1.4.0" || b.Commit != "0123456789abcdef" {
		t.Fatalf("--json: %s %v", out, err)
	}
	cmd := exec.Command(stamped, "migrate")
	cmd.Dir, cmd.Env = dir, settleCommand(t, dir).Env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatal(string(out))
	}
	cmd = exec.Command(stamped, "run", "reports", "--date", "2026-11-20")
	cmd.Dir, cmd.Env = dir, settleCommand(t, dir).Env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatal(string(out))
	}
	r := runSettle(t, dir, "jobs", "--json")
	if !strings.Contains(r.stdout, `"version":"1.4.0"`) {
		t.Fatalf("the journal does not say the run's version: %s", r.stdout)
	}
}

// A run from cron leaves its figures in a node_exporter textfile (issue 18).
func TestRunWritesTheMetricsTextfile(t *testing.T) {
	dir := t.TempDir()
	migrate(t, dir)
	prom := filepath.Join(dir, "settle.prom")
	if r := runSettle(t, dir, "run", "reports", "--date", "2026-11-20", "--metrics-file", prom); r.code != 0 {
		t.Fatal(r.stderr)
	}
	b, err := os.ReadFile(prom)
	if err != nil || !strings.Contains(string(b), `settle_job_last_success_timestamp_seconds{job="reports"}`) ||
		!strings.Contains(string(b), `settle_job_last_run_failed{job="reports"} 0`) {
		t.Fatalf("%s %v", b, err)
	}
}

func TestAlertsCommand(t *testing.T) {
	dir := t.TempDir()
	migrate(t, dir)
	if r := runSettle(t, dir, "alerts", "list", "--pending"); r.code != 0 || !strings.HasPrefix(r.stdout, "ID  TYPE") {
		t.Fatalf("list: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runSettle(t, dir, "alerts", "resend"); r.code != 0 || !strings.Contains(r.stdout, "0 delivered, 0 still pending") {
		t.Fatalf("resend: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runSettle(t, dir, "alerts", "resend", "x"); r.code != exitUsage {
		t.Fatalf("resend x: %d", r.code)
	}
}
