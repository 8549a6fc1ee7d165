package jobs

import (
	"context"
	"fmt"
	"settle"

	"settle/ledger"
	"settle/ledger/payments"
)

// SDDBatchJob makes the pain.008 files of the due direct debits.
func SDDBatchJob() Job {
	return Job{Name: "sdd-batch", Description: "make pain.008 direct debit batches of the due top-ups", Today: true,
		Run: func(ctx context.Context, env *Env) (Summary, error) {
			opt, err := batchOptions(env, env.Config.SDD)
			if err != nil {
				return Summary{}, err
			}
			run, err := payments.MakeSDDBatches(env.Work, env.Store, opt)
			return batchSummary(env, "direct debits", run), err
		}}
}

// SCTBatchJob makes the pain.001 files of withdrawals, redemptions and refunds, and
// on a fee payout day of the configured cycle, of the dealers' and stores' fees.
func SCTBatchJob() Job {
	return Job{Name: "sct-batch", Description: "make pain.001 credit transfer batches of withdrawals, redemptions and refunds", Today: true,
		Run: func(ctx context.Context, env *Env) (Summary, error) {
			opt, err := batchOptions(env, env.Config.SCT)
			if err != nil {
				return Summary{}, err
			}
			var fees payments.FeePayoutResult
			if payments.FeePayoutDue(env.Config.FeePayouts.Cycle, env.Date) {
				minCents, err := ledger.ParseAmount(env.Config.FeePayouts.MinAmount)
				if err != nil {
					return Summary{}, err
				}
				if fees, err = payments.QueueFeePayouts(env.Work, env.Store, env.Date, minCents, env.Config.FeePayouts.Netting, env.DryRun); err != nil {
					return Summary{}, err
				}
			}
			run, err := payments.MakeSCTBatches(env.Work, env.Store, opt)
			sum := batchSummary(env, "credit transfers", run)
			if fees.Payouts > 0 || fees.NoIBAN > 0 || fees.Netted > 0 {
				sum.Counts["feePayouts"] = int64(fees.Payouts)
				sum.Line += fmt.Sprintf(" (%d fee payouts to dealers and stores for %s queued first; %d without an IBAN wait",
					fees.Payouts, ledger.FormatCents(fees.Cents), fees.NoIBAN)
				if fees.Netted > 0 {
					sum.Line += fmt.Sprintf("; %s of stores' fees set against the cash they owe", ledger.FormatCents(fees.Netted))
				}
				sum.Line += ")"
			}
			return sum, err
		}}
}

func batchOptions(env *Env, b BatchConfig) (payments.BatchOptions, error) {
	maxCents, err := b.maxAmountCents()
	return payments.BatchOptions{Outbox: env.Dirs.Outbox, Today: env.Date, Message: b.Message, LeadDays: b.LeadDays,
		MaxTxs: b.MaxTransactions, MaxAmountCents: maxCents, BatchBooking: b.BatchBooking, DryRun: env.DryRun}, err
}

func batchSummary(env *Env, what string, run *payments.BatchRun) Summary {
	sum := Summary{Counts: map[string]int64{}, Amounts: map[string]settle.Money{}}
	if run == nil {
		return sum
	}
	sum.Counts["files"] = int64(len(run.Files))
	sum.Counts["transactions"] = int64(run.Txs)
	sum.Counts["cancelled"] = int64(run.Cancelled)
	sum.Amounts["total"] = run.Total
	verb := "batched"
	if env.DryRun {
		verb = "would batch"
	}
	sum.Line = fmt.Sprintf("%s %d %s for %s in %d files; %d cancelled", verb, run.Txs, what, run.Total.Text(),
		len(run.Files), run.Cancelled)
	for _, f := range run.Files {
		env.Log.Info("batch written", "msgId", f.MsgID, "partner", f.PartnerKey, "file", f.Path, "transactions", f.NbOfTxs,
			"ctrlSum", f.CtrlSum.StringFixed(2), "sha256", f.SHA256)
	}
	return sum
}
