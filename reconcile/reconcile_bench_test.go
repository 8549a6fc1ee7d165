package reconcile

import (
	"context"
	"settle"
	"testing"

	"settle/ledger"
	"settle/ledger/ledgertest"
)

// statementWorld builds, directly in SQL, n credits notified and posted (Dr bank,
// Cr suspense, from a camt.054) and a camt.053 statement repeating them as
// duplicates, one of them a cent off.
func statementWorld(b *testing.B, n int) *ledger.Store {
	b.Helper()
	s := ledgertest.Open(b)
	exec := func(q string, args ...any) { ledgertest.Exec(b, s, q, args...) }
	exec(`INSERT INTO partners (partner_key, name, settlement_iban, destination_owner, created_at, updated_at)
		VALUES ('P', 'P', 'IT60X0542811101000000123456', 'P', '2026-01-01', '2026-01-01')`)
	for _, a := range []string{"bank", "suspense"} {
		exec(`INSERT INTO accounts (code, partner_key, name, created_at) VALUES (?, 'P', ?, '2026-01-01')`, "partner:P:"+a, a)
	}
	exec(`INSERT INTO input_files (id, sha256, name, kind, size_bytes, ingested_at) VALUES (1, 'a', 'n.xml', 'camt.054', 0, ''), (2, 'b', 's.xml', 'camt.053', 0, '')`)
	series := `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?) `
	exec(`INSERT INTO transactions (id, idempotency_key, type, partner_key, value_date, booking_date, source_file_id, source_entry, created_by, created_at)
		`+series+`SELECT i, 'k' || i, 'Suspense', 'P', '2026-11-20', '2026-11-20', 1, i, 'bench', '' FROM k`, n)
	exec(`INSERT INTO postings (transaction_id, account_id, amount_cents) `+series+`
		SELECT i, (SELECT id FROM accounts WHERE code = 'partner:P:bank'), 100 + i % 9000 FROM k
		UNION ALL SELECT i, (SELECT id FROM accounts WHERE code = 'partner:P:suspense'), -(100 + i % 9000) FROM k`, n)
	for file := 1; file <= 2; file++ {
		exec(`INSERT INTO bank_entries (file_id, position, dedupe_key, outcome, partner_key, account, currency, amount_cents, credit, status,
			booking_date, value_date, acct_svcr_ref, transaction_id, amount) `+series+`
			SELECT ?, i, CASE WHEN ? = 1 THEN 'd' || i END, CASE WHEN ? = 1 THEN 'posted' ELSE 'duplicate' END, 'P',
				'IT60X0542811101000000123456', 'EUR', 100 + i % 9000 + CASE WHEN ? = 2 AND i = 7 THEN 1 ELSE 0 END, TRUE, 'BOOK',
				'2026-11-20', '2026-11-20', 'REF' || i, CASE WHEN ? = 1 THEN i END, '' FROM k`, n, file, file, file, file, file)
	}
	exec(`INSERT INTO bank_statements (file_id, statement_id, partner_key, account, currency, from_date, to_date, opening_cents, closing_cents)
		SELECT 2, 'S', 'P', 'IT60X0542811101000000123456', 'EUR', '2026-11-20', '2026-11-20', 0, SUM(amount_cents) FROM bank_entries WHERE file_id = 2`)
	exec(`ANALYZE`)
	return s
}

// BenchmarkReconcile: a 1,000,000-entry statement against 1,000,000 ledger movements.
//
//	go test ./reconcile -run X -bench Reconcile -benchtime 1x
func BenchmarkReconcile(b *testing.B) {
	const n = 1_000_000
	s := statementWorld(b, n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), s, Options{Day: settle.MustParseDay("2026-11-20"), ToleranceDays: 2})
		if err != nil || len(res.Statements) != 1 {
			b.Fatalf("%+v %v", res, err)
		}
		st := res.Statements[0]
		if st.Matched != n-1 || st.AmountDifference != 1 || st.UnmatchedBank != 0 || st.UnmatchedLedger != 0 || !st.ArithmeticOK || st.DriftCents != 1 {
			b.Fatalf("%+v", st)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(b.N), "entries/s")
}
