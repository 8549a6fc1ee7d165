package gen

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gocarina/gocsv"

	"settle/ledger"
)

// walletStreamBase offsets the wallets' random streams from the files' streams.
const walletStreamBase = 0x5745_4c4c_0000_0000

// IBAN states of generated wallets, in per cent: validated, pending (with a
// validation code), none.
const (
	pctValidated = 70
	pctPending   = 15
)

// writeWallets streams the wallets in batches so memory stays flat.
func (w *world) writeWallets(out io.Writer, progress func(int)) (int, error) {
	cw := csv.NewWriter(out)
	batch := make([]ledger.WalletRow, 0, 10000)
	flush := func(header bool) error {
		var err error
		if header {
			err = gocsv.MarshalCSV(batch, gocsv.NewSafeCSVWriter(cw))
		} else {
			err = gocsv.MarshalCSVWithoutHeaders(batch, gocsv.NewSafeCSVWriter(cw))
		}
		batch = batch[:0]
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
		return err
	}
	header := true
	for i := 0; i < w.opt.Wallets; i++ {
		batch = append(batch, w.wallet(i))
		if len(batch) == cap(batch) {
			if err := flush(header); err != nil {
				return i, err
			}
			header = false
			if progress != nil {
				progress(i + 1)
			}
		}
	}
	if len(batch) > 0 || header {
		if err := flush(header); err != nil {
			return w.opt.Wallets, err
		}
	}
	if progress != nil {
		progress(w.opt.Wallets)
	}
	return w.opt.Wallets, nil
}

// wallet draws wallet i from its own random stream, so that any wallet can be
// regenerated on its own (the bank files refer to wallets by index).
func (w *world) wallet(i int) ledger.WalletRow { return w.drawWallet(i, true) }

// walletLite is wallet i without its tax id and e-mail, the costly fields the bank
// files and payment feeds do not need; every other field is the same.
func (w *world) walletLite(i int) ledger.WalletRow { return w.drawWallet(i, false) }

func (w *world) drawWallet(i int, full bool) ledger.WalletRow {
	r := rand.New(rand.NewPCG(w.opt.Seed, walletStreamBase+uint64(i)))
	partner := w.partners[i%len(w.partners)].PartnerKey
	dealers := w.dealersOf[partner]
	first := firstNames[r.IntN(len(firstNames))]
	last := lastNames[r.IntN(len(lastNames))]
	// The tax id must be unique per partner; index within the partner keeps it so.
	var tax string
	if full {
		tax, _, _ = taxID(i/len(w.partners), first, last)
	}
	created := w.today.Add(-time.Duration(r.IntN(730*24)) * time.Hour).Add(time.Duration(r.IntN(3600)) * time.Second)
	city := cities[r.IntN(len(cities))]
	row := ledger.WalletRow{
		WalletID:             uuid4(r),
		PartnerKey:           partner,
		TaxID:                tax,
		FirstName:            first,
		LastName:             last,
		PhoneNumber:          "+39.3" + digitsN(r, 9),
		Email:                email(full, first, last, i, []string{"example.com", "example.org", "example.net"}[r.IntN(3)]),
		CreationDate:         created.Format(time.RFC3339),
		LastUpdateDate:       created.Format(time.RFC3339),
		OriginatingDealerKey: dealers[r.IntN(len(dealers))],
		Status:               ledger.WalletActive,
		Reason:               code36(i, 6, 1_000_000_007),
	}
	if r.IntN(2) == 0 {
		row.AddressStreet, row.AddressNumber = streets[r.IntN(len(streets))], fmt.Sprint(1+r.IntN(200))
		row.ZipCode, row.City, row.Province, row.Country = digitsN(r, 5), city.Name, city.Province, "IT"
	}
	switch k := r.IntN(100); {
	case k < pctValidated:
		row.IBAN, row.BIC = randomIBAN(r)
		row.IsIBANValidated = "true"
		row.IBANValidationCode = code36(i, 6, 998_244_353)
		used := created.Add(time.Duration(1+r.IntN(int(w.today.Sub(created).Hours())+1)) * time.Hour)
		if used.After(w.today) {
			used = w.today
		}
		row.LastUsageDate = used.Format(time.RFC3339)
	case k < pctValidated+pctPending:
		row.IBAN, row.BIC = randomIBAN(r)
		row.IsIBANValidated = "false"
		row.IBANValidationCode = code36(i, 6, 998_244_353)
	default:
		row.IsIBANValidated = "false"
	}
	switch k := r.IntN(100); {
	case k < 4:
		row.Status = ledger.WalletSuspended
		row.SuspensionDate = w.today.AddDate(0, 0, -r.IntN(60)).Format(time.RFC3339)
	case k < 6:
		row.Status = ledger.WalletClosed
		row.ClosureDate = w.today.AddDate(0, 0, -r.IntN(60)).Format(time.RFC3339)
	}
	return row
}

func email(full bool, first, last string, i int, domain string) string {
	if !full {
		return ""
	}
	return fmt.Sprintf("%s.%s%d@%s", strings.ToLower(ascii(first)), strings.ToLower(ascii(last)), i, domain)
}
