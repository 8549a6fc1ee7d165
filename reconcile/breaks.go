package reconcile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"settle"
	"strconv"
	"strings"

	"settle/ledger"
)

// Break statuses.
const (
	BreakOpen     = "open"
	BreakResolved = "resolved"
)

// Break is a reconciliation finding a person works to closure.
type Break struct {
	ID            int64         `db:"id" json:"breakId"`
	Subject       string        `db:"subject" json:"subject"` // entry:ID (a statement entry) or tx:ID (a ledger movement)
	PartnerKey    string        `db:"partner_key" json:"partnerKey"`
	Kind          string        `db:"kind" json:"kind"`
	BankEntryID   *int64        `db:"bank_entry_id" json:"bankEntryId"`
	TransactionID *int64        `db:"transaction_id" json:"transactionId"`
	StatementID   *int64        `db:"statement_id" json:"statementId"`
	BankAmount    *settle.Money `db:"bank_cents" json:"bankAmount"`     // signed: credits positive
	LedgerAmount  *settle.Money `db:"ledger_cents" json:"ledgerAmount"` // the same sign as the bank's
	Detail        string        `db:"detail" json:"detail"`
	FirstDay      settle.Day    `db:"first_day" json:"firstDay"`
	LastDay       settle.Day    `db:"last_day" json:"lastDay"`
	Status        string        `db:"status" json:"status"`
	Assignee      *string       `db:"assignee" json:"assignee"`
	Resolution    *string       `db:"resolution" json:"resolution"`
	Difference    *settle.Money `db:"difference_cents" json:"difference"` // a force-match's bank amount minus the ledger's
	ResolvedBy    *string       `db:"resolved_by" json:"resolvedBy"`
	ResolvedDay   *string       `db:"resolved_day" json:"resolvedDay"`
	CreatedAt     string        `db:"created_at" json:"createdAt"`
}

// BreakEvent is one line of a break's journal.
type BreakEvent struct {
	Action string `db:"action" json:"action"`
	Actor  string `db:"actor" json:"actor"`
	Note   string `db:"note" json:"note"`
	At     string `db:"at" json:"at"`
}

// AgeOn is how many days the break has been open on day (or was, until resolved).
func (b Break) AgeOn(day settle.Day) int {
	end := day
	if b.ResolvedDay != nil {
		if d, err := settle.ParseDay(*b.ResolvedDay); err == nil && d.Before(day) {
			end = d
		}
	}
	return max(end.Sub(b.FirstDay), 0)
}

// syncBreaks turns the reconciliation's findings into breaks (a new one is found;
// an open one seen again carries over; a resolved one stays resolved) and resolves
// the partner's open breaks that this reconciliation matched. It costs a query per
// finding and per open break, none per matched entry: a statement of a million
// entries has few of either.
func syncBreaks(w *ledger.Writer, rec Statement) error {
	var items []struct {
		Status string `db:"status"`
		Entry  *int64 `db:"bank_entry_id"`
		Tx     *int64 `db:"transaction_id"`
		Bank   *int64 `db:"bank_cents"`
		Ledger *int64 `db:"ledger_cents"`
		Detail string `db:"detail"`
	}
	if err := w.Select(&items, `SELECT status, bank_entry_id, transaction_id, bank_cents, ledger_cents, detail
		FROM reconciliation_items WHERE reconciliation_id = ? AND status <> 'matched' ORDER BY id`, rec.ID); err != nil {
		return err
	}
	for _, it := range items {
		sub := subjectOf(it.Entry, it.Tx)
		if it.Status == UnmatchedLedger {
			sub = subjectOf(nil, it.Tx)
		}
		if err := foundBreak(w, sub, rec.PartnerKey, it.Status, it.Entry, it.Tx, &rec.StatementID, it.Bank, it.Ledger, it.Detail, rec.Day); err != nil {
			return err
		}
	}
	var open []struct {
		ID      int64  `db:"id"`
		Subject string `db:"subject"`
	}
	if err := w.Select(&open, `SELECT id, subject FROM breaks WHERE status = 'open' AND partner_key = ? ORDER BY id`, rec.PartnerKey); err != nil {
		return err
	}
	for _, b := range open {
		kind, ref, _ := strings.Cut(b.Subject, ":")
		id, err := strconv.ParseInt(ref, 10, 64)
		if err != nil {
			return fmt.Errorf("break %d: subject %q: %w", b.ID, b.Subject, err)
		}
		var matched bool
		switch kind {
		case "entry": // one of this statement's entries, matched by a rule now
			matched, err = ledger.RowExists(w, `SELECT 1 FROM rec_s WHERE id = ? AND status = 'matched'`, id)
		case "tx": // a movement some statement's entry holds now
			matched, err = ledger.RowExists(w, `SELECT 1 FROM statement_matches WHERE transaction_id = ? AND how <> 'unmatched'`, id)
		}
		if err != nil {
			return err
		}
		if matched {
			if err := closeBreak(w, b.Subject, "reconcile", "matched by the reconciliation of statement "+strconv.FormatInt(rec.StatementID, 10), rec.Day); err != nil {
				return err
			}
		}
	}
	return nil
}

func subjectOf(entry, tx *int64) string {
	if entry != nil {
		return "entry:" + strconv.FormatInt(*entry, 10)
	}
	return "tx:" + strconv.FormatInt(*tx, 10)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// foundBreak records a finding: a new break, or an open one seen again (its last
// day and amounts follow). A resolved break stays resolved; one that was
// unmatched by a person reopens.
func foundBreak(w *ledger.Writer, subject, partner, kind string, entry, tx, statement, bank, ledgerCents *int64, detail string, day settle.Day) error {
	var b Break
	err := w.Get(&b, `SELECT * FROM breaks WHERE subject = ?`, subject)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var id int64
		if err := w.Get(&id, `INSERT INTO breaks (subject, partner_key, kind, bank_entry_id, transaction_id, statement_id, bank_cents,
			ledger_cents, detail, first_day, last_day, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?) RETURNING id`,
			subject, partner, kind, entry, tx, statement, bank, ledgerCents, detail, day, day, w.NowText()); err != nil {
			return err
		}
		return journal(w, id, "found", "reconcile", detail)
	case err != nil:
		return err
	case b.Status == BreakOpen:
		_, err := w.Exec(`UPDATE breaks SET kind = ?, statement_id = COALESCE(?, statement_id), bank_cents = ?, ledger_cents = ?, detail = ?,
			last_day = CASE WHEN last_day < ? THEN ? ELSE last_day END WHERE id = ?`, kind, statement, bank, ledgerCents, detail, day, day, b.ID)
		return err
	}
	return nil
}

// closeBreak resolves the open break of subject, if there is one.
func closeBreak(w *ledger.Writer, subject, by, resolution string, day settle.Day) error {
	var id int64
	err := w.Get(&id, `SELECT id FROM breaks WHERE subject = ? AND status = 'open'`, subject)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := w.Exec(`UPDATE breaks SET status = 'resolved', resolution = ?, resolved_by = ?, resolved_day = ? WHERE id = ?`,
		resolution, by, day, id); err != nil {
		return err
	}
	return journal(w, id, "matched", by, resolution)
}

func journal(w *ledger.Writer, id int64, action, actor, note string) error {
	_, err := w.Exec(`INSERT INTO break_events (break_id, action, actor, note, at) VALUES (?, ?, ?, ?, ?)`, id, action, actor, note, w.NowText())
	return err
}

// Breaks lists breaks, oldest first: status "" lists all, partner "" every partner's.
func Breaks(ctx context.Context, s *ledger.Store, status, partner string) ([]Break, error) {
	var out []Break
	err := s.R.SelectContext(ctx, &out, `SELECT * FROM breaks WHERE (? = '' OR status = ?) AND (? = '' OR partner_key = ?)
		ORDER BY first_day, id`, status, status, partner, partner)
	return out, err
}

// BreakByID returns a break with its journal.
func BreakByID(ctx context.Context, s *ledger.Store, id int64) (Break, []BreakEvent, error) {
	var b Break
	if err := s.R.GetContext(ctx, &b, `SELECT * FROM breaks WHERE id = ?`, id); errors.Is(err, sql.ErrNoRows) {
		return b, nil, settle.Errorf(settle.NotFound, "break %d does not exist", id)
	} else if err != nil {
		return b, nil, err
	}
	var evs []BreakEvent
	err := s.R.SelectContext(ctx, &evs, `SELECT action, actor, note, at FROM break_events WHERE break_id = ? ORDER BY id`, id)
	return b, evs, err
}

// openBreak reads break id for a change by a person, who must be named.
func openBreak(w *ledger.Writer, id int64, by string, mustBeOpen bool) (Break, error) {
	var b Break
	if strings.TrimSpace(by) == "" {
		return b, settle.FieldError("by", "who does it is required")
	}
	if err := w.Get(&b, `SELECT * FROM breaks WHERE id = ?`, id); errors.Is(err, sql.ErrNoRows) {
		return b, settle.Errorf(settle.NotFound, "break %d does not exist", id)
	} else if err != nil {
		return b, err
	}
	if mustBeOpen && b.Status != BreakOpen {
		return b, settle.Errorf(settle.Conflict, "break %d is %s already (%s)", id, b.Status, deref(b.Resolution))
	}
	return b, nil
}

// AssignBreak gives an open break to a person.
func AssignBreak(ctx context.Context, s *ledger.Store, id int64, to, by string) error {
	if strings.TrimSpace(to) == "" {
		return settle.FieldError("to", "whom to assign it to is required")
	}
	return s.Write(ctx, func(w *ledger.Writer) error {
		if _, err := openBreak(w, id, by, true); err != nil {
			return err
		}
		if _, err := w.Exec(`UPDATE breaks SET assignee = ? WHERE id = ?`, to, id); err != nil {
			return err
		}
		return journal(w, id, "assigned", by, "to "+to)
	})
}

// CommentBreak adds a comment to a break's journal.
func CommentBreak(ctx context.Context, s *ledger.Store, id int64, note, by string) error {
	if strings.TrimSpace(note) == "" {
		return settle.FieldError("note", "a comment needs text")
	}
	return s.Write(ctx, func(w *ledger.Writer) error {
		if _, err := openBreak(w, id, by, false); err != nil {
			return err
		}
		return journal(w, id, "commented", by, note)
	})
}

// ResolveBreak closes an open break without a match, for the reason given (a charge
// booked by hand, a timing difference the next statement clears …).
func ResolveBreak(ctx context.Context, s *ledger.Store, id int64, reason, by string, day settle.Day) error {
	if strings.TrimSpace(reason) == "" {
		return settle.FieldError("reason", "a reason is required")
	}
	return s.Write(ctx, func(w *ledger.Writer) error {
		if _, err := openBreak(w, id, by, true); err != nil {
			return err
		}
		if _, err := w.Exec(`UPDATE breaks SET status = 'resolved', resolution = ?, resolved_by = ?, resolved_day = ? WHERE id = ?`,
			"resolved: "+reason, by, day, id); err != nil {
			return err
		}
		return journal(w, id, "resolved", by, reason)
	})
}

// ErrBreakKind is returned when a break cannot be force-matched: it has no statement entry.
var ErrBreakKind = fmt.Errorf("only a break of a statement entry can be matched: give the entry's break")
