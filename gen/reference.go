package gen

import (
	"fmt"

	"settle/ledger"
	"settle/sepa"
)

var partnerNames = []struct{ Key, Name, Owner string }{
	{"ACME_PAY", "Acme Pay", "Acme Pay S.p.A."},
	{"BORSELLINO", "Borsellino", "Borsellino Digitale S.r.l."},
	{"CONTANTE", "Contante", "Contante & Figli S.p.A."},
	{"DENARO_FACILE", "Denaro Facile", "Denaro Facile S.r.l."},
	{"EUROPURSE", "EuroPurse", "EuroPurse Italia S.p.A."},
}

// makeReference draws the partners, their dealers and the dealers' stores.
func (w *world) makeReference() {
	r := w.stream("reference")
	w.dealersOf = map[string][]string{}
	for p := 0; p < w.opt.Partners; p++ {
		pn := partnerNames[p]
		vat := digitsN(r, 11)
		kk, _ := sepa.CheckDigits97(vat, "IT")
		limits := []int64{500000, 250000, 1000000}[p%3] // maximum balance, cents
		w.partners = append(w.partners, ledger.PartnerRow{
			PartnerKey: pn.Key, Name: pn.Name, SettlementIBAN: italianIBAN(r), SettlementBIC: "BCITITMM",
			CreditorID: "IT" + kk + "ZZZ" + vat, DestinationOwner: pn.Owner,
			Maximum:                        ledger.FormatCents(limits),
			MaximumLastMonthCashDeposit:    ledger.FormatCents(limits / 5),
			MaximumLastMonthCashWithdrawal: ledger.FormatCents(limits / 5),
			MaximumLastMonthSddDeposit:     ledger.FormatCents(limits / 2),
		})
		for d := 0; d < w.opt.DealersPerPartner; d++ {
			dealer := ledger.DealerRow{
				DealerKey:  fmt.Sprintf("%s_D%02d", pn.Key, d+1),
				PartnerKey: pn.Key,
				DealerName: fmt.Sprintf("Rete %s %s", lastNames[r.IntN(len(lastNames))], cities[r.IntN(len(cities))].Name),
				IBAN:       italianIBAN(r),
			}
			w.dealers = append(w.dealers, dealer)
			w.dealersOf[pn.Key] = append(w.dealersOf[pn.Key], dealer.DealerKey)
			for s := 0; s < w.opt.StoresPerDealer; s++ {
				city := cities[r.IntN(len(cities))]
				w.stores = append(w.stores, ledger.StoreRow{
					StoreID:   uuid4(r),
					DealerKey: dealer.DealerKey,
					StoreName: fmt.Sprintf("%s %s", shopKinds[r.IntN(len(shopKinds))], lastNames[r.IntN(len(lastNames))]),
					IBAN:      italianIBAN(r),
					City:      city.Name,
				})
			}
		}
	}
}
