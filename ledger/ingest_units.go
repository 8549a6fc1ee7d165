package ledger

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"settle/sepa"
)

// Exception reasons of the ingest.
const (
	ExcUnknownReference  = "UNKNOWN_REFERENCE"  // no wallet's validation code or SCT reason in the remittance
	ExcIBANMismatch      = "IBAN_MISMATCH"      // the code or reason of a wallet, sent from another IBAN
	ExcIBANNotValidated  = "IBAN_NOT_VALIDATED" // a wallet's SCT reason before its IBAN was validated
	ExcWalletSuspended   = "WALLET_SUSPENDED"
	ExcWalletClosed      = "WALLET_CLOSED"
	ExcLimitExceeded     = "LIMIT_EXCEEDED"   // crediting would take the wallet over the partner's maximum balance
	ExcForeignCurrency   = "FOREIGN_CURRENCY" // not EUR: not posted
	ExcNotOurAccount     = "NOT_OUR_ACCOUNT"  // not a partner's settlement account: not posted
	ExcUnexpectedDebit   = "UNEXPECTED_DEBIT" // a debit that is no booking of ours: not posted
	ExcAmountNotCents    = "AMOUNT_NOT_CENTS" // a EUR amount with more than two decimals: not posted
	ExcUnsplittableBatch = "UNSPLITTABLE_BATCH"
)

// ingestion is the state of one file being ingested inside one write transaction.
type ingestion struct {
	w        *Writer
	fileID   int64
	name     string
	opt      IngestOptions
	partners map[string]Partner // by settlement IBAN
	seen     map[string]int     // content fingerprints met in this file
	accounts map[string]int64   // account ids by code, looked up once per file
}

func newIngestion(w *Writer, name, kind string, opt IngestOptions) (*ingestion, error) {
	in := &ingestion{w: w, name: name, opt: opt, partners: map[string]Partner{}, seen: map[string]int{},
		accounts: map[string]int64{}}
	err := w.Get(&in.fileID, `INSERT INTO input_files (sha256, name, kind, size_bytes, job_run_id, ingested_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, opt.SHA256, name, kind, opt.Size, nullableID(opt.JobRunID), w.createdAt)
	if err != nil {
		if isUnique(err) {
			return nil, ErrDuplicateFile
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var ps []Partner
	if err := w.Tx.SelectContext(w.ctx, &ps, `SELECT * FROM partners`); err != nil {
		return nil, err
	}
	for _, p := range ps {
		in.partners[p.SettlementIBAN] = p
	}
	return in, nil
}

func (in *ingestion) close(sum *FileSummary) error {
	_, err := in.w.Exec(`UPDATE input_files SET message_id = ?, units = ?, posted = ?, exceptions = ?, duplicates = ?,
		recorded = ?, summary = ? WHERE id = ?`, nullable(sum.MessageID), sum.Units, sum.Counts[OutcomePosted],
		sum.Counts[OutcomeException], sum.Counts[OutcomeDuplicate], sum.Counts[OutcomeRecorded], summaryJSON(sum), in.fileID)
	return err
}

// unit is one entry, or one transaction of a batch-booked entry.
type unit struct {
	e      *sepa.Entry
	detail int // 1-based when the entry was split; 0 for the whole entry
	d      sepa.TxDetails
	amount sepa.Amount
}

func (in *ingestion) item(item any, sum *FileSummary) error {
	switch v := item.(type) {
	case *sepa.Statement:
		return nil // balances are the reconciliation's
	case *sepa.Status:
		return in.status(v, sum)
	case *sepa.Entry:
		cents, err := ToCents(v.Amount.Decimal)
		if err != nil {
			cents = 0 // counted below as an exception of 0 cents with the reason
		}
		sum.centsIn[v.Currency] += cents
		for _, u := range splitEntry(v) {
			if err := in.unit(u, sum); err != nil {
				return err
			}
		}
	}
	return nil
}

// splitEntry makes units of an entry: each transaction of a batch-booked entry when
// their amounts add up to the entry's, else the entry as one unit.
func splitEntry(e *sepa.Entry) []unit {
	if len(e.Details) > 1 {
		total := sepa.Amount{}
		ok := true
		for _, d := range e.Details {
			if d.Amount == nil || d.Currency != e.Currency {
				ok = false
				break
			}
			total.Decimal = total.Add(d.Amount.Decimal)
		}
		if ok && total.Equal(e.Amount.Decimal) {
			us := make([]unit, len(e.Details))
			for i, d := range e.Details {
				us[i] = unit{e: e, detail: i + 1, d: d, amount: *d.Amount}
			}
			return us
		}
	}
	u := unit{e: e, amount: e.Amount}
	if len(e.Details) >= 1 {
		u.d = e.Details[0]
	}
	return []unit{u}
}

// dedupeKey identifies a booking across files (DESIGN: Duplicates).
func (in *ingestion) dedupeKey(u unit) string {
	e, d := u.e, u.d
	ref := e.AcctSvcrRef
	if ref == "" || strings.EqualFold(ref, "NONREF") || strings.EqualFold(ref, "NOTPROVIDED") {
		ref = ""
	}
	switch {
	case ref != "" && u.detail == 0:
		return "ref|" + e.Account + "|" + ref
	case ref != "":
		return fmt.Sprintf("ref|%s|%s|%d", e.Account, ref, u.detail)
	}
	counterparty := d.DebtorIBAN
	if !e.Credit {
		counterparty = d.CreditorIBAN
	}
	if counterparty != "" && d.EndToEndID != "" && !strings.EqualFold(d.EndToEndID, "NOTPROVIDED") {
		return "e2e|" + counterparty + "|" + d.EndToEndID + "|" + u.amount.Text() + "|" + e.BookingDate
	}
	fp := fingerprint(e.Account, e.Currency, u.amount.Text(), fmt.Sprint(e.Credit), e.BookingDate, e.ValueDate,
		e.BankTxCode.String(), d.DebtorIBAN, d.CreditorIBAN, d.EndToEndID, d.Remittance, d.ReturnReason)
	in.seen[fp]++
	return fmt.Sprintf("fp|%s|%d", fp, in.seen[fp])
}

// ours tells whether an entry is a booking, reject or return of our own batches:
// direct debits (IDDT), credit transfers we sent (ICDT) and anything with a return reason.
func ours(u unit) bool {
	c := u.e.BankTxCode
	return u.d.ReturnReason != "" || c.Family == "IDDT" || c.Family == "ICDT" ||
		c.SubFamily == "RRTN" || c.SubFamily == "UPDD"
}

func (in *ingestion) unit(u unit, sum *FileSummary) error {
	cents, amtErr := ToCents(u.amount.Decimal)
	row := &bankEntry{FileID: in.fileID, Position: u.e.Position, Detail: u.detail, Account: u.e.Account,
		Currency: u.e.Currency, AmountCents: cents, Credit: u.e.Credit != u.e.Reversal, Status: u.e.Status,
		BookingDate: nullable(u.e.BookingDate), ValueDate: nullable(u.e.ValueDate), AcctSvcrRef: nullable(u.e.AcctSvcrRef),
		EndToEndID: nullable(u.d.EndToEndID), PmtInfID: nullable(u.d.PmtInfID), MsgID: nullable(u.d.MessageID),
		MandateID: nullable(u.d.MandateID), BankTxCode: nullable(u.e.BankTxCode.String()),
		ReturnReason: nullable(u.d.ReturnReason), DebtorIBAN: nullable(sepa.NormalizeIBAN(u.d.DebtorIBAN)),
		DebtorName: nullable(u.d.DebtorName), CreditorIBAN: nullable(sepa.NormalizeIBAN(u.d.CreditorIBAN)),
		Remittance: nullable(strings.TrimSpace(u.d.Remittance + " " + u.d.CreditorRef))}
	if u.e.Batch != nil && row.PmtInfID == nil {
		row.PmtInfID = nullable(u.e.Batch.PmtInfID)
	}
	for _, c := range append(append([]sepa.Charge{}, u.e.Charges...), u.d.Charges...) {
		if c.Currency == u.e.Currency {
			if cc, err := ToCents(c.Amount.Decimal); err == nil {
				row.ChargesCents += cc
			}
		}
	}
	partner, isOurs := in.partners[sepa.NormalizeIBAN(u.e.Account)]
	if isOurs {
		row.PartnerKey = &partner.PartnerKey
	}
	key := in.dedupeKey(u)
	dup, err := in.duplicateOf(key)
	if err != nil {
		return err
	}
	if dup != 0 {
		row.Outcome, row.DuplicateOf = OutcomeDuplicate, &dup
		sum.add(OutcomeDuplicate, row.Currency, cents)
		return in.insert(row)
	}
	row.DedupeKey = &key
	exc := func(reason, detail string, suspense bool) error {
		return in.exception(row, &u, partner, nil, reason, detail, suspense, sum)
	}
	switch {
	case !isOurs:
		return exc(ExcNotOurAccount, fmt.Sprintf("account %q is no partner's settlement account", u.e.Account), false)
	case u.e.Currency != "EUR":
		return exc(ExcForeignCurrency, "the entry is in "+u.e.Currency, false)
	case amtErr != nil:
		return exc(ExcAmountNotCents, amtErr.Error(), false)
	case u.e.Status != "BOOK" || ours(u):
		row.Outcome = OutcomeRecorded
		sum.add(OutcomeRecorded, row.Currency, cents)
		return in.insert(row)
	case !row.Credit:
		return exc(ExcUnexpectedDebit, "a debit that is no booking of our batches", false)
	case len(u.e.Details) > 1 && u.detail == 0:
		return exc(ExcUnsplittableBatch, "a batch-booked credit whose transactions do not add up to it", true)
	}
	return in.credit(row, &u, partner, sum)
}

func (in *ingestion) duplicateOf(key string) (int64, error) {
	var id int64
	err := in.w.Get(&id, `SELECT id FROM bank_entries WHERE dedupe_key = ?`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func (in *ingestion) status(st *sepa.Status, sum *FileSummary) error {
	var cents *int64
	if st.Amount != nil {
		if c, err := ToCents(st.Amount.Decimal); err == nil {
			cents = &c
		}
	}
	var code, info *string
	if len(st.Reasons) > 0 {
		code, info = nullable(st.Reasons[0].Code), nullable(st.Reasons[0].Info)
	}
	_, err := in.w.Exec(`INSERT INTO payment_statuses (file_id, position, level, orig_msg_id, orig_pmt_inf_id, orig_e2e_id,
		status, reason_code, reason_info, amount_cents, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.fileID, st.Position, st.Level, st.OrigMessageID, nullable(st.OrigPmtInfID), nullable(st.OrigEndToEndID),
		st.Status, code, info, cents, nullable(st.Currency))
	sum.Counts[OutcomeRecorded]++
	sum.Units++
	return err
}

// bankEntry is a row of bank_entries.
type bankEntry struct {
	FileID        int64   `db:"file_id"`
	Position      int     `db:"position"`
	Detail        int     `db:"detail"`
	DedupeKey     *string `db:"dedupe_key"`
	DuplicateOf   *int64  `db:"duplicate_of"`
	Outcome       string  `db:"outcome"`
	PartnerKey    *string `db:"partner_key"`
	Account       string  `db:"account"`
	Currency      string  `db:"currency"`
	AmountCents   int64   `db:"amount_cents"`
	Credit        bool    `db:"credit"`
	Status        string  `db:"status"`
	BookingDate   *string `db:"booking_date"`
	ValueDate     *string `db:"value_date"`
	AcctSvcrRef   *string `db:"acct_svcr_ref"`
	EndToEndID    *string `db:"end_to_end_id"`
	PmtInfID      *string `db:"pmt_inf_id"`
	MsgID         *string `db:"msg_id"`
	MandateID     *string `db:"mandate_id"`
	BankTxCode    *string `db:"bank_tx_code"`
	ReturnReason  *string `db:"return_reason"`
	ChargesCents  int64   `db:"charges_cents"`
	DebtorIBAN    *string `db:"debtor_iban"`
	DebtorName    *string `db:"debtor_name"`
	CreditorIBAN  *string `db:"creditor_iban"`
	Remittance    *string `db:"remittance"`
	TransactionID *int64  `db:"transaction_id"`
	id            int64
}

func (in *ingestion) insert(b *bankEntry) error {
	res, err := in.w.NamedExec(`INSERT INTO bank_entries (file_id, position, detail, dedupe_key, duplicate_of, outcome,
		partner_key, account, currency, amount_cents, credit, status, booking_date, value_date, acct_svcr_ref,
		end_to_end_id, pmt_inf_id, msg_id, mandate_id, bank_tx_code, return_reason, charges_cents, debtor_iban,
		debtor_name, creditor_iban, remittance, transaction_id) VALUES (:file_id, :position, :detail, :dedupe_key,
		:duplicate_of, :outcome, :partner_key, :account, :currency, :amount_cents, :credit, :status, :booking_date,
		:value_date, :acct_svcr_ref, :end_to_end_id, :pmt_inf_id, :msg_id, :mandate_id, :bank_tx_code, :return_reason,
		:charges_cents, :debtor_iban, :debtor_name, :creditor_iban, :remittance, :transaction_id)`, b)
	if err != nil {
		return fmt.Errorf("%s: entry %d: %w", in.name, b.Position, err)
	}
	b.id, err = res.LastInsertId()
	return err
}

// bookingDate is the day a unit counts in the ledger: the bank's booking date, else
// its value date, else today (a notification may carry neither).
func bookingDate(u *unit) string {
	return or(u.e.BookingDate, or(u.e.ValueDate, today()))
}
