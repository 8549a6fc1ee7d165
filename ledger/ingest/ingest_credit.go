package ingest

import (
	"fmt"
	"settle"
	"slices"
	"strings"
	"unicode"

	"settle/ledger"
	"settle/sepa"
)

// walletRef is what the ingest needs of a wallet to credit it.
type walletRef struct {
	WalletID   string  `db:"wallet_id"`
	PartnerKey string  `db:"partner_key"`
	IBAN       *string `db:"iban"`
	Validated  bool    `db:"is_iban_validated"`
	Status     string  `db:"status"`
	Code       *string `db:"iban_validation_code"`
	Reason     *string `db:"sct_reason"`
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
func (in *ingestion) matchWallet(partner, debtorIBAN, remittance string) (wl *walletRef, validate bool, reason, detail string) {
	toks := tokens(remittance)
	for _, t := range toks {
		for _, w := range in.win.byCode[partner+"|"+t] {
			if w.Validated { // validated earlier in this window
				continue
			}
			if *w.IBAN != debtorIBAN {
				return w, false, ExcIBANMismatch, fmt.Sprintf("validation code %s of wallet %s sent from %s, not the pending IBAN %s",
					t, w.WalletID, sepa.MaskIBAN(debtorIBAN), sepa.MaskIBAN(*w.IBAN))
			}
			return w, true, "", ""
		}
	}
	for _, t := range toks {
		w := in.win.byReason[partner+"|"+t]
		switch {
		case w == nil:
			continue
		case !w.Validated:
			return w, false, ExcIBANNotValidated, fmt.Sprintf("SCT reason %s of wallet %s, whose IBAN is not validated", t, w.WalletID)
		case w.IBAN == nil || *w.IBAN != debtorIBAN:
			return w, false, ExcIBANMismatch, fmt.Sprintf("SCT reason %s of wallet %s sent from %s, not its validated IBAN", t, w.WalletID, sepa.MaskIBAN(debtorIBAN))
		}
		return w, false, "", ""
	}
	return nil, false, ExcUnknownReference, fmt.Sprintf("no validation code or SCT reason of partner %s in %q", partner, remittance)
}

// credit credits the wallet an incoming SCT is for, or puts it in suspense with an exception.
func (in *ingestion) credit(row *bankEntry, u *unit, p ledger.Partner, sum *FileSummary) error {
	debtor := ""
	if row.DebtorIBAN != nil {
		debtor = *row.DebtorIBAN
	}
	remittance := ""
	if row.Remittance != nil {
		remittance = *row.Remittance
	}
	if st, ok := in.storeRemitting(p.PartnerKey, remittance); ok {
		return in.remit(row, u, p, st, remittance, sum)
	}
	wl, validate, reason, detail := in.matchWallet(p.PartnerKey, debtor, remittance)
	var walletID *string
	if wl != nil {
		walletID = &wl.WalletID
		switch {
		case reason != "":
		case wl.Status == ledger.WalletSuspended:
			reason, detail = ExcWalletSuspended, "wallet "+wl.WalletID+" is suspended"
		case wl.Status == ledger.WalletClosed:
			reason, detail = ExcWalletClosed, "wallet "+wl.WalletID+" is closed"
		}
	}
	if reason == "" && p.MaxBalanceCents != nil {
		avail := in.available(wl.WalletID)
		if avail+row.AmountCents > *p.MaxBalanceCents {
			reason, detail = ExcLimitExceeded, fmt.Sprintf("wallet %s would hold %s, over the maximum %s", wl.WalletID,
				ledger.FormatCents(avail+row.AmountCents), ledger.FormatCents(*p.MaxBalanceCents))
		}
	}
	if reason != "" {
		return in.exception(row, u, p, walletID, reason, detail, true, sum)
	}
	bank, err := in.account(ledger.PartnerAccountCode(p.PartnerKey, "bank"))
	if err != nil {
		return err
	}
	wallet := in.win.accounts[wl.WalletID].withdrawable
	if wallet == 0 {
		return settle.Errorf(settle.NotFound, "account %s does not exist", ledger.WalletAccountCode(wl.WalletID, ledger.BucketWithdrawable))
	}
	date := in.bookingDate(u)
	tx := &ledger.Transaction{Key: "entry:" + *row.DedupeKey, Type: "SctDeposit", PartnerKey: p.PartnerKey, WalletID: wl.WalletID,
		ValueDate: orDay(u.e.ValueDate, date), BookingDate: date, Source: ledger.Source{FileID: &in.fileID, Entry: &u.e.Position},
		Description: remittance, CreatedBy: "ingest", Postings: []ledger.Posting{{AccountID: bank, AmountCents: row.AmountCents}, {AccountID: wallet, AmountCents: -row.AmountCents}}}
	id, err := in.wr.post(in.w, tx)
	if err != nil {
		return fmt.Errorf("%s: entry %d: %w", in.name, u.e.Position, err)
	}
	in.wr.operations.add(opKey{"sct:", id}, id, "SctDeposit", ledger.StatusCompleted, row.AmountCents, row.AmountCents,
		row.AmountCents, p.PartnerKey, wl.WalletID, date, in.w.NowText())
	if validate {
		wl.Validated = true
		in.win.valid = addDay(in.win.valid, date, wl.WalletID)
	}
	in.win.used = addDay(in.win.used, date, wl.WalletID)
	row.Outcome, row.TransactionID = OutcomePosted, &id
	sum.add(OutcomePosted, row.Currency, u.amount.Decimal)
	in.insert(row)
	return nil
}

// storeRemitting finds the store of the partner whose cash reference (RF) the
// remittance quotes.
// remittance quotes, printed in groups of four or not.
func (in *ingestion) storeRemitting(partner, remittance string) (storeRef, bool) {
	s := strings.ToUpper(strings.ReplaceAll(remittance, " ", ""))
	for i := strings.Index(s, "RF"); i >= 0; {
		for n := 5; n <= 25 && i+n <= len(s); n++ { // an RF reference has 5 to 25 characters
			if st, ok := in.stores[s[i:i+n]]; ok && st.StoreID != "" && st.PartnerKey == partner {
				return st, true
			}
		}
		next := strings.Index(s[i+2:], "RF")
		if next < 0 {
			break
		}
		i += 2 + next
	}
	return storeRef{}, false
}

// remit posts a store's remittance of the cash it took for wallets: the bank
// receives it and the store owes that much less (its store_cash account).
func (in *ingestion) remit(row *bankEntry, u *unit, p ledger.Partner, st storeRef, remittance string, sum *FileSummary) error {
	bank, err := in.account(ledger.PartnerAccountCode(p.PartnerKey, "bank"))
	if err != nil {
		return err
	}
	code := ledger.PartnerAccountCode(p.PartnerKey, "store_cash:"+st.StoreID)
	if err := ledger.EnsureAccount(in.w, code, p.PartnerKey, nil, "store_cash:"+st.StoreID); err != nil {
		return err
	}
	cash, err := in.account(code)
	if err != nil {
		return err
	}
	date := in.bookingDate(u)
	tx := &ledger.Transaction{Key: "entry:" + *row.DedupeKey, Type: "StoreRemittance", PartnerKey: p.PartnerKey,
		ValueDate: orDay(u.e.ValueDate, date), BookingDate: date, Source: ledger.Source{FileID: &in.fileID, Entry: &u.e.Position},
		Description: "cash remitted by store " + st.StoreID + ": " + remittance, CreatedBy: "ingest",
		Postings: []ledger.Posting{{AccountID: bank, AmountCents: row.AmountCents}, {AccountID: cash, AmountCents: -row.AmountCents}}}
	id, err := in.wr.post(in.w, tx)
	if err != nil {
		return fmt.Errorf("%s: entry %d: %w", in.name, u.e.Position, err)
	}
	row.Outcome, row.TransactionID = OutcomePosted, &id
	sum.add(OutcomePosted, row.Currency, u.amount.Decimal)
	in.insert(row)
	return nil
}

// available is a wallet's money as the API shows it (positive), pending changes included.
func (in *ingestion) available(walletID string) int64 {
	a := in.win.accounts[walletID]
	// wallets are liabilities: credit balances
	return -(a.balW + in.w.Pending(a.withdrawable)) - (a.balR + in.w.Pending(a.restricted))
}

// account returns an account's id (cached on the Writer: see accountByCode).
func (in *ingestion) account(code string) (int64, error) { return ledger.AccountID(in.w, code) }

// exception records an exception for a unit; with suspense the money is posted from
// bank to the partner's suspense account. Reasons listed in AutoRefund are refunded at once.
func (in *ingestion) exception(row *bankEntry, u *unit, p ledger.Partner, walletID *string, reason, detail string, suspense bool, sum *FileSummary) error {
	row.Outcome = OutcomeException
	if suspense {
		bank, err := in.account(ledger.PartnerAccountCode(p.PartnerKey, "bank"))
		if err != nil {
			return err
		}
		susp, err := in.account(ledger.PartnerAccountCode(p.PartnerKey, "suspense"))
		if err != nil {
			return err
		}
		date := in.bookingDate(u)
		id, err := in.wr.post(in.w, &ledger.Transaction{Key: "entry:" + *row.DedupeKey, Type: "Suspense", PartnerKey: p.PartnerKey,
			ValueDate: orDay(u.e.ValueDate, date), BookingDate: date, Source: ledger.Source{FileID: &in.fileID, Entry: &u.e.Position},
			Description: reason + ": " + detail, CreatedBy: "ingest",
			Postings: []ledger.Posting{{AccountID: bank, AmountCents: row.AmountCents}, {AccountID: susp, AmountCents: -row.AmountCents}}})
		if err != nil {
			return fmt.Errorf("%s: entry %d: %w", in.name, u.e.Position, err)
		}
		row.TransactionID = &id
	}
	in.insert(row)
	excID := in.wr.newException()
	in.wr.exceptions.add(excID, reason, detail, row.id, row.PartnerKey, walletID, row.AmountCents, row.Amount,
		row.Currency, row.DebtorIBAN, row.DebtorName, suspense, ledger.ExceptionOpen, in.w.NowText())
	sum.add(OutcomeException, row.Currency, u.amount.Decimal)
	if suspense && slices.Contains(in.opt.AutoRefund, reason) && row.DebtorIBAN != nil {
		if _, err := sepa.CheckIBAN(*row.DebtorIBAN); err == nil {
			in.win.refunds = append(in.win.refunds, autoRefund{excID, "automatic refund: " + reason, in.bookingDate(u)})
		}
	}
	return nil
}

// addDay files id under day in m, making m when it is nil.
func addDay(m map[settle.Day][]string, day settle.Day, id string) map[settle.Day][]string {
	if m == nil {
		m = map[settle.Day][]string{}
	}
	m[day] = append(m[day], id)
	return m
}

// dayStamp is a business day as the wallets' date-time columns store it (the
// feeds' bare dates are stored the same way).
func dayStamp(d settle.Day) string { return d.String() + "T00:00:00Z" }
