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
	"settle/ledger/payments"
	"settle/reports"
)

// demoBankAnswers plays the rest of the cycle: the bank answers the night's batches
// (statuses, bookings, returns), the next ingest acts on them, and release-funds
// frees the collections once their return window has passed.
func (a *app) demoBankAnswers(ctx context.Context, s *ledger.Store, day settle.Day) int {
	out := a.stdout
	bs, err := payments.Batches(ctx, s, payments.BatchBatched)
	if err != nil {
		return a.fail(err)
	}
	for _, b := range bs { // a second person releases each batch (required with batches.approval)
		if _, err := payments.ApproveBatch(ctx, s, b.MsgID, "carla"); err != nil {
			return a.fail(err)
		}
	}
	fmt.Fprintf(out, "9. carla approves the %d batches (settle batches approve MSGID --by carla); the bank answers them (settle gen answers): pain.002 with rejects, bookings, returns, into %s\n",
		len(bs), a.inbox)
	files, err := gen.Answer(a.outbox, a.inbox, gen.DefaultAnswers)
	if err != nil {
		return a.fail(err)
	}
	printAnswers(a, files, "   ")
	collected, err := reports.LastCollectionDate(ctx, s)
	if err != nil {
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
	if err := a.demoRemittances(ctx, s, day.AddDays(1)); err != nil {
		return a.fail(err)
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
	if err := a.demoPeople(ctx, s, day); err != nil {
		return a.fail(err)
	}
	if err := a.demoAPIKey(ctx, s, "ACME_PAY"); err != nil {
		return a.fail(err)
	}
	return code
}

// demoPaymentStates prints where the batches' transactions ended, and one return.
func (a *app) demoPaymentStates(ctx context.Context, s *ledger.Store) error {
	states, err := reports.PaymentStates(ctx, s)
	if err != nil {
		return err
	}
	for _, r := range states {
		fmt.Fprintf(a.stdout, "   %-16s %-9s %5d  %12s EUR\n", r.Kind, r.Status, r.Count, ledger.FormatCents(r.Cents))
	}
	ret, ok, err := reports.FirstReturn(ctx, s)
	if err != nil || !ok {
		return err // no return this time
	}
	fmt.Fprintf(a.stdout, "   e.g. top-up %s of %s EUR returned %s: debited back from wallet %s (restricted first), the bank's charge to bank_charges, mandate now %s\n",
		ret.TopUpID, ledger.FormatCents(ret.Cents), ret.Reason, ret.WalletID, ret.MandateStatus)
	return nil
}

// demoSettlement prints the day's fees and its reconciliation: the statements'
// findings (the planted breaks) and each partner's safeguarding.
func (a *app) demoSettlement(ctx context.Context, s *ledger.Store, day settle.Day) error {
	out := a.stdout
	fees, err := reports.FeesOfDay(ctx, s, day)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "7. Store operations and their fees (fee-totals)")
	for _, f := range fees {
		fmt.Fprintf(out, "   %-15s %4d operations %10s EUR, fees %7s EUR\n", f.Type, f.Count, ledger.FormatCents(f.Cents), ledger.FormatCents(f.Fee))
	}
	items, matched, err := reports.FindingsOfDay(ctx, s, day)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "8. Reconciliation of the statements (reconcile): %d entries matched, %d findings (the three gen planted)\n", matched, len(items))
	for _, it := range items {
		amount := ""
		if it.BankCents != nil {
			amount = ledger.FormatCents(*it.BankCents) + " EUR"
		}
		fmt.Fprintf(out, "   %-12s %-17s %12s  %s\n", it.PartnerKey, it.Status, amount, it.Detail)
	}
	sg, err := reports.SafeguardingOfDay(ctx, s, day)
	if err != nil {
		return err
	}
	for _, g := range sg {
		flag := ""
		if g.Shortfall {
			flag = "  SHORTFALL"
		}
		fmt.Fprintf(out, "   safeguarding %-12s bank %9s + store cash %8s against customer money %9s EUR: drift %7s%s\n", g.PartnerKey,
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
	fmt.Fprintf(out, "13. A key for partner %s's use of the read-only API (settle keys create --partner %s): %s\n", partner, partner, k.KeyID)
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
