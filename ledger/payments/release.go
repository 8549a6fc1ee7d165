package payments

import (
	"context"
	"fmt"
	"settle"
	"settle/ledger"
)

// ReleaseResult counts what a release of funds moved.
type ReleaseResult struct {
	Collections int          `json:"collections"`
	Amount      settle.Money `json:"amount"` // the money released
}

// ReleaseFunds moves the money of booked collections from the wallet's restricted
// bucket to withdrawable once days TARGET2 business days have passed since the
// booking (on day, YYYY-MM-DD), in chunks of chunk collections, each chunk one
// transaction. A collection is released once (its transaction key says so); one
// returned meanwhile is not Settled and is not released.
func ReleaseFunds(ctx context.Context, s *ledger.Store, day settle.Day, days, chunk int, dryRun bool) (ReleaseResult, error) {
	var res ReleaseResult
	// Booked on or before cutoff: days business days have passed (on a closing day,
	// as on the business day before it).
	cutoff := day.SubTARGET2(days)
	var last int64
	for {
		var due []struct {
			ID      int64  `db:"id"`
			Partner string `db:"partner_key"`
			Wallet  string `db:"wallet_id"`
			Cents   int64  `db:"amount_cents"`
		}
		if err := s.R.SelectContext(ctx, &due, `SELECT d.id, d.partner_key, d.wallet_id, d.amount_cents FROM direct_debits d
			JOIN transactions t ON t.idempotency_key = 'booked:SddCollection:' || d.id
			WHERE d.status = 'Settled' AND t.booking_date <= ? AND d.id > ?
			AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.idempotency_key = 'release:' || d.id)
			ORDER BY d.id LIMIT ?`, cutoff, last, chunk); err != nil {
			return res, err
		}
		if len(due) == 0 {
			return res, nil
		}
		last = due[len(due)-1].ID
		if dryRun {
			for _, x := range due {
				res.Collections, res.Amount = res.Collections+1, res.Amount.Plus(settle.MoneyFromCents(x.Cents))
			}
			continue
		}
		var n int
		var cents int64
		err := s.Write(ctx, func(w *ledger.Writer) error {
			n, cents = 0, 0
			for _, x := range due {
				restricted, err := ledger.AccountID(w, ledger.WalletAccountCode(x.Wallet, ledger.BucketRestricted))
				if err != nil {
					return err
				}
				withdrawable, err := ledger.AccountID(w, ledger.WalletAccountCode(x.Wallet, ledger.BucketWithdrawable))
				if err != nil {
					return err
				}
				_, existed, err := w.Post(&ledger.Transaction{Key: fmt.Sprintf("release:%d", x.ID), Type: "Release", PartnerKey: x.Partner,
					WalletID: x.Wallet, ValueDate: day, BookingDate: day, CreatedBy: "release-funds",
					Description: fmt.Sprintf("SDD collection %d past its return window", x.ID),
					Postings:    []ledger.Posting{{AccountID: restricted, AmountCents: x.Cents}, {AccountID: withdrawable, AmountCents: -x.Cents}}})
				if err != nil {
					return err
				}
				if !existed {
					n, cents = n+1, cents+x.Cents
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Collections, res.Amount = res.Collections+n, res.Amount.Plus(settle.MoneyFromCents(cents))
	}
}
