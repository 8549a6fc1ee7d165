package feeds

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"settle"
	"strings"

	"settle/ledger"
	"settle/ledger/payments"
	"settle/sepa"
)

// mandateLifetime is how long a mandate may stay unused (SEPA-RULES.md §4).
const mandateLifetimeMonths = 36

// walletFacts is what the payment feeds check of a wallet.
type walletFacts struct {
	PartnerKey string  `db:"partner_key"`
	Status     string  `db:"status"`
	IBAN       *string `db:"iban"`
	BIC        *string `db:"bic"`
	Validated  bool    `db:"is_iban_validated"`
	Name       string  `db:"name"`
	CreditorID *string `db:"creditor_id"`
	MaxSDD     *int64  `db:"maximum_last_month_sdd_deposit_cents"`
}

func walletFactsOf(w *ledger.Writer, field, walletID string) (*walletFacts, error) {
	var f walletFacts
	err := w.Get(&f, `SELECT w.partner_key, w.status, w.iban, w.bic, w.is_iban_validated,
		w.first_name || ' ' || w.last_name AS name, p.creditor_id, p.maximum_last_month_sdd_deposit_cents
		FROM wallets w JOIN partners p ON p.partner_key = w.partner_key WHERE w.wallet_id = ?`, walletID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, settle.FieldError(field, "wallet %s does not exist", walletID)
	}
	return &f, err
}

// askedDate checks an optional requested date. Empty means "as soon as possible":
// the request is filed as asked on the import's day, and the batch that takes it
// collects or pays it on the earliest date it can (a requested date never comes
// before the batch day's earliest date: see assignCollections).
func (c *fieldCheck) askedDate(field, v string, importDay settle.Day) settle.Day {
	d := c.day(field, v)
	if d.IsZero() && strings.TrimSpace(v) == "" {
		if importDay.IsZero() {
			c.fail(field, "is required (the import has no business day to default to)")
		}
		return importDay
	}
	return d
}

func (c *fieldCheck) positive(field, v string) int64 {
	p := c.amount(field, c.required(field, v))
	switch {
	case p == nil:
		return 0
	case *p == 0:
		c.fail(field, "must be at least 0.01")
	case *p > 99_999_999_999:
		c.fail(field, "%s is over 999999999.99", v)
	}
	return *p
}

func upsertMandateRow(w *ledger.Writer, refs *refCache, r *ledger.MandateRow) error {
	var c fieldCheck
	id := c.required("mandateId", r.MandateID)
	if err := sepa.CheckReference(id, false); id != "" && err != nil {
		c.fail("mandateId", "%s", err.Error())
	}
	walletID := c.uuid("walletId", r.WalletID)
	name := c.required("debtorName", r.DebtorName)
	iban := c.iban("debtorIban", r.DebtorIBAN, true)
	if iban != nil && !sepa.InSEPA(*iban) {
		c.fail("debtorIban", "%s is not in a SEPA country", sepa.MaskIBAN(*iban))
	}
	bic := c.bic("debtorBic", r.DebtorBIC)
	signed := c.day("signatureDate", c.required("signatureDate", r.SignatureDate))
	if !signed.IsZero() && !refs.day.IsZero() && signed.After(refs.day) {
		c.fail("signatureDate", "%s is in the future (the import's day is %s)", signed, refs.day)
	}
	status := cmp.Or(strings.TrimSpace(r.Status), payments.MandateActive)
	switch status {
	case payments.MandateActive, payments.MandateSuspended, payments.MandateRevoked:
	default:
		c.fail("status", "%q is not Active, Suspended or Revoked", status)
	}
	orig := strings.TrimSpace(r.OriginalMandateID)
	if err := sepa.CheckReference(orig, false); orig != "" && err != nil {
		c.fail("originalMandateId", "%s", err.Error())
	}
	if c.err != nil {
		return c.err
	}
	wf, err := walletFactsOf(w, "walletId", walletID)
	if err != nil {
		return err
	}
	if wf.CreditorID == nil {
		return settle.FieldError("walletId", "partner %s has no creditor id: it cannot collect direct debits", wf.PartnerKey)
	}
	var old struct {
		WalletID   string      `db:"wallet_id"`
		IBAN       string      `db:"debtor_iban"`
		CreditorID string      `db:"creditor_id"`
		Used       *settle.Day `db:"last_collection_date"`
	}
	err = w.Get(&old, `SELECT wallet_id, debtor_iban, creditor_id, last_collection_date FROM mandates WHERE mandate_id = ?`, id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = w.Exec(`INSERT INTO mandates (mandate_id, partner_key, creditor_id, wallet_id, debtor_name, debtor_iban,
			debtor_bic, signature_date, status, original_mandate_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, wf.PartnerKey, *wf.CreditorID, walletID, name, *iban, bic, signed, status, ledger.Nullable(orig), w.NowText(), w.NowText())
		if ledger.IsUnique(err) {
			return settle.FieldError("mandateId", "%s is already used by creditor %s (mandate ids are case-insensitive)", id, *wf.CreditorID)
		}
		return err
	case err != nil:
		return err
	case old.WalletID != walletID:
		return settle.FieldError("walletId", "mandate %s belongs to wallet %s", id, old.WalletID)
	}
	// A change after the first collection is an amendment the next collection carries.
	var origIBAN, origCI *string
	if old.Used != nil && old.IBAN != *iban {
		origIBAN = &old.IBAN
	}
	if old.Used != nil && old.CreditorID != *wf.CreditorID {
		origCI = &old.CreditorID
	}
	_, err = w.Exec(`UPDATE mandates SET debtor_name = ?, debtor_iban = ?, debtor_bic = ?, signature_date = ?,
		status = CASE WHEN status = 'Expired' THEN status ELSE ? END, creditor_id = ?,
		original_debtor_iban = COALESCE(original_debtor_iban, ?), original_creditor_id = COALESCE(original_creditor_id, ?),
		original_mandate_id = COALESCE(?, original_mandate_id), updated_at = ? WHERE mandate_id = ?`,
		name, *iban, bic, signed, status, *wf.CreditorID, origIBAN, origCI, ledger.Nullable(orig), w.NowText(), id)
	return err
}

// mandateExpired tells whether a mandate unused since lastUse (its last collection,
// or its signature) may no longer be used on day.
func mandateExpired(lastUse, day settle.Day) bool {
	return !lastUse.IsZero() && lastUse.AddMonths(mandateLifetimeMonths).Before(day)
}

func upsertTopUpRow(w *ledger.Writer, refs *refCache, r *ledger.TopUpRow) error {
	var c fieldCheck
	id := c.key("topUpId", r.TopUpID)
	walletID := c.uuid("walletId", r.WalletID)
	mandateID := c.required("mandateId", r.MandateID)
	cents := c.positive("amount", r.Amount)
	date := c.askedDate("requestedCollectionDate", r.RequestedCollectionDate, refs.day)
	if c.err != nil {
		return c.err
	}
	if exists, err := ledger.RowExists(w, `SELECT 1 FROM direct_debits WHERE topup_id = ?`, id); err != nil || exists {
		return unchangedIf(exists, err) // imported before: nothing to do
	}
	wf, err := walletFactsOf(w, "walletId", walletID)
	if err != nil {
		return err
	}
	switch {
	case wf.Status != ledger.WalletActive:
		return settle.FieldError("walletId", "wallet %s is %s", walletID, wf.Status)
	case !wf.Validated || wf.IBAN == nil:
		return settle.FieldError("walletId", "wallet %s has no validated IBAN", walletID)
	}
	var m struct {
		WalletID string      `db:"wallet_id"`
		Status   string      `db:"status"`
		Signed   settle.Day  `db:"signature_date"`
		Used     *settle.Day `db:"last_collection_date"`
	}
	err = w.Get(&m, `SELECT wallet_id, status, signature_date, last_collection_date FROM mandates WHERE mandate_id = ?`, mandateID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return settle.FieldError("mandateId", "mandate %s does not exist", mandateID)
	case err != nil:
		return err
	case m.WalletID != walletID:
		return settle.FieldError("mandateId", "mandate %s belongs to another wallet", mandateID)
	case m.Status != payments.MandateActive:
		return settle.FieldError("mandateId", "mandate %s is %s", mandateID, m.Status)
	case mandateExpired(cmp.Or(ledger.Deref(m.Used), m.Signed), date):
		if _, err := w.Exec(`UPDATE mandates SET status = 'Expired', updated_at = ? WHERE mandate_id = ?`, w.NowText(), mandateID); err != nil {
			return err
		}
		return settle.FieldError("mandateId", "mandate %s is unused for %d months and has expired", mandateID, mandateLifetimeMonths)
	}
	if wf.MaxSDD != nil {
		var recent int64
		if err := w.Get(&recent, `SELECT COALESCE(SUM(amount_cents), 0) FROM direct_debits WHERE wallet_id = ?
			AND requested_date > ? AND status NOT IN ('Rejected', 'Returned', 'Refunded', 'Cancelled')`,
			walletID, date.AddDays(-30)); err != nil {
			return err
		}
		if recent+cents > *wf.MaxSDD {
			return settle.FieldError("amount", "%s would take wallet %s to %s of SDD top-ups in 30 days, over the partner's %s",
				ledger.FormatCents(cents), walletID, ledger.FormatCents(recent+cents), ledger.FormatCents(*wf.MaxSDD))
		}
	}
	next, err := ledger.NextID(w, "direct_debits")
	if err != nil {
		return err
	}
	_, err = w.Exec(`INSERT INTO direct_debits (id, topup_id, partner_key, wallet_id, mandate_id, amount_cents, requested_date,
		end_to_end_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Created', ?, ?)`,
		next, id, wf.PartnerKey, walletID, mandateID, cents, date, fmt.Sprintf("STL-DD-%d", next), w.NowText(), w.NowText())
	return err
}

func upsertWithdrawalRow(w *ledger.Writer, refs *refCache, r *ledger.WithdrawalRow) error {
	var c fieldCheck
	id := c.key("withdrawalId", r.WithdrawalID)
	walletID := c.uuid("walletId", r.WalletID)
	cents := c.positive("amount", r.Amount)
	kind := cmp.Or(strings.TrimSpace(r.OperationType), "SctWithdrawal")
	if kind != "SctWithdrawal" && kind != "Redemption" {
		c.fail("operationType", "%q is not SctWithdrawal or Redemption", kind)
	}
	date := c.askedDate("requestedExecutionDate", r.RequestedExecutionDate, refs.day)
	if c.err != nil {
		return c.err
	}
	if exists, err := ledger.RowExists(w, `SELECT 1 FROM credit_transfers WHERE request_id = ?`, id); err != nil || exists {
		return unchangedIf(exists, err) // imported before: nothing to do
	}
	wf, err := walletFactsOf(w, "walletId", walletID)
	if err != nil {
		return err
	}
	switch {
	case wf.Status == ledger.WalletSuspended || (wf.Status == ledger.WalletClosed && kind != "Redemption"):
		return settle.FieldError("walletId", "wallet %s is %s", walletID, wf.Status)
	case !wf.Validated || wf.IBAN == nil:
		return settle.FieldError("walletId", "wallet %s has no validated IBAN to pay to", walletID)
	}
	free, err := ledger.WithdrawableOf(w, walletID)
	if err != nil {
		return err
	}
	if free < cents {
		return settle.FieldError("amount", "wallet %s can withdraw %s, not %s", walletID, ledger.FormatCents(free), ledger.FormatCents(cents))
	}
	next, err := ledger.NextID(w, "credit_transfers")
	if err != nil {
		return err
	}
	remittance := cmp.Or(strings.TrimSpace(r.Remittance), kind+" "+id)
	_, err = w.Exec(`INSERT INTO credit_transfers (id, request_id, kind, partner_key, wallet_id, creditor_name, creditor_iban,
		creditor_bic, amount_cents, remittance, requested_date, end_to_end_id, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Created', ?, ?)`, next, id, kind, wf.PartnerKey, walletID, wf.Name,
		*wf.IBAN, wf.BIC, cents, remittance, date, fmt.Sprintf("STL-CT-%d", next), w.NowText(), w.NowText())
	return err
}
