package ledger_test

import (
	"context"
	"settle"
	"settle/ledger"
	"settle/ledger/fees"
	"settle/ledger/ledgertest"
	"testing"
)

// feeOpsWorld builds n operation rows over days days directly in SQL: 10 dealers,
// 100 stores, three store operation types, Completed and Failed, both fee debtors.
func feeOpsWorld(b *testing.B, n, days int) *ledger.Store {
	b.Helper()
	s := openTest(b)
	seedWorld(b, s)
	exec := func(q string, args ...any) {
		ledgertest.Exec(b, s, q, args...)
	}
	exec(`INSERT INTO dealers (dealer_key, partner_key, dealer_name, created_at, updated_at)
		WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 9)
		SELECT 'D' || i, 'ACME', 'Dealer ' || i, '2026-01-01', '2026-01-01' FROM k`)
	exec(`INSERT INTO stores (store_id, dealer_key, store_name, created_at, updated_at)
		WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 99)
		SELECT '00000000-0000-4000-8000-' || ` + s.D.ZeroPad("i", 12) + `, 'D' || (i % 10), 'Store ' || i, '2026-01-01', '2026-01-01' FROM k`)
	// Built like the migrations leave it, indexes made after the rows (as a restore would).
	exec(`DROP INDEX operations_transaction`)
	exec(`DROP INDEX operations_wallet`)
	exec(`DROP INDEX operations_day`)
	exec(`INSERT INTO operations (operation_id, transaction_id, operation_type, operation_status, amount_cents,
		customer_net_amount_cents, customer_final_amount_cents, fee_cents, fee_platform_cents, fee_partner_cents, fee_dealer_cents,
		fee_store_cents, fee_debtor, partner_key, wallet_id, dealer_key, store_id, operation_date, created_at)
		WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
		SELECT 'op' || i, NULL, CASE i % 3 WHEN 0 THEN 'CashDeposit' WHEN 1 THEN 'CashWithdrawal' ELSE 'Payment' END,
			CASE WHEN i % 17 = 0 THEN 'Failed' ELSE 'Completed' END, 1000 + i % 50000, 1000 + i % 50000 - 100, 1000 + i % 50000,
			100, 40, 30, 20, 10, CASE WHEN i % 2 = 0 THEN 'Customer' ELSE 'Store' END, 'ACME', NULL, 'D' || (i % 100 % 10),
			'00000000-0000-4000-8000-' || `+s.D.ZeroPad("i % 100", 12)+`, `+s.D.AddDays("'2026-01-01'", "i % ?")+`, '2026-01-01'
		FROM k`, n-1, days)
	exec(`CREATE INDEX operations_transaction ON operations(transaction_id)`)
	exec(`CREATE INDEX operations_wallet ON operations(wallet_id, operation_date)`)
	exec(`CREATE INDEX operations_day ON operations(operation_date, partner_key)`)
	exec(`ANALYZE`)
	return s
}

// BenchmarkFeeTotals: one day's totals, and a rebuild of every day, over 10,000,000
// operation rows spread over 100 days (FEE_OPS rows with -benchtime 1x).
//
//	go test ./ledger -run X -bench FeeTotals -benchtime 1x -timeout 30m
func BenchmarkFeeTotals(b *testing.B) {
	const n, days = 10_000_000, 100
	s := feeOpsWorld(b, n, days)
	ctx := context.Background()
	b.Run("one day", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			res, err := fees.RebuildFeeTotals(ctx, s, settle.NewDay(2026, 2, 1+i%28), false)
			if err != nil || res.Operations != n/days {
				b.Fatalf("%+v %v", res, err)
			}
		}
	})
	b.Run("all days", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			res, err := fees.RebuildFeeTotals(ctx, s, settle.Day{}, false)
			if err != nil || res.Operations != n || res.Days != days {
				b.Fatalf("%+v %v", res, err)
			}
		}
	})
}
