package api

import (
	"context"
	"settle"
	"strings"
)

// statistics is the seeds' WalletsStatisticsResult. The IBAN counts leave closed
// wallets out (seed 001).
type statistics struct {
	WalletsCount                 int64        `db:"n" json:"walletsCount"`
	WalletsOpen                  int64        `db:"open" json:"walletsOpen"`
	WalletsSuspended             int64        `db:"suspended" json:"walletsSuspended"`
	WalletsClosed                int64        `db:"closed" json:"walletsClosed"`
	WalletsIbanValidated         int64        `db:"validated" json:"walletsIbanValidated"`
	WalletsPendingIbanValidation int64        `db:"pending" json:"walletsPendingIbanValidation"`
	WalletsWithoutIban           int64        `db:"no_iban" json:"walletsWithoutIban"`
	WalletsTotalAvailableBalance settle.Money `db:"total" json:"walletsTotalAvailableBalance"`
	EarliestCreation             *string      `db:"min_created" json:"walletsEarliestCreationDate"`
	LatestCreation               *string      `db:"max_created" json:"walletsLatestCreationDate"`
	EarliestUsage                *string      `db:"min_used" json:"walletsEarliestUsageDate"`
	LatestUsage                  *string      `db:"max_used" json:"walletsLatestUsageDate"`
	EarliestUpdate               *string      `db:"min_updated" json:"walletsEarliestUpdateDate"`
	LatestUpdate                 *string      `db:"max_updated" json:"walletsLatestUpdateDate"`
}

func (s *Server) stats(ctx context.Context, where string, args []any) (*statistics, error) {
	var st statistics
	err := s.store.R.GetContext(ctx, &st, `SELECT COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN status = 'Active' THEN 1 ELSE 0 END), 0) AS open, COALESCE(SUM(CASE WHEN status = 'Suspended' THEN 1 ELSE 0 END), 0) AS suspended,
		COALESCE(SUM(CASE WHEN status = 'Closed' THEN 1 ELSE 0 END), 0) AS closed, COALESCE(SUM(CASE WHEN status <> 'Closed' AND is_iban_validated THEN 1 ELSE 0 END), 0) AS validated,
		COALESCE(SUM(CASE WHEN status <> 'Closed' AND iban IS NOT NULL AND NOT is_iban_validated THEN 1 ELSE 0 END), 0) AS pending,
		COALESCE(SUM(CASE WHEN status <> 'Closed' AND iban IS NULL THEN 1 ELSE 0 END), 0) AS no_iban,
		COALESCE(-(SELECT SUM(a.balance_cents) FROM accounts a WHERE a.wallet_id IN (SELECT wallet_id FROM wallets w WHERE `+where+`)), 0) AS total,
		MIN(creation_date) AS min_created, MAX(creation_date) AS max_created, MIN(last_usage_date) AS min_used,
		MAX(last_usage_date) AS max_used, MIN(last_update_date) AS min_updated, MAX(last_update_date) AS max_updated
		FROM wallets w WHERE `+where, append(append([]any{}, args...), args...)...)
	return &st, err
}

func (s *Server) partnerStatistics(ctx context.Context, r *request) (any, error) {
	partner := r.URL.Query().Get("partnerKey")
	switch {
	case r.who.partner != nil && partner != "" && partner != *r.who.partner:
		return nil, forbidden()
	case r.who.partner != nil:
		partner = *r.who.partner
	}
	if partner == "" {
		return s.stats(ctx, "1 = 1", nil)
	}
	return s.stats(ctx, "w.partner_key = ?", []any{partner})
}

func (s *Server) dealerStatistics(ctx context.Context, r *request) (any, error) {
	dealer := r.PathValue("dealerKey")
	if err := s.dealerFor(ctx, r, dealer); err != nil {
		return nil, err
	}
	return s.stats(ctx, "w.originating_dealer_key = ?", []any{dealer})
}

// dealerFor checks a dealer exists and is the caller's partner's.
func (s *Server) dealerFor(ctx context.Context, r *request, dealer string) error {
	var partner string
	if err := s.store.R.GetContext(ctx, &partner, `SELECT partner_key FROM dealers WHERE dealer_key = ?`, dealer); err != nil {
		if isNoRows(err) {
			return settle.Errorf(settle.NotFound, "dealer %s cannot be found", dealer)
		}
		return err
	}
	if !r.who.mayAccess(partner) {
		return forbidden()
	}
	return nil
}

// storeAmounts is one store's totals by operation type (the seeds' store totals).
type storeAmounts struct {
	StoreID   string        `json:"storeId"`
	StoreName string        `json:"storeName"`
	Amounts   []storeAmount `json:"amounts"`
}

type storeAmount struct {
	OperationType            string       `json:"operationType"`
	TotalAmount              settle.Money `json:"totalAmount"`
	TotalCustomerNetAmount   settle.Money `json:"totalCustomerNetAmount"`
	TotalCustomerFinalAmount settle.Money `json:"totalCustomerFinalAmount"`
}

func (s *Server) storeTotals(ctx context.Context, r *request) (any, error) {
	size, number, err := paging(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	dealer := q.Get("dealerKey")
	if dealer == "" {
		return nil, settle.FieldError("dealerKey", "is required")
	}
	if err := s.dealerFor(ctx, r, dealer); err != nil {
		return nil, err
	}
	args := []any{dealer, size, size * number} // in the order of the query's ?
	join := "ft.store_id = s.store_id"
	if v := q.Get("date"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return nil, settle.FieldError("date", "%q is not a date", v)
		}
		join += " AND ft.day = '" + t.Format("2006-01-02") + "'"
	}
	if v := q.Get("operationStatus"); v != "" {
		join += " AND ft.operation_status = ?"
		args = append(args, v)
	}
	p := &page[storeAmounts]{Items: []storeAmounts{}}
	if err := s.store.R.GetContext(ctx, &p.TotalCount, `SELECT COUNT(*) FROM stores s WHERE s.dealer_key = ?`, dealer); err != nil {
		return nil, err
	}
	var rows []struct {
		StoreID string  `db:"store_id"`
		Name    string  `db:"store_name"`
		Type    *string `db:"operation_type"`
		Amount  int64   `db:"amount"`
		Net     int64   `db:"net"`
		Final   int64   `db:"final"`
	}
	if err := s.store.R.SelectContext(ctx, &rows, `SELECT s.store_id, s.store_name, ft.operation_type, COALESCE(SUM(ft.total_amount_cents), 0) AS amount,
		COALESCE(SUM(ft.total_customer_net_cents), 0) AS net, COALESCE(SUM(ft.total_customer_final_cents), 0) AS final
		FROM (SELECT * FROM stores s WHERE s.dealer_key = ? ORDER BY s.store_id LIMIT ? OFFSET ?) s LEFT JOIN fee_totals ft ON `+join+`
		GROUP BY s.store_id, s.store_name, ft.operation_type ORDER BY s.store_id, ft.operation_type NULLS FIRST`, args...); err != nil {
		return nil, err
	}
	for _, x := range rows {
		if len(p.Items) == 0 || p.Items[len(p.Items)-1].StoreID != x.StoreID {
			p.Items = append(p.Items, storeAmounts{StoreID: x.StoreID, StoreName: x.Name, Amounts: []storeAmount{}})
		}
		if x.Type != nil {
			it := &p.Items[len(p.Items)-1]
			it.Amounts = append(it.Amounts, storeAmount{OperationType: *x.Type, TotalAmount: settle.MoneyFromCents(x.Amount),
				TotalCustomerNetAmount: settle.MoneyFromCents(x.Net), TotalCustomerFinalAmount: settle.MoneyFromCents(x.Final)})
		}
	}
	return p, nil
}

func (s *Server) feeTotals(ctx context.Context, r *request) (any, error) {
	q := r.URL.Query()
	if dealer := strings.TrimSpace(q.Get("dealerKey")); dealer != "" {
		if err := s.dealerFor(ctx, r, dealer); err != nil { // another partner's dealer: 403, not zeros
			return nil, err
		}
	}
	where, args := scope(r, "partner_key")
	for _, f := range []struct {
		param, col string
		required   bool
	}{{"operationType", "operation_type", true}, {"operationStatus", "operation_status", true}, {"feeDebtor", "fee_debtor", true},
		{"dealerKey", "dealer_key", false}, {"storeId", "store_id", false}} {
		v := strings.TrimSpace(q.Get(f.param))
		if v == "" {
			if f.required {
				return nil, settle.FieldError(f.param, "is required")
			}
			continue
		}
		where += " AND " + f.col + " = ?"
		args = append(args, v)
	}
	for _, f := range []struct{ param, op string }{{"fromDate", ">="}, {"toDate", "<="}} {
		v := q.Get(f.param)
		t, err := parseTime(v)
		if err != nil {
			return nil, settle.FieldError(f.param, "%q is required as a date-time", v)
		}
		where += " AND day " + f.op + " ?"
		args = append(args, t.Format("2006-01-02"))
	}
	var t struct {
		Flowe, Partner, Dealer, Store int64
	}
	err := s.store.R.QueryRowxContext(ctx, `SELECT COALESCE(SUM(total_for_platform_cents), 0), COALESCE(SUM(total_for_partner_cents), 0),
		COALESCE(SUM(total_for_dealer_cents), 0), COALESCE(SUM(total_for_store_cents), 0) FROM fee_totals WHERE `+where, args...).
		Scan(&t.Flowe, &t.Partner, &t.Dealer, &t.Store)
	return feeTotalsResponse{TotalForDealer: settle.MoneyFromCents(t.Dealer), TotalForFlowe: settle.MoneyFromCents(t.Flowe),
		TotalForPartner: settle.MoneyFromCents(t.Partner), TotalForStore: settle.MoneyFromCents(t.Store)}, err
}

// feeTotalsResponse is the four shares of the fees of the operations asked for.
type feeTotalsResponse struct {
	TotalForDealer  settle.Money `json:"totalForDealer"`
	TotalForFlowe   settle.Money `json:"totalForFlowe"`
	TotalForPartner settle.Money `json:"totalForPartner"`
	TotalForStore   settle.Money `json:"totalForStore"`
}
