package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Posting moves AmountCents on one account: positive is a debit, negative a credit.
type Posting struct {
	AccountID   int64 `db:"account_id"`
	AmountCents int64 `db:"amount_cents"`
}

// Source says where a transaction came from: a bank file and entry position, or a feed row.
type Source struct {
	FileID *int64
	Entry  *int
	Row    string
}

// Transaction is a balanced set of postings with a unique idempotency key.
type Transaction struct {
	ID          int64
	Key         string // idempotency key, unique across the ledger
	Type        string // the operation type or a system type (Reversal, ...)
	PartnerKey  string
	WalletID    string
	ValueDate   string // YYYY-MM-DD
	BookingDate string // YYYY-MM-DD: the day the transaction counts in reports
	Source      Source
	Description string
	ReversesID  int64
	CreatedBy   string
	Postings    []Posting
}

// Validate checks the transaction's own invariants: a key, dates, at least two
// non-zero postings that sum to zero.
func (t *Transaction) Validate() error {
	if t.Key == "" {
		return FieldError("key", "an idempotency key is required")
	}
	if t.Type == "" {
		return FieldError("type", "a transaction type is required")
	}
	for field, d := range map[string]string{"valueDate": t.ValueDate, "bookingDate": t.BookingDate} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return FieldError(field, "%q is not a date (YYYY-MM-DD)", d)
		}
	}
	if len(t.Postings) < 2 {
		return FieldError("postings", "a transaction needs at least two postings, got %d", len(t.Postings))
	}
	var sum int64
	for i, p := range t.Postings {
		if p.AmountCents == 0 {
			return FieldError(fmt.Sprintf("postings[%d]", i), "a posting cannot be zero")
		}
		if p.AmountCents > MaxBalanceCents || p.AmountCents < -MaxBalanceCents {
			return FieldError(fmt.Sprintf("postings[%d]", i), "amount out of range")
		}
		sum += p.AmountCents
	}
	if sum != 0 {
		return FieldError("postings", "postings sum to %s, not zero", FormatCents(sum))
	}
	return nil
}

// MaxBalanceCents bounds any single posting so that sums of postings cannot overflow.
const MaxBalanceCents = 1 << 53

// Writer posts transactions inside one write transaction. Get one from Store.Write.
type Writer struct {
	ctx       context.Context
	Tx        *sqlx.Tx
	insTx     *sqlx.Stmt
	insPost   *sqlx.Stmt
	updBal    *sqlx.Stmt
	selByKey  *sqlx.Stmt
	createdAt string
}

// Write runs fn with a Writer in one write transaction: everything fn posts commits
// together or not at all.
func (s *Store) Write(ctx context.Context, fn func(w *Writer) error) error {
	return s.WriteTx(ctx, func(tx *sqlx.Tx) error {
		w := &Writer{ctx: ctx, Tx: tx, createdAt: nowText()}
		defer w.close()
		return fn(w)
	})
}

func (w *Writer) close() {
	for _, st := range []*sqlx.Stmt{w.insTx, w.insPost, w.updBal, w.selByKey} {
		if st != nil {
			st.Close()
		}
	}
}

func (w *Writer) prepare() error {
	if w.insTx != nil {
		return nil
	}
	var err error
	prep := func(q string) *sqlx.Stmt {
		if err != nil {
			return nil
		}
		var st *sqlx.Stmt
		st, err = w.Tx.PreparexContext(w.ctx, q)
		return st
	}
	w.insTx = prep(`INSERT INTO transactions (idempotency_key, type, partner_key, wallet_id, value_date,
		booking_date, source_file_id, source_entry, source_row, description, reverses_id, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`)
	w.insPost = prep(`INSERT INTO postings (transaction_id, account_id, amount_cents) VALUES (?, ?, ?)`)
	w.updBal = prep(`UPDATE accounts SET balance_cents = balance_cents + ? WHERE id = ?`)
	w.selByKey = prep(`SELECT id FROM transactions WHERE idempotency_key = ?`)
	return err
}

// Post records t with its postings and updates the accounts' balances. If a
// transaction with t.Key exists already, Post changes nothing and returns the
// existing id with existed = true.
func (w *Writer) Post(t *Transaction) (id int64, existed bool, err error) {
	if err := t.Validate(); err != nil {
		return 0, false, err
	}
	if err := w.prepare(); err != nil {
		return 0, false, err
	}
	err = w.insTx.QueryRowxContext(w.ctx, t.Key, t.Type, nullable(t.PartnerKey), nullable(t.WalletID),
		t.ValueDate, t.BookingDate, t.Source.FileID, t.Source.Entry, nullable(t.Source.Row),
		t.Description, nullableID(t.ReversesID), t.CreatedBy, w.createdAt).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		if err := w.selByKey.GetContext(w.ctx, &id, t.Key); err != nil {
			return 0, false, fmt.Errorf("transaction %s: %w", t.Key, err)
		}
		t.ID = id
		return id, true, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("transaction %s: %w", t.Key, err)
	}
	for _, p := range t.Postings {
		if _, err := w.insPost.ExecContext(w.ctx, id, p.AccountID, p.AmountCents); err != nil {
			return 0, false, fmt.Errorf("transaction %s: posting on account %d: %w", t.Key, p.AccountID, err)
		}
		res, err := w.updBal.ExecContext(w.ctx, p.AmountCents, p.AccountID)
		if err != nil {
			return 0, false, fmt.Errorf("transaction %s: balance of account %d: %w", t.Key, p.AccountID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return 0, false, Errorf(NotFound, "transaction %s: account %d does not exist", t.Key, p.AccountID)
		}
	}
	t.ID = id
	return id, false, nil
}

// Post records one transaction in its own write transaction (see Writer.Post).
func (s *Store) Post(ctx context.Context, t *Transaction) (id int64, existed bool, err error) {
	err = s.Write(ctx, func(w *Writer) error {
		id, existed, err = w.Post(t)
		return err
	})
	return id, existed, err
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullableID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
