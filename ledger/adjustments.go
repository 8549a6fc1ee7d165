package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"settle"
	"strings"
)

// Adjustment statuses.
const (
	AdjustmentPending  = "pending"
	AdjustmentApproved = "approved"
	AdjustmentRejected = "rejected"
)

// Adjustment is a balance adjustment of a wallet bucket (seed 003's balance
// adjustment operation): proposed by one person, posted when another approves it.
type Adjustment struct {
	ID            int64        `db:"id" json:"adjustmentId"`
	WalletID      string       `db:"wallet_id" json:"walletId"`
	Bucket        string       `db:"bucket" json:"bucket"`
	Amount        settle.Money `db:"amount_cents" json:"amount"` // positive: money to the wallet's owner
	Reason        string       `db:"reason" json:"reason"`
	Status        string       `db:"status" json:"status"`
	ProposedBy    string       `db:"proposed_by" json:"proposedBy"`
	ProposedAt    string       `db:"proposed_at" json:"proposedAt"`
	DecidedBy     *string      `db:"decided_by" json:"decidedBy"`
	DecidedAt     *string      `db:"decided_at" json:"decidedAt"`
	Note          string       `db:"note" json:"note"`
	TransactionID *int64       `db:"transaction_id" json:"transactionId"`
}

// ProposeAdjustment records a pending adjustment of cents (non-zero; positive
// credits the wallet) on a wallet's bucket. Nothing is posted until another person
// approves it.
func (s *Store) ProposeAdjustment(ctx context.Context, walletID, bucket string, cents int64, reason, by string) (int64, error) {
	switch {
	case bucket != BucketWithdrawable && bucket != BucketRestricted:
		return 0, settle.FieldError("bucket", "%q is not a bucket (withdrawable, restricted)", bucket)
	case cents == 0:
		return 0, settle.FieldError("amount", "an adjustment cannot be zero")
	case cents > MaxAmountCents || cents < -MaxAmountCents:
		return 0, settle.FieldError("amount", "out of range (at most %s)", FormatCents(MaxAmountCents))
	case strings.TrimSpace(reason) == "":
		return 0, settle.FieldError("reason", "a reason is required")
	case strings.TrimSpace(by) == "":
		return 0, settle.FieldError("by", "who proposes it is required")
	}
	var id int64
	err := s.Write(ctx, func(w *Writer) error {
		if ok, err := RowExists(w, `SELECT 1 FROM wallets WHERE wallet_id = ?`, walletID); err != nil {
			return err
		} else if !ok {
			return settle.Errorf(settle.NotFound, "wallet %s does not exist", walletID)
		}
		return w.Get(&id, `INSERT INTO adjustments (wallet_id, bucket, amount_cents, reason, status, proposed_by, proposed_at)
			VALUES (?, ?, ?, ?, 'pending', ?, ?) RETURNING id`, walletID, bucket, cents, reason, by, w.createdAt)
	})
	return id, err
}

// Adjustments lists adjustments, newest first; status "" lists all.
func (s *Store) Adjustments(ctx context.Context, status string) ([]Adjustment, error) {
	var out []Adjustment
	err := s.R.SelectContext(ctx, &out, `SELECT * FROM adjustments WHERE ? = '' OR status = ? ORDER BY id DESC`, status, status)
	return out, err
}

// DecideAdjustment approves (posting it, dated day) or rejects a pending adjustment.
// The decider must not be its proposer. Deciding again as it was decided is a no-op
// (decided = false); the opposite decision is a conflict.
func (s *Store) DecideAdjustment(ctx context.Context, id int64, approve bool, by, note string, day settle.Day) (a Adjustment, decided bool, err error) {
	if strings.TrimSpace(by) == "" {
		return a, false, settle.FieldError("by", "who decides is required")
	}
	want := AdjustmentRejected
	if approve {
		want = AdjustmentApproved
	}
	err = s.Write(ctx, func(w *Writer) error {
		decided = false
		if err := w.Get(&a, `SELECT * FROM adjustments WHERE id = ?`, id); errors.Is(err, sql.ErrNoRows) {
			return settle.Errorf(settle.NotFound, "adjustment %d does not exist", id)
		} else if err != nil {
			return err
		}
		switch {
		case a.Status == want:
			return nil
		case a.Status != AdjustmentPending:
			return settle.Errorf(settle.Conflict, "adjustment %d is %s already", id, a.Status)
		case strings.EqualFold(strings.TrimSpace(a.ProposedBy), strings.TrimSpace(by)):
			return settle.Errorf(settle.Forbidden, "adjustment %d was proposed by %s: another person must decide it", id, a.ProposedBy)
		}
		var txID *int64
		if approve {
			tid, err := postAdjustment(w, a, by, day)
			if err != nil {
				return err
			}
			txID = &tid
		}
		if _, err := w.Exec(`UPDATE adjustments SET status = ?, decided_by = ?, decided_at = ?, note = ?, transaction_id = ? WHERE id = ?`,
			want, by, w.createdAt, note, txID, id); err != nil {
			return err
		}
		decided = true
		return w.Get(&a, `SELECT * FROM adjustments WHERE id = ?`, id)
	})
	return a, decided, err
}

// postAdjustment posts an approved adjustment between the wallet's bucket and its
// partner's adjustments account (the partner's own money bears it).
func postAdjustment(w *Writer, a Adjustment, by string, day settle.Day) (int64, error) {
	var partner string
	if err := w.Get(&partner, `SELECT partner_key FROM wallets WHERE wallet_id = ?`, a.WalletID); err != nil {
		return 0, err
	}
	cents, _ := a.Amount.Cents()
	code := PartnerAccountCode(partner, "adjustments")
	if err := EnsureAccount(w, code, partner, nil, "adjustments"); err != nil {
		return 0, err
	}
	own, err := AccountID(w, code)
	if err != nil {
		return 0, err
	}
	bucket, err := AccountID(w, WalletAccountCode(a.WalletID, a.Bucket))
	if err != nil {
		return 0, err
	}
	if cents < 0 {
		bal, err := w.Balance(bucket)
		if err != nil {
			return 0, err
		}
		if -bal < -cents {
			return 0, settle.Errorf(settle.Invalid, "adjustment %d takes %s from the %s bucket of wallet %s, which holds %s",
				a.ID, FormatCents(-cents), a.Bucket, a.WalletID, FormatCents(-bal))
		}
	}
	id, _, err := w.Post(&Transaction{Key: fmt.Sprintf("adjustment:%d", a.ID), Type: "BalanceAdjustment", PartnerKey: partner,
		WalletID: a.WalletID, ValueDate: day, BookingDate: day, CreatedBy: by,
		Description: fmt.Sprintf("%s (proposed by %s, approved by %s)", a.Reason, a.ProposedBy, by),
		Postings:    []Posting{{AccountID: bucket, AmountCents: -cents}, {AccountID: own, AmountCents: cents}}})
	return id, err
}

// OpeningBalance posts a partner's bank balance at go-live, once, against its
// opening account (equity): the first reconciliation and safeguarding then start
// from the money already on the account. Posting the same amount again is a no-op
// (existed); another amount is a conflict, to be reversed first.
func (s *Store) OpeningBalance(ctx context.Context, partner string, cents int64, day settle.Day, by string) (id int64, existed bool, err error) {
	if cents == 0 {
		return 0, false, settle.FieldError("amount", "an opening balance of zero needs no posting")
	}
	if strings.TrimSpace(by) == "" {
		return 0, false, settle.FieldError("by", "who posts it is required")
	}
	key := "opening:" + partner
	err = s.Write(ctx, func(w *Writer) error {
		if ok, err := RowExists(w, `SELECT 1 FROM partners WHERE partner_key = ?`, partner); err != nil {
			return err
		} else if !ok {
			return settle.Errorf(settle.NotFound, "partner %s does not exist", partner)
		}
		var prior struct {
			ID    int64 `db:"id"`
			Cents int64 `db:"cents"`
		}
		err := w.Get(&prior, `SELECT t.id, p.amount_cents AS cents FROM transactions t JOIN postings p ON p.transaction_id = t.id
			JOIN accounts a ON a.id = p.account_id WHERE t.idempotency_key = ? AND a.code = ?`, key, PartnerAccountCode(partner, "bank"))
		if err == nil {
			if prior.Cents != cents {
				return settle.Errorf(settle.Conflict, "partner %s has an opening balance of %s already (transaction %d): reverse it first",
					partner, FormatCents(prior.Cents), prior.ID)
			}
			id, existed = prior.ID, true
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		code := PartnerAccountCode(partner, "opening")
		if err := EnsureAccount(w, code, partner, nil, "opening"); err != nil {
			return err
		}
		equity, err := AccountID(w, code)
		if err != nil {
			return err
		}
		bank, err := AccountID(w, PartnerAccountCode(partner, "bank"))
		if err != nil {
			return err
		}
		id, _, err = w.Post(&Transaction{Key: key, Type: "OpeningBalance", PartnerKey: partner, ValueDate: day, BookingDate: day,
			CreatedBy: by, Description: "the bank balance at go-live",
			Postings: []Posting{{AccountID: bank, AmountCents: cents}, {AccountID: equity, AmountCents: -cents}}})
		return err
	})
	return id, existed, err
}
