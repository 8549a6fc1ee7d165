package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"settle"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"settle/jobs"
	"settle/sepa"
)

func init() {
	register("inspect", command{
		usage:   "FILE [--json]",
		help:    "what a bank file says, entry by entry, without touching the database",
		example: `settle inspect inbox/processed/camt.054.2026-11-20.xml`,
		run:     cmdInspect,
	})
}

func cmdInspect(ctx context.Context, a *app, args []string) int {
	var asJSON bool
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.BoolVar(&asJSON, "json", false, "one JSON object per statement, entry or status, one per line")
	pos, ok := a.parse("inspect", fs, args, 1, 1)
	if !ok {
		return exitUsage
	}
	cfg, err := jobs.LoadConfig(a.config)
	if err != nil {
		return a.fail(err)
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return a.fail(err)
	}
	defer f.Close()
	if err := inspect(f, pos[0], a.stdout, asJSON, cfg.MaxFileBytes); err != nil {
		return a.fail(err)
	}
	return exitOK
}

// inspect prints every item of a bank file; it stops at the first error, which
// names the file, the entry and the field.
func inspect(r io.Reader, file string, out io.Writer, asJSON bool, maxBytes int64) error {
	rd, err := sepa.NewReader(r, file, sepa.Options{MaxBytes: maxBytes})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	totals := map[string]*[2]decimal.Decimal{} // per currency: credits, debits
	entries, statuses := 0, 0
	for {
		item, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		doc := rd.Document()
		if asJSON {
			if err := enc.Encode(jsonItem(doc, item)); err != nil {
				return err
			}
		} else {
			printItem(out, doc, item)
		}
		if _, ok := item.(*sepa.Status); ok {
			statuses++
		}
		if e, ok := item.(*sepa.Entry); ok {
			entries++
			t := totals[e.Currency]
			if t == nil {
				t = &[2]decimal.Decimal{}
				totals[e.Currency] = t
			}
			if e.SignedAmount().IsNegative() {
				t[1] = t[1].Add(e.Amount.Decimal)
			} else {
				t[0] = t[0].Add(e.Amount.Decimal)
			}
		}
	}
	if asJSON {
		return nil
	}
	doc := rd.Document()
	ccys := make([]string, 0, len(totals))
	for c := range totals {
		ccys = append(ccys, c)
	}
	sort.Strings(ccys)
	var parts []string
	for _, c := range ccys {
		parts = append(parts, fmt.Sprintf("%s credits %s, debits %s", c,
			settle.Money{Decimal: totals[c][0]}.Text(), settle.Money{Decimal: totals[c][1]}.Text()))
	}
	what := fmt.Sprintf("%d entries", entries)
	if doc.Kind == sepa.Pain002 {
		what = fmt.Sprintf("%d statuses", statuses)
	} else if len(parts) > 0 {
		what += "; " + strings.Join(parts, "; ")
	}
	fmt.Fprintf(out, "%s: %s %s, message %s: %s\n", file, doc.Kind, doc.Version, doc.MessageID, what)
	return nil
}

// jsonItem wraps an item with its type and the document it came from.
func jsonItem(doc sepa.Document, item any) any {
	typ := map[string]string{"*sepa.Statement": "statement", "*sepa.Entry": "entry", "*sepa.Status": "status"}[fmt.Sprintf("%T", item)]
	return struct {
		Type    string `json:"type"`
		File    string `json:"file"`
		Kind    string `json:"kind"`
		Version string `json:"version"`
		Message string `json:"messageId"`
		Item    any    `json:"item"`
	}{typ, doc.File, doc.Kind, doc.Version, doc.MessageID, item}
}

func printItem(out io.Writer, doc sepa.Document, item any) {
	switch it := item.(type) {
	case *sepa.Statement:
		fmt.Fprintf(out, "%s %s (message %s) account %s %s\n", doc.Kind, it.ID, it.MessageID, it.Account, it.Currency)
		for _, b := range it.Balances {
			fmt.Fprintf(out, "  balance %-4s %s %s %s\n", b.Type, b.Date, b.Amount.Text(), b.Currency)
		}
	case *sepa.Entry:
		dir := "CRDT"
		if !it.Credit {
			dir = "DBIT"
		}
		rev := ""
		if it.Reversal {
			rev = " reversal"
		}
		fmt.Fprintf(out, "  entry %d: %s %s %s%s %s booked %s value %s ref %s code %s\n", it.Position, dir, it.Amount.Text(),
			it.Currency, rev, it.Status, it.BookingDate, it.ValueDate, it.AcctSvcrRef, it.BankTxCode)
		for _, c := range it.Charges {
			fmt.Fprintf(out, "    charge %s %s (included %v)\n", c.Amount.Text(), c.Currency, c.Included)
		}
		if b := it.Batch; b != nil {
			total := ""
			if b.Total != nil {
				total = " total " + b.Total.Text()
			}
			fmt.Fprintf(out, "    batch msg %s pmtinf %s, %d transactions%s\n", b.MessageID, b.PmtInfID, b.Transactions, total)
		}
		for _, d := range it.Details {
			printDetails(out, d)
		}
	case *sepa.Status:
		fmt.Fprintf(out, "  %s status %d: %s original message %s", it.Level, it.Position, it.Status, it.OrigMessageID)
		if it.OrigPmtInfID != "" {
			fmt.Fprintf(out, " pmtinf %s", it.OrigPmtInfID)
		}
		if it.OrigEndToEndID != "" {
			fmt.Fprintf(out, " e2e %s", it.OrigEndToEndID)
		}
		if it.Amount != nil {
			fmt.Fprintf(out, " amount %s %s", it.Amount.Text(), it.Currency)
		}
		for _, r := range it.Reasons {
			fmt.Fprintf(out, " reason %s %q", r.Code, r.Info)
		}
		fmt.Fprintln(out)
	}
}

func printDetails(out io.Writer, d sepa.TxDetails) {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+" "+v)
		}
	}
	add("e2e", d.EndToEndID)
	add("tx", d.TxID)
	add("instr", d.InstrID)
	add("pmtinf", d.PmtInfID)
	add("mandate", d.MandateID)
	add("ref", d.AcctSvcrRef)
	if d.Amount != nil {
		add("amount", d.Amount.Text()+" "+d.Currency)
	}
	add("debtor", strings.TrimSpace(d.DebtorName+" "+d.DebtorIBAN))
	add("creditor", strings.TrimSpace(d.CreditorName+" "+d.CreditorIBAN))
	add("remittance", d.Remittance)
	add("creditorRef", d.CreditorRef)
	add("return", strings.TrimSpace(d.ReturnReason+" "+d.ReturnInfo))
	for _, c := range d.Charges {
		add("charge", c.Amount.Text()+" "+c.Currency)
	}
	fmt.Fprintf(out, "    tx: %s\n", strings.Join(parts, "; "))
}
