package reports

import (
	"context"
	"database/sql"
	"errors"

	"settle"
	"settle/ledger"
)

// The overview is what the demo (and an operator's first look) prints of a world:
// small read functions over the ledger, so that no command holds SQL.

// PartnerWorld is one partner's wallets in figures.
type PartnerWorld struct {
	PartnerKey string `db:"partner_key"`
	Wallets    int    `db:"wallets"`
	Validated  int    `db:"validated"`
	Pending    int    `db:"pending"`
	Inactive   int    `db:"inactive"` // suspended or closed
}

// WorldByPartner counts each partner's wallets: all, IBAN validated, pending
// validation, suspended or closed.
func WorldByPartner(ctx context.Context, s *ledger.Store) ([]PartnerWorld, error) {
	var out []PartnerWorld
	err := s.R.SelectContext(ctx, &out, `SELECT p.partner_key, COUNT(w.wallet_id) AS wallets,
		COALESCE(SUM(CASE WHEN w.is_iban_validated THEN 1 ELSE 0 END), 0) AS validated,
		COALESCE(SUM(CASE WHEN w.iban IS NOT NULL AND NOT w.is_iban_validated THEN 1 ELSE 0 END), 0) AS pending,
		COALESCE(SUM(CASE WHEN w.status <> 'Active' THEN 1 ELSE 0 END), 0) AS inactive
		FROM partners p LEFT JOIN wallets w ON w.partner_key = p.partner_key GROUP BY p.partner_key ORDER BY p.partner_key`)
	return out, err
}

// ExceptionGroup is the open exceptions of one reason and currency.
type ExceptionGroup struct {
	Reason     string `db:"reason"`
	Currency   string `db:"currency"`
	Count      int64  `db:"n"`
	Cents      int64  `db:"cents"`
	InSuspense bool   `db:"in_suspense"` // the money is in suspense (else it was never posted)
}

// OpenExceptionsByReason groups the open exception queue by reason and currency.
func OpenExceptionsByReason(ctx context.Context, s *ledger.Store) ([]ExceptionGroup, error) {
	var out []ExceptionGroup
	err := s.R.SelectContext(ctx, &out, `SELECT reason, currency, COUNT(*) AS n, SUM(amount_cents) AS cents, MAX(CASE WHEN in_suspense THEN 1 ELSE 0 END) AS in_suspense
		FROM exceptions WHERE status = 'open' GROUP BY reason, currency ORDER BY reason, currency`)
	return out, err
}

// LastCollectionDate is the latest collection date of any direct debit (zero: none).
func LastCollectionDate(ctx context.Context, s *ledger.Store) (settle.Day, error) {
	var d settle.Day
	err := s.R.GetContext(ctx, &d, `SELECT MAX(collection_date) FROM direct_debits`)
	return d, err
}

// PaymentState is how many payments of a kind are in a status, and their amount.
type PaymentState struct {
	Kind   string `db:"kind"` // "direct debits" or "credit transfers"
	Status string `db:"status"`
	Count  int    `db:"n"`
	Cents  int64  `db:"cents"`
}

// PaymentStates counts the direct debits and credit transfers by status.
func PaymentStates(ctx context.Context, s *ledger.Store) ([]PaymentState, error) {
	var out []PaymentState
	err := s.R.SelectContext(ctx, &out, `SELECT 'direct debits' AS kind, status, COUNT(*) AS n, SUM(amount_cents) AS cents
		FROM direct_debits GROUP BY status UNION ALL SELECT 'credit transfers', status, COUNT(*), SUM(amount_cents)
		FROM credit_transfers GROUP BY status ORDER BY 1 DESC, 2`)
	return out, err
}

// ReturnedTopUp is a direct debit the bank returned, with its mandate's status now.
type ReturnedTopUp struct {
	TopUpID       string `db:"topup_id"`
	WalletID      string `db:"wallet_id"`
	Reason        string `db:"reason_code"`
	Cents         int64  `db:"amount_cents"`
	MandateStatus string `db:"mstatus"`
}

// FirstReturn is the first returned (or refunded) direct debit; ok is false when none was.
func FirstReturn(ctx context.Context, s *ledger.Store) (r ReturnedTopUp, ok bool, err error) {
	err = s.R.GetContext(ctx, &r, `SELECT d.topup_id, d.wallet_id, d.reason_code, d.amount_cents, m.status AS mstatus
		FROM direct_debits d JOIN mandates m ON m.mandate_id = d.mandate_id AND m.partner_key = d.partner_key
		WHERE d.status IN ('Returned', 'Refunded') ORDER BY d.id LIMIT 1`)
	if isNoRows(err) {
		return r, false, nil
	}
	return r, err == nil, err
}

// DayFees is a day's completed store operations of one type and their fees.
type DayFees struct {
	Type  string `db:"operation_type"`
	Count int64  `db:"n"`
	Cents int64  `db:"amount"`
	Fee   int64  `db:"fee"`
}

// FeesOfDay sums the stored fee totals of day's completed store operations by type.
func FeesOfDay(ctx context.Context, s *ledger.Store, day settle.Day) ([]DayFees, error) {
	var out []DayFees
	err := s.R.SelectContext(ctx, &out, `SELECT operation_type, SUM(count) AS n, SUM(total_amount_cents) AS amount,
		SUM(total_fee_cents) AS fee FROM fee_totals WHERE day = ? AND operation_status = 'Completed' AND store_id <> ''
		GROUP BY operation_type ORDER BY operation_type`, day)
	return out, err
}

// Finding is a reconciliation item that did not match.
type Finding struct {
	PartnerKey string `db:"partner_key"`
	Status     string `db:"status"`
	BankCents  *int64 `db:"bank_cents"`
	Detail     string `db:"detail"`
}

// FindingsOfDay lists the day's reconciliation findings and counts its matched entries.
func FindingsOfDay(ctx context.Context, s *ledger.Store, day settle.Day) (findings []Finding, matched int64, err error) {
	if err = s.R.SelectContext(ctx, &findings, `SELECT r.partner_key, i.status, i.bank_cents, i.detail FROM reconciliation_items i
		JOIN reconciliations r ON r.id = i.reconciliation_id WHERE r.day = ? AND i.status <> 'matched' ORDER BY r.partner_key, i.id`, day); err != nil {
		return nil, 0, err
	}
	err = s.R.GetContext(ctx, &matched, `SELECT COALESCE(SUM(matched), 0) FROM reconciliations WHERE day = ?`, day)
	return findings, matched, err
}

// Safeguarded is a partner's safeguarding check of a day.
type Safeguarded struct {
	PartnerKey string `db:"partner_key"`
	Bank       int64  `db:"bank_cents"`
	StoreCash  int64  `db:"store_cash_cents"`
	Customer   int64  `db:"customer_cents"`
	Drift      int64  `db:"drift_cents"`
	Shortfall  bool   `db:"shortfall"`
}

// SafeguardingOfDay lists each partner's safeguarding check of day.
func SafeguardingOfDay(ctx context.Context, s *ledger.Store, day settle.Day) ([]Safeguarded, error) {
	var out []Safeguarded
	err := s.R.SelectContext(ctx, &out, `SELECT partner_key, bank_cents, store_cash_cents, customer_cents, drift_cents, shortfall
		FROM safeguarding WHERE day = ? ORDER BY partner_key`, day)
	return out, err
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// StoreCash is a store that owes its partner the cash it took for wallets.
type StoreCash struct {
	StoreID     string  `db:"store_id"`
	StoreName   string  `db:"store_name"`
	StoreIBAN   *string `db:"iban"`
	PartnerKey  string  `db:"partner_key"`
	PartnerIBAN string  `db:"settlement_iban"`
	Cents       int64   `db:"balance_cents"`
}

// StoresOwingCash lists the stores whose cash account holds money they owe now.
func StoresOwingCash(ctx context.Context, s *ledger.Store) ([]StoreCash, error) {
	var out []StoreCash
	err := s.R.SelectContext(ctx, &out, `SELECT st.store_id, st.store_name, st.iban, p.partner_key, p.settlement_iban, a.balance_cents
		FROM stores st JOIN dealers d ON d.dealer_key = st.dealer_key JOIN partners p ON p.partner_key = d.partner_key
		JOIN accounts a ON a.code = 'partner:' || p.partner_key || ':store_cash:' || st.store_id
		WHERE a.balance_cents > 0 ORDER BY p.partner_key, st.store_id`)
	return out, err
}
