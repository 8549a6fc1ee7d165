package feeds

import (
	"cmp"
	"settle"
	"settle/ledger"
	"settle/ledger/fees"
	"strings"

	"github.com/shopspring/decimal"
)

// FeeRow is one row of fees.csv: the fee schedule of a partner's operation type.
type FeeRow struct {
	PartnerKey    string `csv:"partnerKey"`
	OperationType string `csv:"operationType"`
	FixedAmount   string `csv:"fixedAmount"`
	Percentage    string `csv:"percentage"`
	FeeDebtor     string `csv:"feeDebtor"`
	SharePlatform string `csv:"sharePlatform"` // basis points; the four sum to 10000
	SharePartner  string `csv:"sharePartner"`
	ShareDealer   string `csv:"shareDealer"`
	ShareStore    string `csv:"shareStore"`
}

func upsertFeeRow(w *ledger.Writer, _ *refCache, r *FeeRow) error {
	var c fieldCheck
	partner := c.required("partnerKey", r.PartnerKey)
	typ := c.required("operationType", r.OperationType)
	if _, ok := fees.OperationTypes[typ]; typ != "" && !ok {
		c.fail("operationType", "%q is not CashDeposit, CashWithdrawal or Payment", typ)
	}
	fixed := c.amount("fixedAmount", cmp.Or(strings.TrimSpace(r.FixedAmount), "0"))
	pct, err := decimal.NewFromString(strings.TrimSpace(cmp.Or(r.Percentage, "0")))
	if err != nil || pct.IsNegative() || pct.GreaterThan(decimal.NewFromInt(100)) || pct.Exponent() < -4 {
		c.fail("percentage", "%q is not a percentage between 0 and 100 with at most 4 decimals", r.Percentage)
	}
	debtor := strings.TrimSpace(r.FeeDebtor)
	if debtor != fees.DebtorCustomer && debtor != fees.DebtorStore && debtor != fees.DebtorNone {
		c.fail("feeDebtor", "%q is not Customer, Store or None", r.FeeDebtor)
	}
	var bp [4]int
	sum := 0
	for i, f := range []struct{ name, v string }{{"sharePlatform", r.SharePlatform}, {"sharePartner", r.SharePartner},
		{"shareDealer", r.ShareDealer}, {"shareStore", r.ShareStore}} {
		bp[i] = c.basisPoints(f.name, f.v)
		sum += bp[i]
	}
	if c.err == nil && sum != 10_000 {
		c.fail("sharePlatform", "the four shares sum to %d basis points, not 10000", sum)
	}
	if c.err != nil {
		return c.err
	}
	if _, err := ledger.PartnerByKey(w, partner); err != nil {
		return settle.FieldError("partnerKey", "partner %s does not exist", partner)
	}
	_, err = w.Exec(`INSERT INTO fee_schedules (partner_key, operation_type, fixed_cents, percent, fee_debtor, share_platform_bp,
		share_partner_bp, share_dealer_bp, share_store_bp, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (partner_key, operation_type) DO UPDATE SET fixed_cents = excluded.fixed_cents, percent = excluded.percent,
		fee_debtor = excluded.fee_debtor, share_platform_bp = excluded.share_platform_bp, share_partner_bp = excluded.share_partner_bp,
		share_dealer_bp = excluded.share_dealer_bp, share_store_bp = excluded.share_store_bp, updated_at = excluded.updated_at`,
		partner, typ, *fixed, pct.String(), debtor, bp[0], bp[1], bp[2], bp[3], w.NowText())
	return err
}
