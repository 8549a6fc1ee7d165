package reports

import (
	"context"
	"fmt"
	"io"
	"settle"

	"settle/ledger"
)

// TrialBalance totals a trial balance.
type TrialBalance struct {
	Accounts    int64 // accounts listed, counting each account a wallet line sums
	DebitCents  int64 // sum of the positive balances
	CreditCents int64 // sum of the negative balances (a negative number)
}

// Check fails when the trial balance of day does not sum to zero.
func (tb TrialBalance) Check(day settle.Day) error {
	if tb.DebitCents+tb.CreditCents != 0 {
		return fmt.Errorf("trial balance of %s does not balance: debits %s, credits %s", day,
			ledger.FormatCents(tb.DebitCents), ledger.FormatCents(tb.CreditCents))
	}
	return nil
}

// trialBalanceReport lists every account with its balance at the end of the day
// (by booking date) in debit and credit columns, sorted by account code, and ends
// with a totals row whose two sums are equal. Wallet accounts are summed per
// partner and bucket (wallet:*:withdrawable; the per-wallet detail is in
// wallet-balances); accounts whose balance is zero are left out unless asked for.
var trialBalanceReport = Report{
	Name: "trial-balance",
	About: "each account's balance at the end of the day in debit and credit columns, wallets summed per partner and bucket, " +
		"zero balances left out, with a totals row",
	Columns: []Column{{"account", Text}, {"partnerKey", Text}, {"name", Text}, {"currency", Text}, {"accounts", Count},
		{"debit", Cents}, {"credit", Cents}},
	each: func(ctx context.Context, s *ledger.Store, day settle.Day, opt Options, fn func([]string) error) error {
		_, err := trialBalanceRows(ctx, s, day, opt, fn)
		return err
	},
}

// trialBalanceRows calls fn with each row of the trial balance and returns its totals.
func trialBalanceRows(ctx context.Context, s *ledger.Store, day settle.Day, opt Options, fn func([]string) error) (TrialBalance, error) {
	var tb TrialBalance
	rows, err := s.R.QueryxContext(ctx, `SELECT CASE WHEN a.wallet_id IS NULL THEN a.code ELSE 'wallet:*:' || a.name END AS line,
		a.partner_key, CASE WHEN a.wallet_id IS NULL THEN a.name ELSE 'wallets, ' || a.name END, a.currency,
		COUNT(*), COALESCE(SUM(b.cents), 0) FROM accounts a LEFT JOIN `+balancesAsOf+` b ON b.account_id = a.id
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2`, day)
	if err != nil {
		return tb, fmt.Errorf("trial balance: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var line, partner, name, currency string
		var accounts, cents int64
		if err := rows.Scan(&line, &partner, &name, &currency, &accounts, &cents); err != nil {
			return tb, err
		}
		if cents == 0 && !opt.ZeroBalances {
			continue
		}
		tb.Accounts += accounts
		debit, credit := "", ""
		if cents > 0 {
			tb.DebitCents += cents
			debit = ledger.FormatCents(cents)
		} else if cents < 0 {
			tb.CreditCents += cents
			credit = ledger.FormatCents(-cents)
		}
		if err := fn([]string{line, partner, name, currency, fmt.Sprint(accounts), debit, credit}); err != nil {
			return tb, err
		}
	}
	return tb, rows.Err()
}

// WriteTrialBalance writes the trial balance of day as CSV and returns its totals.
// Postings booked after the day do not count, so a past report never changes.
func WriteTrialBalance(ctx context.Context, s *ledger.Store, day settle.Day, w io.Writer, f Format, opt Options) (TrialBalance, error) {
	r := trialBalanceReport
	c, err := NewCSV(w, f, r.Header()...)
	if err != nil {
		return TrialBalance{}, err
	}
	tb, err := trialBalanceRows(ctx, s, day, opt, func(row []string) error { return c.Row(r.Columns, row) })
	if err != nil {
		return tb, err
	}
	total := []string{"total", "", "", "", fmt.Sprint(tb.Accounts), ledger.FormatCents(tb.DebitCents), ledger.FormatCents(-tb.CreditCents)}
	if err := c.Row(r.Columns, total); err != nil { // the workbook and the page add their own
		return tb, err
	}
	return tb, c.Flush()
}
