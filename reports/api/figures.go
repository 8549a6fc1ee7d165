package api

import (
	"context"
	"settle"
	"time"

	"settle/ledger"
)

// limit is the seeds' limit: its bound, the current use, what is left, what is over.
type limit struct {
	Limit                  *settle.Money `json:"limit"`
	Current                settle.Money  `json:"current"`
	RemainingAmountToLimit *settle.Money `json:"remainingAmountToLimit"`
	ExceedAmountFromLimit  *settle.Money `json:"exceedAmountFromLimit"`
	ViolationMessage       *string       `json:"violationMessage"`
}

// makeLimit is a maximum (or, with min, a minimum) against the current amount.
func makeLimit(bound *int64, current int64, min bool, what string) limit {
	l := limit{Current: settle.MoneyFromCents(current)}
	if bound == nil {
		return l
	}
	b := settle.MoneyFromCents(*bound)
	left, over := *bound-current, current-*bound
	if min {
		left, over = current-*bound, *bound-current
	}
	r, e := settle.MoneyFromCents(max(left, 0)), settle.MoneyFromCents(max(over, 0))
	l.Limit, l.RemainingAmountToLimit, l.ExceedAmountFromLimit = &b, &r, &e
	if over > 0 {
		msg := what + " exceeded by " + e.Text()
		l.ViolationMessage = &msg
	}
	return l
}

func (s *Server) walletLimits(ctx context.Context, r *request) (any, error) {
	w, err := s.walletFor(ctx, r)
	if err != nil {
		return nil, err
	}
	var p ledger.Partner
	if err := s.store.R.GetContext(ctx, &p, `SELECT * FROM partners WHERE partner_key = ?`, w.PartnerKey); err != nil {
		return nil, err
	}
	wd, rs, err := s.balances(ctx, w.WalletID, settle.Day{})
	if err != nil {
		return nil, err
	}
	from := settle.DayOf(s.now(), time.UTC).AddDays(-29) // the rolling 30 days ending today
	used := map[string]int64{}
	var rows []struct {
		Type  string `db:"operation_type"`
		Cents int64  `db:"cents"`
	}
	if err := s.store.R.SelectContext(ctx, &rows, `SELECT operation_type, SUM(amount_cents) AS cents FROM operations WHERE wallet_id = ?
		AND operation_status = 'Completed' AND operation_date >= ? AND operation_type IN ('CashDeposit', 'CashWithdrawal') GROUP BY 1`,
		w.WalletID, from); err != nil {
		return nil, err
	}
	for _, x := range rows {
		used[x.Type] = x.Cents
	}
	var sdd int64
	if err := s.store.R.GetContext(ctx, &sdd, `SELECT COALESCE(SUM(amount_cents), 0) FROM direct_debits WHERE wallet_id = ?
		AND status NOT IN ('Rejected', 'Cancelled', 'Returned', 'Refunded') AND requested_date >= ?`, w.WalletID, from); err != nil {
		return nil, err
	}
	zero := int64(0)
	return limitsResponse{
		Maximum:                        makeLimit(p.MaxBalanceCents, wd+rs, false, "maximum balance"),
		MaximumLastMonthCashDeposit:    makeLimit(p.MaxMonthCashDepositCents, used["CashDeposit"], false, "cash deposits over 30 days"),
		MaximumLastMonthCashWithdrawal: makeLimit(p.MaxMonthCashWithdrawalCents, used["CashWithdrawal"], false, "cash withdrawals over 30 days"),
		MaximumLastMonthSddDeposit:     makeLimit(p.MaxMonthSddDepositCents, sdd, false, "SDD deposits over 30 days"),
		Minimum:                        makeLimit(&zero, wd+rs, true, "minimum balance"),
	}, nil
}

// limitsResponse is a wallet's limits with their current use.
type limitsResponse struct {
	Maximum                        limit `json:"maximum"`
	MaximumLastMonthCashDeposit    limit `json:"maximumLastMonthCashDeposit"`
	MaximumLastMonthCashWithdrawal limit `json:"maximumLastMonthCashWithdrawal"`
	MaximumLastMonthSddDeposit     limit `json:"maximumLastMonthSddDeposit"`
	Minimum                        limit `json:"minimum"`
}

// movement is one line of a wallet's statement.
type movement struct {
	TransactionID int64        `db:"transaction_id" json:"transactionId"`
	Type          string       `db:"type" json:"type"`
	Direction     string       `db:"direction" json:"direction"` // in or out
	Amount        settle.Money `db:"cents" json:"amount"`
	Bucket        string       `db:"bucket" json:"bucket"`
	BookingDate   string       `db:"booking_date" json:"bookingDate"`
	ValueDate     string       `db:"value_date" json:"valueDate"`
	Description   string       `db:"description" json:"description"`
}

func (s *Server) statements(ctx context.Context, r *request) (any, error) {
	w, err := s.walletFor(ctx, r)
	if err != nil {
		return nil, err
	}
	size, number, err := paging(r)
	if err != nil {
		return nil, err
	}
	where := `p.account_id IN (SELECT id FROM accounts WHERE wallet_id = ?)`
	args := []any{w.WalletID}
	q := r.URL.Query()
	switch d := q.Get("direction"); d {
	case "":
	case "in":
		where += " AND p.amount_cents < 0"
	case "out":
		where += " AND p.amount_cents > 0"
	default:
		return nil, settle.FieldError("direction", "%q is not in or out", d)
	}
	for _, f := range []struct{ name, op string }{{"from", ">="}, {"to", "<="}} {
		if v := q.Get(f.name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				return nil, settle.FieldError(f.name, "%q is not a date", v)
			}
			where += " AND t.booking_date " + f.op + " ?"
			args = append(args, t.Format(time.DateOnly))
		}
	}
	if v := q.Get("type"); v != "" {
		where += " AND t.type = ?"
		args = append(args, v)
	}
	asOf, err := asOfDay(r)
	if err != nil {
		return nil, err
	}
	if !asOf.IsZero() {
		where += " AND t.booking_date <= ?"
		args = append(args, asOf)
	}
	pg, err := pageOf[movement](ctx, s, `FROM postings p JOIN transactions t ON t.id = p.transaction_id JOIN accounts a ON a.id = p.account_id WHERE `+where,
		`SELECT t.id AS transaction_id, t.type, CASE WHEN p.amount_cents < 0 THEN 'in' ELSE 'out' END AS direction, abs(p.amount_cents) AS cents,
		CASE WHEN a.code LIKE '%:withdrawable' THEN 'withdrawable' ELSE 'restricted' END AS bucket, t.booking_date, t.value_date, t.description`,
		`ORDER BY t.booking_date DESC, t.id DESC, p.id`, args, size, number)
	if err != nil {
		return nil, err
	}
	return pg, nil
}
