package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"settle"
	"sort"
	"strings"
	"syscall"
	"time"

	"settle/jobs"
	"settle/ledger"
)

// Exit codes (DESIGN.md Conventions).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// app holds the global flags and what every command shares.
type app struct {
	db, config, inbox, outbox, reports string

	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
	cfg            jobs.Config
	// clock is the one wall clock of the process (the demo replaces it with a clock
	// standing at the night after its world's day); everything below reads it.
	clock settle.Clock
}

// command is one `settle COMMAND`.
type command struct {
	usage string // arguments, after the command name
	help  string
	run   func(ctx context.Context, a *app, args []string) int
}

var commands = map[string]command{}

func register(name string, c command) { commands[name] = c }

// globalFlags registers the global flags on fs with their current values as
// defaults, so that a command's flag set accepts them too without resetting them.
func (a *app) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.db, "db", a.db, "the SQLite database file")
	fs.StringVar(&a.config, "config", a.config, "a JSON configuration file (settings in the README)")
	fs.StringVar(&a.inbox, "inbox", a.inbox, "where incoming files wait")
	fs.StringVar(&a.outbox, "outbox", a.outbox, "where generated bank files go")
	fs.StringVar(&a.reports, "reports", a.reports, "where CSV reports go")
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{db: "./settle.db", inbox: "./inbox", outbox: "./outbox", reports: "./reports",
		stdin: stdin, stdout: stdout, stderr: stderr, clock: settle.WallClock{}}
	fs := flag.NewFlagSet("settle", flag.ContinueOnError)
	fs.SetOutput(stderr)
	a.globalFlags(fs)
	fs.Usage = func() { a.usage() }
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	rest := fs.Args()
	if len(rest) == 0 || rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" {
		a.usage()
		if len(rest) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		fmt.Fprintf(stderr, "settle: unknown command %q\n\n", rest[0])
		a.usage()
		return exitUsage
	}
	a.log = newLogger(stderr)
	if v := os.Getenv("SETTLE_CLOCK"); v != "" {
		// A clock standing at one instant: reruns and tests give byte-identical output.
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			fmt.Fprintf(stderr, "settle: SETTLE_CLOCK=%q is not an RFC 3339 instant (2026-11-21T02:00:00Z)\n", v)
			return exitUsage
		}
		a.clock = settle.NewFakeClock(at)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cmd.run(ctx, a, rest[1:])
}

func (a *app) usage() {
	fmt.Fprintln(a.stderr, "usage: settle [--db PATH] [--config FILE] [--inbox DIR] [--outbox DIR] [--reports DIR] COMMAND")
	fmt.Fprintln(a.stderr, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(a.stderr, "  %-10s %-38s %s\n", n, c.usage, c.help)
	}
}

// parse parses a command's flags, which may come before, between or after its
// positional arguments; the global flags are accepted there too.
func (a *app) parse(name string, fs *flag.FlagSet, args []string, nPos ...int) ([]string, bool) {
	fs.SetOutput(a.stderr)
	a.globalFlags(fs)
	fs.Usage = func() {
		c := commands[name]
		fmt.Fprintf(a.stderr, "usage: settle %s %s\n  %s\n", name, c.usage, c.help)
		fs.PrintDefaults()
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, false
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(nPos) > 0 && (len(pos) < nPos[0] || (len(nPos) > 1 && len(pos) > nPos[1])) {
		fs.Usage()
		return nil, false
	}
	return pos, true
}

// open loads the configuration and opens the existing database, applying pending
// migrations; a missing database is refused (only migrate and demo create one).
func (a *app) open() (*ledger.Store, bool) { return a.openWith(ledger.Open) }

// create is open for the commands that may make a database: migrate and demo.
func (a *app) create() (*ledger.Store, bool) { return a.openWith(ledger.Create) }

func (a *app) openWith(openDB func(string) (*ledger.Store, error)) (*ledger.Store, bool) {
	cfg, err := jobs.LoadConfig(a.config)
	if err != nil {
		a.fail(err)
		return nil, false
	}
	a.cfg = cfg
	s, err := openDB(a.db)
	if err != nil {
		a.fail(err)
		return nil, false
	}
	s.Clock = a.clock
	return s, true
}

func (a *app) runner(s *ledger.Store) *jobs.Runner {
	r := jobs.NewRunner(s, a.cfg, jobs.Dirs{Inbox: a.inbox, Outbox: a.outbox, Reports: a.reports}, a.log)
	r.Progress = progressFor(a.stderr)
	return r
}

// fail prints an error for the operator and returns exitFail.
// today is the day it is now in the configured time zone.
func (a *app) today() settle.Day { return settle.Today(a.clock, a.cfg.Location()) }

// dateFlag registers --date, parsed once here: a bad value is a usage error that
// names the flag and the value.
func dateFlag(fs *flag.FlagSet, d *settle.Day, usage string) {
	fs.TextVar(d, "date", settle.Day{}, usage+" (YYYY-MM-DD)")
}

func (a *app) fail(err error) int {
	var held *jobs.LeaseHeldError
	if errors.As(err, &held) {
		fmt.Fprintf(a.stderr, "settle: %v; exiting (use --wait DURATION to queue behind it)\n", err)
		return exitFail
	}
	fmt.Fprintf(a.stderr, "settle: %s\n", strings.TrimSpace(err.Error()))
	return exitFail
}
