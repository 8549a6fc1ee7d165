package reports

import (
	"context"
	"fmt"
	"settle"
	"sort"

	"github.com/shopspring/decimal"

	"settle/ledger"
)

// TrendDays is how many days the safeguarding trend of the page covers.
const TrendDays = 30

// BuildSettlement gathers the settlement page of day from the rows of the day's
// reports: for one partner (scope) or, with scope "", for every partner.
func BuildSettlement(ctx context.Context, s *ledger.Store, day settle.Day, scope string) (*Settlement, error) {
	st := &Settlement{Day: day, Scope: scope, Total: &PartnerSettled{}}
	byKey := map[string]*PartnerSettled{}
	partner := func(key string) *PartnerSettled {
		p := byKey[key]
		if p == nil {
			p = &PartnerSettled{Key: key}
			byKey[key] = p
		}
		return p
	}
	each := func(name string, fn func(get func(col string) string) error) error {
		r, _ := ReportByName(name)
		idx := map[string]int{}
		for i, c := range r.Columns {
			idx[c.Name] = i
		}
		return r.Each(ctx, s, day, Options{}, func(row []string) error {
			if scope != "" && row[idx["partnerKey"]] != scope {
				return nil
			}
			return fn(func(col string) string {
				i, ok := idx[col]
				if !ok {
					panic(name + " has no column " + col)
				}
				return row[i]
			})
		})
	}
	steps := []struct {
		report string
		fn     func(get func(string) string) error
	}{
		{"movements", func(get func(string) string) error {
			m := Movement{Kind: get("kind"), Count: atoi(get("transactions")), In: dec(get("in")), Out: dec(get("out"))}
			for _, p := range []*PartnerSettled{partner(get("partnerKey")), st.Total} {
				p.addMovement(m)
			}
			return nil
		}},
		{"fee-totals", func(get func(string) string) error {
			f := FeeLine{Type: get("operationType"), Status: get("operationStatus"), Count: atoi(get("count")), Amount: dec(get("totalAmount")),
				Fee: dec(get("totalFee")), Platform: dec(get("totalForFlowe")), Partner: dec(get("totalForPartner")),
				Dealer: dec(get("totalForDealer")), Store: dec(get("totalForStore"))}
			for _, p := range []*PartnerSettled{partner(get("partnerKey")), st.Total} {
				p.addFee(f)
			}
			return nil
		}},
		{"batches", func(get func(string) string) error {
			p := partner(get("partnerKey"))
			p.Batches = append(p.Batches, BatchLine{MsgID: get("msgId"), Kind: get("kind"), Event: get("event"), Status: get("status"),
				Txs: atoi(get("nbOfTxs")), CtrlSum: dec(get("ctrlSum")), Settled: atoi(get("settledTxs")), Rejected: atoi(get("rejectedTxs")),
				Returned: atoi(get("returnedTxs"))})
			return nil
		}},
		{"reconciliation", func(get func(string) string) error {
			p := partner(get("partnerKey"))
			n := len(p.Statements)
			if n == 0 || p.Statements[n-1].StatementID != get("statementId") || p.Statements[n-1].Account != get("account") {
				p.Statements = append(p.Statements, StatementCheck{Account: get("account"), StatementID: get("statementId")})
				n++
			}
			sc := &p.Statements[n-1]
			if get("status") == "matched" {
				sc.Matched++
				return nil
			}
			ref := get("acctSvcrRef")
			if ref == "" {
				ref = get("endToEndId")
			}
			sc.Findings = append(sc.Findings, FindingLine{Status: get("status"), Rule: get("rule"), Ref: ref, Detail: get("detail"),
				Bank: get("bankAmount"), Ledger: get("ledgerAmount")})
			return nil
		}},
		{"safeguarding", func(get func(string) string) error {
			g := Safeguard{Bank: dec(get("bank")), StoreCash: dec(get("storeCash")), Customer: dec(get("customerMoney")), Own: dec(get("ownMoney")),
				Drift: dec(get("drift")), FromStatement: get("fromStatement") == "true", Shortfall: get("shortfall") == "true"}
			g.Held = g.Bank.Add(g.StoreCash)
			partner(get("partnerKey")).Safeguarding = &g
			st.Total.addSafeguard(g)
			return nil
		}},
		{"breaks", func(get func(string) string) error {
			for _, p := range []*PartnerSettled{partner(get("partnerKey")), st.Total} {
				p.Breaks++
				p.OldestBreak = max(p.OldestBreak, atoi(get("ageDays")))
			}
			return nil
		}},
		{"exceptions", func(get func(string) string) error {
			status := get("status")
			if status != ledger.ExceptionOpen && status != ledger.ExceptionAssigned {
				return nil
			}
			age := 0
			if booked, err := settle.ParseDay(get("bookingDate")); err == nil {
				age = ageBucket(day.Sub(booked))
			}
			for _, p := range []*PartnerSettled{partner(get("partnerKey")), st.Total} {
				p.addException(get("reason"), get("currency"), age, dec(get("amount")))
			}
			return nil
		}},
	}
	for _, step := range steps {
		if err := each(step.report, step.fn); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		st.Partners = append(st.Partners, byKey[k])
	}
	trend, err := safeguardingTrend(ctx, s, day, scope)
	if err != nil {
		return nil, err
	}
	st.Trend = trend
	return st, nil
}

func (p *PartnerSettled) addMovement(m Movement) {
	p.In, p.Out = p.In.Add(m.In), p.Out.Add(m.Out)
	for i := range p.Movements {
		if p.Movements[i].Kind == m.Kind {
			p.Movements[i].Count += m.Count
			p.Movements[i].In = p.Movements[i].In.Add(m.In)
			p.Movements[i].Out = p.Movements[i].Out.Add(m.Out)
			return
		}
	}
	p.Movements = append(p.Movements, m)
	sort.Slice(p.Movements, func(i, j int) bool { return p.Movements[i].Kind < p.Movements[j].Kind })
}

func (p *PartnerSettled) addFee(f FeeLine) {
	p.FeeTotal = p.FeeTotal.plus(f)
	for i := range p.Fees {
		if p.Fees[i].Type == f.Type && p.Fees[i].Status == f.Status {
			p.Fees[i] = p.Fees[i].plus(f)
			return
		}
	}
	p.Fees = append(p.Fees, f)
	sort.Slice(p.Fees, func(i, j int) bool {
		if p.Fees[i].Type != p.Fees[j].Type {
			return p.Fees[i].Type < p.Fees[j].Type
		}
		return p.Fees[i].Status < p.Fees[j].Status
	})
}

func (f FeeLine) plus(g FeeLine) FeeLine {
	f.Count += g.Count
	f.Amount, f.Fee, f.Platform = f.Amount.Add(g.Amount), f.Fee.Add(g.Fee), f.Platform.Add(g.Platform)
	f.Partner, f.Dealer, f.Store = f.Partner.Add(g.Partner), f.Dealer.Add(g.Dealer), f.Store.Add(g.Store)
	return f
}

func (p *PartnerSettled) addSafeguard(g Safeguard) {
	if p.Safeguarding == nil {
		p.Safeguarding = &Safeguard{}
	}
	t := p.Safeguarding
	t.Bank, t.StoreCash, t.Held = t.Bank.Add(g.Bank), t.StoreCash.Add(g.StoreCash), t.Held.Add(g.Held)
	t.Customer, t.Own, t.Drift = t.Customer.Add(g.Customer), t.Own.Add(g.Own), t.Drift.Add(g.Drift)
	t.Shortfall = t.Shortfall || g.Shortfall
}

func (p *PartnerSettled) addException(reason, currency string, age int, amount decimal.Decimal) {
	p.OpenCount++
	for i := range p.Exceptions {
		if e := &p.Exceptions[i]; e.Reason == reason && e.Currency == currency {
			e.Counts[age]++
			e.Amounts[age] = e.Amounts[age].Add(amount)
			return
		}
	}
	e := AgeLine{Reason: reason, Currency: currency}
	e.Counts[age]++
	e.Amounts[age] = amount
	p.Exceptions = append(p.Exceptions, e)
	sort.Slice(p.Exceptions, func(i, j int) bool {
		if p.Exceptions[i].Reason != p.Exceptions[j].Reason {
			return p.Exceptions[i].Reason < p.Exceptions[j].Reason
		}
		return p.Exceptions[i].Currency < p.Exceptions[j].Currency
	})
}

// ageBucket is the index in AgeBuckets of an age in days.
func ageBucket(days int) int {
	switch {
	case days <= 1:
		return 0
	case days <= 7:
		return 1
	case days <= 30:
		return 2
	}
	return 3
}

// safeguardingTrend reads the stored safeguarding checks of the TrendDays days up to
// day, summed over the partners of the scope.
func safeguardingTrend(ctx context.Context, s *ledger.Store, day settle.Day, scope string) ([]TrendPoint, error) {
	var rows []struct {
		Day      settle.Day `db:"day"`
		Held     int64      `db:"held"`
		Customer int64      `db:"customer"`
		Drift    int64      `db:"drift"`
	}
	err := s.R.SelectContext(ctx, &rows, `SELECT day, SUM(bank_cents + store_cash_cents) AS held, SUM(customer_cents) AS customer,
		SUM(drift_cents) AS drift FROM safeguarding WHERE day > ? AND day <= ? AND (? = '' OR partner_key = ?)
		GROUP BY day ORDER BY day`, day.AddDays(-TrendDays), day, scope, scope)
	if err != nil {
		return nil, fmt.Errorf("safeguarding trend: %w", err)
	}
	out := make([]TrendPoint, len(rows))
	for i, r := range rows {
		out[i] = TrendPoint{Day: r.Day, Held: r.Held, Customer: r.Customer, Drift: r.Drift}
	}
	return out, nil
}

func dec(s string) decimal.Decimal {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero
	}
	return d
}

func atoi(s string) int64 {
	d := dec(s)
	return d.IntPart()
}
