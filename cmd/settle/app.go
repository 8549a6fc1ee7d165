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
	// helped is set when a command printed its help instead of running: exit 0.
	helped bool
	// metricsFile is --metrics-file of run and nightly (over the config's).
	metricsFile string
}

// command is one `settle COMMAND`.
type command struct {
	usage   string // arguments after the command name; several forms on several lines
	help    string // one line: what it does
	more    string // what the command's own help adds (the kinds, the names)
	example string // one command line that works
	run     func(ctx context.Context, a *app, args []string) int
}

var commands = map[string]command{}

func register(name string, c command) { commands[name] = c }

// globalFlags registers the global flags on fs with their current values as
// defaults, so that a command's flag set accepts them too without resetting them.
func (a *app) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.db, "db", a.db, "the ledger: a SQLite file `PATH` or a postgres:// URL")
	fs.StringVar(&a.config, "config", a.config, "a JSON configuration `FILE` (settings in the README)")
	fs.StringVar(&a.inbox, "inbox", a.inbox, "where incoming files wait (a `DIR`)")
	fs.StringVar(&a.outbox, "outbox", a.outbox, "where generated bank files go (a `DIR`)")
	fs.StringVar(&a.reports, "reports", a.reports, "where CSV reports go (a `DIR`)")
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{db: env("SETTLE_DB", "./settle.db"), config: env("SETTLE_CONFIG", ""), inbox: env("SETTLE_INBOX", "./inbox"),
		outbox: env("SETTLE_OUTBOX", "./outbox"), reports: env("SETTLE_REPORTS", "./reports"),
		stdin: stdin, stdout: stdout, stderr: stderr, clock: settle.WallClock{}}
	fs := flag.NewFlagSet("settle", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a.globalFlags(fs)
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if isHelp(err) {
			a.usage(stdout)
			return exitOK
		}
		fmt.Fprintln(stderr, flagError("", fs, err))
		return exitUsage
	}
	rest := fs.Args()
	switch {
	case *showVersion:
		rest = []string{"version"}
	case len(rest) == 0:
		a.usage(stderr)
		return exitUsage
	case rest[0] == "help" && len(rest) == 1:
		a.usage(stdout)
		return exitOK
	case rest[0] == "help":
		if _, ok := commands[rest[1]]; !ok {
			return unknownCommand(stderr, rest[1])
		}
		rest = []string{rest[1], "--help"}
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		return unknownCommand(stderr, rest[0])
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
	code := cmd.run(ctx, a, rest[1:])
	if a.helped {
		return exitOK
	}
	return code
}

// env is the environment variable name, or def when it is unset or empty: the
// settings people set per host; a flag wins over both.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func unknownCommand(w io.Writer, name string) int {
	msg := fmt.Sprintf("settle: unknown command %q", name)
	if s := suggest(name, commandNames()); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	fmt.Fprintln(w, msg+" (see 'settle help')")
	return exitUsage
}

// parse parses a command's flags, which may come before, between or after its
// positional arguments; the global flags are accepted there too. --help prints the
// command's help to standard output (the command then exits 0); a mistake prints
// one line to standard error (exit 2).
func (a *app) parse(name string, fs *flag.FlagSet, args []string, nPos ...int) ([]string, bool) {
	fs.SetOutput(io.Discard)
	a.globalFlags(fs)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if isHelp(err) {
				a.commandHelp(a.stdout, name, fs)
				a.helped = true
				return nil, false
			}
			fmt.Fprintln(a.stderr, flagError(name, fs, err))
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
		want := fmt.Sprintf("%d", nPos[0])
		if len(nPos) > 1 && nPos[1] != nPos[0] {
			want = fmt.Sprintf("%d to %d", nPos[0], nPos[1])
		}
		fmt.Fprintf(a.stderr, "settle %s: %d arguments given, %s wanted: usage: settle %s %s (see 'settle help %s')\n",
			name, len(pos), want, name, strings.Split(commands[name].usage, "\n")[0], name)
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
	r.Version = currentBuild().Version
	if a.metricsFile != "" {
		r.Config.MetricsFile = a.metricsFile
	}
	r.Progress = progressFor(a.stderr)
	return r
}

// fail prints an error for the operator and returns exitFail.
// today is the day it is now in the configured time zone.
func (a *app) today() settle.Day { return settle.Today(a.clock, a.cfg.Location()) }

// dateFlag registers --date, parsed once here: a bad value is a usage error that
// names the flag and the value.
func dateFlag(fs *flag.FlagSet, d *settle.Day, usage string) {
	fs.TextVar(d, "date", settle.Day{}, usage)
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
