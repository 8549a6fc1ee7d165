package reconcile

import (
	"settle/ledger"
)

// loadSides fills two temporary tables: rec_s, the statement's entries (each unit
// the ingest made of them), and rec_l, the ledger's movements on the partner's bank
// account around the statement's period, with the bank references of the entry
// that caused each (its source).
func loadSides(w *ledger.Writer, st statementRow, bank int64, opt Options) error {
	for _, q := range []string{
		`CREATE TEMP TABLE IF NOT EXISTS rec_s (id INTEGER PRIMARY KEY, ref TEXT, e2e TEXT, pmtinf TEXT, cents INTEGER NOT NULL,
			vdate TEXT, code TEXT, own_currency BOOLEAN NOT NULL, status TEXT, rule TEXT, tx INTEGER, lcents INTEGER, detail TEXT NOT NULL DEFAULT '')`,
		`CREATE TEMP TABLE IF NOT EXISTS rec_l (tx INTEGER PRIMARY KEY, ref TEXT, e2e TEXT, pmtinf TEXT, cents INTEGER NOT NULL,
			vdate TEXT, bdate TEXT, in_period BOOLEAN NOT NULL, rule TEXT, sid INTEGER)`,
		`DELETE FROM rec_s`, `DELETE FROM rec_l`,
		`CREATE INDEX IF NOT EXISTS rec_s_ref ON rec_s(ref)`, `CREATE INDEX IF NOT EXISTS rec_s_e2e ON rec_s(e2e)`,
		`CREATE INDEX IF NOT EXISTS rec_s_pmtinf ON rec_s(pmtinf)`, `CREATE INDEX IF NOT EXISTS rec_s_cents ON rec_s(cents)`,
		`CREATE INDEX IF NOT EXISTS rec_l_ref ON rec_l(ref)`, `CREATE INDEX IF NOT EXISTS rec_l_e2e ON rec_l(e2e)`,
		`CREATE INDEX IF NOT EXISTS rec_l_pmtinf ON rec_l(pmtinf)`, `CREATE INDEX IF NOT EXISTS rec_l_cents ON rec_l(cents)`,
	} {
		if _, err := w.ExecOnce(q); err != nil {
			return err
		}
	}
	if _, err := w.ExecOnce(`INSERT INTO rec_s (id, ref, e2e, pmtinf, cents, vdate, code, own_currency)
		SELECT e.id, e.acct_svcr_ref, NULLIF(e.end_to_end_id, 'NOTPROVIDED'), e.pmt_inf_id,
			CASE WHEN e.credit THEN e.amount_cents ELSE -e.amount_cents END, COALESCE(e.value_date, e.booking_date), e.bank_tx_code,
			e.currency = (SELECT currency FROM bank_statements WHERE id = ?)
		FROM bank_entries e WHERE e.file_id = ? AND e.account = ?`, st.ID, st.FileID, st.Account); err != nil {
		return err
	}
	// A movement another statement matched, or that a person unmatched (it waits for
	// a match by hand), is not this statement's to match.
	from, to := st.From.AddDays(-opt.ToleranceDays), st.To.AddDays(opt.ToleranceDays)
	if _, err := w.ExecOnce(`INSERT INTO rec_l (tx, ref, e2e, pmtinf, cents, vdate, bdate, in_period)
		SELECT t.id, e.acct_svcr_ref, NULLIF(e.end_to_end_id, 'NOTPROVIDED'), e.pmt_inf_id, SUM(p.amount_cents), t.value_date, t.booking_date,
			t.booking_date BETWEEN ? AND ?
		FROM postings p JOIN transactions t ON t.id = p.transaction_id
		LEFT JOIN bank_entries e ON e.file_id = t.source_file_id AND e.position = t.source_entry AND e.detail <= 1
		WHERE p.account_id = ? AND t.booking_date BETWEEN ? AND ?
			AND NOT EXISTS (SELECT 1 FROM statement_matches m WHERE m.transaction_id = t.id AND (m.statement_id <> ? OR m.how = 'unmatched'))
		GROUP BY t.id, e.acct_svcr_ref, e.end_to_end_id, e.pmt_inf_id, t.value_date, t.booking_date HAVING SUM(p.amount_cents) <> 0`,
		st.From, st.To, bank, from, to, st.ID); err != nil {
		return err
	}
	return applyManualMatches(w, st.ID, bank)
}

// applyManualMatches marks what people matched by hand on this statement as
// matched before any rule runs: each entry with the movements it was given.
func applyManualMatches(w *ledger.Writer, statementID, bank int64) error {
	if _, err := w.ExecOnce(`UPDATE rec_l SET rule = 'manual', sid = (SELECT m.bank_entry_id FROM statement_matches m WHERE m.transaction_id = rec_l.tx)
		WHERE tx IN (SELECT transaction_id FROM statement_matches WHERE statement_id = ? AND how = 'manual')`, statementID); err != nil {
		return err
	}
	_, err := w.ExecOnce(`UPDATE rec_s SET status = 'matched', rule = 'manual',
			tx = (SELECT MIN(m.transaction_id) FROM statement_matches m WHERE m.bank_entry_id = rec_s.id AND m.how = 'manual'),
			lcents = (SELECT SUM(p.amount_cents) FROM statement_matches m JOIN postings p ON p.transaction_id = m.transaction_id
				WHERE m.bank_entry_id = rec_s.id AND m.how = 'manual' AND p.account_id = ?),
			detail = (SELECT MAX(CASE WHEN m.reason <> '' THEN 'matched by ' || m.created_by || ': ' || m.reason ELSE 'matched by ' || m.created_by END)
				FROM statement_matches m WHERE m.bank_entry_id = rec_s.id AND m.how = 'manual')
		WHERE id IN (SELECT bank_entry_id FROM statement_matches WHERE statement_id = ? AND how = 'manual')`, bank, statementID)
	return err
}

// recordMatches replaces the statement's matches by rule with the ones just made,
// so that no other statement matches the same movements.
func recordMatches(w *ledger.Writer, statementID int64) error {
	if _, err := w.Exec(`DELETE FROM statement_matches WHERE statement_id = ? AND how NOT IN ('manual', 'unmatched')`, statementID); err != nil {
		return err
	}
	_, err := w.ExecOnce(`INSERT INTO statement_matches (transaction_id, bank_entry_id, statement_id, how, created_by, created_at)
		SELECT tx, sid, ?, rule, 'reconcile', ? FROM rec_l WHERE rule IS NOT NULL AND rule <> 'manual' AND sid IS NOT NULL ORDER BY tx`,
		statementID, w.NowText())
	return err
}

// match applies the rules in order. The reference rules match groups: every
// statement unit and every ledger movement sharing the reference, so one batch
// entry may settle many movements and a split entry many units; the group's sums
// must agree, else each of its units is an amount difference. The last rule pairs
// what is left one to one by amount (within the tolerance) and value date.
func match(w *ledger.Writer, opt Options) error {
	for _, col := range []string{"ref", "e2e", "pmtinf"} {
		rule := map[string]string{"ref": "acct_svcr_ref", "e2e": "end_to_end_id", "pmtinf": "pmt_inf_id"}[col]
		if _, err := w.ExecOnce(`CREATE TEMP TABLE IF NOT EXISTS rec_g (k TEXT PRIMARY KEY, scents INTEGER, lcents INTEGER, tx INTEGER)`); err != nil {
			return err
		}
		if _, err := w.ExecOnce(`DELETE FROM rec_g`); err != nil {
			return err
		}
		if _, err := w.ExecOnce(`INSERT INTO rec_g (k, scents, lcents, tx)
			SELECT s.k, s.cents, l.cents, l.tx FROM
				(SELECT ` + col + ` AS k, SUM(cents) AS cents FROM rec_s WHERE status IS NULL AND own_currency AND ` + col + ` IS NOT NULL GROUP BY ` + col + `) s
			JOIN (SELECT ` + col + ` AS k, SUM(cents) AS cents, MIN(tx) AS tx FROM rec_l WHERE rule IS NULL AND ` + col + ` IS NOT NULL GROUP BY ` + col + `) l
			ON l.k = s.k`); err != nil {
			return err
		}
		if _, err := w.ExecOnce(`UPDATE rec_s SET rule = ?, tx = g.tx, lcents = g.lcents,
			status = CASE WHEN g.scents = g.lcents THEN 'matched' ELSE 'amount_difference' END,
			detail = CASE WHEN g.scents = g.lcents THEN '' ELSE 'the bank says ' || `+ledger.SQLCents("g.scents")+` ||
				', the ledger ' || `+ledger.SQLCents("g.lcents")+` END
			FROM rec_g g WHERE rec_s.`+col+` = g.k AND rec_s.status IS NULL AND rec_s.own_currency`, rule); err != nil {
			return err
		}
		if _, err := w.ExecOnce(`UPDATE rec_l SET rule = ?, sid = (SELECT MIN(s.id) FROM rec_s s WHERE s.`+col+` = rec_l.`+col+` AND s.rule = ?)
			WHERE rule IS NULL AND `+col+` IN (SELECT k FROM rec_g)`, rule, rule); err != nil {
			return err
		}
	}
	// Amount and value date: pair the n-th unmatched unit of an amount with the n-th
	// unmatched movement of that amount, in date order, when their dates are close;
	// then, with an amount tolerance, the rest greedily by the closest amount.
	for _, q := range []string{
		`CREATE TEMP TABLE IF NOT EXISTS rec_p (sid INTEGER PRIMARY KEY, tx INTEGER UNIQUE, lcents INTEGER)`,
		`DELETE FROM rec_p`,
	} {
		if _, err := w.ExecOnce(q); err != nil {
			return err
		}
	}
	if _, err := w.ExecOnce(`INSERT INTO rec_p (sid, tx, lcents)
		SELECT s.id, l.tx, l.cents FROM
			(SELECT id, cents, vdate, ROW_NUMBER() OVER (PARTITION BY cents ORDER BY vdate, id) AS n FROM rec_s WHERE status IS NULL AND own_currency) s
		JOIN (SELECT tx, cents, vdate, ROW_NUMBER() OVER (PARTITION BY cents ORDER BY vdate, tx) AS n FROM rec_l WHERE rule IS NULL) l
			ON l.cents = s.cents AND l.n = s.n
		WHERE `+w.D().DayDiff("l.vdate", "s.vdate")+` <= ?
		ON CONFLICT DO NOTHING`, opt.ToleranceDays); err != nil {
		return err
	}
	if opt.ToleranceCents > 0 {
		if _, err := w.ExecOnce(`INSERT INTO rec_p (sid, tx, lcents)
			SELECT s.id, l.tx, l.cents FROM rec_s s JOIN rec_l l ON l.cents BETWEEN s.cents - ? AND s.cents + ?
				AND `+w.D().DayDiff("l.vdate", "s.vdate")+` <= ?
			WHERE s.status IS NULL AND s.own_currency AND l.rule IS NULL AND s.id NOT IN (SELECT sid FROM rec_p)
				AND l.tx NOT IN (SELECT tx FROM rec_p)
			ORDER BY s.id, abs(l.cents - s.cents), l.tx
			ON CONFLICT DO NOTHING`, opt.ToleranceCents, opt.ToleranceCents, opt.ToleranceDays); err != nil {
			return err
		}
	}
	if _, err := w.ExecOnce(`UPDATE rec_s SET rule = 'amount_date', status = 'matched', tx = p.tx, lcents = p.lcents FROM rec_p p
		WHERE rec_s.id = p.sid`); err != nil {
		return err
	}
	if _, err := w.ExecOnce(`UPDATE rec_l SET rule = 'amount_date', sid = (SELECT p.sid FROM rec_p p WHERE p.tx = rec_l.tx)
		WHERE tx IN (SELECT tx FROM rec_p)`); err != nil {
		return err
	}
	// What is left on the statement is missing from the ledger.
	_, err := w.ExecOnce(`UPDATE rec_s SET status = 'unmatched_bank', detail = CASE
			WHEN NOT own_currency THEN 'in another currency than the account''s: never posted'
			WHEN code LIKE '%/CHRG' OR code LIKE '%/COMM' THEN 'an unexpected bank charge (' || code || ')'
			ELSE 'no ledger movement on bank for it' END
		WHERE status IS NULL`)
	return err
}
