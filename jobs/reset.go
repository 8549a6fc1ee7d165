package jobs

import (
	"context"
	"fmt"
	"settle"
	"sort"
	"strings"

	"settle/ledger"
	"settle/ledger/payments"
)

// ResetBalancesJob brings the chosen wallets' balances to zero for a reason
// (redeem, unclaimed, write-off). It needs a selector and a reason, and never runs
// at night: it is not in NightlyOrder.
func ResetBalancesJob() Job {
	return Job{Name: "reset-balances", Description: "bring chosen wallets to zero: --wallet|--partner|--closed and --reason redeem|unclaimed|write-off",
		Today: true,
		Run: func(ctx context.Context, env *Env) (Summary, error) {
			opt := env.Reset
			opt.Day, opt.DryRun, opt.ChunkSize = env.Date, env.DryRun, env.Config.ChunkSize
			res, err := payments.ResetBalances(env.Work, env.Store, opt)
			verb := "reset"
			if env.DryRun {
				verb = "would reset"
			}
			var skipped []string
			counts := map[string]int64{"wallets": int64(res.Wallets)}
			for why, n := range res.Skipped {
				skipped = append(skipped, fmt.Sprintf("%d %s", n, why))
				counts["skipped"] += int64(n)
			}
			sort.Strings(skipped)
			line := fmt.Sprintf("%s %d wallets (%s) for %s on %s", verb, res.Wallets, opt.Reason, ledger.FormatCents(res.Cents), env.Date)
			if len(skipped) > 0 {
				line += "; skipped " + strings.Join(skipped, ", ")
			}
			return Summary{Line: line, Counts: counts, Amounts: map[string]settle.Money{"moved": settle.MoneyFromCents(res.Cents)}}, err
		}}
}
