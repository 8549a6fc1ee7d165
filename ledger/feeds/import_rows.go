package feeds

import (
	"database/sql"
	"errors"
	"reflect"
	"settle"
	"strings"
	"time"

	"settle/ledger"
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

func upsertPartnerRow(w *ledger.Writer, _ *refCache, r *ledger.PartnerRow) error {
	var c fieldCheck
	p := ledger.Partner{
		PartnerKey:       c.key("partnerKey", r.PartnerKey),
		Name:             c.required("name", r.Name),
		SettlementIBAN:   ledger.Deref(c.iban("settlementIban", r.SettlementIBAN, true)),
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
	return ledger.UpsertPartner(w, &p)
}

func upsertDealerRow(w *ledger.Writer, refs *refCache, r *ledger.DealerRow) error {
	var c fieldCheck
	d := ledger.Dealer{
		DealerKey:  c.key("dealerKey", r.DealerKey),
		PartnerKey: c.key("partnerKey", r.PartnerKey),
		DealerName: c.required("dealerName", r.DealerName),
		IBAN:       c.iban("iban", r.IBAN, false),
		BIC:        c.bic("bic", r.BIC),
	}
	if c.err != nil {
		return c.err
	}
	if err := refs.partnerExists(w, d.PartnerKey); err != nil {
		return err
	}
	if owner, err := refs.dealerPartner(w, d.DealerKey); err != nil {
		return err
	} else if owner != "" && owner != d.PartnerKey {
		return settle.FieldError("partnerKey", "dealer %s belongs to partner %s and cannot move to %s", d.DealerKey, owner, d.PartnerKey)
	}
	if err := ledger.UpsertDealer(w, &d); err != nil {
		return err
	}
	refs.dealers[d.DealerKey] = d.PartnerKey
	return nil
}

func upsertStoreRow(w *ledger.Writer, refs *refCache, r *ledger.StoreRow) error {
	var c fieldCheck
	s := ledger.RetailStore{
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
	if owner, err := refs.dealerPartner(w, s.DealerKey); err != nil {
		return err
	} else if owner == "" {
		return settle.FieldError("dealerKey", "%q does not exist", s.DealerKey)
	}
	return ledger.UpsertStore(w, &s)
}

func upsertWalletRow(w *ledger.Writer, refs *refCache, r *ledger.WalletRow) error {
	var c fieldCheck
	wl := ledger.Wallet{
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
		CreationDate:         ledger.Deref(c.instant("creationDate", r.CreationDate, true)),
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
	wl.LastUpdateDate = ledger.Deref(c.instant("lastUpdateDate", r.LastUpdateDate, false))
	if wl.LastUpdateDate == "" {
		wl.LastUpdateDate = wl.CreationDate
	}
	switch {
	case wl.Status == "":
		wl.Status = ledger.WalletActive
	case wl.Status != ledger.WalletActive && wl.Status != ledger.WalletSuspended && wl.Status != ledger.WalletClosed:
		c.fail("status", "%q is not Active, Suspended or Closed", wl.Status)
	}
	switch {
	case wl.IsIBANValidated && wl.IBAN == nil:
		c.fail("isIbanValidated", "is true but the wallet has no iban")
	case wl.IBAN != nil && !wl.IsIBANValidated && wl.IBANValidationCode == nil:
		c.fail("ibanValidationCode", "is required while the iban is pending validation")
	case wl.IBANValidationCode != nil && !refShape.MatchString(*wl.IBANValidationCode):
		c.fail("ibanValidationCode", "%q must be 4 to 35 letters or digits", *wl.IBANValidationCode)
	case wl.SCTReason != nil && !refShape.MatchString(*wl.SCTReason):
		c.fail("reason", "%q must be 4 to 35 letters or digits", *wl.SCTReason)
	}
	if c.err != nil {
		return c.err
	}
	if err := refs.partnerExists(w, wl.PartnerKey); err != nil {
		return err
	}
	owner, err := refs.dealerPartner(w, wl.OriginatingDealerKey)
	if err != nil {
		return err
	}
	if owner == "" {
		return settle.FieldError("originatingDealerKey", "dealer %q does not exist", wl.OriginatingDealerKey)
	}
	if owner != wl.PartnerKey {
		return settle.FieldError("originatingDealerKey", "dealer %s belongs to partner %s, not %s", wl.OriginatingDealerKey, owner, wl.PartnerKey)
	}
	return ledger.UpsertWallet(w, &wl)
}

func (c *fieldCheck) creditorID(field, v string) *string {
	ci, err := sepa.CheckCreditorID(v)
	if err != nil {
		c.fail(field, "%s", err.Error())
	}
	return &ci
}

// refCache remembers, for one import, the partners that exist and the partner of
// each dealer, so that a million wallet rows do not look them up a million times.
// Only what was found is cached: a partner imported later is still seen.
type refCache struct {
	partners map[string]bool
	dealers  map[string]string
	loc      *time.Location // the configured zone, for times given with an offset
	day      settle.Day     // the import's business day (ImportOptions.Day)
}

func newRefCache() *refCache {
	return &refCache{partners: map[string]bool{}, dealers: map[string]string{}}
}

func (c *refCache) partnerExists(w *ledger.Writer, key string) error {
	if c.partners[key] {
		return nil
	}
	v, err := lookup(w, `SELECT partner_key FROM partners WHERE partner_key = ?`, key)
	if err != nil {
		return err
	}
	if v == "" {
		return settle.FieldError("partnerKey", "%q does not exist", key)
	}
	c.partners[key] = true
	return nil
}

// dealerPartner returns the partner of a dealer, or "" when the dealer does not exist.
func (c *refCache) dealerPartner(w *ledger.Writer, key string) (string, error) {
	if p, ok := c.dealers[key]; ok {
		return p, nil
	}
	p, err := lookup(w, `SELECT partner_key FROM dealers WHERE dealer_key = ?`, key)
	if p != "" {
		c.dealers[key] = p
	}
	return p, err
}

// lookup returns the one text column the query selects, or "" when there is no row.
func lookup(w *ledger.Writer, query, key string) (string, error) {
	var v string
	err := w.Get(&v, query, key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}
