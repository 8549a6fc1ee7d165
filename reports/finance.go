package reports

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"settle"
	"sort"

	"settle/ledger"
)

// Column kinds of a report: text is defused against formula injection, cents are
// written as amounts with two decimals, numbers as they are.
const (
	text = iota
	cents
	number
)

// column is one column of a report: its header and kind.
type column struct {
	name string
	kind int
}

// Report is one of the daily finance CSV files: every one shows the ledger as of
// the end of its day (by booking date), in a fixed order, so the same inputs give
// byte-identical files and later postings never change a past day's file.
type Report struct {
	Name    string // the file is Name + ".csv"
	About   string // one line for the README and `settle report`
	columns []column
	query   string // its ? are all the day, unless params says otherwise
	params  func(day settle.Day) []any
}

// Header is the report's header row.
func (r Report) Header() []string {
	h := make([]string, len(r.columns))
	for i, c := range r.columns {
		h[i] = c.name
	}
	return h
}

// balancesAsOf sums each account's postings booked up to the day.
const balancesAsOf = `(SELECT p.account_id, SUM(p.amount_cents) AS cents FROM postings p JOIN transactions t ON t.id = p.transaction_id
	WHERE t.booking_date <= ? GROUP BY p.account_id)`

// resolvedBy is the day an exception was resolved: its resolution's booking date, or
// (a write-off of money never posted has no transaction) the day it was resolved.
const resolvedBy = `COALESCE(rt.booking_date, substr(x.resolved_at, 1, 10))`

// Reports lists the daily reports in the order `settle run reports` writes them.
var Reports = []Report{
	{Name: "fee-totals", About: "the day's totals as the fee-totals job stored them: per partner, dealer, store, type, status and fee debtor, with the fee's four shares",
		columns: []column{{"day", text}, {"partnerKey", text}, {"dealerKey", text}, {"storeId", text}, {"operationType", text},
			{"operationStatus", text}, {"feeDebtor", text}, {"count", number}, {"totalAmount", cents}, {"totalCustomerNetAmount", cents},
			{"totalCustomerFinalAmount", cents}, {"totalFee", cents}, {"totalForFlowe", cents}, {"totalForPartner", cents},
			{"totalForDealer", cents}, {"totalForStore", cents}},
		query: `SELECT day, partner_key, dealer_key, store_id, operation_type, operation_status, fee_debtor, count, total_amount_cents,
			total_customer_net_cents, total_customer_final_cents, total_fee_cents, total_for_platform_cents, total_for_partner_cents,
			total_for_dealer_cents, total_for_store_cents FROM fee_totals WHERE day = ?
			ORDER BY partner_key, dealer_key, store_id, operation_type, operation_status, fee_debtor`},
	{Name: "store-totals", About: "each store's completed operations of the day by type (the seeds' store totals), from the stored fee totals",
		columns: []column{{"day", text}, {"partnerKey", text}, {"dealerKey", text}, {"storeId", text}, {"storeName", text},
			{"operationType", text}, {"count", number}, {"totalAmount", cents}, {"totalCustomerNetAmount", cents}, {"totalCustomerFinalAmount", cents}},
		query: `SELECT ft.day, ft.partner_key, ft.dealer_key, ft.store_id, s.store_name, ft.operation_type, SUM(ft.count),
			SUM(ft.total_amount_cents), SUM(ft.total_customer_net_cents), SUM(ft.total_customer_final_cents)
			FROM fee_totals ft JOIN stores s ON s.store_id = ft.store_id WHERE ft.day = ? AND ft.operation_status = 'Completed'
			GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 2, 3, 4, 6`},
	{Name: "exceptions", About: "every exception of a bank entry booked up to the day, with its status at the end of the day",
		columns: []column{{"exceptionId", number}, {"reason", text}, {"status", text}, {"partnerKey", text}, {"walletId", text}, {"amount", number},
			{"currency", text}, {"inSuspense", text}, {"debtorIban", text}, {"debtorName", text}, {"bookingDate", text}, {"file", text},
			{"entry", number}, {"detail", text}},
		query: `SELECT x.id, x.reason, CASE WHEN ` + resolvedBy + ` <= ? THEN x.status ELSE 'open' END, COALESCE(x.partner_key, ''),
			CASE WHEN ` + resolvedBy + ` <= ? THEN COALESCE(x.wallet_id, '') ELSE '' END, CASE WHEN x.amount <> '' THEN x.amount ELSE ` + ledger.SQLCents("x.amount_cents") + ` END,
			x.currency, CASE WHEN x.in_suspense THEN 'true' ELSE 'false' END, COALESCE(x.debtor_iban, ''), COALESCE(x.debtor_name, ''),
			COALESCE(e.booking_date, e.value_date, ''), f.name, e.position, x.detail
			FROM exceptions x JOIN bank_entries e ON e.id = x.bank_entry_id JOIN input_files f ON f.id = e.file_id
			LEFT JOIN transactions rt ON rt.id = x.resolution_transaction_id
			WHERE COALESCE(e.booking_date, e.value_date, '') <= ? ORDER BY x.id`},
	{Name: "reconciliation", About: "each item of the day's statement reconciliations: matched, missing from the ledger, not on the statement, amount difference",
		columns: []column{{"day", text}, {"partnerKey", text}, {"account", text}, {"statementId", text}, {"status", text}, {"rule", text},
			{"acctSvcrRef", text}, {"endToEndId", text}, {"transactionId", number}, {"bankAmount", cents}, {"ledgerAmount", cents}, {"detail", text}},
		query: `SELECT r.day, r.partner_key, bs.account, bs.statement_id, i.status, COALESCE(i.rule, ''), COALESCE(e.acct_svcr_ref, ''),
			COALESCE(e.end_to_end_id, ''), i.transaction_id, i.bank_cents, i.ledger_cents, i.detail
			FROM reconciliation_items i JOIN reconciliations r ON r.id = i.reconciliation_id JOIN bank_statements bs ON bs.id = r.statement_id
			LEFT JOIN bank_entries e ON e.id = i.bank_entry_id WHERE r.day = ? ORDER BY r.partner_key, bs.account, bs.id, i.status <> 'matched', i.id`},
	{Name: "safeguarding", About: "each partner's bank money and store cash against the customer money it holds, and the drift",
		columns: []column{{"day", text}, {"partnerKey", text}, {"bank", cents}, {"fromStatement", text}, {"ledgerBank", cents},
			{"storeCash", cents}, {"wallets", cents}, {"customerMoney", cents}, {"ownMoney", cents}, {"drift", cents}, {"shortfall", text}},
		query: `SELECT day, partner_key, bank_cents, CASE WHEN from_statement THEN 'true' ELSE 'false' END, ledger_bank_cents, store_cash_cents, wallets_cents,
			customer_cents, own_cents, drift_cents, CASE WHEN shortfall THEN 'true' ELSE 'false' END FROM safeguarding WHERE day = ?
			ORDER BY partner_key`},
	{Name: "debts", About: "wallets below zero at the end of the day: what their owners owe",
		columns: []column{{"walletId", text}, {"partnerKey", text}, {"firstName", text}, {"lastName", text}, {"debt", cents}},
		query: `SELECT w.wallet_id, w.partner_key, w.first_name, w.last_name, SUM(b.cents) FROM wallets w
			JOIN accounts a ON a.wallet_id = w.wallet_id JOIN ` + balancesAsOf + ` b ON b.account_id = a.id
			GROUP BY w.wallet_id HAVING SUM(b.cents) > 0 ORDER BY w.partner_key, w.wallet_id`},
	{Name: "batches", About: "the batches the night of the day made, for the next bank day (pain.008 collections, pain.001 payouts), " +
		"and the batches that reached their final state that day, with their counts then",
		columns: []column{{"msgId", text}, {"kind", text}, {"partnerKey", text}, {"message", text}, {"nbOfTxs", number},
			{"ctrlSum", cents}, {"fileName", text}, {"event", text}, {"status", text}, {"settledTxs", number}, {"rejectedTxs", number},
			{"returnedTxs", number}},
		query: `SELECT b.msg_id, b.kind, b.partner_key, b.message, b.nb_of_txs, b.ctrl_sum_cents, b.file_name, 'made', 'Batched', 0, 0, 0
			FROM batches b WHERE b.msg_id LIKE ?
			UNION ALL SELECT b.msg_id, b.kind, b.partner_key, b.message, b.nb_of_txs, b.ctrl_sum_cents, b.file_name, 'closed', b.status,
			b.closed_settled_txs, b.closed_rejected_txs, b.closed_returned_txs FROM batches b WHERE b.closed_on = ?
			ORDER BY 8 DESC, 1`,
		// made that night for the next day: their message ids carry its date
		params: func(day settle.Day) []any { return []any{"%-" + day.AddDays(1).Compact() + "-%", day} }},
	{Name: "wallet-balances", About: "every wallet's buckets and available balance at the end of the day (positive: money the owner has)",
		columns: []column{{"walletId", text}, {"partnerKey", text}, {"withdrawable", cents}, {"restricted", cents}, {"availableBalance", cents}},
		query: `SELECT w.wallet_id, w.partner_key,
			-COALESCE(SUM(CASE WHEN a.code LIKE '%:withdrawable' THEN b.cents END), 0),
			-COALESCE(SUM(CASE WHEN a.code LIKE '%:restricted' THEN b.cents END), 0), -COALESCE(SUM(b.cents), 0)
			FROM wallets w JOIN accounts a ON a.wallet_id = w.wallet_id LEFT JOIN ` + balancesAsOf + ` b ON b.account_id = a.id
			GROUP BY w.wallet_id ORDER BY w.partner_key, w.wallet_id`},
}

// ReportByName finds a report (trial-balance and summary are written by their own functions).
func ReportByName(name string) (Report, bool) {
	for _, r := range Reports {
		if r.Name == name {
			return r, true
		}
	}
	return Report{}, false
}

// Write writes the report of day as CSV and returns its row count.
func (r Report) Write(ctx context.Context, s *ledger.Store, day settle.Day, w io.Writer) (int64, error) {
	c, err := NewCSV(w, r.Header()...)
	if err != nil {
		return 0, err
	}
	var args []any
	if r.params != nil {
		args = r.params(day)
	} else {
		args = make([]any, countParams(r.query))
		for i := range args {
			args[i] = day
		}
	}
	rows, err := s.R.QueryContext(ctx, r.query, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", r.Name, err)
	}
	defer rows.Close()
	vals := make([]sql.NullString, len(r.columns))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, fmt.Errorf("%s: %w", r.Name, err)
		}
		for i, col := range r.columns {
			v := vals[i].String
			switch {
			case col.kind == text:
				c.Text(v)
			case col.kind == cents && vals[i].Valid:
				var x int64
				if _, err := fmt.Sscan(v, &x); err != nil {
					return n, fmt.Errorf("%s: %s %q is not cents", r.Name, col.name, v)
				}
				c.Number(ledger.FormatCents(x))
			default:
				c.Number(v)
			}
		}
		if err := c.End(); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, c.Flush()
}

func countParams(q string) int {
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
		}
	}
	return n
}

// Names lists every report's name, sorted.
func Names() []string {
	names := []string{"trial-balance", "summary"}
	for _, r := range Reports {
		names = append(names, r.Name)
	}
	sort.Strings(names)
	return names
}

// WriteNamed writes the named report of day: trial-balance, summary, or one of Reports.
func WriteNamed(ctx context.Context, s *ledger.Store, name string, day settle.Day, w io.Writer) error {
	switch name {
	case "trial-balance":
		tb, err := WriteTrialBalance(ctx, s, day, w)
		if err == nil {
			err = tb.Check(day)
		}
		return err
	case "summary":
		return WriteSummary(ctx, s, day, w)
	}
	r, ok := ReportByName(name)
	if !ok {
		return settle.FieldError("report", "%q is not a report; reports: %v", name, Names())
	}
	_, err := r.Write(ctx, s, day, w)
	return err
}
