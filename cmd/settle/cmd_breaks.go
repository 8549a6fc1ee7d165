package main

import (
	"context"
	"flag"
	"fmt"
	"settle"
	"strconv"
	"strings"
	"text/tabwriter"

	"settle/ledger"
	"settle/reconcile"
)

func init() {
	register("breaks", command{
		usage: "[list] [--status open|resolved|all] [--partner KEY] [--json]\nshow ID [--json]\nassign ID --to NAME --by NAME\n" +
			"comment ID --note TEXT --by NAME\nmatch ID --tx TX[,TX…] --by NAME [--reason TEXT]\nunmatch --entry ENTRY --reason TEXT --by NAME\n" +
			"resolve ID --reason TEXT --by NAME",
		help: "work reconciliation breaks to closure: assign, comment, match, unmatch, resolve",
		more: "A break is a statement entry the ledger lacks, a movement no statement shows, or amounts that differ; it stays " +
			"open from the day it was found until matched or resolved. match pairs a break's statement entry with ledger " +
			"movements on the bank account (their sum must agree, or --reason records the difference); unmatch undoes an " +
			"entry's matches and opens breaks for it and its movements. Every change is journaled with who, when and why.",
		example: `settle breaks match 12 --tx 4501,4502 --by anna --reason 'split booking'`,
		run:     cmdBreaks,
	})
}

func cmdBreaks(ctx context.Context, a *app, args []string) int {
	var status, partner, to, note, txs, reason, by string
	var entry int64
	var asJSON bool
	var date settle.Day
	fs := flag.NewFlagSet("breaks", flag.ContinueOnError)
	fs.StringVar(&status, "status", "open", "list: open, resolved or all")
	fs.StringVar(&partner, "partner", "", "list: one partner's breaks")
	fs.BoolVar(&asJSON, "json", false, "list, show: JSON")
	fs.StringVar(&to, "to", "", "assign: the person who works it")
	fs.StringVar(&note, "note", "", "comment: the text")
	fs.StringVar(&txs, "tx", "", "match: the ledger transaction ids, comma-separated")
	fs.Int64Var(&entry, "entry", 0, "unmatch: the statement entry (bank entry id) whose matches to undo")
	fs.StringVar(&reason, "reason", "", "match, unmatch, resolve: why (journaled)")
	fs.StringVar(&by, "by", "", "who does it (required for every change; journaled)")
	dateFlag(fs, &date, "the day a match or resolution counts on (default: today)")
	pos, ok := a.parse("breaks", fs, args)
	if !ok {
		return exitUsage
	}
	if len(pos) == 0 {
		pos = []string{"list"}
	}
	verb := pos[0]
	var id int64
	needsID := map[string]bool{"show": true, "assign": true, "comment": true, "match": true, "resolve": true}
	switch {
	case needsID[verb] && len(pos) == 2:
		var err error
		if id, err = strconv.ParseInt(pos[1], 10, 64); err != nil || id <= 0 {
			fmt.Fprintf(a.stderr, "settle breaks %s: %q is not a break id\n", verb, pos[1])
			return exitUsage
		}
	case (verb == "list" || verb == "unmatch") && len(pos) == 1:
	default:
		fmt.Fprintf(a.stderr, "usage: settle breaks %s\n", strings.ReplaceAll(commands["breaks"].usage, "\n", "\n       settle breaks "))
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	if date.IsZero() {
		date = a.today()
	}
	work := context.WithoutCancel(ctx)
	switch verb {
	case "list":
		if status == "all" {
			status = ""
		}
		bs, err := reconcile.Breaks(ctx, s, status, partner)
		if err != nil {
			return a.fail(err)
		}
		if asJSON {
			return a.jsonLines(bs)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPARTNER\tKIND\tSUBJECT\tBANK\tLEDGER\tSINCE\tAGE\tSTATUS\tASSIGNEE\tDETAIL")
		for _, b := range bs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%dd\t%s\t%s\t%s\n", b.ID, b.PartnerKey, b.Kind, b.Subject, optMoney(b.BankAmount),
				optMoney(b.LedgerAmount), b.FirstDay, b.AgeOn(date), b.Status, deref(b.Assignee), b.Detail)
		}
		tw.Flush()
		fmt.Fprintf(a.stdout, "%d breaks\n", len(bs))
		return exitOK
	case "show":
		b, evs, err := reconcile.BreakByID(ctx, s, id)
		if err != nil {
			return a.fail(err)
		}
		if asJSON {
			return a.jsonLines([]any{map[string]any{"break": b, "journal": evs}})
		}
		fmt.Fprintf(a.stdout, "break %d of %s: %s %s, %s; found %s, open %d days\n", b.ID, b.PartnerKey, b.Kind, b.Subject, b.Status, b.FirstDay, b.AgeOn(date))
		fmt.Fprintf(a.stdout, "  bank %s, ledger %s; %s\n", optMoney(b.BankAmount), optMoney(b.LedgerAmount), b.Detail)
		if b.Resolution != nil {
			fmt.Fprintf(a.stdout, "  %s (by %s on %s)\n", *b.Resolution, deref(b.ResolvedBy), deref(b.ResolvedDay))
		}
		for _, e := range evs {
			fmt.Fprintf(a.stdout, "  %s  %-10s %-12s %s\n", e.At, e.Action, e.Actor, e.Note)
		}
		return exitOK
	case "assign":
		if err := reconcile.AssignBreak(work, s, id, to, by); err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "break %d: assigned to %s\n", id, to)
	case "comment":
		if err := reconcile.CommentBreak(work, s, id, note, by); err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "break %d: comment added\n", id)
	case "match":
		ids, err := parseIDs(txs)
		if err != nil {
			fmt.Fprintf(a.stderr, "settle breaks match: --tx: %v\n", err)
			return exitUsage
		}
		diff, err := reconcile.ForceMatch(work, s, id, ids, reason, by, date)
		if err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "break %d: matched with transaction(s) %s", id, txs)
		if diff != 0 {
			fmt.Fprintf(a.stdout, ", a difference of %s recorded", ledger.FormatCents(diff))
		}
		fmt.Fprintln(a.stdout)
	case "unmatch":
		if entry <= 0 {
			fmt.Fprintln(a.stderr, "settle breaks unmatch: --entry is required")
			return exitUsage
		}
		freed, err := reconcile.Unmatch(work, s, entry, reason, by, date)
		if err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "statement entry %d unmatched; it and transaction(s) %v are open breaks\n", entry, freed)
	case "resolve":
		if err := reconcile.ResolveBreak(work, s, id, reason, by, date); err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "break %d: resolved\n", id)
	}
	return exitOK
}

func parseIDs(s string) ([]int64, error) {
	var ids []int64
	for _, f := range strings.Split(s, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not a transaction id", f)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func optMoney(m *settle.Money) string {
	if m == nil {
		return ""
	}
	return m.StringFixed(2)
}
