package ledger

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"

	"github.com/jmoiron/sqlx"

	"settle/sepa"
)

// CSVHeaders returns the csv column names of a row type, in field order.
func CSVHeaders[R any]() []string {
	t := reflect.TypeFor[R]()
	var hs []string
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("csv"); tag != "" && tag != "-" {
			hs = append(hs, tag)
		}
	}
	return hs
}

func upsertPartnerRow(ctx context.Context, tx *sqlx.Tx, r *PartnerRow) error {
	var c fieldCheck
	p := Partner{
		PartnerKey:       c.key("partnerKey", r.PartnerKey),
		Name:             c.required("name", r.Name),
		SettlementIBAN:   deref(c.iban("settlementIban", r.SettlementIBAN, true)),
		SettlementBIC:    c.bic("settlementBic", r.SettlementBIC),
		DestinationOwner: c.required("destinationOwner", r.DestinationOwner),
	}
	if ci := strings.TrimSpace(r.CreditorID); ci != "" {
		p.CreditorID = c.creditorID("creditorId", ci)
	}
	p.MaxBalanceCents = c.amount("maximum", r.Maximum)
	p.MaxMonthCashDepositCents = c.amount("maximumLastMonthCashDeposit", r.MaximumLastMonthCashDeposit)
	p.MaxMonthCashWithdrawalCents = c.amount("maximumLastMonthCashWithdrawal", r.MaximumLastMonthCashWithdrawal)
	p.MaxMonthSddDepositCents = c.amount("maximumLastMonthSddDeposit", r.MaximumLastMonthSddDeposit)
	if c.err != nil {
		return c.err
	}
	return UpsertPartner(ctx, tx, &p)
}

func upsertDealerRow(ctx context.Context, tx *sqlx.Tx, r *DealerRow) error {
	var c fieldCheck
	d := Dealer{
		DealerKey:  c.key("dealerKey", r.DealerKey),
		PartnerKey: c.key("partnerKey", r.PartnerKey),
		DealerName: c.required("dealerName", r.DealerName),
		IBAN:       c.iban("iban", r.IBAN, false),
		BIC:        c.bic("bic", r.BIC),
	}
	if c.err != nil {
		return c.err
	}
	if err := exists(ctx, tx, "partnerKey", `SELECT partner_key FROM partners WHERE partner_key = ?`, d.PartnerKey); err != nil {
		return err
	}
	if owner, err := lookup(ctx, tx, `SELECT partner_key FROM dealers WHERE dealer_key = ?`, d.DealerKey); err != nil {
		return err
	} else if owner != "" && owner != d.PartnerKey {
		return FieldError("partnerKey", "dealer %s belongs to partner %s and cannot move to %s", d.DealerKey, owner, d.PartnerKey)
	}
	return UpsertDealer(ctx, tx, &d)
}

func upsertStoreRow(ctx context.Context, tx *sqlx.Tx, r *StoreRow) error {
	var c fieldCheck
	s := RetailStore{
		StoreID:   c.uuid("storeId", r.StoreID),
		DealerKey: c.key("dealerKey", r.DealerKey),
		StoreName: c.required("storeName", r.StoreName),
		IBAN:      c.iban("iban", r.IBAN, false),
		BIC:       c.bic("bic", r.BIC),
		City:      optional(r.City),
	}
	if c.err != nil {
		return c.err
	}
	if err := exists(ctx, tx, "dealerKey", `SELECT dealer_key FROM dealers WHERE dealer_key = ?`, s.DealerKey); err != nil {
		return err
	}
	return UpsertStore(ctx, tx, &s)
}

func upsertWalletRow(ctx context.Context, tx *sqlx.Tx, r *WalletRow) error {
	var c fieldCheck
	w := Wallet{
		WalletID:             c.uuid("walletId", r.WalletID),
		PartnerKey:           c.key("partnerKey", r.PartnerKey),
		TaxID:                c.taxID("taxId", r.TaxID),
		FirstName:            c.required("firstName", r.FirstName),
		LastName:             c.required("lastName", r.LastName),
		IBAN:                 c.iban("iban", r.IBAN, false),
		BIC:                  c.bic("bic", r.BIC),
		IsIBANValidated:      c.boolean("isIbanValidated", r.IsIBANValidated),
		IBANValidationCode:   optional(strings.ToUpper(r.IBANValidationCode)),
		PhoneNumber:          c.phone("phoneNumber", r.PhoneNumber),
		Email:                c.email("email", r.Email),
		CreationDate:         deref(c.instant("creationDate", r.CreationDate, true)),
		LastUsageDate:        c.instant("lastUsageDate", r.LastUsageDate, false),
		ClosureDate:          c.instant("closureDate", r.ClosureDate, false),
		SuspensionDate:       c.instant("suspensionDate", r.SuspensionDate, false),
		OriginatingDealerKey: c.key("originatingDealerKey", r.OriginatingDealerKey),
		AddressStreet:        optional(r.AddressStreet),
		AddressNumber:        optional(r.AddressNumber),
		ZipCode:              optional(r.ZipCode),
		City:                 optional(r.City),
		Province:             optional(r.Province),
		Country:              optional(r.Country),
		Status:               strings.TrimSpace(r.Status),
		Metadata:             c.jsonObject("metadata", r.Metadata),
		SCTReason:            optional(strings.ToUpper(r.Reason)),
	}
	w.LastUpdateDate = deref(c.instant("lastUpdateDate", r.LastUpdateDate, false))
	if w.LastUpdateDate == "" {
		w.LastUpdateDate = w.CreationDate
	}
	switch {
	case w.Status == "":
		w.Status = WalletActive
	case w.Status != WalletActive && w.Status != WalletSuspended && w.Status != WalletClosed:
		c.fail("status", "%q is not Active, Suspended or Closed", w.Status)
	}
	switch {
	case w.IsIBANValidated && w.IBAN == nil:
		c.fail("isIbanValidated", "is true but the wallet has no iban")
	case w.IBAN != nil && !w.IsIBANValidated && w.IBANValidationCode == nil:
		c.fail("ibanValidationCode", "is required while the iban is pending validation")
	case w.IBANValidationCode != nil && !refShape.MatchString(*w.IBANValidationCode):
		c.fail("ibanValidationCode", "%q must be 4 to 35 letters or digits", *w.IBANValidationCode)
	case w.SCTReason != nil && !refShape.MatchString(*w.SCTReason):
		c.fail("reason", "%q must be 4 to 35 letters or digits", *w.SCTReason)
	}
	if c.err != nil {
		return c.err
	}
	if err := exists(ctx, tx, "partnerKey", `SELECT partner_key FROM partners WHERE partner_key = ?`, w.PartnerKey); err != nil {
		return err
	}
	owner, err := lookup(ctx, tx, `SELECT partner_key FROM dealers WHERE dealer_key = ?`, w.OriginatingDealerKey)
	if err != nil {
		return err
	}
	if owner == "" {
		return FieldError("originatingDealerKey", "dealer %q does not exist", w.OriginatingDealerKey)
	}
	if owner != w.PartnerKey {
		return FieldError("originatingDealerKey", "dealer %s belongs to partner %s, not %s", w.OriginatingDealerKey, owner, w.PartnerKey)
	}
	return UpsertWallet(ctx, tx, &w)
}

func (c *fieldCheck) creditorID(field, v string) *string {
	ci, err := sepa.CheckCreditorIDChecksum(v)
	if err != nil {
		c.fail(field, "%s", err.Error())
	}
	return &ci
}

// exists fails with a field error when the query finds nothing.
func exists(ctx context.Context, tx *sqlx.Tx, field, query, key string) error {
	v, err := lookup(ctx, tx, query, key)
	if err != nil {
		return err
	}
	if v == "" {
		return FieldError(field, "%q does not exist", key)
	}
	return nil
}

// lookup returns the one text column the query selects, or "" when there is no row.
func lookup(ctx context.Context, tx *sqlx.Tx, query, key string) (string, error) {
	var v string
	err := tx.GetContext(ctx, &v, query, key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}
