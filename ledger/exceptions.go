package ledger

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"settle"

	"github.com/shopspring/decimal"

	"settle/sepa"
)

// Exception statuses.
const (
	ExceptionOpen       = "open"
	ExceptionAssigned   = "assigned"
	ExceptionRefunded   = "refunded"
	ExceptionWrittenOff = "written_off"
)

// cents is the exception's amount in cents, as its amount_cents column holds it (0
// for an amount that is not whole cents: such money is never posted).
func (x Exception) cents() int64 {
	c, _ := x.Amount.Cents()
	return c
}

// Exception is money the ingest could not credit, or an entry it could not post.
type Exception struct {
	ID             int64        `db:"id" json:"exceptionId"`
	Reason         string       `db:"reason" json:"reason"`
	Detail         string       `db:"detail" json:"detail"`
	BankEntryID    int64        `db:"bank_entry_id" json:"bankEntryId"`
	PartnerKey     *string      `db:"partner_key" json:"partnerKey"`
	WalletID       *string      `db:"wallet_id" json:"walletId"`
	Amount         settle.Money `db:"amount_cents" json:"amount"`
	AmountText     string       `db:"amount" json:"-"` // exact, also when not whole cents (then Amount is read from it)
	Currency       string       `db:"currency" json:"currency"`
	DebtorIBAN     *string      `db:"debtor_iban" json:"debtorIban"`
	DebtorName     *string      `db:"debtor_name" json:"debtorName"`
	InSuspense     bool         `db:"in_suspense" json:"inSuspense"`
	Status         string       `db:"status" json:"status"`
	ResolutionTxID *int64       `db:"resolution_transaction_id" json:"resolutionTransactionId"`
	ResolvedBy     *string      `db:"resolved_by" json:"resolvedBy"`
	ResolvedAt     *string      `db:"resolved_at" json:"resolvedAt"`
	Note           *string      `db:"resolution_note" json:"resolutionNote"`
	CreatedAt      string       `db:"created_at" json:"createdAt"`
	File           string       `db:"file" json:"file"`
	Position       int          `db:"position" json:"position"`
}

const exceptionSelect = `SELECT x.*, f.name AS file, b.position FROM exceptions x
	JOIN bank_entries b ON b.id = x.bank_entry_id JOIN input_files f ON f.id = b.file_id`

// Exceptions lists exceptions, oldest first; status "" lists all.
func (s *Store) Exceptions(ctx context.Context, status string) ([]Exception, error) {
	q, args := exceptionSelect+` ORDER BY x.id`, []any{}
	if status != "" {
		q, args = exceptionSelect+` WHERE x.status = ? ORDER BY x.id`, []any{status}
	}
	var xs []Exception
	if err := s.R.SelectContext(ctx, &xs, q, args...); err != nil {
		return nil, err
	}
	for i := range xs {
		if d, err := decimal.NewFromString(xs[i].AmountText); err == nil {
			xs[i].Amount = settle.Money{Decimal: d}
		}
	}
	return xs, nil
}

func openException(w *Writer, id int64) (Exception, error) {
	var x Exception
	err := w.Get(&x, exceptionSelect+` WHERE x.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return x, settle.Errorf(settle.NotFound, "exception %d does not exist", id)
	}
	if err != nil {
		return x, err
	}
	if x.Status != ExceptionOpen {
		return x, settle.Errorf(settle.Conflict, "exception %d is %s already", id, x.Status)
	}
	return x, nil
}

// resolve posts the resolution (from suspense to the given account), if the money is
// in suspense, and closes the exception with who, when and why.
func resolve(w *Writer, x Exception, status, toAccount, by, note string, date settle.Day, walletID *string) (int64, error) {
	var txID *int64
	if x.InSuspense {
		susp, err := AccountID(w, PartnerAccountCode(*x.PartnerKey, "suspense"))
		if err != nil {
			return 0, err
		}
		to, err := AccountID(w, toAccount)
		if err != nil {
			return 0, err
		}
		typ := map[string]string{ExceptionAssigned: "ExceptionAssign", ExceptionRefunded: "Refund", ExceptionWrittenOff: "ExceptionWriteOff"}[status]
		t := &Transaction{Key: fmt.Sprintf("exception:%d", x.ID), Type: typ, PartnerKey: *x.PartnerKey,
			ValueDate: date, BookingDate: date, Description: note, CreatedBy: by,
			Postings: []Posting{{susp, x.cents()}, {to, -x.cents()}}}
		if walletID != nil {
			t.WalletID = *walletID
		}
		id, _, err := w.Post(t)
		if err != nil {
			return 0, err
		}
		txID = &id
	}
	_, err := w.Exec(`UPDATE exceptions SET status = ?, resolution_transaction_id = ?, resolved_by = ?, resolved_at = ?,
		resolution_note = ?, wallet_id = COALESCE(?, wallet_id) WHERE id = ?`, status, txID, by, w.createdAt, note, walletID, x.ID)
	if txID == nil {
		return 0, err
	}
	return *txID, err
}

// AssignException credits the money of an exception to a wallet of the same partner.
func (s *Store) AssignException(ctx context.Context, id int64, walletID, by, note string, date settle.Day) (txID int64, err error) {
	err = s.Write(ctx, func(w *Writer) error {
		x, err := openException(w, id)
		if err != nil {
			return err
		}
		if !x.InSuspense {
			return settle.Errorf(settle.Conflict, "exception %d (%s) holds no money in suspense: write it off", id, x.Reason)
		}
		var partner, status string
		err = w.tx.QueryRowxContext(ctx, `SELECT partner_key, status FROM wallets WHERE wallet_id = ?`, walletID).Scan(&partner, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return settle.Errorf(settle.NotFound, "wallet %s does not exist", walletID)
		}
		if err != nil {
			return err
		}
		if partner != *x.PartnerKey {
			return settle.Errorf(settle.Conflict, "wallet %s belongs to partner %s; the money is on %s's account", walletID, partner, *x.PartnerKey)
		}
		if status != WalletActive {
			return settle.Errorf(settle.Conflict, "wallet %s is %s", walletID, status)
		}
		txID, err = resolve(w, x, ExceptionAssigned, WalletAccountCode(walletID, BucketWithdrawable), by, cmp.Or(note, "assigned to wallet "+walletID), date, &walletID)
		return err
	})
	return txID, err
}

// RefundException queues the money of an exception for the sender: it moves from
// suspense to payout_clearing and a refund request waits for the next SCT batch.
func (s *Store) RefundException(ctx context.Context, id int64, by, note string, date settle.Day) error {
	return s.Write(ctx, func(w *Writer) error { return RefundException(w, id, by, note, date) })
}

func RefundException(w *Writer, id int64, by, note string, date settle.Day) error {
	x, err := openException(w, id)
	if err != nil {
		return err
	}
	if !x.InSuspense {
		return settle.Errorf(settle.Conflict, "exception %d (%s) holds no money in suspense to refund", id, x.Reason)
	}
	if x.DebtorIBAN == nil {
		return settle.Errorf(settle.Conflict, "exception %d: the sender's IBAN is unknown; assign or write it off", id)
	}
	iban, err := sepa.CheckIBAN(*x.DebtorIBAN)
	if err != nil {
		return settle.Errorf(settle.Conflict, "exception %d: cannot refund to the sender: %v", id, err)
	}
	txID, err := resolve(w, x, ExceptionRefunded, PartnerAccountCode(*x.PartnerKey, "payout_clearing"), by, cmp.Or(note, "refund to the sender"), date, nil)
	if err != nil {
		return err
	}
	name := "Unknown"
	if x.DebtorName != nil && *x.DebtorName != "" {
		name = *x.DebtorName
	}
	// A refund the bank rejected reopened its exception: refunding again renews the request.
	_, err = w.Exec(`INSERT INTO refund_requests (exception_id, partner_key, iban, name, amount_cents, status, transaction_id, created_at)
		VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (exception_id) DO UPDATE SET iban = excluded.iban, name = excluded.name,
		status = 'pending', transaction_id = excluded.transaction_id`, x.ID, *x.PartnerKey, iban, name, x.cents(), txID, w.createdAt)
	return err
}

// WriteOffException closes an exception with a reason. settle.Money in suspense moves to
// the partner's unclaimed account (a liability kept until claimed); an entry that was
// never posted is closed with no transaction.
func (s *Store) WriteOffException(ctx context.Context, id int64, by, reason string, date settle.Day) error {
	if reason == "" {
		return settle.FieldError("reason", "a reason is required to write off")
	}
	return s.Write(ctx, func(w *Writer) error {
		x, err := openException(w, id)
		if err != nil {
			return err
		}
		code := ""
		if x.PartnerKey != nil {
			code = PartnerAccountCode(*x.PartnerKey, "unclaimed")
		}
		_, err = resolve(w, x, ExceptionWrittenOff, code, by, reason, date, nil)
		return err
	})
}
