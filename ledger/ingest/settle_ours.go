package ingest

import (
	"fmt"
	"settle"
	"settle/ledger"
	"settle/ledger/payments"
	"slices"

	"github.com/shopspring/decimal"
)

// ExcAmountMismatch is a booking of our batch whose amount is not what we sent.
const ExcAmountMismatch = "AMOUNT_MISMATCH"

// ourEntry is a recorded bank entry that may be a booking or return of our batches.
type ourEntry struct {
	ID       int64      `db:"id"`
	FileID   int64      `db:"file_id"`
	Position int        `db:"position"`
	Detail   int        `db:"detail"`
	Partner  string     `db:"partner_key"`
	Credit   bool       `db:"credit"`
	Cents    int64      `db:"amount_cents"`
	Charges  int64      `db:"charges_cents"`
	E2E      *string    `db:"end_to_end_id"`
	PmtInfID *string    `db:"pmt_inf_id"`
	MsgID    *string    `db:"msg_id"`
	Reason   *string    `db:"return_reason"`
	Date     settle.Day `db:"date"`
	Debtor   *string    `db:"debtor_iban"`
	Name     *string    `db:"debtor_name"`
	Currency string     `db:"currency"`
	Mandate  *string    `db:"mandate_id"`
}

// ourPayment is a direct debit or credit transfer a booking settles or a return undoes.
type ourPayment struct {
	ID       int64   `db:"id"`
	Partner  string  `db:"partner_key"`
	WalletID *string `db:"wallet_id"`
	Cents    int64   `db:"amount_cents"`
	Status   string  `db:"status"`
	Kind     string  `db:"kind"`
	Refund   *int64  `db:"refund_request_id"`
	Mandate  *string `db:"mandate_id"`
	Back     *int64  `db:"back_account_id"` // where a fee payout's or a reset's money goes back
	Batch    *int64  `db:"batch_id"`
}

// settleOurs acts on the units of a file that the ingest recorded as bookings or
// returns of our batches: a booked collection credits the wallet's restricted
// bucket; a booked payout clears payout_clearing; a returned collection debits the
// wallet (restricted first; below zero is a debt) and books the bank's charge; a
// returned payout credits the wallet back. Matched by EndToEndId, else by the
// PmtInfId or MsgId of a batch-booked entry. A matched entry becomes posted; one
// whose amount is not what we sent becomes an AMOUNT_MISMATCH exception (a credit
// into suspense); an unmatched one stays recorded.
func settleOurs(w *ledger.Writer, fileID int64, day settle.Day, sum *FileSummary) error {
	var last int64
	for {
		var es []ourEntry
		if err := w.Select(&es, `SELECT id, file_id, position, detail, partner_key, credit, amount_cents, charges_cents,
			end_to_end_id, pmt_inf_id, msg_id, return_reason, COALESCE(booking_date, value_date) AS date, debtor_iban, debtor_name,
			currency, mandate_id FROM bank_entries WHERE file_id = ? AND outcome = 'recorded' AND status = 'BOOK' AND partner_key IS NOT NULL
			AND currency = 'EUR' AND id > ? ORDER BY id LIMIT 1000`, fileID, last); err != nil {
			return err
		}
		if len(es) == 0 {
			return nil
		}
		for _, e := range es {
			last = e.ID
			if e.Date.IsZero() {
				e.Date = day // the entry carries no date: the ingest's day
			}
			if err := settleEntry(w, e, sum); err != nil {
				return fmt.Errorf("entry %d: %w", e.Position, err)
			}
		}
	}
}

func settleEntry(w *ledger.Writer, e ourEntry, sum *FileSummary) error {
	sdd := e.Credit != (e.Reason != nil) // a collection is a credit; its return a debit
	table := "credit_transfers"
	if sdd {
		table = "direct_debits"
	}
	ps, err := paymentsOf(w, table, e)
	if err != nil || len(ps) == 0 {
		return err
	}
	var sent int64
	for _, p := range ps {
		sent += p.Cents
	}
	if e.Reason != nil {
		sum.touchBatch(ps[0].Batch)
		return returned(w, e, ps[0], sdd, sum)
	}
	if sent != e.Cents {
		return mismatch(w, e, fmt.Sprintf("booked %s for %d transactions of ours that sent %s", ledger.FormatCents(e.Cents), len(ps), ledger.FormatCents(sent)), sum)
	}
	var txID int64
	for _, p := range ps {
		if txID, err = booked(w, e, p, sdd); err != nil {
			return err
		}
		sum.touchBatch(p.Batch)
	}
	return markPosted(w, e, txID, sum)
}

// paymentsOf finds what an entry books or returns: one transaction by EndToEndId,
// or a whole block or batch by PmtInfId or MsgId.
func paymentsOf(w *ledger.Writer, table string, e ourEntry) ([]ourPayment, error) {
	cols := `id, partner_key, wallet_id, amount_cents, status, batch_id, `
	if table == "direct_debits" {
		cols += `'SddCollection' AS kind, NULL AS refund_request_id, mandate_id, NULL AS back_account_id`
	} else {
		cols += `kind, refund_request_id, NULL AS mandate_id, back_account_id`
	}
	live := `status IN ('Batched', 'Sent')`
	if e.Reason != nil {
		live = `status IN ('Batched', 'Sent', 'Settled')`
	}
	var ps []ourPayment
	if e.E2E != nil {
		if err := w.Select(&ps, `SELECT `+cols+` FROM `+table+` WHERE end_to_end_id = ? AND partner_key = ? AND `+live,
			*e.E2E, e.Partner); err != nil || len(ps) > 0 {
			return ps, err
		}
	}
	if e.Reason != nil && e.Mandate != nil && table == "direct_debits" {
		// A return without our EndToEndId (some banks drop it): the latest collection
		// under that mandate for the amount returned.
		err := w.Select(&ps, `SELECT `+cols+` FROM direct_debits WHERE mandate_id = ? AND partner_key = ?
			AND amount_cents = ? AND `+live+` ORDER BY id DESC LIMIT 1`, *e.Mandate, e.Partner, e.Cents-e.Charges)
		return ps, err
	}
	if e.Detail != 0 || e.Reason != nil {
		return nil, nil // a transaction of a split batch entry, or a return, is matched by its own references only
	}
	for _, by := range []struct {
		ref   *string
		where string
	}{{e.PmtInfID, `pmt_inf_id = ?`}, {e.MsgID, `batch_id = (SELECT id FROM batches WHERE msg_id = ?)`}} {
		if by.ref == nil {
			continue
		}
		if err := w.Select(&ps, `SELECT `+cols+` FROM `+table+` WHERE `+by.where+` AND partner_key = ? AND `+live+` ORDER BY id`,
			*by.ref, e.Partner); err != nil || len(ps) > 0 {
			return ps, err
		}
	}
	return nil, nil
}

// booked settles one transaction of ours that the bank booked.
func booked(w *ledger.Writer, e ourEntry, p ourPayment, sdd bool) (int64, error) {
	bank, err := ledger.AccountID(w, ledger.PartnerAccountCode(p.Partner, "bank"))
	if err != nil {
		return 0, err
	}
	var other int64
	typ := "PayoutBooked"
	if sdd {
		typ = "SddDeposit"
		other, err = ledger.AccountID(w, ledger.WalletAccountCode(*p.WalletID, ledger.BucketRestricted))
	} else {
		other, err = ledger.AccountID(w, ledger.PartnerAccountCode(p.Partner, "payout_clearing"))
	}
	if err != nil {
		return 0, err
	}
	amount := p.Cents
	if !sdd {
		amount = -amount // the bank's money leaves: payout_clearing is settled against bank
	}
	t := &ledger.Transaction{Key: fmt.Sprintf("booked:%s:%d", p.Kind, p.ID), Type: typ, PartnerKey: p.Partner, WalletID: ledger.Deref(p.WalletID),
		ValueDate: e.Date, BookingDate: e.Date, Source: ledger.Source{FileID: &e.FileID, Entry: &e.Position}, CreatedBy: "ingest",
		Description: fmt.Sprintf("%s booked by the bank", p.Kind), Postings: []ledger.Posting{{AccountID: bank, AmountCents: amount}, {AccountID: other, AmountCents: -amount}}}
	id, _, err := w.Post(t)
	if err != nil {
		return 0, err
	}
	table := "credit_transfers"
	if sdd {
		table = "direct_debits"
		if err := w.AddOperation(&ledger.Operation{OperationID: fmt.Sprintf("sdd:%d", p.ID), TransactionID: &id, OperationType: "SddDeposit",
			OperationStatus: ledger.StatusCompleted, AmountCents: p.Cents, CustomerNetCents: p.Cents, CustomerFinalCents: p.Cents,
			PartnerKey: p.Partner, WalletID: p.WalletID, OperationDate: e.Date}); err != nil {
			return 0, err
		}
	}
	if _, err := w.Exec(`UPDATE `+table+` SET status = 'Settled', updated_at = ? WHERE id = ?`, w.NowText(), p.ID); err != nil {
		return 0, err
	}
	if p.Refund != nil {
		if _, err := w.Exec(`UPDATE refund_requests SET status = 'paid' WHERE id = ?`, *p.Refund); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// returned undoes a collection or payout the bank returned with a reason code.
func returned(w *ledger.Writer, e ourEntry, p ourPayment, sdd bool, sum *FileSummary) error {
	reason := *e.Reason
	bank, err := ledger.AccountID(w, ledger.PartnerAccountCode(p.Partner, "bank"))
	if err != nil {
		return err
	}
	charges, err := ledger.AccountID(w, ledger.PartnerAccountCode(p.Partner, "bank_charges"))
	if err != nil {
		return err
	}
	var postings []ledger.Posting
	status := payments.PayReturned
	if sdd {
		// The bank takes back the original amount, plus its charge.
		charge := e.Cents - p.Cents
		if charge < 0 {
			return mismatch(w, e, fmt.Sprintf("return of %s for a collection of %s", ledger.FormatCents(e.Cents), ledger.FormatCents(p.Cents)), sum)
		}
		if p.Status != payments.PaySettled { // never seen booked: book it now, then return it
			if _, err := booked(w, e, p, true); err != nil {
				return err
			}
		}
		restricted, err := ledger.AccountID(w, ledger.WalletAccountCode(*p.WalletID, ledger.BucketRestricted))
		if err != nil {
			return err
		}
		withdrawable, err := ledger.AccountID(w, ledger.WalletAccountCode(*p.WalletID, ledger.BucketWithdrawable))
		if err != nil {
			return err
		}
		bal, err := w.Balance(restricted)
		if err != nil {
			return err
		}
		fromRestricted := min(p.Cents, max(-bal, 0))
		postings = append(postings, ledger.Posting{AccountID: bank, AmountCents: -e.Cents})
		if fromRestricted > 0 {
			postings = append(postings, ledger.Posting{AccountID: restricted, AmountCents: fromRestricted})
		}
		if rest := p.Cents - fromRestricted; rest > 0 { // below zero: a debt the debts report shows
			postings = append(postings, ledger.Posting{AccountID: withdrawable, AmountCents: rest})
		}
		if charge > 0 {
			postings = append(postings, ledger.Posting{AccountID: charges, AmountCents: charge})
		}
		if reason == "MD06" || reason == "MD01" {
			status = payments.PayRefunded
		}
		if err := mandateAfterReject(w, p.ID, reason); err != nil {
			return err
		}
	} else {
		// The payout comes back, less any charge; the wallet gets the whole amount back.
		charge := p.Cents - e.Cents
		if charge < 0 {
			return mismatch(w, e, fmt.Sprintf("return of %s for a payout of %s", ledger.FormatCents(e.Cents), ledger.FormatCents(p.Cents)), sum)
		}
		clearing, err := ledger.AccountID(w, ledger.PartnerAccountCode(p.Partner, "payout_clearing"))
		if err != nil {
			return err
		}
		backTo := ledger.PartnerAccountCode(p.Partner, "suspense") // a refund's money goes back to suspense
		if p.WalletID != nil {
			backTo = ledger.WalletAccountCode(*p.WalletID, ledger.BucketWithdrawable)
		}
		back, err := ledger.AccountID(w, backTo)
		if err != nil {
			return err
		}
		if p.Back != nil {
			back = *p.Back
		}
		if p.Status == payments.PaySettled {
			postings = []ledger.Posting{{AccountID: bank, AmountCents: e.Cents}, {AccountID: back, AmountCents: -p.Cents}}
		} else { // the payout's booking was never seen: it leaves payout_clearing now
			postings = []ledger.Posting{{AccountID: clearing, AmountCents: p.Cents}, {AccountID: back, AmountCents: -p.Cents}, {AccountID: bank, AmountCents: -charge}}
		}
		if charge > 0 {
			postings = append(postings, ledger.Posting{AccountID: charges, AmountCents: charge})
		}
		postings = slices.DeleteFunc(postings, func(x ledger.Posting) bool { return x.AmountCents == 0 })
	}
	id, _, err := w.Post(&ledger.Transaction{Key: fmt.Sprintf("returned:%s:%d", p.Kind, p.ID), Type: "Return", PartnerKey: p.Partner,
		WalletID: ledger.Deref(p.WalletID), ValueDate: e.Date, BookingDate: e.Date, Source: ledger.Source{FileID: &e.FileID, Entry: &e.Position}, CreatedBy: "ingest",
		Description: fmt.Sprintf("%s returned by the bank (%s)", p.Kind, reason), Postings: postings})
	if err != nil {
		return err
	}
	table := "credit_transfers"
	if sdd {
		table = "direct_debits"
	}
	if _, err := w.Exec(`UPDATE `+table+` SET status = ?, reason_code = ?, updated_at = ? WHERE id = ?`, status, reason, w.NowText(), p.ID); err != nil {
		return err
	}
	return markPosted(w, e, id, sum)
}

func markPosted(w *ledger.Writer, e ourEntry, txID int64, sum *FileSummary) error {
	if _, err := w.Exec(`UPDATE bank_entries SET outcome = 'posted', transaction_id = ? WHERE id = ?`, txID, e.ID); err != nil {
		return err
	}
	sum.move(OutcomeRecorded, OutcomePosted, e.Currency, ledger.FromCents(e.Cents))
	return nil
}

// mismatch makes a recorded entry an AMOUNT_MISMATCH exception; a credit's money
// goes into suspense.
func mismatch(w *ledger.Writer, e ourEntry, detail string, sum *FileSummary) error {
	var txID *int64
	if e.Credit {
		bank, err := ledger.AccountID(w, ledger.PartnerAccountCode(e.Partner, "bank"))
		if err != nil {
			return err
		}
		susp, err := ledger.AccountID(w, ledger.PartnerAccountCode(e.Partner, "suspense"))
		if err != nil {
			return err
		}
		id, _, err := w.Post(&ledger.Transaction{Key: fmt.Sprintf("mismatch:%d", e.ID), Type: "Suspense", PartnerKey: e.Partner,
			ValueDate: e.Date, BookingDate: e.Date, Source: ledger.Source{FileID: &e.FileID, Entry: &e.Position}, CreatedBy: "ingest",
			Description: ExcAmountMismatch + ": " + detail, Postings: []ledger.Posting{{AccountID: bank, AmountCents: e.Cents}, {AccountID: susp, AmountCents: -e.Cents}}})
		if err != nil {
			return err
		}
		txID = &id
	}
	if _, err := w.Exec(`UPDATE bank_entries SET outcome = 'exception', transaction_id = ? WHERE id = ?`, txID, e.ID); err != nil {
		return err
	}
	// Numbered as the file's other exceptions are (on PostgreSQL the table's sequence
	// does not follow an exclusive writer's own numbering until it commits).
	excID, err := ledger.NextID(w, "exceptions")
	if err != nil {
		return err
	}
	if _, err := w.Exec(`INSERT INTO exceptions (id, reason, detail, bank_entry_id, partner_key, amount_cents, amount, currency,
		debtor_iban, debtor_name, in_suspense, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
		excID, ExcAmountMismatch, detail, e.ID, e.Partner, e.Cents, ledger.FormatCents(e.Cents), e.Currency, e.Debtor, e.Name, e.Credit, w.NowText()); err != nil {
		return err
	}
	sum.move(OutcomeRecorded, OutcomeException, e.Currency, ledger.FromCents(e.Cents))
	return nil
}

// move recounts a unit under another outcome.
func (s *FileSummary) move(from, to, currency string, amount decimal.Decimal) {
	s.Counts[from]--
	s.Amounts[from][currency] = settle.Money{Decimal: s.Amounts[from][currency].Sub(amount)}
	s.Units--
	s.add(to, currency, amount)
}
