package fees

import (
	"database/sql"
	"errors"
	"settle/ledger"

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

// OperationTypes are the operation types of the operations feed: true when the
// money comes into the wallet.
var OperationTypes = map[string]bool{"CashDeposit": true, "CashWithdrawal": false, "Payment": false}

// ScheduleOf returns the schedule of a partner's operation type; none prices at zero.
func ScheduleOf(w *ledger.Writer, partner, typ string) (FeeSchedule, error) {
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
