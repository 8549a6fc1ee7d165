package jobs

import (
	"context"
	"fmt"
	"settle"

	"settle/ledger/payments"
)

// ReleaseFundsJob moves booked collections' money from restricted to withdrawable
// once releaseDays TARGET2 business days have passed.
func ReleaseFundsJob() Job {
	return Job{Name: "release-funds", Description: "move SDD money past its return window from restricted to withdrawable",
		Run: func(ctx context.Context, env *Env) (Summary, error) {
			res, err := payments.ReleaseFunds(env.Work, env.Store, env.Date, env.Config.ReleaseDays, env.Config.ChunkSize, env.DryRun)
			verb := "released"
			if env.DryRun {
				verb = "would release"
			}
			return Summary{Line: fmt.Sprintf("%s %d collections for %s (booked %d TARGET2 days before %s or earlier)", verb,
				res.Collections, res.Amount.Text(), env.Config.ReleaseDays, env.Date),
				Counts:  map[string]int64{"collections": int64(res.Collections)},
				Amounts: map[string]settle.Money{"released": res.Amount}}, err
		}}
}
