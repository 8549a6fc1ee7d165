package reports

import (
	"context"
	"fmt"
	"io"
	"settle"

	"settle/ledger"
)

// TrialBalance totals what WriteTrialBalance wrote.
type TrialBalance struct {
	Accounts    int64
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

// TrialBalanceHeader is the header of trial-balance.csv.
var TrialBalanceHeader = []string{"account", "partnerKey", "walletId", "name", "currency", "balance"}

// WriteTrialBalance writes every account with its balance at the end of date (by
// booking date) as CSV, sorted by account code. Balances are debit-positive, so the
// balance column sums to zero; wallets, being liabilities, show negative balances.
// Postings booked after date do not count, so a past report never changes.
func WriteTrialBalance(ctx context.Context, s *ledger.Store, date settle.Day, w io.Writer) (TrialBalance, error) {
	var tb TrialBalance
	c, err := NewCSV(w, TrialBalanceHeader...)
	if err != nil {
		return tb, err
	}
	rows, err := s.R.QueryxContext(ctx, `SELECT a.code, a.partner_key, COALESCE(a.wallet_id, ''), a.name, a.currency,
		COALESCE(b.cents, 0) FROM accounts a LEFT JOIN (
			SELECT p.account_id, SUM(p.amount_cents) AS cents FROM postings p
			JOIN transactions t ON t.id = p.transaction_id WHERE t.booking_date <= ? GROUP BY p.account_id
		) b ON b.account_id = a.id ORDER BY a.code`, date)
	if err != nil {
		return tb, fmt.Errorf("trial balance: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, partner, wallet, name, currency string
		var cents int64
		if err := rows.Scan(&code, &partner, &wallet, &name, &currency, &cents); err != nil {
			return tb, err
		}
		tb.Accounts++
		if cents > 0 {
			tb.DebitCents += cents
		} else {
			tb.CreditCents += cents
		}
		c.Text(code).Text(partner).Text(wallet).Text(name).Text(currency).Number(ledger.FormatCents(cents))
		if err := c.End(); err != nil {
			return tb, err
		}
	}
	if err := rows.Err(); err != nil {
		return tb, err
	}
	return tb, c.Flush()
}
