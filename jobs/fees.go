package jobs

import (
	"context"
	"fmt"
	"settle"

	"settle/ledger"
	"settle/ledger/fees"
)

// FeeTotalsJob recomputes the day's fee totals from the operations, replacing the
// day in one transaction.
func FeeTotalsJob() Job {
	return Job{Name: "fee-totals", Description: "recompute the day's fee totals per partner, dealer, store, type, status and fee debtor",
		Run: func(ctx context.Context, env *Env) (Summary, error) {
			res, err := fees.RebuildFeeTotals(env.Work, env.Store, env.Date, env.DryRun)
			verb := "stored"
			if env.DryRun {
				verb = "would store"
			}
			return Summary{Line: fmt.Sprintf("%s %d fee total rows for %s: %d operations, fees %s", verb, res.Rows, env.Date,
				res.Operations, ledger.FormatCents(res.FeeCents)),
				Counts:  map[string]int64{"rows": res.Rows, "operations": res.Operations},
				Amounts: map[string]settle.Money{"fees": settle.MoneyFromCents(res.FeeCents)}}, err
		}}
}
