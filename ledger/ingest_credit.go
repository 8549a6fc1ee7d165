package ledger

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"settle/sepa"
)

// walletRef is what the ingest needs of a wallet to credit it.
type walletRef struct {
	WalletID  string  `db:"wallet_id"`
	IBAN      *string `db:"iban"`
	Validated bool    `db:"is_iban_validated"`
	Status    string  `db:"status"`
}

// tokens splits a remittance into its upper-case alphanumeric words that could be a
// validation code or an SCT reason (4 to 35 characters).
func tokens(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len(f) >= 4 && len(f) <= 35 && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// matchWallet finds the wallet an incoming SCT is for (DESIGN: IBAN validation and
// SCT top-ups): a pending wallet whose validation code is a whole token of the
// remittance and whose pending IBAN sent it (validate = true), or a wallet whose
// SCT reason is a token and whose validated IBAN sent it. Otherwise it returns the
// exception reason, with the wallet when one was named.
func (in *ingestion) matchWallet(partner, debtorIBAN, remittance string) (wl *walletRef, validate bool, reason, detail string, err error) {
	toks := tokens(remittance)
	for _, t := range toks {
		var w walletRef
		err := in.w.Get(&w, `SELECT wallet_id, iban, is_iban_validated, status FROM wallets WHERE iban_validation_code = ?
			AND partner_key = ? AND NOT is_iban_validated AND iban IS NOT NULL`, t, partner)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, false, "", "", err
		}
		if *w.IBAN != debtorIBAN {
			return &w, false, ExcIBANMismatch, fmt.Sprintf("validation code %s of wallet %s sent from %s, not the pending IBAN %s",
				t, w.WalletID, sepa.MaskIBAN(debtorIBAN), sepa.MaskIBAN(*w.IBAN)), nil
		}
		return &w, true, "", "", nil
	}
	for _, t := range toks {
		var w walletRef
		err := in.w.Get(&w, `SELECT wallet_id, iban, is_iban_validated, status FROM wallets WHERE sct_reason = ? AND partner_key = ?`, t, partner)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, false, "", "", err
		}
		switch {
		case !w.Validated:
			return &w, false, ExcIBANNotValidated, fmt.Sprintf("SCT reason %s of wallet %s, whose IBAN is not validated", t, w.WalletID), nil
		case w.IBAN == nil || *w.IBAN != debtorIBAN:
			return &w, false, ExcIBANMismatch, fmt.Sprintf("SCT reason %s of wallet %s sent from %s, not its validated IBAN", t, w.WalletID, sepa.MaskIBAN(debtorIBAN)), nil
		}
		return &w, false, "", "", nil
	}
	return nil, false, ExcUnknownReference, fmt.Sprintf("no validation code or SCT reason of partner %s in %q", partner, remittance), nil
}

// credit credits the wallet an incoming SCT is for, or puts it in suspense with an exception.
func (in *ingestion) credit(row *bankEntry, u *unit, p Partner, sum *FileSummary) error {
	debtor := ""
	if row.DebtorIBAN != nil {
		debtor = *row.DebtorIBAN
	}
	remittance := ""
	if row.Remittance != nil {
		remittance = *row.Remittance
	}
	wl, validate, reason, detail, err := in.matchWallet(p.PartnerKey, debtor, remittance)
	if err != nil {
		return err
	}
	var walletID *string
	if wl != nil {
		walletID = &wl.WalletID
		switch {
		case reason != "":
		case wl.Status == WalletSuspended:
			reason, detail = ExcWalletSuspended, "wallet "+wl.WalletID+" is suspended"
		case wl.Status == WalletClosed:
			reason, detail = ExcWalletClosed, "wallet "+wl.WalletID+" is closed"
		}
	}
	if reason == "" && p.MaxBalanceCents != nil {
		avail, err := in.available(wl.WalletID)
		if err != nil {
			return err
		}
		if avail+row.AmountCents > *p.MaxBalanceCents {
			reason, detail = ExcLimitExceeded, fmt.Sprintf("wallet %s would hold %s, over the maximum %s", wl.WalletID,
				FormatCents(avail+row.AmountCents), FormatCents(*p.MaxBalanceCents))
		}
	}
	if reason != "" {
		return in.exception(row, u, p, walletID, reason, detail, true, sum)
	}
	bank, err := in.account(PartnerAccountCode(p.PartnerKey, "bank"))
	if err != nil {
		return err
	}
	wallet, err := in.account(WalletAccountCode(wl.WalletID, BucketWithdrawable))
	if err != nil {
		return err
	}
	date := bookingDate(u)
	tx := &Transaction{Key: "entry:" + *row.DedupeKey, Type: "SctDeposit", PartnerKey: p.PartnerKey, WalletID: wl.WalletID,
		ValueDate: or(u.e.ValueDate, date), BookingDate: date, Source: Source{FileID: &in.fileID, Entry: &u.e.Position},
		Description: remittance, CreatedBy: "ingest", Postings: []Posting{{bank, row.AmountCents}, {wallet, -row.AmountCents}}}
	id, _, err := in.w.Post(tx)
	if err != nil {
		return err
	}
	op := &Operation{OperationID: fmt.Sprintf("sct:%d", id), TransactionID: id, OperationType: "SctDeposit",
		OperationStatus: StatusCompleted, AmountCents: row.AmountCents, CustomerNetCents: row.AmountCents,
		CustomerFinalCents: row.AmountCents, PartnerKey: p.PartnerKey, WalletID: &wl.WalletID, OperationDate: date}
	if err := in.w.AddOperation(op); err != nil {
		return err
	}
	now := in.w.createdAt
	if validate {
		_, err = in.w.Exec(`UPDATE wallets SET is_iban_validated = TRUE, last_update_date = ?, last_usage_date = ? WHERE wallet_id = ?`, now, now, wl.WalletID)
	} else {
		_, err = in.w.Exec(`UPDATE wallets SET last_usage_date = ? WHERE wallet_id = ?`, now, wl.WalletID)
	}
	if err != nil {
		return err
	}
	row.Outcome, row.TransactionID = OutcomePosted, &id
	sum.add(OutcomePosted, row.Currency, row.AmountCents)
	return in.insert(row)
}

// available is a wallet's money as the API shows it (positive), pending changes included.
func (in *ingestion) available(walletID string) (int64, error) {
	var total int64
	for _, b := range []string{BucketWithdrawable, BucketRestricted} {
		id, err := in.account(WalletAccountCode(walletID, b))
		if err != nil {
			return 0, err
		}
		c, err := in.w.Balance(id)
		if err != nil {
			return 0, err
		}
		total -= c // wallets are liabilities: credit balances
	}
	return total, nil
}

// account returns an account's id, from the file's cache after the first lookup
// (accounts are never deleted, so ids hold for the whole transaction).
func (in *ingestion) account(code string) (int64, error) {
	if id, ok := in.accounts[code]; ok {
		return id, nil
	}
	var id int64
	err := in.w.Get(&id, `SELECT id FROM accounts WHERE code = ?`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, Errorf(NotFound, "account %s does not exist", code)
	}
	if err == nil {
		in.accounts[code] = id
	}
	return id, err
}

// exception records an exception for a unit; with suspense the money is posted from
// bank to the partner's suspense account. Reasons listed in AutoRefund are refunded at once.
func (in *ingestion) exception(row *bankEntry, u *unit, p Partner, walletID *string, reason, detail string, suspense bool, sum *FileSummary) error {
	row.Outcome = OutcomeException
	if suspense {
		bank, err := in.account(PartnerAccountCode(p.PartnerKey, "bank"))
		if err != nil {
			return err
		}
		susp, err := in.account(PartnerAccountCode(p.PartnerKey, "suspense"))
		if err != nil {
			return err
		}
		date := bookingDate(u)
		id, _, err := in.w.Post(&Transaction{Key: "entry:" + *row.DedupeKey, Type: "Suspense", PartnerKey: p.PartnerKey,
			ValueDate: or(u.e.ValueDate, date), BookingDate: date, Source: Source{FileID: &in.fileID, Entry: &u.e.Position},
			Description: reason + ": " + detail, CreatedBy: "ingest",
			Postings: []Posting{{bank, row.AmountCents}, {susp, -row.AmountCents}}})
		if err != nil {
			return err
		}
		row.TransactionID = &id
	}
	if err := in.insert(row); err != nil {
		return err
	}
	var partner *string
	if row.PartnerKey != nil {
		partner = row.PartnerKey
	}
	var excID int64
	err := in.w.Get(&excID, `INSERT INTO exceptions (reason, detail, bank_entry_id, partner_key, wallet_id, amount_cents,
		currency, debtor_iban, debtor_name, in_suspense, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)
		RETURNING id`, reason, detail, row.id, partner, walletID, row.AmountCents, row.Currency, row.DebtorIBAN,
		row.DebtorName, suspense, in.w.createdAt)
	if err != nil {
		return err
	}
	sum.add(OutcomeException, row.Currency, row.AmountCents)
	if suspense && slices.Contains(in.opt.AutoRefund, reason) && row.DebtorIBAN != nil {
		if _, err := sepa.CheckIBAN(*row.DebtorIBAN); err == nil {
			return refundException(in.w, excID, or(in.opt.By, "settle"), "automatic refund: "+reason, bookingDate(u))
		}
	}
	return nil
}

// or returns v, or fallback when v is empty.
func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}

func today() string { return Now().Format(time.DateOnly) }
