package reports

import (
	"context"
	"fmt"
	"settle"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"settle/ledger"
)

// Settlement is what the daily settlement page shows, per partner and in total.
// Every figure comes from the rows of the day's reports (the same rows the CSV
// files hold), so the page and the files cannot disagree.
type Settlement struct {
	Day      settle.Day
	Scope    string          // the partner the page is for; "" for every partner
	Total    *PartnerSettled // every partner of the page together
	Partners []*PartnerSettled
	Trend    []TrendPoint // the safeguarding of the last 30 days, summed over the page's partners
}

// PartnerSettled is one partner's day (or the total, Key "").
type PartnerSettled struct {
	Key          string
	Movements    []Movement
	In, Out      decimal.Decimal
	Fees         []FeeLine
	FeeTotal     FeeLine
	Batches      []BatchLine
	Statements   []StatementCheck
	Safeguarding *Safeguard
	Exceptions   []AgeLine
	OpenCount    int64
	Breaks       int64 // reconciliation breaks open at the end of the day
	OldestBreak  int64 // the oldest one's age in days
}

// Movement is the money a kind of transaction moved in and out of the partner's
// bank account and its stores' cash.
type Movement struct {
	Kind    string
	Count   int64
	In, Out decimal.Decimal
}

// FeeLine is the fees of one operation type and status, with the four shares.
type FeeLine struct {
	Type, Status                                  string
	Count                                         int64
	Amount, Fee, Platform, Partner, Dealer, Store decimal.Decimal
}

// BatchLine is a batch made that night or closed that day.
type BatchLine struct {
	MsgID, Kind, Event, Status       string
	Txs, Settled, Rejected, Returned int64
	CtrlSum                          decimal.Decimal
}

// StatementCheck is the reconciliation of one bank statement of the day.
type StatementCheck struct {
	Account, StatementID string
	Matched              int64
	Findings             []FindingLine
}

// Green tells whether the statement reconciled without a finding.
func (s StatementCheck) Green() bool { return len(s.Findings) == 0 }

// FindingLine is one reconciliation item that did not match.
type FindingLine struct {
	Status, Rule, Ref, Detail string
	Bank, Ledger              string // amounts, "" where there is none
}

// Safeguard is the safeguarding check: the money held against the money owed.
type Safeguard struct {
	Bank, StoreCash, Held, Customer, Own, Drift decimal.Decimal
	FromStatement, Shortfall                    bool
}

// AgeLine is the open exceptions of one reason and currency by age in days since
// their booking: 0–1, 2–7, 8–30, over 30.
type AgeLine struct {
	Reason, Currency string
	Counts           [4]int64
	Amounts          [4]decimal.Decimal
}

// AgeBuckets names the exception age buckets, in days.
var AgeBuckets = [4]string{"0–1", "2–7", "8–30", "> 30"}

// TrendPoint is one day of the safeguarding trend.
type TrendPoint struct {
	Day            settle.Day
	Held, Customer int64 // cents: bank + store cash; customer money
	Drift          int64
}

// moneyKinds names the kinds of money movement by transaction type; a type not
// listed shows under its own name.
var moneyKinds = map[string]string{
	"SctDeposit": "SCT top-ups", "SddDeposit": "SDD collections", "Return": "SDD returns",
	"SctWithdrawal": "payouts", "PayoutBooked": "payouts", "PayoutRejected": "payouts",
	"Refund": "refunds", "RefundRejected": "refunds",
	"CashDeposit": "store cash", "CashWithdrawal": "store cash", "Payment": "store cash", "Redemption": "store cash",
	"FeePayout": "fee payouts", "Suspense": "unidentified (suspense)", "BalanceReset": "balance resets",
	"StoreRemittance": "store remittances", "FeeNetting": "fee netting", "OpeningBalance": "opening balance",
	"BalanceAdjustment": "adjustments",
}

// movementsReport is the money each kind of transaction booked on the day moved in
// and out of each partner's bank account and its stores' cash.
var movementsReport = Report{
	Name:    "movements",
	About:   "the money each kind of transaction booked on the day moved into and out of each partner's bank account and store cash",
	Columns: []Column{{"day", Date}, {"partnerKey", Text}, {"kind", Text}, {"transactions", Count}, {"in", Cents}, {"out", Cents}},
	each: func(ctx context.Context, s *ledger.Store, day settle.Day, _ Options, fn func([]string) error) error {
		var rows []struct {
			Partner string `db:"partner_key"`
			Type    string `db:"type"`
			N       int64  `db:"n"`
			In      int64  `db:"cents_in"`
			Out     int64  `db:"cents_out"`
		}
		if err := s.R.SelectContext(ctx, &rows, `SELECT a.partner_key, t.type, COUNT(DISTINCT t.id) AS n,
			COALESCE(SUM(CASE WHEN p.amount_cents > 0 THEN p.amount_cents END), 0) AS cents_in,
			COALESCE(SUM(CASE WHEN p.amount_cents < 0 THEN -p.amount_cents END), 0) AS cents_out
			FROM postings p JOIN transactions t ON t.id = p.transaction_id JOIN accounts a ON a.id = p.account_id
			WHERE t.booking_date = ? AND a.wallet_id IS NULL AND (a.code LIKE 'partner:%:bank' OR a.code LIKE 'partner:%:store_cash:%')
			GROUP BY a.partner_key, t.type`, day); err != nil {
			return fmt.Errorf("movements: %w", err)
		}
		type key struct{ partner, kind string }
		sums := map[key]*[3]int64{}
		for _, r := range rows {
			kind := moneyKinds[r.Type]
			if kind == "" {
				kind = r.Type
			}
			k := key{r.Partner, kind}
			if sums[k] == nil {
				sums[k] = &[3]int64{}
			}
			sums[k][0] += r.N
			sums[k][1] += r.In
			sums[k][2] += r.Out
		}
		keys := make([]key, 0, len(sums))
		for k := range sums {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b key) int {
			if a.partner != b.partner {
				return strings.Compare(a.partner, b.partner)
			}
			return strings.Compare(a.kind, b.kind)
		})
		for _, k := range keys {
			v := sums[k]
			if err := fn([]string{day.String(), k.partner, k.kind, fmt.Sprint(v[0]), ledger.FormatCents(v[1]), ledger.FormatCents(v[2])}); err != nil {
				return err
			}
		}
		return nil
	},
}
