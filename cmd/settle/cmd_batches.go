package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"settle"
	"settle/ledger/payments"
	"text/tabwriter"
)

func init() {
	register("batches", command{
		usage:   "[list] [--status S] [--json]\nshow MSGID|ENDTOENDID|REQUEST|WALLET [--json]\napprove MSGID --by NAME\nsent MSGID\ncancel MSGID",
		help:    "the batch lifecycle: list, show, approve, mark sent, cancel before sending",
		example: `settle batches show STL-SDD-20261121-1`,
		run:     cmdBatches,
	})
}

func cmdBatches(ctx context.Context, a *app, args []string) int {
	var asJSON bool
	var status, by string
	fs := flag.NewFlagSet("batches", flag.ContinueOnError)
	fs.StringVar(&by, "by", "", "approve: who releases the batch (journaled)")
	fs.BoolVar(&asJSON, "json", false, "list, show: one JSON object per line")
	fs.StringVar(&status, "status", "", "list: only batches in this status (Batched, Sent, Settled, Rejected, Cancelled)")
	pos, ok := a.parse("batches", fs, args)
	if !ok {
		return exitUsage
	}
	if len(pos) == 0 {
		pos = []string{"list"}
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	work := context.WithoutCancel(ctx)
	switch verb := pos[0]; {
	case verb == "list" && len(pos) == 1:
		bs, err := payments.Batches(ctx, s, status)
		if err != nil {
			return a.fail(err)
		}
		if asJSON {
			return a.jsonLines(bs)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MSGID\tKIND\tPARTNER\tSTATUS\tTXS\tSETTLED\tREJECTED\tRETURNED\tCTRLSUM\tCREATED\tFILE")
		for _, b := range bs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", b.MsgID, b.Kind, b.PartnerKey, b.Status, b.NbOfTxs,
				b.SettledTxs, b.RejectedTxs, b.ReturnedTxs, b.CtrlSum.StringFixed(2), b.CreatedAt, b.FileName)
		}
		tw.Flush()
		fmt.Fprintf(a.stdout, "%d batches\n", len(bs))
		return exitOK
	case verb == "show" && len(pos) == 2:
		ps, err := payments.Payments(ctx, s, pos[1])
		if err != nil {
			return a.fail(err)
		}
		if len(ps) == 0 {
			return a.fail(settle.Errorf(settle.NotFound, "no batch, transaction, request or wallet %s", pos[1]))
		}
		if asJSON {
			return a.jsonLines(ps)
		}
		if b, err := payments.BatchByMsgID(ctx, s, pos[1]); err == nil {
			fmt.Fprintf(a.stdout, "batch %s: %s; %d transactions: %d settled, %d rejected, %d returned, %d still open\n", b.MsgID, b.Status,
				b.NbOfTxs, b.SettledTxs, b.RejectedTxs, b.ReturnedTxs, b.NbOfTxs-b.SettledTxs-b.RejectedTxs-b.ReturnedTxs)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tREQUEST\tENDTOENDID\tAMOUNT\tSTATUS\tDATE\tMSGID\tREASON")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Kind, p.RequestID, p.EndToEndID, p.Amount.StringFixed(2),
				p.Status, deref(p.Date), deref(p.MsgID), deref(p.Reason))
		}
		tw.Flush()
		return exitOK
	case verb == "approve" && len(pos) == 2:
		b, err := payments.ApproveBatch(work, s, pos[1], by)
		if err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "batch %s: approved by %s at %s; it may be sent\n", b.MsgID, *b.ApprovedBy, *b.ApprovedAt)
		return exitOK
	case verb == "sent" && len(pos) == 2:
		if err := payments.MarkBatchSent(work, s, pos[1], a.cfg.Batches.Approval); err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "batch %s: Sent\n", pos[1])
		return exitOK
	case verb == "cancel" && len(pos) == 2:
		if err := payments.CancelBatch(work, s, pos[1], a.outbox, a.today()); err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "batch %s: Cancelled; its transactions go into the next run\n", pos[1])
		return exitOK
	}
	fmt.Fprintf(a.stderr, "usage: settle batches %s\n", commands["batches"].usage)
	return exitUsage
}

// jsonLines prints one JSON object per element.
func (a *app) jsonLines(vs any) int {
	b, err := json.Marshal(vs)
	if err != nil {
		return a.fail(err)
	}
	var items []json.RawMessage
	json.Unmarshal(b, &items)
	for _, it := range items {
		fmt.Fprintf(a.stdout, "%s\n", it)
	}
	return exitOK
}
