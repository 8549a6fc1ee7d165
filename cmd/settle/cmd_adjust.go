package main

import (
	"context"
	"flag"
	"fmt"
	"settle"
	"strconv"
	"text/tabwriter"

	"settle/ledger"
)

func init() {
	register("adjust", command{
		usage: "propose --wallet ID [--bucket B] --amount ±X --reason TEXT --by NAME\n" +
			"approve ID --by NAME [--note TEXT] [--date D]\nreject ID --by NAME [--note TEXT]\nlist [--status pending|approved|rejected|all] [--json]",
		help: "balance adjustments by four eyes: one proposes, another approves or rejects",
		more: "A positive amount credits the wallet's bucket, a negative one debits it (never below zero); the partner's " +
			"adjustments account bears it. Approving twice posts once; the approver must not be the proposer. An approved " +
			"adjustment is undone with settle reverse TX.",
		example: `settle adjust propose --wallet 3f2a… --amount 15.00 --reason DISPUTE_ADJUSTMENT --by anna`,
		run:     cmdAdjust,
	})
}

func cmdAdjust(ctx context.Context, a *app, args []string) int {
	var wallet, bucket, amount, reason, by, note, status string
	var asJSON bool
	var date settle.Day
	fs := flag.NewFlagSet("adjust", flag.ContinueOnError)
	fs.StringVar(&wallet, "wallet", "", "propose: the wallet id")
	fs.StringVar(&bucket, "bucket", ledger.BucketWithdrawable, "propose: withdrawable or restricted")
	fs.StringVar(&amount, "amount", "", "propose: the amount, negative to debit (a decimal: 15.00, -3.20)")
	fs.StringVar(&reason, "reason", "", "propose: why (e.g. DISPUTE_ADJUSTMENT and a description)")
	fs.StringVar(&by, "by", "", "who proposes, approves or rejects (required; journaled)")
	fs.StringVar(&note, "note", "", "approve, reject: a note")
	fs.StringVar(&status, "status", "pending", "list: pending, approved, rejected or all")
	fs.BoolVar(&asJSON, "json", false, "list: one JSON object per line")
	dateFlag(fs, &date, "approve: the booking date (default: today)")
	pos, ok := a.parse("adjust", fs, args, 1, 2)
	if !ok {
		return exitUsage
	}
	verb := pos[0]
	var id int64
	switch {
	case (verb == "approve" || verb == "reject") && len(pos) == 2:
		var err error
		if id, err = strconv.ParseInt(pos[1], 10, 64); err != nil || id <= 0 {
			fmt.Fprintf(a.stderr, "settle adjust %s: %q is not an adjustment id\n", verb, pos[1])
			return exitUsage
		}
	case (verb == "propose" || verb == "list") && len(pos) == 1:
	default:
		fmt.Fprintf(a.stderr, "usage: settle adjust %s\n", commands["adjust"].usage)
		return exitUsage
	}
	var cents int64
	if verb == "propose" {
		var err error
		if cents, err = ledger.ParseAmount(amount); err != nil {
			fmt.Fprintf(a.stderr, "settle adjust propose: --amount: %v\n", err)
			return exitUsage
		}
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
	case "propose":
		id, err := s.ProposeAdjustment(work, wallet, bucket, cents, reason, by)
		if err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "adjustment %d proposed: %s on the %s bucket of wallet %s; another person approves it with: settle adjust approve %d --by NAME\n",
			id, ledger.FormatCents(cents), bucket, wallet, id)
	case "approve", "reject":
		adj, decided, err := s.DecideAdjustment(work, id, verb == "approve", by, note, date)
		if err != nil {
			return a.fail(err)
		}
		switch {
		case !decided:
			fmt.Fprintf(a.stdout, "adjustment %d was %s already by %s; nothing changed\n", id, adj.Status, deref(adj.DecidedBy))
		case adj.TransactionID != nil:
			fmt.Fprintf(a.stdout, "adjustment %d approved by %s: posted as transaction %d booked %s\n", id, by, *adj.TransactionID, date)
		default:
			fmt.Fprintf(a.stdout, "adjustment %d rejected by %s: nothing posted\n", id, by)
		}
	case "list":
		if status == "all" {
			status = ""
		}
		adjs, err := s.Adjustments(ctx, status)
		if err != nil {
			return a.fail(err)
		}
		if asJSON {
			return a.jsonLines(adjs)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tWALLET\tBUCKET\tAMOUNT\tSTATUS\tPROPOSED BY\tDECIDED BY\tTX\tREASON")
		for _, j := range adjs {
			tx := ""
			if j.TransactionID != nil {
				tx = strconv.FormatInt(*j.TransactionID, 10)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j.ID, j.WalletID, j.Bucket, j.Amount.StringFixed(2), j.Status,
				j.ProposedBy, deref(j.DecidedBy), tx, j.Reason)
		}
		tw.Flush()
		fmt.Fprintf(a.stdout, "%d adjustments\n", len(adjs))
	}
	return exitOK
}
