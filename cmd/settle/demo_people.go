package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"settle"

	"settle/gen"
	"settle/ledger"
	"settle/ledger/feeds"
	"settle/reconcile"
	"settle/reports"
)

// demoOpeningCents is what the demo world's last partner holds on its bank account
// before the world's day: it went live with money already there.
const demoOpeningCents = 2_500_000

// demoGoLive imports the partners and posts the last one's opening balance (the day
// before the world's day), so that its first reconciliation and safeguarding are
// exact.
func (a *app) demoGoLive(ctx context.Context, s *ledger.Store, files []gen.File, day settle.Day) error {
	f, ok := gen.Find(files, "partners")
	if !ok {
		return fmt.Errorf("the world has no partners file")
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return err
	}
	defer fh.Close()
	if res, err := feeds.Import(ctx, s, "partners", f.Path, fh, feeds.ImportOptions{Day: day}); err != nil || res.Rejected > 0 {
		return fmt.Errorf("partners: %v %+v", err, res.Errors)
	}
	fh.Seek(0, 0)
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil || len(rows) < 2 {
		return fmt.Errorf("partners: %v", err)
	}
	partner := rows[len(rows)-1][0]
	id, _, err := s.OpeningBalance(ctx, partner, demoOpeningCents, day.AddDays(-1), "anna")
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "   %s went live with %s EUR on its bank account: settle opening-balance posted it as transaction %d (against its opening account)\n",
		partner, ledger.FormatCents(demoOpeningCents), id)
	return nil
}

// demoRemittances has the stores that owe cash pay it into their partner's bank
// account, quoting their RF reference, in a camt.054 of the day after the world's
// day, for the next ingest to recognise.
func (a *app) demoRemittances(ctx context.Context, s *ledger.Store, day settle.Day) error {
	owing, err := reports.StoresOwingCash(ctx, s)
	if err != nil || len(owing) == 0 {
		return err
	}
	var rs []gen.Remittance
	var total int64
	for _, o := range owing {
		iban := "IT02L1234512345123456789012"
		if o.StoreIBAN != nil && *o.StoreIBAN != "" {
			iban = *o.StoreIBAN
		}
		rs = append(rs, gen.Remittance{PartnerIBAN: o.PartnerIBAN, StoreName: o.StoreName, StoreIBAN: iban,
			Reference: ledger.StoreCashReference(o.StoreID), Cents: o.Cents})
		total += o.Cents
	}
	f, err := gen.WriteRemittances(a.inbox, day, rs)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "   %d stores remit the %s EUR of cash they owe, quoting their RF reference (e.g. %s for %s): %s\n",
		len(rs), ledger.FormatCents(total), rs[0].Reference, owing[0].StoreID, f.Path)
	return nil
}

// demoPeople shows the work people do that the machine cannot: breaks worked to
// closure, an adjustment by four eyes, the stores' remittances matched (the batches
// were approved before the bank answered them); the ledger verifies after each.
func (a *app) demoPeople(ctx context.Context, s *ledger.Store, day settle.Day) error {
	out := a.stdout
	verified := func() error {
		v, err := s.Verify(ctx, 5)
		if err == nil && v.Count > 0 {
			err = fmt.Errorf("%d violations: %v", v.Count, v.Violations)
		}
		if err == nil {
			fmt.Fprintf(out, "      ledger verifies: %d transactions, 0 violations\n", v.Transactions)
		}
		return err
	}
	today := a.today()
	fmt.Fprintln(out, "12. People in the loop")
	open, err := reconcile.Breaks(ctx, s, reconcile.BreakOpen, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   settle breaks: %d open since %s\n", len(open), day)
	for _, b := range open {
		switch b.Kind {
		case reconcile.UnmatchedBank:
			if err := reconcile.AssignBreak(ctx, s, b.ID, "bruno", "anna"); err != nil {
				return err
			}
			if err := reconcile.CommentBreak(ctx, s, b.ID, "asked the bank about it", "bruno"); err != nil {
				return err
			}
			if err := reconcile.ResolveBreak(ctx, s, b.ID, "the bank confirmed it and books it back", "bruno", today); err != nil {
				return err
			}
			fmt.Fprintf(out, "   break %d (%s, %s): assigned to bruno, commented, resolved with the bank's answer\n", b.ID, b.Subject, b.Detail)
		default:
			fmt.Fprintf(out, "   break %d (%s, %s) stays open for a person to match (settle breaks match %d --tx …)\n", b.ID, b.Subject, b.Detail, b.ID)
		}
	}
	if err := verified(); err != nil {
		return err
	}
	var wallet string
	if err := s.R.GetContext(ctx, &wallet, `SELECT wallet_id FROM wallets WHERE status = 'Active' ORDER BY wallet_id LIMIT 1`); err != nil {
		return err
	}
	id, err := s.ProposeAdjustment(ctx, wallet, ledger.BucketWithdrawable, 500, "DISPUTE_ADJUSTMENT: a fee charged twice", "anna")
	if err != nil {
		return err
	}
	if _, _, err := s.DecideAdjustment(ctx, id, true, "anna", "", today); settle.CodeOf(err) != settle.Forbidden {
		return fmt.Errorf("the proposer approved her own adjustment: %v", err)
	}
	adj, _, err := s.DecideAdjustment(ctx, id, true, "bruno", "checked", today)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   adjustment %d: anna proposed 5.00 to wallet %s, anna could not approve it, bruno did: transaction %d\n",
		id, wallet, *adj.TransactionID)
	if err := verified(); err != nil {
		return err
	}
	owing, err := reports.StoresOwingCash(ctx, s)
	if err != nil {
		return err
	}
	var remitted int64
	s.R.GetContext(ctx, &remitted, `SELECT COUNT(*) FROM transactions WHERE type = 'StoreRemittance'`)
	fmt.Fprintf(out, "   store cash: %d remittances recognised by their RF reference; %d stores owe cash now\n", remitted, len(owing))
	return verified()
}
