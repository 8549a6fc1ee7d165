package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"settle"

	"settle/gen"
	"settle/jobs"
	"settle/ledger"
)

// demoBankAnswers plays the rest of the cycle: the bank answers the night's batches
// (statuses, bookings, returns), the next ingest acts on them, and release-funds
// frees the collections once their return window has passed.
func (a *app) demoBankAnswers(ctx context.Context, s *ledger.Store) int {
	out := a.stdout
	fmt.Fprintf(out, "9. The bank answers the batches (settle gen answers): pain.002 with rejects, bookings, returns, into %s\n", a.inbox)
	files, err := gen.Answer(a.outbox, a.inbox, gen.DefaultAnswers)
	if err != nil {
		return a.fail(err)
	}
	printAnswers(a, files, "   ")
	var collected settle.Day
	if err := s.R.GetContext(ctx, &collected, `SELECT MAX(collection_date) FROM direct_debits`); err != nil {
		return a.fail(err)
	}
	if collected.IsZero() {
		return exitOK
	}
	code := exitOK
	run := func(job string, date settle.Day) {
		res, err := a.runner(s).Run(ctx, job, jobs.RunOptions{Date: date})
		fmt.Fprintf(out, "   %-13s %s: %s\n", res.Job, res.Status, res.Line)
		if err != nil || !res.OK() {
			a.fail(err)
			code = exitFail
		}
	}
	fmt.Fprintln(out, "10. The next ingest acts on them")
	run("ingest", collected)
	if err := a.demoPaymentStates(ctx, s); err != nil {
		return a.fail(err)
	}
	release := collected.AddTARGET2(a.cfg.ReleaseDays + 2) // after the returns, too
	fmt.Fprintf(out, "11. Release of the collected money once its return window (%d TARGET2 days) has passed, on %s\n", a.cfg.ReleaseDays, release)
	run("release-funds", release)
	v, err := s.Verify(ctx, 5)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(out, "    ledger after the whole cycle: %d transactions, %d violations\n", v.Transactions, v.Count)
	if v.Count > 0 {
		code = exitFail
	}
	if err := a.demoAPIKey(ctx, s, "ACME_PAY"); err != nil {
		return a.fail(err)
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

// demoSettlement prints the day's fees and its reconciliation: the statements'
// findings (the planted breaks) and each partner's safeguarding.
func (a *app) demoSettlement(ctx context.Context, s *ledger.Store, day settle.Day) error {
	out := a.stdout
	var fees []struct {
		Type   string `db:"operation_type"`
		N      int64  `db:"n"`
		Amount int64  `db:"amount"`
		Fee    int64  `db:"fee"`
	}
	if err := s.R.SelectContext(ctx, &fees, `SELECT operation_type, SUM(count) AS n, SUM(total_amount_cents) AS amount,
		SUM(total_fee_cents) AS fee FROM fee_totals WHERE day = ? AND operation_status = 'Completed' AND store_id <> ''
		GROUP BY operation_type ORDER BY operation_type`, day); err != nil {
		return err
	}
	fmt.Fprintln(out, "7. Store operations and their fees (fee-totals)")
	for _, f := range fees {
		fmt.Fprintf(out, "   %-15s %4d operations %10s EUR, fees %7s EUR\n", f.Type, f.N, ledger.FormatCents(f.Amount), ledger.FormatCents(f.Fee))
	}
	var items []struct {
		Partner string `db:"partner_key"`
		Status  string `db:"status"`
		Cents   *int64 `db:"bank_cents"`
		Detail  string `db:"detail"`
	}
	if err := s.R.SelectContext(ctx, &items, `SELECT r.partner_key, i.status, i.bank_cents, i.detail FROM reconciliation_items i
		JOIN reconciliations r ON r.id = i.reconciliation_id WHERE r.day = ? AND i.status <> 'matched' ORDER BY r.partner_key, i.id`, day); err != nil {
		return err
	}
	var matched int64
	s.R.GetContext(ctx, &matched, `SELECT COALESCE(SUM(matched), 0) FROM reconciliations WHERE day = ?`, day)
	fmt.Fprintf(out, "8. Reconciliation of the statements (reconcile): %d entries matched, %d findings (the three gen planted)\n", matched, len(items))
	for _, it := range items {
		amount := ""
		if it.Cents != nil {
			amount = ledger.FormatCents(*it.Cents) + " EUR"
		}
		fmt.Fprintf(out, "   %-12s %-17s %12s  %s\n", it.Partner, it.Status, amount, it.Detail)
	}
	var sg []struct {
		Partner   string `db:"partner_key"`
		Bank      int64  `db:"bank_cents"`
		StoreCash int64  `db:"store_cash_cents"`
		Customer  int64  `db:"customer_cents"`
		Drift     int64  `db:"drift_cents"`
		Shortfall bool   `db:"shortfall"`
	}
	if err := s.R.SelectContext(ctx, &sg, `SELECT partner_key, bank_cents, store_cash_cents, customer_cents, drift_cents, shortfall FROM safeguarding
		WHERE day = ? ORDER BY partner_key`, day); err != nil {
		return err
	}
	for _, g := range sg {
		flag := ""
		if g.Shortfall {
			flag = "  SHORTFALL"
		}
		fmt.Fprintf(out, "   safeguarding %-12s bank %9s + store cash %8s against customer money %9s EUR: drift %7s%s\n", g.Partner,
			ledger.FormatCents(g.Bank), ledger.FormatCents(g.StoreCash), ledger.FormatCents(g.Customer), ledger.FormatCents(g.Drift), flag)
	}
	return nil
}

// demoAPIKey creates a partner key for the read-only API and prints how to call it:
// with settle call, and with curl and openssl.
func (a *app) demoAPIKey(ctx context.Context, s *ledger.Store, partner string) error {
	out := a.stdout
	serverKey, err := ledger.ServerKey()
	fresh := ""
	if err != nil { // no server key in the environment: make one for the demo
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		fresh = hex.EncodeToString(b)
		serverKey = b
	}
	k, secret, err := s.CreateAPIKey(ctx, serverKey, partner, "demo")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "12. A key for partner %s's use of the read-only API (settle keys create --partner %s): %s\n", partner, partner, k.KeyID)
	if fresh != "" {
		fmt.Fprintf(out, "    export %s=%s   # the server key that encrypts API secrets (made now: none was set)\n", ledger.ServerKeyEnv, fresh)
	}
	fmt.Fprintf(out, `    export SETTLE_API_KEY=%s SETTLE_API_SECRET=%s
    go run ./cmd/settle serve &                         # the API on :8080, database opened read-only
    go run ./cmd/settle call /wallets?pageSize=2        # signs and sends one request
    # or with curl:
    ts=$(date +%%s%%3N); path='/wallets?pageSize=2'
    sig=$(printf 'GET\n%%s\n%%s\n%%s' "$path" "$ts" "$(printf '' | sha256sum | cut -d' ' -f1)" | openssl dgst -sha256 -hmac "$SETTLE_API_SECRET" | cut -d' ' -f2)
    curl -s -H "Key: $SETTLE_API_KEY" -H "Timestamp: $ts" -H "Sign: $sig" "http://127.0.0.1:8080$path"
`, k.KeyID, secret)
	return nil
}
