package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Help follows the conventions of git and kubectl: `settle help`, `settle help CMD`
// and `settle CMD --help` print to standard output and exit 0; a mistake gets one
// line with a suggestion and exits 2. The standard library's flag package parses; only
// the printing is ours (flags shown as --name VALUE with their defaults), which a
// library such as cobra would give at the cost of rewriting every command.

// globalUsage is the synopsis of the global flags.
const globalUsage = "settle [--db PATH] [--config FILE] [--inbox DIR] [--outbox DIR] [--reports DIR] COMMAND"

// usage prints the command list to w.
func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "usage: "+globalUsage)
	fmt.Fprintln(w, "\ncommands:")
	width := 0
	for _, n := range commandNames() {
		width = max(width, len(n))
	}
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-*s %s\n", width, n, commands[n].help)
	}
	fmt.Fprintln(w, "\nglobal flags (also from SETTLE_DB, SETTLE_CONFIG, SETTLE_INBOX, SETTLE_OUTBOX, SETTLE_REPORTS):")
	fs := flag.NewFlagSet("settle", flag.ContinueOnError)
	a.globalFlags(fs)
	printFlags(w, fs, nil)
	fmt.Fprintln(w, "\n'settle help COMMAND' (or 'settle COMMAND --help') tells more; 'settle version' which build this is.")
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// commandHelp prints a command's synopsis, summary, flags and example to w.
func (a *app) commandHelp(w io.Writer, name string, fs *flag.FlagSet) {
	c := commands[name]
	for i, line := range strings.Split(c.usage, "\n") {
		lead := "usage: "
		if i > 0 {
			lead = "       "
		}
		fmt.Fprintln(w, strings.TrimRight(lead+"settle "+name+" "+line, " "))
	}
	fmt.Fprintf(w, "\n%s\n", c.help)
	if c.more != "" {
		fmt.Fprintln(w, wrap(c.more, 100, ""))
	}
	if fs != nil {
		global := flag.NewFlagSet("", flag.ContinueOnError)
		a.globalFlags(global)
		var own []string
		fs.VisitAll(func(f *flag.Flag) {
			if global.Lookup(f.Name) == nil {
				own = append(own, f.Name)
			}
		})
		if len(own) > 0 {
			fmt.Fprintln(w, "\nflags:")
			printFlags(w, fs, own)
		}
	}
	if c.example != "" {
		fmt.Fprintf(w, "\nexample:\n  %s\n", c.example)
	}
	fmt.Fprintln(w, "\nglobal flags: --db PATH, --config FILE, --inbox DIR, --outbox DIR, --reports DIR (see 'settle help')")
}

// printFlags prints the flags of fs named in only (all when nil), one per line, as
// --name VALUE, their usage and their default. A secret's default is never shown.
func printFlags(w io.Writer, fs *flag.FlagSet, only []string) {
	fs.VisitAll(func(f *flag.Flag) {
		if only != nil && !contains(only, f.Name) {
			return
		}
		value, usage := flag.UnquoteUsage(f)
		if f.Name == "date" {
			value = "YYYY-MM-DD"
		}
		head := "--" + f.Name
		if value != "" && !isBool(f) {
			head += " " + strings.ToUpper(value)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" && !strings.Contains(f.Name, "secret") {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintln(w, wrap(fmt.Sprintf("  %-22s %s", head, usage), 100, strings.Repeat(" ", 25)))
	})
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// flagError turns a flag package error into one line naming the command, with a
// suggestion for an unknown flag.
func flagError(name string, fs *flag.FlagSet, err error) string {
	msg := strings.ReplaceAll(err.Error(), "flag -", "flag --")
	const undefined = "flag provided but not defined: -"
	if bad, ok := strings.CutPrefix(err.Error(), undefined); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		msg = fmt.Sprintf("unknown flag --%s", strings.TrimLeft(bad, "-"))
		if s := suggest(strings.TrimLeft(bad, "-"), names); s != "" {
			msg += fmt.Sprintf("; did you mean --%s?", s)
		}
	}
	if name == "" {
		return fmt.Sprintf("settle: %s (see 'settle help')", msg)
	}
	return fmt.Sprintf("settle %s: %s (see 'settle help %s')", name, msg, name)
}

// errHelp is flag.ErrHelp: --help or -h was asked for.
var errHelp = flag.ErrHelp

func isHelp(err error) bool { return errors.Is(err, errHelp) }

// suggest returns the candidate s is most likely a typo of: the only candidate s
// begins, else the closest within 1 edit (2 for words over 4 letters), else "".
func suggest(s string, candidates []string) string {
	if len(s) < 2 {
		return ""
	}
	var prefixed []string
	for _, c := range candidates {
		if strings.HasPrefix(c, s) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	most := 1
	if len(s) > 4 {
		most = 2
	}
	best, bestD := "", most+1
	for _, c := range candidates {
		if d := distance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the edit distance between a and b, a swap of two neighbouring letters
// counting as one edit (optimal string alignment: "dtae" is one edit from "date").
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// wrap breaks text into lines of at most width columns at spaces, indenting the
// lines after the first.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Split(text, " ") {
		switch {
		case i == 0:
		case line+1+len(word) > width:
			b.WriteString("\n" + indent)
			line = len(indent)
		default:
			b.WriteString(" ")
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}
