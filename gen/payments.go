package gen

import (
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/gocarina/gocsv"

	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/payments"
)

// Shares of the validated, active wallets that signed an SDD mandate, and of those
// that ask for a top-up today, in per cent.
const (
	pctMandate = 35
	pctTopUp   = 50
)

// withdrawalEntries is how many of each partner's first bank entries the
// withdrawals are drawn from (a wallet withdraws from what a top-up brought it).
const withdrawalEntries = 2000

// writeRows streams rows of type R produced by next (false: no more) as CSV.
func writeRows[R any](out io.Writer, next func(emit func(R)) error) (int, error) {
	cw := csv.NewWriter(out)
	sw := gocsv.NewSafeCSVWriter(cw)
	cw.Write(feeds.CSVHeaders[R]())
	n := 0
	batch := make([]R, 0, 1000)
	flush := func() error {
		err := gocsv.MarshalCSVWithoutHeaders(batch, sw)
		batch = batch[:0]
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
		return err
	}
	var err error
	if e := next(func(r R) {
		batch, n = append(batch, r), n+1
		if len(batch) == cap(batch) && err == nil {
			err = flush()
		}
	}); e != nil {
		return n, e
	}
	if err != nil {
		return n, err
	}
	return n, flush()
}

// mandated tells whether wallet i signed a mandate, and the row when it did.
func (w *world) mandated(i int, wl ledger.WalletRow) (ledger.MandateRow, bool) {
	r := w.stream(fmt.Sprintf("mandate:%d", i))
	if wl.Status != ledger.WalletActive || wl.IsIBANValidated != "true" || r.IntN(100) >= pctMandate {
		return ledger.MandateRow{}, false
	}
	created, _ := time.Parse(time.RFC3339, wl.CreationDate)
	return ledger.MandateRow{MandateID: fmt.Sprintf("MND-%s-%07d", code36(i, 4, 1_000_003), i), WalletID: wl.WalletID,
		DebtorName: wl.FirstName + " " + wl.LastName, DebtorIBAN: wl.IBAN, DebtorBIC: wl.BIC,
		SignatureDate: created.Format(time.DateOnly), Status: payments.MandateActive}, true
}

func (w *world) writeMandates(out io.Writer) (int, error) {
	return writeRows(out, func(emit func(ledger.MandateRow)) error {
		for i := 0; i < w.opt.Wallets; i++ {
			if m, ok := w.mandated(i, w.walletLite(i)); ok {
				emit(m)
			}
		}
		return nil
	})
}

// writeTopUps asks for a top-up on half of the mandates, collected today or within ten days.
func (w *world) writeTopUps(out io.Writer) (int, error) {
	return writeRows(out, func(emit func(ledger.TopUpRow)) error {
		for i := 0; i < w.opt.Wallets; i++ {
			m, ok := w.mandated(i, w.walletLite(i))
			r := w.stream(fmt.Sprintf("topup:%d", i))
			if !ok || r.IntN(100) >= pctTopUp {
				continue
			}
			emit(ledger.TopUpRow{TopUpID: fmt.Sprintf("TU-%07d", i), WalletID: m.WalletID, MandateID: m.MandateID,
				Amount:                  ledger.FormatCents(1000 + 500*r.Int64N(50)),
				RequestedCollectionDate: w.today.AddDate(0, 0, r.IntN(11)).Format(time.DateOnly)})
		}
		return nil
	})
}

// writeWithdrawals has a quarter of the wallets that today's bank files top up
// withdraw half of that top-up (or redeem it, now and then), so every request fits
// the money the ingest credits.
func (w *world) writeWithdrawals(out io.Writer) (int, error) {
	return writeRows(out, func(emit func(ledger.WithdrawalRow)) error {
		seen := map[int]bool{}
		for p := range w.partners {
			r := w.stream("withdrawals:" + w.partners[p].PartnerKey)
			err := w.entries(p, min(w.entriesOf(p), withdrawalEntries), func(e entry) error {
				if e.kind != TopUp || seen[e.wallet] || r.IntN(4) != 0 {
					return nil
				}
				seen[e.wallet] = true
				kind := "SctWithdrawal"
				if r.IntN(10) == 0 {
					kind = "Redemption"
				}
				emit(ledger.WithdrawalRow{WithdrawalID: fmt.Sprintf("WD-%s-%07d", w.partners[p].PartnerKey, e.wallet),
					WalletID: w.walletLite(e.wallet).WalletID, Amount: ledger.FormatCents(e.cents / 2), OperationType: kind,
					RequestedExecutionDate: w.date, Remittance: "Prelievo dal wallet"})
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}
