package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"settle"
	"slices"
	"strings"
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
	ValueDate   settle.Day
	BookingDate settle.Day // the day the transaction counts in reports
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
		return settle.FieldError("key", "an idempotency key is required")
	}
	if t.Type == "" {
		return settle.FieldError("type", "a transaction type is required")
	}
	if t.ValueDate.IsZero() {
		return settle.FieldError("valueDate", "a value date is required")
	}
	if t.BookingDate.IsZero() {
		return settle.FieldError("bookingDate", "a booking date is required")
	}
	if len(t.Postings) < 2 {
		return settle.FieldError("postings", "a transaction needs at least two postings, got %d", len(t.Postings))
	}
	var sum int64
	for i, p := range t.Postings {
		if p.AmountCents == 0 {
			return settle.FieldError(fmt.Sprintf("postings[%d]", i), "a posting cannot be zero")
		}
		if p.AmountCents > MaxBalanceCents || p.AmountCents < -MaxBalanceCents {
			return settle.FieldError(fmt.Sprintf("postings[%d]", i), "amount out of range")
		}
		sum += p.AmountCents
	}
	if sum != 0 {
		return settle.FieldError("postings", "postings sum to %s, not zero", FormatCents(sum))
	}
	return nil
}

// MaxBalanceCents bounds any single posting and every account balance (2^53 cents,
// about 90 trillion EUR): a sum of a thousand balances still fits an int64, so
// verify and the reports cannot overflow.
const MaxBalanceCents = 1 << 53

// Writer is a write transaction: it posts transactions and upserts reference data,
// preparing each distinct statement once per transaction. Get one from Store.Write.
//
// Balance changes are summed per account as transactions are posted and written to
// accounts once, before the transaction commits (one UPDATE per account touched,
// not one per posting). Code that reads balances inside the same transaction uses
// Writer.Balance, or calls FlushBalances before its own SQL.
type Writer struct {
	ctx        context.Context
	tx         *sqlx.Tx
	stmts      map[string]*sqlx.Stmt
	named      map[string]*sqlx.NamedStmt
	deltas     map[int64]int64
	accountIDs map[string]int64 // by code, see accountByCode
	now        time.Time        // the store clock when the transaction began
	createdAt  string           // now as stored
	store      *Store           // for its heartbeat, which runs between statements
	nextTx     int64            // PostgreSQL: the next transaction id Post gives, once read
	mapped     bool             // SQLite: MapFile mapped the database file for this transaction
	shared     bool             // PostgreSQL: the writer lock is held in share mode (Store.WriteShared)
	partners   map[string]bool  // the partners LockPartner locked
	numbered   map[string]bool  // PostgreSQL: tables numbered MAX(id) + 1, whose sequences follow at the end
}

// Write runs fn with a Writer in one write transaction: everything fn writes, and
// the balances it changes, commit together or not at all.
func (s *Store) Write(ctx context.Context, fn func(w *Writer) error) error {
	return s.write(ctx, false, fn)
}

func (s *Store) write(ctx context.Context, shared bool, fn func(w *Writer) error) error {
	return s.writeTxLocked(ctx, shared, func(tx *sqlx.Tx) error {
		w := newWriter(ctx, tx, s.Now())
		w.store, w.shared = s, shared && s.D == Postgres
		defer w.close()
		if err := fn(w); err != nil {
			return err
		}
		if err := w.FlushBalances(); err != nil {
			return err
		}
		return w.syncSequences()
	})
}

func newWriter(ctx context.Context, tx *sqlx.Tx, now time.Time) *Writer {
	return &Writer{ctx: ctx, tx: tx, stmts: map[string]*sqlx.Stmt{}, named: map[string]*sqlx.NamedStmt{},
		deltas: map[int64]int64{}, accountIDs: map[string]int64{}, now: now, createdAt: now.Format(time.RFC3339)}
}

// Try runs fn, whose error the caller handles and goes on (a rejected row of a
// feed). SQLite undoes only the failing statement; PostgreSQL aborts the whole
// transaction on an error, so there fn runs inside a savepoint that an error rolls
// back to. Either way fn must fail before it writes, or leave what it wrote valid.
func (w *Writer) Try(fn func() error) error {
	if w.store.D != Postgres {
		return fn()
	}
	if _, err := w.tx.ExecContext(w.ctx, `SAVEPOINT try`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := w.tx.ExecContext(w.ctx, `ROLLBACK TO SAVEPOINT try`); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	_, err := w.tx.ExecContext(w.ctx, `RELEASE SAVEPOINT try`)
	return err
}

// nextTransactionID is the id of the next transaction Post inserts: NULL on SQLite,
// which numbers an INTEGER PRIMARY KEY MAX(id) + 1 itself; on PostgreSQL the same
// number, counted on from the first one this transaction reads (the writer lock keeps
// every other process out; the bulk insert of transactions resets the count), or,
// for a shared writer, the next of the table's sequence.
func (w *Writer) nextTransactionID() (any, error) {
	switch {
	case w.store.D != Postgres:
		return nil, nil
	case w.shared:
		return NextID(w, "transactions")
	}
	if w.nextTx == 0 {
		id, err := NextID(w, "transactions")
		if err != nil {
			return nil, err
		}
		w.nextTx = id
	}
	w.nextTx++
	return w.nextTx - 1, nil
}

// Analyze refreshes the planner's statistics of tables before a statement over many
// of their rows, rows this very transaction may have written: PostgreSQL plans a join
// over a table it believes small as nested loops, quadratic in its real size (a batch
// of 50,000 debits took 100 s). SQLite's planner needs no statistics for these
// statements: a no-op there.
func (w *Writer) Analyze(tables ...string) error {
	if w.store.D != Postgres {
		return nil
	}
	_, err := w.tx.ExecContext(w.ctx, `ANALYZE `+strings.Join(tables, ", "))
	return err
}

// D is the SQL dialect of the store being written.
func (w *Writer) D() *Dialect { return w.store.D }

// NowText is the store clock's time when the transaction began, as stored (RFC 3339).
func (w *Writer) NowText() string { return w.createdAt }

// mapSize is how much of a SQLite database file MapFile maps: all of it up to
// SQLite's own limit (2 GB), past which pages are read as before.
const mapSize = 1 << 31

// MapFile has SQLite read the database file through a memory map for the rest of
// this transaction, instead of one system call per page its cache misses: for a
// statement that reads most of a large table at random, as a pain.008 of a million
// debits reads their mandates (its file's rows: 13.8 s -> 6.5 s). The mapped pages
// are the operating system's file cache, shared and reclaimable, not the process's
// heap, though they count in its resident size. An I/O error on a mapped page is a
// signal that ends the process instead of an error SQLite returns; the transaction
// is then rolled back like any other cut short. PostgreSQL has nothing to map.
func (w *Writer) MapFile() error {
	if w.store.D != SQLite {
		return nil
	}
	if _, err := w.tx.ExecContext(w.ctx, fmt.Sprintf(`PRAGMA mmap_size = %d`, mapSize)); err != nil {
		return err
	}
	w.mapped = true
	return nil
}

func (w *Writer) close() {
	if w.mapped {
		// The writer's connection outlives the transaction: later ones read as before.
		// SQLite keeps a mapping that pages still use until they are released.
		w.tx.ExecContext(w.ctx, `PRAGMA mmap_size = 0`)
	}
	for _, st := range w.stmts {
		st.Close()
	}
	for _, st := range w.named {
		st.Close()
	}
}

// stmt returns the prepared statement for q, preparing it on first use.
func (w *Writer) stmt(q string) (*sqlx.Stmt, error) {
	if err := w.heartbeat(); err != nil {
		return nil, err
	}
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	st, err := w.tx.PreparexContext(w.ctx, q)
	if err != nil {
		return nil, err
	}
	w.stmts[q] = st
	return st, nil
}

// heartbeat runs the store's heartbeat if it is due (a lease renewal inside a long
// transaction); it costs one atomic load otherwise.
func (w *Writer) heartbeat() error {
	if w.store == nil {
		return nil
	}
	return w.store.beatIn(w.ctx, w.tx)
}

// Exec runs q with positional arguments through a prepared statement.
func (w *Writer) Exec(q string, args ...any) (sql.Result, error) {
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(w.ctx, args...)
}

// Get scans the one row q selects into dest; sql.ErrNoRows when there is none.
func (w *Writer) Get(dest any, q string, args ...any) error {
	st, err := w.stmt(q)
	if err != nil {
		return err
	}
	return st.GetContext(w.ctx, dest, args...)
}

// Select scans the rows q selects into dest, a pointer to a slice.
func (w *Writer) Select(dest any, q string, args ...any) error {
	st, err := w.stmt(q)
	if err != nil {
		return err
	}
	return st.SelectContext(w.ctx, dest, args...)
}

// NamedExec runs q with :name arguments taken from arg's db tags.
func (w *Writer) NamedExec(q string, arg any) (sql.Result, error) {
	if err := w.heartbeat(); err != nil {
		return nil, err
	}
	st, ok := w.named[q]
	if !ok {
		var err error
		if st, err = w.tx.PrepareNamedContext(w.ctx, q); err != nil {
			return nil, err
		}
		w.named[q] = st
	}
	return st.ExecContext(w.ctx, arg)
}

// Queryx runs q without preparing it and returns its rows, to be read one at a time
// (a file of a million transactions is written while its rows stream).
func (w *Writer) Queryx(q string, args ...any) (*sqlx.Rows, error) {
	if err := w.heartbeat(); err != nil {
		return nil, err
	}
	return w.tx.QueryxContext(w.ctx, q, args...)
}

// Query is Queryx with database/sql's rows.
func (w *Writer) Query(q string, args ...any) (*sql.Rows, error) {
	if err := w.heartbeat(); err != nil {
		return nil, err
	}
	return w.tx.QueryContext(w.ctx, q, args...)
}

// Pending is the change this transaction has made to an account's balance and not
// yet written (balances are written once, at the end).
func (w *Writer) Pending(accountID int64) int64 { return w.deltas[accountID] }

// Context is the context of the writer's transaction.
func (w *Writer) Context() context.Context { return w.ctx }

// ExecOnce runs q with positional arguments without preparing it: for statements a
// transaction runs a few times (temporary tables, set-wise updates).
func (w *Writer) ExecOnce(q string, args ...any) (sql.Result, error) {
	if err := w.heartbeat(); err != nil {
		return nil, err
	}
	return w.tx.ExecContext(w.ctx, q, args...)
}

// NamedExecOnce runs q once with :name arguments from a map or struct (not
// prepared: for statements a transaction runs a few times).
func (w *Writer) NamedExecOnce(q string, arg any) error {
	_, err := w.tx.NamedExecContext(w.ctx, q, arg)
	return err
}

// FlushBalances writes the pending balance changes to the accounts, in statements of
// up to flushChunk accounts each (one per account touched was 20,000 statements at
// the end of a file over 20,000 wallets), and fails, leaving the transaction to be
// rolled back, if an account does not exist or a balance would leave ±MaxBalanceCents.
func (w *Writer) FlushBalances() error {
	ids := slices.Sorted(maps.Keys(w.deltas))
	ids = slices.DeleteFunc(ids, func(id int64) bool { return w.deltas[id] == 0 })
	for len(ids) > 0 {
		n := min(len(ids), flushChunk)
		if err := w.flushBalances(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	clear(w.deltas)
	return nil
}

// flushChunk is how many accounts' balances one statement of FlushBalances updates.
const flushChunk = 1000

func (w *Writer) flushBalances(ids []int64) error {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%d,%d]", id, w.deltas[id])
	}
	b.WriteByte(']')
	// Checked where the balance changes: SQLite would silently turn an overflowing
	// integer sum into a float. The bound leaves room for any sum of balances. Two
	// PostgreSQL writers never share an account (one partner's rows have one writer
	// at a time, see Store.WriteShared), so the order the rows are locked in is free.
	var updated []int64
	if err := w.Select(&updated, `UPDATE accounts SET balance_cents = accounts.balance_cents + d.v FROM `+w.D().Pairs+` AS d
		WHERE accounts.id = d.id AND accounts.balance_cents + d.v BETWEEN ? AND ? RETURNING accounts.id`,
		b.String(), -MaxBalanceCents, MaxBalanceCents); err != nil {
		return fmt.Errorf("balances of %d accounts: %w", len(ids), err)
	}
	if len(updated) == len(ids) {
		return nil
	}
	slices.Sort(updated)
	for _, id := range ids {
		if _, found := slices.BinarySearch(updated, id); found {
			continue
		}
		var exists int
		if err := w.Get(&exists, `SELECT COUNT(*) FROM accounts WHERE id = ?`, id); err != nil || exists == 0 {
			return settle.Errorf(settle.NotFound, "account %d does not exist", id)
		}
		return settle.Errorf(settle.Invalid, "the balance of account %d would leave ±%s: refused", id, FormatCents(MaxBalanceCents))
	}
	return settle.Errorf(settle.Internal, "balances: %d accounts updated, %d expected", len(updated), len(ids))
}

// AddDeltas adds a transaction's postings to the pending balance changes, with
// checked arithmetic: for a flow that writes its rows in bulk (the ingest) and
// leaves the balances to the writer.
func (w *Writer) AddDeltas(t *Transaction) error {
	for _, p := range t.Postings {
		d, ok := addChecked(w.deltas[p.AccountID], p.AmountCents)
		if !ok || d > MaxBalanceCents || d < -MaxBalanceCents {
			return settle.Errorf(settle.Invalid, "transaction %s: the balance change of account %d would overflow", t.Key, p.AccountID)
		}
		w.deltas[p.AccountID] = d
	}
	return nil
}

// addChecked returns a+b and whether it fits an int64.
func addChecked(a, b int64) (int64, bool) {
	s := a + b
	return s, (b >= 0 && s >= a) || (b < 0 && s < a)
}

// Balance returns the balance of an account as this transaction sees it, pending
// changes included.
func (w *Writer) Balance(accountID int64) (int64, error) {
	var c int64
	if err := w.Get(&c, `SELECT balance_cents FROM accounts WHERE id = ?`, accountID); err != nil {
		return 0, fmt.Errorf("balance of account %d: %w", accountID, err)
	}
	return c + w.deltas[accountID], nil
}

const insertTransaction = `INSERT INTO transactions (id, idempotency_key, type, partner_key, wallet_id, value_date,
	booking_date, source_file_id, source_entry, source_row, description, reverses_id, created_by, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (idempotency_key) DO NOTHING`

// insertPostings is the statement inserting n postings in one go.
func insertPostings(n int) string {
	return "INSERT INTO postings (transaction_id, account_id, amount_cents) VALUES (?, ?, ?)" +
		strings.Repeat(", (?, ?, ?)", n-1)
}

// Post records t with its postings and updates the accounts' balances. If a
// transaction with t.Key exists already, Post changes nothing and returns the
// existing id with existed = true.
func (w *Writer) Post(t *Transaction) (id int64, existed bool, err error) {
	if err := t.Validate(); err != nil {
		return 0, false, err
	}
	newID, err := w.nextTransactionID()
	if err != nil {
		return 0, false, err
	}
	res, err := w.Exec(insertTransaction, newID, t.Key, t.Type, Nullable(t.PartnerKey), Nullable(t.WalletID),
		t.ValueDate, t.BookingDate, t.Source.FileID, t.Source.Entry, Nullable(t.Source.Row),
		t.Description, NullableID(t.ReversesID), t.CreatedBy, w.createdAt)
	if err != nil {
		return 0, false, fmt.Errorf("transaction %s: %w", t.Key, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, false, err
	} else if n == 0 { // the key exists: return that transaction, change nothing
		if newID != nil && !w.shared {
			w.nextTx-- // the id was not used
		}
		if err := w.Get(&id, `SELECT id FROM transactions WHERE idempotency_key = ?`, t.Key); err != nil {
			return 0, false, fmt.Errorf("transaction %s: %w", t.Key, err)
		}
		t.ID = id
		return id, true, nil
	}
	if newID != nil {
		id = newID.(int64)
	} else if id, err = res.LastInsertId(); err != nil {
		return 0, false, err
	}
	args := make([]any, 0, 3*len(t.Postings))
	for _, p := range t.Postings {
		args = append(args, id, p.AccountID, p.AmountCents)
	}
	if _, err := w.Exec(insertPostings(len(t.Postings)), args...); err != nil {
		if IsForeignKey(err) {
			return 0, false, settle.Errorf(settle.NotFound, "transaction %s: a posting names an account that does not exist", t.Key)
		}
		return 0, false, fmt.Errorf("transaction %s: postings: %w", t.Key, err)
	}
	if err := w.AddDeltas(t); err != nil {
		return 0, false, err
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

// isDate checks YYYY-MM-DD cheaply (the hot path posts millions of these).
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func Nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func NullableID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
