package ledger

import (
	"cmp"
	"database/sql"
	"errors"
	"settle"
	"strings"

	"github.com/shopspring/decimal"
)

// Fee debtors (DESIGN Conventions: Fees).
const (
	DebtorCustomer = "Customer"
	DebtorStore    = "Store"
	DebtorNone     = "None"
)

// Share indexes of Fee.Shares and FeeSchedule.SharesBP, in the order ties go.
const (
	SharePlatform = iota
	SharePartner
	ShareDealer
	ShareStore
)

// FeeSchedule prices one operation type of a partner's stores.
type FeeSchedule struct {
	PartnerKey    string          `db:"partner_key"`
	OperationType string          `db:"operation_type"`
	FixedCents    int64           `db:"fixed_cents"`
	Percent       decimal.Decimal `db:"-"`
	PercentText   string          `db:"percent"`
	FeeDebtor     string          `db:"fee_debtor"`
	PlatformBP    int             `db:"share_platform_bp"`
	PartnerBP     int             `db:"share_partner_bp"`
	DealerBP      int             `db:"share_dealer_bp"`
	StoreBP       int             `db:"share_store_bp"`
	UpdatedAt     string          `db:"updated_at"`
}

// Fee is what an operation costs, and who earns it.
type Fee struct {
	Cents  int64
	Shares [4]int64 // platform, partner, dealer, store
}

// Price is the fee of an operation of amountCents: fixed + percent% × amount,
// rounded half-up to the cent, split into shares. A schedule whose debtor is None
// charges nothing.
func (f FeeSchedule) Price(amountCents int64) Fee {
	if f.FeeDebtor == DebtorNone {
		return Fee{}
	}
	pct := f.Percent
	if pct.IsZero() && f.PercentText != "" {
		pct, _ = decimal.NewFromString(f.PercentText)
	}
	variable := decimal.NewFromInt(amountCents).Mul(pct).Shift(-2).Round(0) // half away from zero: half-up for fees ≥ 0
	cents := f.FixedCents + variable.IntPart()
	return Fee{Cents: cents, Shares: SplitShares(cents, [4]int{f.PlatformBP, f.PartnerBP, f.DealerBP, f.StoreBP})}
}

// SplitShares splits cents by basis points (summing to 10,000) by largest
// remainder: each share gets its floor, and the cents left over go one each to the
// largest remainders, ties to the platform, then the partner, the dealer, the store.
// The shares always sum to cents.
func SplitShares(cents int64, bp [4]int) [4]int64 {
	var out [4]int64
	var rem [4]int64
	left := cents
	for i, b := range bp {
		out[i] = cents * int64(b) / 10_000
		rem[i] = cents * int64(b) % 10_000
		left -= out[i]
	}
	for ; left > 0; left-- {
		best := -1
		for i := range rem {
			if rem[i] >= 0 && (best < 0 || rem[i] > rem[best]) {
				best = i
			}
		}
		out[best]++
		rem[best] = -1 // each share gets at most one cent more
	}
	return out
}

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

// storeOperationTypes are the operation types of the operations feed: true when
// the money comes into the wallet.
var storeOperationTypes = map[string]bool{"CashDeposit": true, "CashWithdrawal": false, "Payment": false}

func upsertFeeRow(w *Writer, _ *refCache, r *FeeRow) error {
	var c fieldCheck
	partner := c.required("partnerKey", r.PartnerKey)
	typ := c.required("operationType", r.OperationType)
	if _, ok := storeOperationTypes[typ]; typ != "" && !ok {
		c.fail("operationType", "%q is not CashDeposit, CashWithdrawal or Payment", typ)
	}
	fixed := c.amount("fixedAmount", cmp.Or(strings.TrimSpace(r.FixedAmount), "0"))
	pct, err := decimal.NewFromString(strings.TrimSpace(cmp.Or(r.Percentage, "0")))
	if err != nil || pct.IsNegative() || pct.GreaterThan(decimal.NewFromInt(100)) || pct.Exponent() < -4 {
		c.fail("percentage", "%q is not a percentage between 0 and 100 with at most 4 decimals", r.Percentage)
	}
	debtor := strings.TrimSpace(r.FeeDebtor)
	if debtor != DebtorCustomer && debtor != DebtorStore && debtor != DebtorNone {
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
	if _, err := PartnerByKey(w, partner); err != nil {
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

// feeSchedule returns the schedule of a partner's operation type; none prices at zero.
func feeSchedule(w *Writer, partner, typ string) (FeeSchedule, error) {
	var f FeeSchedule
	err := w.Get(&f, `SELECT * FROM fee_schedules WHERE partner_key = ? AND operation_type = ?`, partner, typ)
	if errors.Is(err, sql.ErrNoRows) {
		return FeeSchedule{PartnerKey: partner, OperationType: typ, FeeDebtor: DebtorNone}, nil
	}
	if err != nil {
		return f, err
	}
	f.Percent, err = decimal.NewFromString(f.PercentText)
	return f, err
}
