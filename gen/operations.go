package gen

import (
	"fmt"
	"io"

	"github.com/shopspring/decimal"

	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/fees"
)

// feeSchedules is the price list gen writes for every partner (fees.csv).
var feeSchedules = []fees.FeeSchedule{
	{OperationType: "CashDeposit", FixedCents: 100, Percent: decimal.RequireFromString("1.5"), FeeDebtor: fees.DebtorCustomer,
		PlatformBP: 4000, PartnerBP: 3000, DealerBP: 2000, StoreBP: 1000},
	{OperationType: "CashWithdrawal", FixedCents: 50, FeeDebtor: fees.DebtorStore, PlatformBP: 2500, PartnerBP: 2500, DealerBP: 2500, StoreBP: 2500},
	{OperationType: "Payment", Percent: decimal.RequireFromString("0.75"), FeeDebtor: fees.DebtorStore,
		PlatformBP: 5000, PartnerBP: 2000, DealerBP: 1500, StoreBP: 1500},
}

func (w *world) writeFees(out io.Writer) (int, error) {
	return writeRows(out, func(emit func(feeds.FeeRow)) error {
		for _, p := range w.partners {
			for _, f := range feeSchedules {
				emit(feeds.FeeRow{PartnerKey: p.PartnerKey, OperationType: f.OperationType, FixedAmount: ledger.FormatCents(f.FixedCents),
					Percentage: f.Percent.String(), FeeDebtor: f.FeeDebtor, SharePlatform: fmt.Sprint(f.PlatformBP),
					SharePartner: fmt.Sprint(f.PartnerBP), ShareDealer: fmt.Sprint(f.DealerBP), ShareStore: fmt.Sprint(f.StoreBP)})
			}
		}
		return nil
	})
}

// writeOperations writes the day's store operations: cash deposits by active
// wallets without an IBAN (cash customers, whom no bank file credits), and
// payments and cash withdrawals spending what those deposits brought, so every
// Completed row fits the wallet's money and the partner's cash limits; a few Failed.
func (w *world) writeOperations(out io.Writer) (int, error) {
	r := w.stream("operations")
	deposited := map[int]int64{} // per wallet: cash deposited today
	held := map[int]int64{}      // per wallet: what today's deposits left in it
	storesOf := map[string][]string{}
	for _, s := range w.stores {
		p := s.DealerKey[:len(s.DealerKey)-4] // PARTNER_Dnn
		storesOf[p] = append(storesOf[p], s.StoreID)
	}
	limits := map[string]int64{}
	for _, p := range w.partners {
		c, _ := ledger.ParseAmount(p.MaximumLastMonthCashDeposit)
		limits[p.PartnerKey] = c
	}
	return writeRows(out, func(emit func(feeds.OperationRow)) error {
		for i := 0; i < w.opt.Operations; i++ {
			p := i % len(w.partners)
			partner := w.partners[p].PartnerKey
			idx, ok := w.cashWallet(r, p)
			if !ok {
				continue
			}
			row := feeds.OperationRow{OperationID: fmt.Sprintf("OP-%s-%07d", w.date[2:4]+w.date[5:7]+w.date[8:], i),
				WalletID: w.walletLite(idx).WalletID, StoreID: storesOf[partner][r.IntN(len(storesOf[partner]))],
				OperationDate: w.date, OperationStatus: ledger.StatusCompleted}
			if i%2 == 1 {
				row.OperationDate = fmt.Sprintf("%sT%02d:%02d:00+01:00", w.date, 8+r.IntN(12), r.IntN(60))
			}
			amount := 1000 + r.Int64N(29_000)
			switch {
			case held[idx] > 2000 && r.IntN(2) == 0:
				row.OperationType = []string{"Payment", "CashWithdrawal"}[r.IntN(2)]
				amount = min(amount, held[idx]) // the store bears these fees: the wallet pays the amount only
			case deposited[idx]+amount <= limits[partner]:
				row.OperationType = "CashDeposit"
			default:
				continue
			}
			row.Amount = ledger.FormatCents(amount)
			if r.IntN(40) == 0 {
				row.OperationStatus = ledger.StatusFailed
			} else if row.OperationType == "CashDeposit" {
				deposited[idx] += amount
				held[idx] += amount - feeSchedules[0].Price(amount).Cents
			} else {
				held[idx] -= amount
			}
			emit(row)
		}
		return nil
	})
}

// cashWallet draws an active wallet of partner p without an IBAN.
func (w *world) cashWallet(r interface{ IntN(int) int }, p int) (int, bool) {
	perPartner := (w.opt.Wallets - p + len(w.partners) - 1) / len(w.partners)
	if perPartner <= 0 {
		return 0, false
	}
	for try := 0; try < 40; try++ {
		idx := p + len(w.partners)*r.IntN(perPartner)
		if wl := w.walletLite(idx); wl.Status == ledger.WalletActive && wl.IBAN == "" {
			return idx, true
		}
	}
	return 0, false
}
