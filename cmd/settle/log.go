package main

import (
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"

	"settle/sepa"
)

// isTerminal tells whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newLogger logs text on a terminal and JSON otherwise, with IBANs and names masked
// and secrets removed, whatever the call site passes. SETTLE_LOG=debug shows more.
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("SETTLE_LOG") == "debug" {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: maskAttr}
	if isTerminal(w) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// maskAttr masks personal data by attribute name: *iban* keys keep their first and
// last four characters, *name* keys keep initials, secrets are dropped.
func maskAttr(_ []string, a slog.Attr) slog.Attr {
	k := strings.ToLower(a.Key)
	switch {
	case strings.Contains(k, "secret") || strings.Contains(k, "password") || k == "sign":
		return slog.String(a.Key, "[redacted]")
	case strings.Contains(k, "iban"):
		return slog.String(a.Key, sepa.MaskIBAN(a.Value.String()))
	case k == "name" || strings.HasSuffix(k, "firstname") || strings.HasSuffix(k, "lastname") ||
		strings.HasSuffix(k, "debtorname") || strings.HasSuffix(k, "creditorname"):
		return slog.String(a.Key, sepa.MaskName(a.Value.String()))
	}
	return a
}
