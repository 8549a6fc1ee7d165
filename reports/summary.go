package reports

import (
	"context"
	"fmt"
	"settle"

	"settle/ledger"
)

// summaryMetrics are the day's key figures: a name, whether it is an amount in
// cents, and the query giving it (its ? are all the day).
var summaryMetrics = []struct {
	name   string
	amount bool
	query  string
}{
	{"bankEntriesPosted", false, `SELECT COUNT(*) FROM bank_entries WHERE booking_date = ? AND outcome = 'posted'`},
	{"bankEntriesException", false, `SELECT COUNT(*) FROM bank_entries WHERE booking_date = ? AND outcome = 'exception'`},
	{"bankEntriesDuplicate", false, `SELECT COUNT(*) FROM bank_entries WHERE booking_date = ? AND outcome = 'duplicate'`},
	{"bankEntriesRecorded", false, `SELECT COUNT(*) FROM bank_entries WHERE booking_date = ? AND outcome = 'recorded'`},
	{"storeOperationsCompleted", false, `SELECT COUNT(*) FROM operations WHERE operation_date = ? AND operation_status = 'Completed' AND store_id IS NOT NULL`},
	{"storeOperationsAmount", true, `SELECT COALESCE(SUM(amount_cents), 0) FROM operations WHERE operation_date = ? AND operation_status = 'Completed' AND store_id IS NOT NULL`},
	{"fees", true, `SELECT COALESCE(SUM(fee_cents), 0) FROM operations WHERE operation_date = ? AND operation_status = 'Completed'`},
	{"walletsAvailableBalance", true, `SELECT -COALESCE(SUM(b.cents), 0) FROM accounts a JOIN ` + balancesAsOf + ` b ON b.account_id = a.id WHERE a.wallet_id IS NOT NULL`},
	{"bankBalance", true, `SELECT COALESCE(SUM(b.cents), 0) FROM accounts a JOIN ` + balancesAsOf + ` b ON b.account_id = a.id WHERE a.code LIKE 'partner:%:bank'`},
	{"suspense", true, `SELECT -COALESCE(SUM(b.cents), 0) FROM accounts a JOIN ` + balancesAsOf + ` b ON b.account_id = a.id WHERE a.code LIKE 'partner:%:suspense'`},
	{"payoutClearing", true, `SELECT -COALESCE(SUM(b.cents), 0) FROM accounts a JOIN ` + balancesAsOf + ` b ON b.account_id = a.id WHERE a.code LIKE 'partner:%:payout_clearing'`},
	{"openExceptions", false, `SELECT COUNT(*) FROM exceptions x JOIN bank_entries e ON e.id = x.bank_entry_id LEFT JOIN transactions rt ON rt.id = x.resolution_transaction_id
		WHERE COALESCE(e.booking_date, e.value_date, '') <= ? AND NOT COALESCE(` + resolvedBy + ` <= ?, FALSE)`},
	{"debts", false, `SELECT COUNT(*) FROM (SELECT a.wallet_id FROM accounts a JOIN ` + balancesAsOf + ` b ON b.account_id = a.id
		WHERE a.wallet_id IS NOT NULL GROUP BY a.wallet_id HAVING SUM(b.cents) > 0) AS debts`},
	{"debtsAmount", true, `SELECT COALESCE(SUM(d), 0) FROM (SELECT SUM(b.cents) AS d FROM accounts a JOIN ` + balancesAsOf + ` b ON b.account_id = a.id
		WHERE a.wallet_id IS NOT NULL GROUP BY a.wallet_id HAVING SUM(b.cents) > 0) AS debts`},
	{"statementsReconciled", false, `SELECT COUNT(*) FROM reconciliations WHERE day = ? AND status = 'reconciled'`},
	{"statementsWithBreaks", false, `SELECT COUNT(*) FROM reconciliations WHERE day = ? AND status = 'breaks'`},
	{"reconciliationBreaks", false, `SELECT COUNT(*) FROM reconciliation_items i JOIN reconciliations r ON r.id = i.reconciliation_id
		WHERE r.day = ? AND i.status <> 'matched'`},
	{"safeguardingDrift", true, `SELECT COALESCE(SUM(drift_cents), 0) FROM safeguarding WHERE day = ?`},
	{"trialBalance", true, `SELECT COALESCE(SUM(cents), 0) FROM ` + balancesAsOf + ` AS b`},
}

// summaryReport is the day's key figures, one per row, in a fixed order.
var summaryReport = Report{
	Name:    "summary",
	About:   "the day's key figures: entries by outcome, store operations, fees, balances, exceptions, debts, reconciliation, drift",
	Columns: []Column{{"metric", Text}, {"value", Number}},
	each: func(ctx context.Context, s *ledger.Store, day settle.Day, _ Options, fn func([]string) error) error {
		for _, m := range summaryMetrics {
			args := make([]any, countParams(m.query))
			for i := range args {
				args[i] = day
			}
			var v int64
			if err := s.R.GetContext(ctx, &v, m.query, args...); err != nil {
				return fmt.Errorf("summary %s: %w", m.name, err)
			}
			val := fmt.Sprint(v)
			if m.amount {
				val = ledger.FormatCents(v)
			}
			if err := fn([]string{m.name, val}); err != nil {
				return err
			}
		}
		return nil
	},
}
