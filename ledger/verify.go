package ledger

import (
	"context"
	"fmt"
)

// Violation is one broken ledger invariant.
type Violation struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Detail  string `json:"detail"`
}

func (v Violation) String() string { return v.Kind + " " + v.Subject + ": " + v.Detail }

// VerifyResult is what Verify checked and found.
type VerifyResult struct {
	Accounts     int64       `json:"accounts"`
	Transactions int64       `json:"transactions"`
	Postings     int64       `json:"postings"`
	Violations   []Violation `json:"violations"` // the first ones found, at most limit per kind
	Count        int64       `json:"violationCount"`
}

// Verify recomputes every account balance from its postings, checks that every
// transaction has at least two postings summing to zero, that all balances sum to
// zero and that every reference of the ledger's rows names a row that exists. It
// reads one consistent snapshot and lists at most limit violations per kind.
func (s *Store) Verify(ctx context.Context, limit int) (VerifyResult, error) {
	var res VerifyResult
	tx, err := s.R.BeginTxx(ctx, s.snapshot())
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	for q, dst := range map[string]*int64{
		`SELECT COUNT(*) FROM accounts`:     &res.Accounts,
		`SELECT COUNT(*) FROM transactions`: &res.Transactions,
		`SELECT COUNT(*) FROM postings`:     &res.Postings,
	} {
		if err := tx.GetContext(ctx, dst, q); err != nil {
			return res, err
		}
	}
	checks := []struct {
		kind, count, list string
		format            func(subject string, a, b int64) string
	}{
		{
			kind: "balance",
			count: `SELECT COUNT(*) FROM accounts a LEFT JOIN (SELECT account_id, SUM(amount_cents) s FROM postings
				GROUP BY account_id) p ON p.account_id = a.id WHERE a.balance_cents <> COALESCE(p.s, 0)`,
			list: `SELECT a.code, a.balance_cents, COALESCE(p.s, 0) FROM accounts a LEFT JOIN (SELECT account_id,
				SUM(amount_cents) s FROM postings GROUP BY account_id) p ON p.account_id = a.id
				WHERE a.balance_cents <> COALESCE(p.s, 0) ORDER BY a.id LIMIT ?`,
			format: func(_ string, a, b int64) string {
				return fmt.Sprintf("stored balance %s but postings sum to %s", FormatCents(a), FormatCents(b))
			},
		},
		{
			kind: "transaction",
			count: `SELECT COUNT(*) FROM transactions t LEFT JOIN (SELECT transaction_id, SUM(amount_cents) s,
				COUNT(*) n FROM postings GROUP BY transaction_id) p ON p.transaction_id = t.id
				WHERE COALESCE(p.s, 0) <> 0 OR COALESCE(p.n, 0) < 2`,
			list: `SELECT CAST(t.id AS TEXT), COALESCE(p.s, 0), COALESCE(p.n, 0) FROM transactions t LEFT JOIN
				(SELECT transaction_id, SUM(amount_cents) s, COUNT(*) n FROM postings GROUP BY transaction_id) p
				ON p.transaction_id = t.id WHERE COALESCE(p.s, 0) <> 0 OR COALESCE(p.n, 0) < 2 ORDER BY t.id LIMIT ?`,
			format: func(_ string, sum, n int64) string {
				return fmt.Sprintf("%d postings summing to %s (want at least 2 summing to 0.00)", n, FormatCents(sum))
			},
		},
		{
			kind:  "trial-balance",
			count: `SELECT COUNT(*) FROM (SELECT SUM(balance_cents) s FROM accounts) x WHERE COALESCE(x.s, 0) <> 0`,
			list:  `SELECT 'all accounts', COALESCE(SUM(balance_cents), 0), 0 FROM accounts HAVING COALESCE(SUM(balance_cents), 0) <> 0 LIMIT ?`,
			format: func(_ string, sum, _ int64) string {
				return fmt.Sprintf("balances sum to %s, not 0.00", FormatCents(sum))
			},
		},
	}
	for _, r := range references {
		q := ` FROM ` + r.child + ` c WHERE c.` + r.col + ` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ` + r.parent +
			` p WHERE p.` + r.key + ` = c.` + r.col + `)`
		what := r.child + "." + r.col
		checks = append(checks, struct {
			kind, count, list string
			format            func(subject string, a, b int64) string
		}{
			kind:  "reference",
			count: `SELECT COUNT(*)` + q,
			list: `SELECT '` + r.child + ` ' || CAST(c.` + r.id + ` AS TEXT) || ': ` + r.col + ` ' || CAST(c.` + r.col + ` AS TEXT), 0, 0` +
				q + ` ORDER BY c.` + r.id + ` LIMIT ?`,
			format: func(string, int64, int64) string { return "names no row of " + r.parent + " (" + what + ")" },
		})
	}
	for _, c := range checks {
		var n int64
		if err := tx.GetContext(ctx, &n, c.count); err != nil {
			return res, fmt.Errorf("verify %s: %w", c.kind, err)
		}
		res.Count += n
		if n == 0 {
			continue
		}
		rows, err := tx.QueryxContext(ctx, c.list, limit)
		if err != nil {
			return res, fmt.Errorf("verify %s: %w", c.kind, err)
		}
		for rows.Next() {
			var subject string
			var a, b int64
			if err := rows.Scan(&subject, &a, &b); err != nil {
				rows.Close()
				return res, err
			}
			res.Violations = append(res.Violations, Violation{Kind: c.kind, Subject: subject, Detail: c.format(subject, a, b)})
		}
		if err := rows.Close(); err != nil {
			return res, err
		}
	}
	return res, nil
}

// references are the ledger's references that Verify checks row by row: on
// PostgreSQL those that migration 0016 checks per statement instead of by FOREIGN KEY.
var references = []struct{ child, id, col, parent, key string }{
	{"transactions", "id", "partner_key", "partners", "partner_key"},
	{"transactions", "id", "wallet_id", "wallets", "wallet_id"},
	{"transactions", "id", "reverses_id", "transactions", "id"},
	{"postings", "id", "transaction_id", "transactions", "id"},
	{"postings", "id", "account_id", "accounts", "id"},
	{"operations", "operation_id", "partner_key", "partners", "partner_key"},
	{"operations", "operation_id", "wallet_id", "wallets", "wallet_id"},
	{"operations", "operation_id", "dealer_key", "dealers", "dealer_key"},
	{"operations", "operation_id", "store_id", "stores", "store_id"},
	{"bank_entries", "id", "file_id", "input_files", "id"},
	{"bank_entries", "id", "duplicate_of", "bank_entries", "id"},
	{"bank_entries", "id", "partner_key", "partners", "partner_key"},
	{"exceptions", "id", "bank_entry_id", "bank_entries", "id"},
	{"exceptions", "id", "partner_key", "partners", "partner_key"},
	{"exceptions", "id", "wallet_id", "wallets", "wallet_id"},
	{"payment_statuses", "id", "file_id", "input_files", "id"},
}
