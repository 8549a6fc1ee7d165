package payments

import (
	"context"
	"fmt"
	"settle"
	"settle/ledger"
	"strings"
	"time"
)

// FeePayoutResult counts what QueueFeePayouts queued.
type FeePayoutResult struct {
	Payouts int
	Cents   int64
	NoIBAN  int   // earned shares waiting because the dealer or store has no IBAN
	Netted  int64 // cents of stores' fees set against the cash they owe (netting on)
}

// feeEarner is a dealer's or store's fee account with what it had earned by the
// end of the cycle.
type feeEarner struct {
	AccountID int64   `db:"id"`
	Code      string  `db:"code"`
	Partner   string  `db:"partner_key"`
	Cents     int64   `db:"cents"` // credit balance: negative
	Name      *string `db:"name"`
	IBAN      *string `db:"iban"`
	BIC       *string `db:"bic"`
}

// QueueFeePayouts pays dealers and stores what their fee accounts hold at the end
// of the day before day (by booking date): each becomes a FeePayout credit transfer
// for the next SCT batch, its money moved from the fee account to payout_clearing
// at once (key feepayout:<account>:<day>, so a share is paid once and a rerun does
// nothing). Amounts under minCents wait for a later cycle; a reject or return puts
// the money back on the fee account.
//
// With netting, a store's earned fees are first set against the cash it owes the
// partner (its store_cash balance at the end of the cycle): a FeeNetting transaction
// moves the smaller of the two from the fee account to store_cash, and only the rest
// is paid.
func QueueFeePayouts(ctx context.Context, s *ledger.Store, day settle.Day, minCents int64, netting, dryRun bool) (FeePayoutResult, error) {
	var res FeePayoutResult
	end := day.AddDays(-1)
	err := s.Write(ctx, func(w *ledger.Writer) error {
		res = FeePayoutResult{}
		var es []feeEarner
		if err := w.Select(&es, `SELECT a.id, a.code, a.partner_key, b.cents,
				COALESCE(d.dealer_name, st.store_name) AS name, COALESCE(d.iban, st.iban) AS iban, COALESCE(d.bic, st.bic) AS bic
			FROM accounts a JOIN (SELECT p.account_id, SUM(p.amount_cents) AS cents FROM postings p
				JOIN transactions t ON t.id = p.transaction_id WHERE t.booking_date <= ? GROUP BY p.account_id) b ON b.account_id = a.id
			LEFT JOIN dealers d ON d.dealer_key = substr(a.code, length('partner:' || a.partner_key || ':fees:dealer:') + 1)
				AND a.code LIKE 'partner:%:fees:dealer:%'
			LEFT JOIN stores st ON st.store_id = substr(a.code, length('partner:' || a.partner_key || ':fees:store:') + 1)
				AND a.code LIKE 'partner:%:fees:store:%'
			WHERE (a.code LIKE 'partner:%:fees:dealer:%' OR a.code LIKE 'partner:%:fees:store:%') AND -b.cents >= ?
			ORDER BY a.code`, end, max(minCents, 1)); err != nil {
			return err
		}
		for _, e := range es {
			if netting && strings.Contains(e.Code, ":fees:store:") {
				n, err := netStoreFees(w, e, day, end)
				if err != nil {
					return fmt.Errorf("%s: %w", e.Code, err)
				}
				res.Netted += n
				if e.Cents += n; -e.Cents < max(minCents, 1) {
					continue
				}
			}
			if e.IBAN == nil || *e.IBAN == "" {
				res.NoIBAN++
				continue
			}
			ok, err := queueFeePayout(w, e, day, end)
			if err != nil {
				return fmt.Errorf("%s: %w", e.Code, err)
			}
			if ok {
				res.Payouts++
				res.Cents -= e.Cents
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err == errDryRun {
		err = nil
	}
	return res, err
}

// netStoreFees sets a store's earned fees (e.Cents, a credit) against the cash it
// owes at the end of the cycle, once per cycle, and returns the cents set off.
func netStoreFees(w *ledger.Writer, e feeEarner, day, end settle.Day) (int64, error) {
	store := e.Code[strings.LastIndex(e.Code, ":fees:store:")+len(":fees:store:"):]
	cash, err := ledger.AccountID(w, ledger.PartnerAccountCode(e.Partner, "store_cash:"+store))
	if err != nil {
		return 0, nil // the store never took cash: nothing to set off
	}
	var owed int64
	if err := w.Get(&owed, `SELECT COALESCE(SUM(p.amount_cents), 0) FROM postings p JOIN transactions t ON t.id = p.transaction_id
		WHERE p.account_id = ? AND t.booking_date <= ?`, cash, end); err != nil {
		return 0, err
	}
	n := min(owed, -e.Cents)
	if n <= 0 {
		return 0, nil
	}
	key := fmt.Sprintf("feenetting:%s:%s", strings.TrimPrefix(e.Code, "partner:"), day)
	id, existed, err := w.Post(&ledger.Transaction{Key: key, Type: "FeeNetting", PartnerKey: e.Partner, ValueDate: day, BookingDate: day,
		CreatedBy: "settle", Description: fmt.Sprintf("fee shares earned up to %s set against the cash store %s owes", end, store),
		Postings: []ledger.Posting{{AccountID: e.AccountID, AmountCents: n}, {AccountID: cash, AmountCents: -n}}})
	if err != nil || !existed {
		return n, err
	}
	// Set off by an earlier run of the same cycle: that amount, not a new one.
	err = w.Get(&n, `SELECT amount_cents FROM postings WHERE transaction_id = ? AND account_id = ?`, id, e.AccountID)
	return n, err
}

func queueFeePayout(w *ledger.Writer, e feeEarner, day, end settle.Day) (bool, error) {
	key := fmt.Sprintf("feepayout:%s:%s", strings.TrimPrefix(e.Code, "partner:"), day)
	if done, err := ledger.RowExists(w, `SELECT 1 FROM credit_transfers WHERE request_id = ?`, key); err != nil || done {
		return false, err
	}
	clearing, err := ledger.AccountID(w, ledger.PartnerAccountCode(e.Partner, "payout_clearing"))
	if err != nil {
		return false, err
	}
	amount := -e.Cents
	txID, _, err := w.Post(&ledger.Transaction{Key: key, Type: "FeePayout", PartnerKey: e.Partner, ValueDate: day, BookingDate: day,
		CreatedBy: "settle", Description: fmt.Sprintf("fee shares earned up to %s paid to %s", end, *e.Name),
		Postings: []ledger.Posting{{AccountID: e.AccountID, AmountCents: amount}, {AccountID: clearing, AmountCents: -amount}}})
	if err != nil {
		return false, err
	}
	next, err := ledger.NextID(w, "credit_transfers")
	if err != nil {
		return false, err
	}
	_, err = w.Exec(`INSERT INTO credit_transfers (id, request_id, kind, partner_key, creditor_name, creditor_iban, creditor_bic, amount_cents,
		remittance, requested_date, end_to_end_id, status, transaction_id, back_account_id, created_at, updated_at)
		VALUES (?, ?, 'FeePayout', ?, ?, ?, ?, ?, ?, ?, ?, 'Created', ?, ?, ?, ?)`, next, key, e.Partner, *e.Name, *e.IBAN, e.BIC, amount,
		"Commissioni maturate al "+end.String(), day, fmt.Sprintf("STL-CT-%d", next), txID, e.AccountID, w.NowText(), w.NowText())
	return true, err
}

// FeePayoutDue tells whether day is a payout day of the cycle: monthly on the 1st,
// weekly on Mondays, daily every day, off never.
func FeePayoutDue(cycle string, d settle.Day) bool {
	switch cycle {
	case "daily":
		return true
	case "weekly":
		return d.Weekday() == time.Monday
	case "monthly":
		_, _, dom := d.Date()
		return dom == 1
	}
	return false
}
