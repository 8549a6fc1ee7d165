package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

func init() {
	register("version", command{
		usage:   "[--json]",
		help:    "which build this is: version, commit, build date (also 'settle --version')",
		example: `settle version --json`,
		run:     cmdVersion,
	})
}

// Set at build time, e.g.
//
//	go build -ldflags "-X main.version=1.4.0 -X main.commit=$(git rev-parse HEAD) -X main.buildDate=$(date -u +%FT%TZ)" ./cmd/settle
//
// Unset, they come from the build information Go records (module version, VCS
// revision and time).
var version, commit, buildDate string

// buildInfo is what `settle version` says; every job run and every API answer
// records its Version.
type buildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildDate string `json:"buildDate"`
	Modified  bool   `json:"modified"` // built from a working tree with uncommitted changes
	Go        string `json:"go"`
}

func currentBuild() buildInfo {
	b := buildInfo{Version: version, Commit: commit, BuildDate: buildDate, Go: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.BuildDate == "":
				b.BuildDate = s.Value
			case s.Key == "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
		if len(b.Commit) >= 12 {
			b.Version += "-" + b.Commit[:12]
		}
	}
	return b
}

func cmdVersion(ctx context.Context, a *app, args []string) int {
	var asJSON bool
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.BoolVar(&asJSON, "json", false, "print it as one JSON object")
	if _, ok := a.parse("version", fs, args, 0, 0); !ok {
		return exitUsage
	}
	b := currentBuild()
	if asJSON {
		out, _ := json.Marshal(b)
		fmt.Fprintln(a.stdout, string(out))
		return exitOK
	}
	fmt.Fprintf(a.stdout, "settle %s (commit %s, built %s, %s", b.Version, or(b.Commit, "unknown"), or(b.BuildDate, "unknown"), b.Go)
	if b.Modified {
		fmt.Fprint(a.stdout, ", with uncommitted changes")
	}
	fmt.Fprintln(a.stdout, ")")
	return exitOK
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
