// Package reconcile matches bank statement entries to ledger movements on the
// partners' bank accounts, checks the statements' balances, and keeps the daily
// safeguarding check (DESIGN Flows: Reconciliation).
package reconcile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"settle"

	"settle/ledger"
)

// Item statuses.
const (
	Matched          = "matched"
	UnmatchedBank    = "unmatched_bank"   // on the statement, not in the ledger
	UnmatchedLedger  = "unmatched_ledger" // in the ledger, not on the statement
	AmountDifference = "amount_difference"
)

// Matching rules, in the order they are tried.
var Rules = []string{"acct_svcr_ref", "end_to_end_id", "pmt_inf_id", "amount_date"}

// Options tune a reconciliation.
type Options struct {
	Day            settle.Day // statements ending that day
	ToleranceCents int64      // the last rule pairs amounts this close
	ToleranceDays  int        // ... booked this many days apart at most; also widens the ledger's window
	DryRun         bool
}

// Statement is one statement's reconciliation.
type Statement struct {
	ID               int64      `db:"id"`
	StatementID      int64      `db:"statement_id"`
	PartnerKey       string     `db:"partner_key"`
	Day              settle.Day `db:"day"`
	OpeningCents     *int64     `db:"opening_cents"`
	ClosingCents     *int64     `db:"closing_cents"`
	EntriesCents     int64      `db:"entries_cents"`
	PreviousClosing  *int64     `db:"previous_closing_cents"`
	LedgerCents      int64      `db:"ledger_cents"`
	ContinuityOK     bool       `db:"continuity_ok"`
	ArithmeticOK     bool       `db:"arithmetic_ok"`
	DriftCents       int64      `db:"drift_cents"`
	Matched          int64      `db:"matched"`
	UnmatchedBank    int64      `db:"unmatched_bank"`
	UnmatchedLedger  int64      `db:"unmatched_ledger"`
	AmountDifference int64      `db:"amount_differences"`
	Status           string     `db:"status"`
	CreatedAt        string     `db:"created_at"`
}

// Breaks counts the findings that need a person.
func (s Statement) Breaks() int64 {
	n := s.UnmatchedBank + s.UnmatchedLedger + s.AmountDifference
	if !s.ContinuityOK {
		n++
	}
	if !s.ArithmeticOK {
		n++
	}
	return n
}

// Result is what a day's run found.
type Result struct {
	Statements  []Statement
	Safeguarded []Safeguarding
}

// statementRow is a kept camt.053 statement.
type statementRow struct {
	ID      int64      `db:"id"`
	FileID  int64      `db:"file_id"`
	Partner *string    `db:"partner_key"`
	Account string     `db:"account"`
	From    settle.Day `db:"from_date"`
	To      settle.Day `db:"to_date"`
	Opening *int64     `db:"opening_cents"`
	Closing *int64     `db:"closing_cents"`
}

// Run reconciles every statement of a partner account ending on the day, then
// computes each partner's safeguarding for the day. Each statement is one
// transaction that replaces its earlier reconciliation, so a rerun gives the same
// result.
func Run(ctx context.Context, s *ledger.Store, opt Options) (Result, error) {
	var res Result
	if opt.Day.IsZero() {
		return res, settle.FieldError("date", "a day is required")
	}
	var sts []statementRow
	if err := s.R.SelectContext(ctx, &sts, `SELECT id, file_id, partner_key, account, from_date, to_date, opening_cents, closing_cents
		FROM bank_statements WHERE to_date = ? AND partner_key IS NOT NULL ORDER BY account, id`, opt.Day); err != nil {
		return res, err
	}
	for _, st := range sts {
		var rec Statement
		err := s.Write(ctx, func(w *ledger.Writer) error {
			var err error
			rec, err = reconcileStatement(w, st, opt)
			if err == nil && opt.DryRun {
				return errDryRun
			}
			return err
		})
		if err != nil && err != errDryRun {
			return res, fmt.Errorf("statement %d of %s: %w", st.ID, st.Account, err)
		}
		res.Statements = append(res.Statements, rec)
	}
	sg, err := Safeguard(ctx, s, opt.Day, opt.DryRun)
	res.Safeguarded = sg
	return res, err
}

var errDryRun = fmt.Errorf("dry run")

func reconcileStatement(w *ledger.Writer, st statementRow, opt Options) (Statement, error) {
	rec := Statement{StatementID: st.ID, PartnerKey: *st.Partner, Day: st.To, OpeningCents: st.Opening, ClosingCents: st.Closing}
	var bank int64
	if err := w.Get(&bank, `SELECT id FROM accounts WHERE code = ?`, ledger.PartnerAccountCode(rec.PartnerKey, "bank")); err != nil {
		return rec, fmt.Errorf("the bank account of %s: %w", rec.PartnerKey, err)
	}
	if err := loadSides(w, st, bank, opt); err != nil {
		return rec, err
	}
	if err := match(w, opt); err != nil {
		return rec, err
	}
	if err := recordMatches(w, st.ID); err != nil {
		return rec, err
	}
	// The balances: continuity with the previous statement, opening + entries = closing,
	// and the closing balance against the ledger's bank balance at the end of the day.
	if err := w.Get(&rec.EntriesCents, `SELECT COALESCE(SUM(cents), 0) FROM rec_s WHERE own_currency`); err != nil {
		return rec, err
	}
	if err := w.Get(&rec.PreviousClosing, `SELECT closing_cents FROM bank_statements WHERE account = ? AND id <> ?
		AND (to_date < ? OR (to_date = ? AND id < ?)) ORDER BY to_date DESC, id DESC LIMIT 1`, st.Account, st.ID, st.From, st.From, st.ID); err != nil &&
		!errors.Is(err, sql.ErrNoRows) {
		return rec, err
	}
	rec.ContinuityOK = rec.PreviousClosing == nil || (st.Opening != nil && *st.Opening == *rec.PreviousClosing)
	rec.ArithmeticOK = st.Opening != nil && st.Closing != nil && *st.Opening+rec.EntriesCents == *st.Closing
	if err := w.Get(&rec.LedgerCents, `SELECT COALESCE(SUM(p.amount_cents), 0) FROM postings p JOIN transactions t ON t.id = p.transaction_id
		WHERE p.account_id = ? AND t.booking_date <= ?`, bank, st.To); err != nil {
		return rec, err
	}
	if st.Closing != nil {
		rec.DriftCents = *st.Closing - rec.LedgerCents
	}
	if err := store(w, &rec); err != nil {
		return rec, err
	}
	return rec, syncBreaks(w, rec)
}

// store replaces the statement's earlier reconciliation with this one and its items.
func store(w *ledger.Writer, rec *Statement) error {
	if _, err := w.Exec(`DELETE FROM reconciliation_items WHERE reconciliation_id IN (SELECT id FROM reconciliations WHERE statement_id = ?)`,
		rec.StatementID); err != nil {
		return err
	}
	if _, err := w.Exec(`DELETE FROM reconciliations WHERE statement_id = ?`, rec.StatementID); err != nil {
		return err
	}
	for status, n := range map[string]*int64{Matched: &rec.Matched, UnmatchedBank: &rec.UnmatchedBank, AmountDifference: &rec.AmountDifference} {
		if err := w.Get(n, `SELECT COUNT(*) FROM rec_s WHERE status = ?`, status); err != nil {
			return err
		}
	}
	if err := w.Get(&rec.UnmatchedLedger, `SELECT COUNT(*) FROM rec_l WHERE rule IS NULL AND in_period`); err != nil {
		return err
	}
	rec.Status = "reconciled"
	if rec.Breaks() > 0 || rec.DriftCents != 0 {
		rec.Status = "breaks"
	}
	rec.CreatedAt = w.NowText()
	if err := w.Get(&rec.ID, `INSERT INTO reconciliations (statement_id, partner_key, day, opening_cents, closing_cents, entries_cents,
		previous_closing_cents, ledger_cents, continuity_ok, arithmetic_ok, drift_cents, matched, unmatched_bank, unmatched_ledger,
		amount_differences, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		rec.StatementID, rec.PartnerKey, rec.Day, rec.OpeningCents, rec.ClosingCents, rec.EntriesCents, rec.PreviousClosing, rec.LedgerCents,
		rec.ContinuityOK, rec.ArithmeticOK, rec.DriftCents, rec.Matched, rec.UnmatchedBank, rec.UnmatchedLedger, rec.AmountDifference,
		rec.Status, rec.CreatedAt); err != nil {
		return err
	}
	if _, err := w.Exec(`INSERT INTO reconciliation_items (reconciliation_id, status, rule, bank_entry_id, transaction_id, bank_cents,
		ledger_cents, detail) SELECT ?, status, rule, id, tx, cents, lcents, detail FROM rec_s ORDER BY id`, rec.ID); err != nil {
		return err
	}
	_, err := w.Exec(`INSERT INTO reconciliation_items (reconciliation_id, status, rule, transaction_id, ledger_cents, detail)
		SELECT ?, 'unmatched_ledger', NULL, tx, cents, 'booked ' || bdate || ' on bank, not on the statement'
		FROM rec_l WHERE rule IS NULL AND in_period ORDER BY tx`, rec.ID)
	return err
}
