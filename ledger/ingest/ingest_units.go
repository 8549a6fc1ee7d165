package ingest

import (
	"cmp"
	"fmt"
	"settle"
	"strings"

	"settle/ledger"
	"settle/sepa"
)

// Exception reasons of the ingest.
const (
	ExcUnknownReference  = "UNKNOWN_REFERENCE"  // no wallet's validation code or SCT reason in the remittance
	ExcIBANMismatch      = "IBAN_MISMATCH"      // the code or reason of a wallet, sent from another IBAN
	ExcIBANNotValidated  = "IBAN_NOT_VALIDATED" // a wallet's SCT reason before its IBAN was validated
	ExcWalletSuspended   = "WALLET_SUSPENDED"
	ExcWalletClosed      = "WALLET_CLOSED"
	ExcLimitExceeded     = "LIMIT_EXCEEDED"      // crediting would take the wallet over the partner's maximum balance
	ExcForeignCurrency   = "FOREIGN_CURRENCY"    // not EUR: not posted
	ExcNotOurAccount     = "NOT_OUR_ACCOUNT"     // not a partner's settlement account: not posted
	ExcUnexpectedDebit   = "UNEXPECTED_DEBIT"    // a debit that is no booking of ours: not posted
	ExcAmountNotCents    = "AMOUNT_NOT_CENTS"    // a EUR amount with more than two decimals: not posted
	ExcAmountOutOfRange  = "AMOUNT_OUT_OF_RANGE" // zero, or over 999,999,999.99: not posted
	ExcUnsplittableBatch = "UNSPLITTABLE_BATCH"
)

// ingestion is the state of one file being ingested inside one write transaction.
type ingestion struct {
	w        *ledger.Writer
	fileID   int64
	name     string
	opt      IngestOptions
	partners map[string]ledger.Partner // by settlement IBAN
	stores   map[string]storeRef       // by cash remittance reference (RF)
	seen     map[string]int            // content fingerprints met in this file
	win      *window                   // the units being gathered, decided together
	wr       *writes                   // what the window writes
	accounts map[string]walletAccounts // wallets' accounts read so far (see prefetch)
	locked   string                    // the account whose partner lockAccount locked last
}

func newIngestion(w *ledger.Writer, name, kind string, opt IngestOptions) (*ingestion, error) {
	in := &ingestion{w: w, name: name, opt: opt, partners: map[string]ledger.Partner{}, seen: map[string]int{},
		win: &window{}, wr: newWrites(), accounts: map[string]walletAccounts{}}
	err := w.Get(&in.fileID, `INSERT INTO input_files (sha256, name, kind, size_bytes, job_run_id, ingested_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, opt.SHA256, name, kind, opt.Size, ledger.NullableID(opt.JobRunID), w.NowText())
	if err != nil {
		if ledger.IsUnique(err) {
			return nil, ErrDuplicateFile
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var ps []ledger.Partner
	if err := w.Select(&ps, `SELECT * FROM partners`); err != nil {
		return nil, err
	}
	for _, p := range ps {
		in.partners[p.SettlementIBAN] = p
	}
	var stores []storeRef
	if err := w.Select(&stores, `SELECT s.store_id, d.partner_key FROM stores s JOIN dealers d ON d.dealer_key = s.dealer_key`); err != nil {
		return nil, err
	}
	in.stores = map[string]storeRef{}
	for _, st := range stores {
		rf := ledger.StoreCashReference(st.StoreID)
		if _, twice := in.stores[rf]; twice {
			st.StoreID = "" // two stores share the reference: it names neither
		}
		in.stores[rf] = st
	}
	return in, nil
}

// storeRef is a store whose cash remittances the ingest recognises.
type storeRef struct {
	StoreID    string `db:"store_id"`
	PartnerKey string `db:"partner_key"`
}

func (in *ingestion) close(sum *FileSummary) error {
	_, err := in.w.Exec(`UPDATE input_files SET message_id = ?, units = ?, posted = ?, exceptions = ?, duplicates = ?,
		recorded = ?, summary = ? WHERE id = ?`, ledger.Nullable(sum.MessageID), sum.Units, sum.Counts[OutcomePosted],
		sum.Counts[OutcomeException], sum.Counts[OutcomeDuplicate], sum.Counts[OutcomeRecorded], summaryJSON(sum), in.fileID)
	return err
}

// statement keeps a camt.053 statement's balances for the reconciliation: its
// entries are the file's bank entries on the same account.
func (in *ingestion) statement(st *sepa.Statement) error {
	account := sepa.NormalizeIBAN(st.Account)
	var partner *string
	if p, ok := in.partners[account]; ok {
		partner = &p.PartnerKey
	}
	balance := func(types ...string) (*int64, settle.Day) {
		for _, t := range types {
			if b, ok := st.Balance(t); ok {
				c, err := ledger.ToCents(b.Amount.Decimal)
				if err != nil {
					return nil, b.Date
				}
				return &c, b.Date
			}
		}
		return nil, settle.Day{}
	}
	opening, from := balance("OPBD", "PRCD")
	closing, to := balance("CLBD")
	day, err := settle.ParseDay(st.Created[:min(10, len(st.Created))])
	if err != nil {
		day = in.opt.Day // a statement with no balance dates and no readable creation time
	}
	_, err = in.w.Exec(`INSERT INTO bank_statements (file_id, statement_id, sequence, partner_key, account, currency, from_date,
		to_date, opening_cents, closing_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (file_id, account) DO NOTHING`,
		in.fileID, st.ID, ledger.Nullable(st.Sequence), partner, account, cmp.Or(st.Currency, "EUR"), orDay(from, orDay(to, day)), orDay(to, orDay(from, day)),
		opening, closing)
	return err
}

// unit is one entry, or one transaction of a batch-booked entry.
type unit struct {
	e      *sepa.Entry
	detail int // 1-based when the entry was split; 0 for the whole entry
	d      sepa.TxDetails
	amount settle.Money
}

// item adds what the reader read to the window, deciding the window when it is full.
func (in *ingestion) item(item any, sum *FileSummary) error {
	switch v := item.(type) {
	case *sepa.Statement:
		if err := in.lockAccount(v.Account); err != nil {
			return err
		}
		if v.Kind == sepa.Camt053 {
			return in.statement(v) // kept for the reconciliation
		}
		return nil
	case *sepa.Status:
		in.status(v, sum)
	case *sepa.Entry:
		if err := in.lockAccount(v.Account); err != nil {
			return err
		}
		sum.in(v.Currency, v.Amount.Decimal)
		for _, u := range splitEntry(v) {
			in.win.units = append(in.win.units, u)
			in.win.keys = append(in.win.keys, in.dedupeKey(u))
		}
	}
	if in.win.size() >= cmp.Or(in.opt.Window, windowSize) {
		return in.decideWindow(sum)
	}
	return nil
}

// lockAccount claims the partner whose settlement account this is (the empty key
// for an account of no partner) when the file is ingested beside other files
// (ledger.Store.WriteShared): every row an entry's decision reads or writes is that
// partner's, from the wallets its remittance names to the payments it settles.
func (in *ingestion) lockAccount(account string) error {
	if account == in.locked && account != "" {
		return nil // a statement's entries name its account: once per statement, not per entry
	}
	if err := in.w.LockPartner(in.partners[sepa.NormalizeIBAN(account)].PartnerKey); err != nil {
		return err
	}
	in.locked = account
	return nil
}

// splitEntry makes units of an entry: each transaction of a batch-booked entry when
// their amounts add up to the entry's, else the entry as one unit.
func splitEntry(e *sepa.Entry) []unit {
	if len(e.Details) > 1 {
		total := settle.Money{}
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
		return "e2e|" + counterparty + "|" + d.EndToEndID + "|" + u.amount.Text() + "|" + e.BookingDate.String()
	}
	fp := fingerprint(e.Account, e.Currency, u.amount.Text(), fmt.Sprint(e.Credit), e.BookingDate.String(), e.ValueDate.String(),
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

// remittanceOf is what a transaction says about itself: unstructured remittance and
// the creditor reference.
func remittanceOf(d *sepa.TxDetails) string {
	return strings.TrimSpace(d.Remittance + " " + d.CreditorRef)
}

// maxItem is the largest amount of one item, 999,999,999.99.
var maxItem = ledger.FromCents(ledger.MaxAmountCents)

// unit decides one unit: duplicate, exception, recorded or credited.
func (in *ingestion) unit(u *unit, key string, sum *FileSummary) error {
	cents, amtErr := ledger.ToCents(u.amount.Decimal)
	row := &bankEntry{FileID: in.fileID, Position: u.e.Position, Detail: u.detail, Account: u.e.Account,
		Currency: u.e.Currency, AmountCents: cents, Amount: u.amount.Text(), Credit: u.e.Credit,
		Status: u.e.Status, BookingDate: u.e.BookingDate, ValueDate: u.e.ValueDate,
		AcctSvcrRef: ledger.Nullable(u.e.AcctSvcrRef), EndToEndID: ledger.Nullable(u.d.EndToEndID), PmtInfID: ledger.Nullable(u.d.PmtInfID),
		MsgID: ledger.Nullable(u.d.MessageID), MandateID: ledger.Nullable(u.d.MandateID), BankTxCode: ledger.Nullable(u.e.BankTxCode.String()),
		ReturnReason: ledger.Nullable(u.d.ReturnReason), DebtorIBAN: ledger.Nullable(sepa.NormalizeIBAN(u.d.DebtorIBAN)),
		DebtorName: ledger.Nullable(u.d.DebtorName), CreditorIBAN: ledger.Nullable(sepa.NormalizeIBAN(u.d.CreditorIBAN)),
		Remittance: ledger.Nullable(remittanceOf(&u.d))}
	// Out of range is decided on the amount itself (ToCents also fails on amounts
	// too large for cents, and on sub-cent ones, which are AMOUNT_NOT_CENTS).
	outOfRange := !u.amount.Decimal.IsPositive() || u.amount.Decimal.GreaterThan(maxItem)
	if amtErr != nil || outOfRange {
		row.AmountCents = 0 // not whole cents, or out of range: kept exactly in Amount, never posted
	}
	if u.e.Batch != nil && row.PmtInfID == nil {
		row.PmtInfID = ledger.Nullable(u.e.Batch.PmtInfID)
	}
	for _, c := range append(append([]sepa.Charge{}, u.e.Charges...), u.d.Charges...) {
		if c.Currency == u.e.Currency {
			if cc, err := ledger.ToCents(c.Amount.Decimal); err == nil {
				row.ChargesCents += cc
			}
		}
	}
	partner, isOurs := in.partners[sepa.NormalizeIBAN(u.e.Account)]
	if isOurs {
		row.PartnerKey = &partner.PartnerKey
	}
	if dup, ok := in.win.entryIDs[key]; ok {
		row.Outcome, row.DuplicateOf = OutcomeDuplicate, &dup
		sum.add(OutcomeDuplicate, row.Currency, u.amount.Decimal)
		in.insert(row)
		return nil
	}
	row.DedupeKey = &key
	exc := func(reason, detail string, suspense bool) error {
		return in.exception(row, u, partner, nil, reason, detail, suspense, sum)
	}
	switch {
	case !isOurs:
		return exc(ExcNotOurAccount, fmt.Sprintf("account %q is no partner's settlement account", u.e.Account), false)
	case u.e.Currency != "EUR":
		return exc(ExcForeignCurrency, "the entry is in "+u.e.Currency, false)
	case outOfRange:
		return exc(ExcAmountOutOfRange, fmt.Sprintf("%s is not between 0.01 and 999999999.99", u.amount.Text()), false)
	case amtErr != nil:
		return exc(ExcAmountNotCents, amtErr.Error(), false)
	case u.e.Status != "BOOK" || ours(*u):
		row.Outcome = OutcomeRecorded
		sum.add(OutcomeRecorded, row.Currency, u.amount.Decimal)
		in.insert(row)
		return nil
	case !row.Credit:
		return exc(ExcUnexpectedDebit, "a debit that is no booking of our batches", false)
	case len(u.e.Details) > 1 && u.detail == 0:
		return exc(ExcUnsplittableBatch, "a batch-booked credit whose transactions do not add up to it", true)
	}
	return in.credit(row, u, partner, sum)
}

// status buffers a pain.002 status for the batch work to act on.
func (in *ingestion) status(st *sepa.Status, sum *FileSummary) {
	var cents *int64
	if st.Amount != nil {
		if c, err := ledger.ToCents(st.Amount.Decimal); err == nil {
			cents = &c
		}
	}
	var code, info *string
	if len(st.Reasons) > 0 {
		code, info = ledger.Nullable(st.Reasons[0].Code), ledger.Nullable(st.Reasons[0].Info)
	}
	in.wr.statuses.add(in.fileID, st.Position, st.Level, st.OrigMessageID, ledger.Nullable(st.OrigPmtInfID),
		ledger.Nullable(st.OrigEndToEndID), st.Status, code, info, cents, ledger.Nullable(st.Currency))
	in.win.statuses++
	sum.Counts[OutcomeRecorded]++
	sum.Units++
}

// bankEntry is a row of bank_entries.
type bankEntry struct {
	FileID        int64      `db:"file_id"`
	Position      int        `db:"position"`
	Detail        int        `db:"detail"`
	DedupeKey     *string    `db:"dedupe_key"`
	DuplicateOf   *int64     `db:"duplicate_of"`
	Outcome       string     `db:"outcome"`
	PartnerKey    *string    `db:"partner_key"`
	Account       string     `db:"account"`
	Currency      string     `db:"currency"`
	AmountCents   int64      `db:"amount_cents"`
	Amount        string     `db:"amount"` // exactly as the bank wrote it
	Credit        bool       `db:"credit"`
	Status        string     `db:"status"`
	BookingDate   settle.Day `db:"booking_date"` // NULL when the bank gave none
	ValueDate     settle.Day `db:"value_date"`
	AcctSvcrRef   *string    `db:"acct_svcr_ref"`
	EndToEndID    *string    `db:"end_to_end_id"`
	PmtInfID      *string    `db:"pmt_inf_id"`
	MsgID         *string    `db:"msg_id"`
	MandateID     *string    `db:"mandate_id"`
	BankTxCode    *string    `db:"bank_tx_code"`
	ReturnReason  *string    `db:"return_reason"`
	ChargesCents  int64      `db:"charges_cents"`
	DebtorIBAN    *string    `db:"debtor_iban"`
	DebtorName    *string    `db:"debtor_name"`
	CreditorIBAN  *string    `db:"creditor_iban"`
	Remittance    *string    `db:"remittance"`
	TransactionID *int64     `db:"transaction_id"`
	id            int64
}

// insert buffers a bank entry, numbering it; a new dedupe key is known from then on.
func (in *ingestion) insert(b *bankEntry) {
	b.id = in.wr.entryID()
	if b.DedupeKey != nil {
		in.win.entryIDs[*b.DedupeKey] = b.id
	}
	in.wr.entries.add(b.id, b.FileID, b.Position, b.Detail, b.DedupeKey, b.DuplicateOf, b.Outcome, b.PartnerKey,
		b.Account, b.Currency, b.AmountCents, b.Amount, b.Credit, b.Status, b.BookingDate, b.ValueDate, b.AcctSvcrRef,
		b.EndToEndID, b.PmtInfID, b.MsgID, b.MandateID, b.BankTxCode, b.ReturnReason, b.ChargesCents, b.DebtorIBAN,
		b.DebtorName, b.CreditorIBAN, b.Remittance, b.TransactionID)
}

// bookingDate is the day a unit counts in the ledger: the bank's booking date, else
// its value date, else the ingest's day (a notification may carry neither).
func (in *ingestion) bookingDate(u *unit) settle.Day {
	return orDay(u.e.BookingDate, orDay(u.e.ValueDate, in.opt.Day))
}

// orDay returns d, or fallback when d is the zero Day.
func orDay(d, fallback settle.Day) settle.Day {
	if d.IsZero() {
		return fallback
	}
	return d
}
