package reconcile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"settle"
	"strings"

	"settle/ledger"
)

// ForceMatch pairs the statement entry of an open break with ledger movements on
// the partner's bank account, by hand. Their sum must be the entry's amount, or the
// difference is recorded with the reason given. A movement another entry matched
// is refused (unmatch it first): a movement is matched by one entry at most. The
// break and the movements' own breaks are resolved; later reconciliations keep the
// match.
func ForceMatch(ctx context.Context, s *ledger.Store, id int64, txs []int64, reason, by string, day settle.Day) (difference int64, err error) {
	if len(txs) == 0 {
		return 0, settle.FieldError("tx", "name the ledger movements to match")
	}
	err = s.Write(ctx, func(w *ledger.Writer) error {
		difference = 0
		b, err := openBreak(w, id, by, true)
		if err != nil {
			return err
		}
		if b.BankEntryID == nil || b.StatementID == nil {
			return settle.Errorf(settle.Invalid, "break %d is of ledger movement %s: %v", id, b.Subject, ErrBreakKind)
		}
		var entry struct {
			Cents  int64 `db:"cents"`
			Credit bool  `db:"credit"`
		}
		if err := w.Get(&entry, `SELECT amount_cents AS cents, credit FROM bank_entries WHERE id = ?`, *b.BankEntryID); err != nil {
			return err
		}
		bankCents := entry.Cents
		if !entry.Credit {
			bankCents = -bankCents
		}
		bank, err := ledger.AccountID(w, ledger.PartnerAccountCode(b.PartnerKey, "bank"))
		if err != nil {
			return err
		}
		// What rules had paired with the entry gives way to the person's choice.
		if _, err := w.Exec(`DELETE FROM statement_matches WHERE bank_entry_id = ? AND how NOT IN ('manual', 'unmatched')`, *b.BankEntryID); err != nil {
			return err
		}
		var ledgerCents int64
		for _, tx := range txs {
			var c sql.NullInt64
			if err := w.Get(&c, `SELECT SUM(amount_cents) FROM postings WHERE transaction_id = ? AND account_id = ?`, tx, bank); err != nil {
				return err
			}
			if !c.Valid || c.Int64 == 0 {
				return settle.Errorf(settle.Invalid, "transaction %d moves no money on the bank account of %s", tx, b.PartnerKey)
			}
			var other struct {
				Entry int64  `db:"bank_entry_id"`
				How   string `db:"how"`
			}
			err := w.Get(&other, `SELECT bank_entry_id, how FROM statement_matches WHERE transaction_id = ?`, tx)
			switch {
			case err == nil && other.How != "unmatched":
				return settle.Errorf(settle.Conflict, "transaction %d is matched by statement entry %d already: unmatch it first", tx, other.Entry)
			case err != nil && !errors.Is(err, sql.ErrNoRows):
				return err
			}
			ledgerCents += c.Int64
		}
		difference = bankCents - ledgerCents
		if difference != 0 && strings.TrimSpace(reason) == "" {
			return settle.Errorf(settle.Invalid, "the bank says %s, the movements sum to %s: give a reason to record the difference of %s",
				ledger.FormatCents(bankCents), ledger.FormatCents(ledgerCents), ledger.FormatCents(difference))
		}
		for _, tx := range txs {
			if _, err := w.Exec(`DELETE FROM statement_matches WHERE transaction_id = ?`, tx); err != nil {
				return err
			}
			if _, err := w.Exec(`INSERT INTO statement_matches (transaction_id, bank_entry_id, statement_id, how, reason, created_by, created_at)
				VALUES (?, ?, ?, 'manual', ?, ?, ?)`, tx, *b.BankEntryID, *b.StatementID, reason, by, w.NowText()); err != nil {
				return err
			}
			if err := closeBreak(w, subjectOf(nil, &tx), by, fmt.Sprintf("matched by hand with statement entry %d", *b.BankEntryID), day); err != nil {
				return err
			}
		}
		resolution := fmt.Sprintf("matched by hand with transaction(s) %s", joinIDs(txs))
		if difference != 0 {
			resolution += fmt.Sprintf(", a difference of %s: %s", ledger.FormatCents(difference), reason)
		} else if reason != "" {
			resolution += ": " + reason
		}
		if _, err := w.Exec(`UPDATE breaks SET status = 'resolved', resolution = ?, difference_cents = ?, resolved_by = ?, resolved_day = ?
			WHERE id = ?`, resolution, difference, by, day, id); err != nil {
			return err
		}
		return journal(w, id, "matched", by, resolution)
	})
	return difference, err
}

// Unmatch undoes the matches of a statement entry, made by a rule or by hand: the
// entry and each movement it held become open breaks again, and no rule pairs those
// movements any more; a person matches them (ForceMatch).
func Unmatch(ctx context.Context, s *ledger.Store, entryID int64, reason, by string, day settle.Day) (freed []int64, err error) {
	if strings.TrimSpace(by) == "" {
		return nil, settle.FieldError("by", "who does it is required")
	}
	if strings.TrimSpace(reason) == "" {
		return nil, settle.FieldError("reason", "a reason is required")
	}
	err = s.Write(ctx, func(w *ledger.Writer) error {
		freed = nil
		var ms []struct {
			Tx        int64 `db:"transaction_id"`
			Statement int64 `db:"statement_id"`
		}
		if err := w.Select(&ms, `SELECT transaction_id, statement_id FROM statement_matches WHERE bank_entry_id = ? AND how <> 'unmatched'
			ORDER BY transaction_id`, entryID); err != nil {
			return err
		}
		if len(ms) == 0 {
			return settle.Errorf(settle.NotFound, "statement entry %d holds no match", entryID)
		}
		var e struct {
			Partner string `db:"partner_key"`
			Cents   int64  `db:"cents"`
		}
		if err := w.Get(&e, `SELECT COALESCE(partner_key, '') AS partner_key, CASE WHEN credit THEN amount_cents ELSE -amount_cents END AS cents
			FROM bank_entries WHERE id = ?`, entryID); err != nil {
			return err
		}
		bank, err := ledger.AccountID(w, ledger.PartnerAccountCode(e.Partner, "bank"))
		if err != nil {
			return err
		}
		note := "unmatched: " + reason
		entry, statement := entryID, ms[0].Statement
		if err := reopen(w, subjectOf(&entry, nil), e.Partner, UnmatchedBank, &entry, nil, &statement, &e.Cents, nil, note, by, day); err != nil {
			return err
		}
		for _, m := range ms {
			tx := m.Tx
			if _, err := w.Exec(`UPDATE statement_matches SET how = 'unmatched', reason = ?, created_by = ?, created_at = ? WHERE transaction_id = ?`,
				reason, by, w.NowText(), tx); err != nil {
				return err
			}
			var cents int64
			if err := w.Get(&cents, `SELECT COALESCE(SUM(amount_cents), 0) FROM postings WHERE transaction_id = ? AND account_id = ?`, tx, bank); err != nil {
				return err
			}
			if err := reopen(w, subjectOf(nil, &tx), e.Partner, UnmatchedLedger, nil, &tx, &statement, nil, &cents, note, by, day); err != nil {
				return err
			}
			freed = append(freed, tx)
		}
		return nil
	})
	return freed, err
}

// reopen opens the break of subject again, or a new one, journaling who and why.
func reopen(w *ledger.Writer, subject, partner, kind string, entry, tx, statement, bank, ledgerCents *int64, note, by string, day settle.Day) error {
	var id int64
	err := w.Get(&id, `SELECT id FROM breaks WHERE subject = ?`, subject)
	if errors.Is(err, sql.ErrNoRows) {
		if err := w.Get(&id, `INSERT INTO breaks (subject, partner_key, kind, bank_entry_id, transaction_id, statement_id, bank_cents,
			ledger_cents, detail, first_day, last_day, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?) RETURNING id`,
			subject, partner, kind, entry, tx, statement, bank, ledgerCents, note, day, day, w.NowText()); err != nil {
			return err
		}
		return journal(w, id, "unmatched", by, note)
	}
	if err != nil {
		return err
	}
	if _, err := w.Exec(`UPDATE breaks SET status = 'open', kind = ?, resolution = NULL, resolved_by = NULL, resolved_day = NULL,
		difference_cents = NULL, detail = ?, bank_cents = ?, ledger_cents = ? WHERE id = ?`, kind, note, bank, ledgerCents, id); err != nil {
		return err
	}
	return journal(w, id, "reopened", by, note)
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}
