package fees

import (
	"context"
	"errors"
	"settle"
	"settle/ledger"
)

// FeeTotal is one row of the daily fee totals: the operations of a day for one
// (partner, dealer, store, operation type, operation status, fee debtor), counted
// and summed, with the fee's four shares (totalForFlowe is the platform's share, as
// the seeds name it).
type FeeTotal struct {
	Day                string       `db:"day" json:"day"`
	PartnerKey         string       `db:"partner_key" json:"partnerKey"`
	DealerKey          string       `db:"dealer_key" json:"dealerKey"`
	StoreID            string       `db:"store_id" json:"storeId"`
	OperationType      string       `db:"operation_type" json:"operationType"`
	OperationStatus    string       `db:"operation_status" json:"operationStatus"`
	FeeDebtor          string       `db:"fee_debtor" json:"feeDebtor"`
	Count              int64        `db:"count" json:"count"`
	TotalAmount        settle.Money `db:"total_amount_cents" json:"totalAmount"`
	TotalCustomerNet   settle.Money `db:"total_customer_net_cents" json:"totalCustomerNetAmount"`
	TotalCustomerFinal settle.Money `db:"total_customer_final_cents" json:"totalCustomerFinalAmount"`
	TotalFee           settle.Money `db:"total_fee_cents" json:"totalFee"`
	TotalForPlatform   settle.Money `db:"total_for_platform_cents" json:"totalForFlowe"`
	TotalForPartner    settle.Money `db:"total_for_partner_cents" json:"totalForPartner"`
	TotalForDealer     settle.Money `db:"total_for_dealer_cents" json:"totalForDealer"`
	TotalForStore      settle.Money `db:"total_for_store_cents" json:"totalForStore"`
}

// FeeTotalsResult says what a recomputation wrote.
type FeeTotalsResult struct {
	Days       int64 `db:"days"`
	Rows       int64 `db:"rows"`
	Operations int64 `db:"operations"`
	FeeCents   int64 `db:"fee"`
}

const feeTotalsSelect = `SELECT operation_date, partner_key, COALESCE(dealer_key, ''), COALESCE(store_id, ''), operation_type,
	operation_status, fee_debtor, COUNT(*), SUM(amount_cents), SUM(customer_net_amount_cents), SUM(customer_final_amount_cents),
	SUM(fee_cents), SUM(fee_platform_cents), SUM(fee_partner_cents), SUM(fee_dealer_cents), SUM(fee_store_cents)
	FROM operations`

const feeTotalsGroup = ` GROUP BY operation_date, partner_key, dealer_key, store_id, operation_type, operation_status, fee_debtor`

// RebuildFeeTotals replaces the fee totals of day, or of every day when day is
// the zero Day, from the operations, in one transaction: a recomputation gives
// the same rows, and a reader never sees a day half-written.
func RebuildFeeTotals(ctx context.Context, s *ledger.Store, day settle.Day, dryRun bool) (FeeTotalsResult, error) {
	var res FeeTotalsResult
	err := s.Write(ctx, func(w *ledger.Writer) error {
		where, args := "", []any{}
		if !day.IsZero() {
			where, args = " WHERE day = ?", []any{day}
		}
		if _, err := w.Exec(`DELETE FROM fee_totals`+where, args...); err != nil {
			return err
		}
		from := ""
		if !day.IsZero() {
			from = " WHERE operation_date = ?"
		}
		if _, err := w.Exec(`INSERT INTO fee_totals `+feeTotalsSelect+from+feeTotalsGroup, args...); err != nil {
			return err
		}
		if err := w.Get(&res, `SELECT COUNT(DISTINCT day) AS days, COUNT(*) AS rows, COALESCE(SUM(count), 0) AS operations,
			COALESCE(SUM(total_fee_cents), 0) AS fee FROM fee_totals`+where, args...); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err == errDryRun {
		err = nil
	}
	return res, err
}

// FeeTotals returns the stored totals of a day, in key order.
func FeeTotals(ctx context.Context, s *ledger.Store, day settle.Day) ([]FeeTotal, error) {
	var out []FeeTotal
	err := s.R.SelectContext(ctx, &out, `SELECT * FROM fee_totals WHERE day = ? ORDER BY partner_key, dealer_key, store_id,
		operation_type, operation_status, fee_debtor`, day)
	return out, err
}

// errDryRun rolls back a dry run's transaction after it has decided everything.
var errDryRun = errors.New("dry run")
