package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"settle"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// TransactionRow is a stored transaction as read back from the database.
type TransactionRow struct {
	ID             int64      `db:"id" json:"transactionId"`
	Key            string     `db:"idempotency_key" json:"idempotencyKey"`
	Type           string     `db:"type" json:"type"`
	PartnerKey     *string    `db:"partner_key" json:"partnerKey"`
	WalletID       *string    `db:"wallet_id" json:"walletId"`
	ValueDate      settle.Day `db:"value_date" json:"valueDate"`
	BookingDate    settle.Day `db:"booking_date" json:"bookingDate"`
	SourceFileID   *int64     `db:"source_file_id" json:"sourceFileId"`
	SourceEntry    *int       `db:"source_entry" json:"sourceEntry"`
	SourceRow      *string    `db:"source_row" json:"sourceRow"`
	Description    string     `db:"description" json:"description"`
	ReversesID     *int64     `db:"reverses_id" json:"reversesId"`
	CreatedBy      string     `db:"created_by" json:"createdBy"`
	CreatedAt      string     `db:"created_at" json:"createdAt"`
	PostingsLoaded []Posting  `db:"-" json:"-"`
}

func getTransaction(ctx context.Context, q sqlx.QueryerContext, id int64) (TransactionRow, error) {
	var t TransactionRow
	err := sqlx.GetContext(ctx, q, &t, `SELECT * FROM transactions WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return t, settle.Errorf(settle.NotFound, "transaction %d does not exist", id)
	}
	if err != nil {
		return t, fmt.Errorf("transaction %d: %w", id, err)
	}
	err = sqlx.SelectContext(ctx, q, &t.PostingsLoaded,
		`SELECT account_id, amount_cents FROM postings WHERE transaction_id = ? ORDER BY id`, id)
	return t, err
}

// Transaction returns the stored transaction id with its postings.
func (s *Store) Transaction(ctx context.Context, id int64) (TransactionRow, error) {
	return getTransaction(ctx, s.R, id)
}

// ReversalKey is the idempotency key of the reversal of transaction id: a transaction
// is reversed at most once.
func ReversalKey(id int64) string { return "reversal:" + strconv.FormatInt(id, 10) }

// Reverse posts the mirror image of transaction id, dated bookingDate, with the
// reason and who asked for it. Reversing twice returns the first reversal with
// existed = true. A reversal cannot itself be reversed (post a new transaction).
// Operations of the original are marked Reversed and a Reversal operation is added.
func (s *Store) Reverse(ctx context.Context, id int64, reason, by string, bookingDate settle.Day) (revID int64, existed bool, err error) {
	if reason == "" {
		return 0, false, settle.FieldError("reason", "a reason is required")
	}
	err = s.Write(ctx, func(w *Writer) error {
		orig, err := getTransaction(ctx, w.tx, id)
		if err != nil {
			return err
		}
		if orig.ReversesID != nil {
			return settle.Errorf(settle.Conflict, "transaction %d is itself the reversal of transaction %d", id, *orig.ReversesID)
		}
		rev := &Transaction{
			Key: ReversalKey(id), Type: "Reversal", ValueDate: bookingDate, BookingDate: bookingDate,
			Description: reason, ReversesID: id, CreatedBy: by,
		}
		if orig.PartnerKey != nil {
			rev.PartnerKey = *orig.PartnerKey
		}
		if orig.WalletID != nil {
			rev.WalletID = *orig.WalletID
		}
		for _, p := range orig.PostingsLoaded {
			rev.Postings = append(rev.Postings, Posting{AccountID: p.AccountID, AmountCents: -p.AmountCents})
		}
		if revID, existed, err = w.Post(rev); err != nil || existed {
			return err
		}
		return reverseOperations(w, id, revID, bookingDate)
	})
	return revID, existed, err
}
