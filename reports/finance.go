package reports

import (
	"context"
	"io"
	"settle"
	"sort"

	"settle/ledger"
)

// balancesAsOf sums each account's postings booked up to the day.
const balancesAsOf = `(SELECT p.account_id, SUM(p.amount_cents) AS cents FROM postings p JOIN transactions t ON t.id = p.transaction_id
	WHERE t.booking_date <= ? GROUP BY p.account_id)`

// resolvedBy is the day an exception was resolved: its resolution's booking date, or
// (a write-off of money never posted has no transaction) the day it was resolved.
const resolvedBy = `COALESCE(rt.booking_date, substr(x.resolved_at, 1, 10))`

// Reports lists the daily reports that are one query each (see All for every report).
var Reports = []Report{
	{Name: "fee-totals", About: "the day's totals as the fee-totals job stored them: per partner, dealer, store, type, status and fee debtor, with the fee's four shares",
		Columns: []Column{{"day", Date}, {"partnerKey", Text}, {"dealerKey", Text}, {"storeId", Text}, {"operationType", Text},
			{"operationStatus", Text}, {"feeDebtor", Text}, {"count", Count}, {"totalAmount", Cents}, {"totalCustomerNetAmount", Cents},
			{"totalCustomerFinalAmount", Cents}, {"totalFee", Cents}, {"totalForFlowe", Cents}, {"totalForPartner", Cents},
			{"totalForDealer", Cents}, {"totalForStore", Cents}},
		query: `SELECT day, partner_key, dealer_key, store_id, operation_type, operation_status, fee_debtor, count, total_amount_cents,
			total_customer_net_cents, total_customer_final_cents, total_fee_cents, total_for_platform_cents, total_for_partner_cents,
			total_for_dealer_cents, total_for_store_cents FROM fee_totals WHERE day = ?
			ORDER BY partner_key, dealer_key, store_id, operation_type, operation_status, fee_debtor`},
	{Name: "store-totals", About: "each store's completed operations of the day by type (the seeds' store totals), from the stored fee totals",
		Columns: []Column{{"day", Date}, {"partnerKey", Text}, {"dealerKey", Text}, {"storeId", Text}, {"storeName", Text},
			{"operationType", Text}, {"count", Count}, {"totalAmount", Cents}, {"totalCustomerNetAmount", Cents}, {"totalCustomerFinalAmount", Cents}},
		query: `SELECT ft.day, ft.partner_key, ft.dealer_key, ft.store_id, s.store_name, ft.operation_type, SUM(ft.count),
			SUM(ft.total_amount_cents), SUM(ft.total_customer_net_cents), SUM(ft.total_customer_final_cents)
			FROM fee_totals ft JOIN stores s ON s.store_id = ft.store_id WHERE ft.day = ? AND ft.operation_status = 'Completed'
			GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 2, 3, 4, 6`},
	{Name: "exceptions", About: "every exception of a bank entry booked up to the day, with its status at the end of the day",
		Columns: []Column{{"exceptionId", Number}, {"reason", Text}, {"status", Text}, {"partnerKey", Text}, {"walletId", Text}, {"amount", Number},
			{"currency", Text}, {"inSuspense", Text}, {"debtorIban", Text}, {"debtorName", Text}, {"bookingDate", Date}, {"file", Text},
			{"entry", Number}, {"detail", Text}},
		query: `SELECT x.id, x.reason, CASE WHEN ` + resolvedBy + ` <= ? THEN x.status ELSE 'open' END, COALESCE(x.partner_key, ''),
			CASE WHEN ` + resolvedBy + ` <= ? THEN COALESCE(x.wallet_id, '') ELSE '' END, CASE WHEN x.amount <> '' THEN x.amount ELSE ` + ledger.SQLCents("x.amount_cents") + ` END,
			x.currency, CASE WHEN x.in_suspense THEN 'true' ELSE 'false' END, COALESCE(x.debtor_iban, ''), COALESCE(x.debtor_name, ''),
			COALESCE(e.booking_date, e.value_date, ''), f.name, e.position, x.detail
			FROM exceptions x JOIN bank_entries e ON e.id = x.bank_entry_id JOIN input_files f ON f.id = e.file_id
			LEFT JOIN transactions rt ON rt.id = x.resolution_transaction_id
			WHERE COALESCE(e.booking_date, e.value_date, '') <= ? ORDER BY x.id`},
	{Name: "reconciliation", About: "each item of the day's statement reconciliations: matched, missing from the ledger, not on the statement, amount difference",
		Columns: []Column{{"day", Date}, {"partnerKey", Text}, {"account", Text}, {"statementId", Text}, {"status", Text}, {"rule", Text},
			{"acctSvcrRef", Text}, {"endToEndId", Text}, {"transactionId", Number}, {"bankAmount", Cents}, {"ledgerAmount", Cents}, {"detail", Text}},
		query: `SELECT r.day, r.partner_key, bs.account, bs.statement_id, i.status, COALESCE(i.rule, ''), COALESCE(e.acct_svcr_ref, ''),
			COALESCE(e.end_to_end_id, ''), i.transaction_id, i.bank_cents, i.ledger_cents, i.detail
			FROM reconciliation_items i JOIN reconciliations r ON r.id = i.reconciliation_id JOIN bank_statements bs ON bs.id = r.statement_id
			LEFT JOIN bank_entries e ON e.id = i.bank_entry_id WHERE r.day = ? ORDER BY r.partner_key, bs.account, bs.id, i.status <> 'matched', i.id`},
	{Name: "safeguarding", About: "each partner's bank money and store cash against the customer money it holds, and the drift",
		Columns: []Column{{"day", Date}, {"partnerKey", Text}, {"bank", Cents}, {"fromStatement", Text}, {"ledgerBank", Cents},
			{"storeCash", Cents}, {"wallets", Cents}, {"customerMoney", Cents}, {"ownMoney", Cents}, {"drift", Cents}, {"shortfall", Text}},
		query: `SELECT day, partner_key, bank_cents, CASE WHEN from_statement THEN 'true' ELSE 'false' END, ledger_bank_cents, store_cash_cents, wallets_cents,
			customer_cents, own_cents, drift_cents, CASE WHEN shortfall THEN 'true' ELSE 'false' END FROM safeguarding WHERE day = ?
			ORDER BY partner_key`},
	{Name: "debts", About: "wallets below zero at the end of the day: what their owners owe",
		Columns: []Column{{"walletId", Text}, {"partnerKey", Text}, {"firstName", Text}, {"lastName", Text}, {"debt", Cents}},
		query: `SELECT w.wallet_id, w.partner_key, w.first_name, w.last_name, SUM(b.cents) FROM wallets w
			JOIN accounts a ON a.wallet_id = w.wallet_id JOIN ` + balancesAsOf + ` b ON b.account_id = a.id
			GROUP BY w.wallet_id HAVING SUM(b.cents) > 0 ORDER BY w.partner_key, w.wallet_id`},
	{Name: "batches", About: "the batches the night of the day made, for the next bank day (pain.008 collections, pain.001 payouts), " +
		"and the batches that reached their final state that day, with their counts then",
		Columns: []Column{{"msgId", Text}, {"kind", Text}, {"partnerKey", Text}, {"message", Text}, {"nbOfTxs", Count},
			{"ctrlSum", Cents}, {"fileName", Text}, {"event", Text}, {"status", Text}, {"settledTxs", Count}, {"rejectedTxs", Count},
			{"returnedTxs", Count}},
		query: `SELECT b.msg_id, b.kind, b.partner_key, b.message, b.nb_of_txs, b.ctrl_sum_cents, b.file_name, 'made', 'Batched', 0, 0, 0
			FROM batches b WHERE b.msg_id LIKE ?
			UNION ALL SELECT b.msg_id, b.kind, b.partner_key, b.message, b.nb_of_txs, b.ctrl_sum_cents, b.file_name, 'closed', b.status,
			b.closed_settled_txs, b.closed_rejected_txs, b.closed_returned_txs FROM batches b WHERE b.closed_on = ?
			ORDER BY 8 DESC, 1`,
		// made that night for the next day: their message ids carry its date
		params: func(day settle.Day) []any { return []any{"%-" + day.AddDays(1).Compact() + "-%", day} }},
	{Name: "wallet-balances", About: "every wallet's buckets and available balance at the end of the day (positive: money the owner has)",
		Columns: []Column{{"walletId", Text}, {"partnerKey", Text}, {"withdrawable", Cents}, {"restricted", Cents}, {"availableBalance", Cents}},
		query: `SELECT w.wallet_id, w.partner_key,
			-COALESCE(SUM(CASE WHEN a.code LIKE '%:withdrawable' THEN b.cents END), 0),
			-COALESCE(SUM(CASE WHEN a.code LIKE '%:restricted' THEN b.cents END), 0), -COALESCE(SUM(b.cents), 0)
			FROM wallets w JOIN accounts a ON a.wallet_id = w.wallet_id LEFT JOIN ` + balancesAsOf + ` b ON b.account_id = a.id
			GROUP BY w.wallet_id ORDER BY w.partner_key, w.wallet_id`},
}

// All is every report in the order of its name: the order `settle run reports`
// writes them in, and the sheets of the workbook.
func All() []Report {
	all := append([]Report{trialBalanceReport, summaryReport, movementsReport, breaksReport}, Reports...)
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}

// ReportByName finds a report by its name.
func ReportByName(name string) (Report, bool) {
	for _, r := range All() {
		if r.Name == name {
			return r, true
		}
	}
	return Report{}, false
}

// Names lists every report's name, sorted.
func Names() []string {
	var names []string
	for _, r := range All() {
		names = append(names, r.Name)
	}
	return names
}

// WriteNamed writes the named report of day as CSV; a trial balance that does not
// balance is an error (after it is written, for the reader to see).
func WriteNamed(ctx context.Context, s *ledger.Store, name string, day settle.Day, w io.Writer, f Format, opt Options) error {
	if name == trialBalanceReport.Name {
		tb, err := WriteTrialBalance(ctx, s, day, w, f, opt)
		if err == nil {
			err = tb.Check(day)
		}
		return err
	}
	r, ok := ReportByName(name)
	if !ok {
		return settle.FieldError("report", "%q is not a report; reports: %v", name, Names())
	}
	_, err := r.Write(ctx, s, day, w, f, opt)
	return err
}
