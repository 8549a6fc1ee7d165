package main

import (
	"context"
	"fmt"
	"time"

	"settle/gen"
	"settle/jobs"
	"settle/ledger"
	"settle/sepa"
)

// demoBankAnswers plays the rest of the cycle: the bank answers the night's batches
// (statuses, bookings, returns), the next ingest acts on them, and release-funds
// frees the collections once their return window has passed.
func (a *app) demoBankAnswers(ctx context.Context, s *ledger.Store) int {
	out := a.stdout
	fmt.Fprintf(out, "7. The bank answers the batches (settle gen answers): pain.002 with rejects, bookings, returns, into %s\n", a.inbox)
	files, err := gen.Answer(a.outbox, a.inbox, gen.DefaultAnswers)
	if err != nil {
		return a.fail(err)
	}
	printAnswers(a, files, "   ")
	var collected string
	if err := s.R.GetContext(ctx, &collected, `SELECT COALESCE(MAX(collection_date), '') FROM direct_debits`); err != nil {
		return a.fail(err)
	}
	if collected == "" {
		return exitOK
	}
	code := exitOK
	run := func(job, date string) {
		res, err := a.runner(s).Run(ctx, job, jobs.RunOptions{Date: date})
		fmt.Fprintf(out, "   %-13s %s: %s\n", res.Job, res.Status, res.Line)
		if err != nil || !res.OK() {
			a.fail(err)
			code = exitFail
		}
	}
	fmt.Fprintln(out, "8. The next ingest acts on them")
	run("ingest", collected)
	if err := a.demoPaymentStates(ctx, s); err != nil {
		return a.fail(err)
	}
	day, _ := time.Parse(time.DateOnly, collected)
	release := sepa.AddTARGET2Days(day, a.cfg.ReleaseDays+2).Format(time.DateOnly) // after the returns, too
	fmt.Fprintf(out, "9. Release of the collected money once its return window (%d TARGET2 days) has passed, on %s\n", a.cfg.ReleaseDays, release)
	run("release-funds", release)
	v, err := s.Verify(ctx, 5)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(out, "   ledger after the whole cycle: %d transactions, %d violations\n", v.Transactions, v.Count)
	if v.Count > 0 {
		code = exitFail
	}
	return code
}

// demoPaymentStates prints where the batches' transactions ended, and one return.
func (a *app) demoPaymentStates(ctx context.Context, s *ledger.Store) error {
	var rows []struct {
		Kind   string `db:"kind"`
		Status string `db:"status"`
		N      int    `db:"n"`
		Cents  int64  `db:"cents"`
	}
	if err := s.R.SelectContext(ctx, &rows, `SELECT 'direct debits' AS kind, status, COUNT(*) AS n, SUM(amount_cents) AS cents
		FROM direct_debits GROUP BY status UNION ALL SELECT 'credit transfers', status, COUNT(*), SUM(amount_cents)
		FROM credit_transfers GROUP BY status ORDER BY 1 DESC, 2`); err != nil {
		return err
	}
	for _, r := range rows {
		fmt.Fprintf(a.stdout, "   %-16s %-9s %5d  %12s EUR\n", r.Kind, r.Status, r.N, ledger.FormatCents(r.Cents))
	}
	var ret struct {
		TopUp   string `db:"topup_id"`
		Wallet  string `db:"wallet_id"`
		Reason  string `db:"reason_code"`
		Cents   int64  `db:"amount_cents"`
		Mandate string `db:"mstatus"`
	}
	err := s.R.GetContext(ctx, &ret, `SELECT d.topup_id, d.wallet_id, d.reason_code, d.amount_cents, m.status AS mstatus
		FROM direct_debits d JOIN mandates m ON m.mandate_id = d.mandate_id AND m.partner_key = d.partner_key
		WHERE d.status IN ('Returned', 'Refunded') ORDER BY d.id LIMIT 1`)
	if err != nil {
		return nil // no return this time
	}
	fmt.Fprintf(a.stdout, "   e.g. top-up %s of %s EUR returned %s: debited back from wallet %s (restricted first), the bank's charge to bank_charges, mandate now %s\n",
		ret.TopUp, ledger.FormatCents(ret.Cents), ret.Reason, ret.Wallet, ret.Mandate)
	return nil
}
