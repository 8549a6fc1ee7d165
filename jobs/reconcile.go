package jobs

import (
	"context"
	"fmt"
	"settle"

	"settle/ledger"
	"settle/reconcile"
)

// ReconcileJob reconciles the statements ending on the day against the ledger and
// computes each partner's safeguarding; findings are kept in the database and a
// statement with breaks makes the run partial (exit 1), so cron mail shows it.
func ReconcileJob() Job {
	return Job{Name: "reconcile", Description: "match the day's bank statements to the ledger; daily safeguarding per partner",
		Run: func(ctx context.Context, env *Env) (Summary, error) {
			tol, err := ledger.ParseAmount(env.Config.Reconcile.ToleranceAmount)
			if err != nil {
				return Summary{}, err
			}
			res, err := reconcile.Run(env.Work, env.Store, reconcile.Options{Day: env.Date, ToleranceCents: tol,
				ToleranceDays: env.Config.Reconcile.ToleranceDays, DryRun: env.DryRun})
			sum := Summary{Counts: map[string]int64{}, Amounts: map[string]settle.Money{}}
			var drift int64
			for _, st := range res.Statements {
				sum.Counts["statements"]++
				sum.Counts["matched"] += st.Matched
				sum.Counts["unmatchedBank"] += st.UnmatchedBank
				sum.Counts["unmatchedLedger"] += st.UnmatchedLedger
				sum.Counts["amountDifferences"] += st.AmountDifference
				if st.Status != "reconciled" {
					sum.Counts["withBreaks"]++
				}
				drift += st.DriftCents
			}
			var sgDrift int64
			for _, sg := range res.Safeguarded {
				sgDrift += abs64(sg.DriftCents)
				if sg.Shortfall {
					sum.Counts["shortfalls"]++
				}
			}
			if err == nil && !env.DryRun {
				err = alertFindings(env, res)
			}
			sum.Amounts["statementDrift"] = settle.MoneyFromCents(drift)
			sum.Amounts["safeguardingDrift"] = settle.MoneyFromCents(sgDrift)
			sum.Rejected = sum.Counts["withBreaks"]
			sum.Line = fmt.Sprintf("%d statements for %s: %d matched, %d missing from the ledger, %d not on the statement, "+
				"%d amount differences, drift %s; safeguarding of %d partners, drift %s, %d shortfalls", sum.Counts["statements"], env.Date,
				sum.Counts["matched"], sum.Counts["unmatchedBank"], sum.Counts["unmatchedLedger"], sum.Counts["amountDifferences"],
				ledger.FormatCents(drift), len(res.Safeguarded), ledger.FormatCents(sgDrift), sum.Counts["shortfalls"])
			return sum, err
		}}
}

func abs64(c int64) int64 {
	if c < 0 {
		return -c
	}
	return c
}

// alertFindings raises an alert for each statement with findings and each partner
// short of customer money (each once: the event id names the statement or the day).
func alertFindings(env *Env, res reconcile.Result) error {
	cfg := env.Config.Alerts
	for _, st := range res.Statements {
		if st.Status == "reconciled" {
			continue
		}
		if err := raise(env.Work, env.Store, cfg, fmt.Sprintf("%s:%d:%d:%d:%d:%d", AlertFinding, st.StatementID, st.UnmatchedBank,
			st.UnmatchedLedger, st.AmountDifference, st.DriftCents), AlertFinding, map[string]any{"partnerKey": st.PartnerKey,
			"day": st.Day, "statementId": st.StatementID, "unmatchedBank": st.UnmatchedBank, "unmatchedLedger": st.UnmatchedLedger,
			"amountDifferences": st.AmountDifference, "drift": settle.MoneyFromCents(st.DriftCents)}); err != nil {
			return err
		}
	}
	for _, sg := range res.Safeguarded {
		if !sg.Shortfall {
			continue
		}
		if err := raise(env.Work, env.Store, cfg, fmt.Sprintf("%s:%s:%s", AlertShortfall, sg.PartnerKey, sg.Day), AlertShortfall,
			map[string]any{"partnerKey": sg.PartnerKey, "day": sg.Day, "customerMoney": settle.MoneyFromCents(sg.CustomerCents),
				"drift": settle.MoneyFromCents(sg.DriftCents)}); err != nil {
			return err
		}
	}
	return nil
}
