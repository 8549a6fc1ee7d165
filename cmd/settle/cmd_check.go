package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"

	"settle/sepa"
)

func init() {
	register("check", command{
		usage:   "iban|bic|ci|rf VALUE... (- reads one per line)",
		help:    "validate identifiers; exit 1 if any is invalid",
		example: `settle check iban IT60X0542811101000000123456`,
		run:     cmdCheck,
	})
}

// checkers validate one kind of identifier and describe a valid one.
var checkers = map[string]func(string) (string, error){
	"iban": func(v string) (string, error) {
		iban, err := sepa.CheckIBAN(v)
		if err != nil {
			return "", err
		}
		sepaZone := "outside SEPA"
		if sepa.InSEPA(iban) {
			sepaZone = "SEPA"
		}
		return fmt.Sprintf("%s (%s)", iban, sepaZone), nil
	},
	"bic": func(v string) (string, error) {
		bic, err := sepa.CheckBIC(v)
		if err != nil {
			return "", err
		}
		notes := []string{}
		if !sepa.BIC2009(bic) {
			notes = append(notes, "not accepted by 2009 message versions")
		}
		if sepa.IsTestBIC(bic) {
			notes = append(notes, "a test BIC")
		}
		if len(notes) > 0 {
			return bic + " (" + strings.Join(notes, "; ") + ")", nil
		}
		return bic, nil
	},
	"ci": func(v string) (string, error) { return sepa.CheckCreditorID(v) },
	"rf": func(v string) (string, error) { return sepa.CheckRF(v) },
}

func cmdCheck(ctx context.Context, a *app, args []string) int {
	pos, ok := a.parse("check", flag.NewFlagSet("check", flag.ContinueOnError), args, 2)
	if !ok {
		return exitUsage
	}
	check, ok := checkers[pos[0]]
	if !ok {
		fmt.Fprintf(a.stderr, "settle: check: %q is not one of iban, bic, ci, rf\n", pos[0])
		return exitUsage
	}
	values := pos[1:]
	if len(values) == 1 && values[0] == "-" {
		values = values[:0]
		sc := bufio.NewScanner(a.stdin)
		for sc.Scan() {
			if v := strings.TrimSpace(sc.Text()); v != "" {
				values = append(values, v)
			}
		}
		if err := sc.Err(); err != nil {
			return a.fail(err)
		}
	}
	invalid := 0
	for _, v := range values {
		desc, err := check(v)
		if err != nil {
			invalid++
			fmt.Fprintf(a.stdout, "%s\tinvalid: %v\n", v, err)
			continue
		}
		fmt.Fprintf(a.stdout, "%s\tvalid: %s\n", v, desc)
	}
	return exitFailIf(invalid > 0)
}
