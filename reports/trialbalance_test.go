package reports

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"settle"
	"strings"
	"testing"

	"settle/gen"
	"settle/ledger"
	"settle/ledger/feeds"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	partnersCSV = "partnerKey,name,settlementIban,settlementBic,creditorId,destinationOwner,maximum,maximumLastMonthCashDeposit,maximumLastMonthCashWithdrawal,maximumLastMonthSddDeposit\n" +
		"ACME,Acme,IT60X0542811101000000123456,,,Acme S.p.A.,,,,\n"
	dealersCSV = "dealerKey,partnerKey,dealerName,iban,bic\nACME_D1,ACME,Rete,,\n"
	walletsCSV = "walletId,partnerKey,taxId,firstName,lastName,iban,bic,isIbanValidated,ibanValidationCode,phoneNumber,email,creationDate,lastUpdateDate,lastUsageDate,closureDate,suspensionDate,originatingDealerKey,addressStreet,addressNumber,zipCode,city,province,country,status,metadata,reason\n" +
		"a1b2c3d4-e5f6-7890-abcd-ef1234567890,ACME,RSSMRA80A01H501U,Mario,Rossi,,,false,,+39.3331234567,m@example.com,2026-01-16,,,,,ACME_D1,,,,,,,Active,,\n"
)

func TestTrialBalanceAsOfDate(t *testing.T) {
	s, err := ledger.Create(filepath.Join(t.TempDir(), "settle.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, f := range [][2]string{{"partners", partnersCSV}, {"dealers", dealersCSV}, {"wallets", walletsCSV}} {
		if res, err := feeds.Import(ctx, s, f[0], f[0], strings.NewReader(f[1]), feeds.ImportOptions{Day: gen.DefaultDate}); err != nil || res.Rejected > 0 {
			t.Fatal(err, res.Errors)
		}
	}
	bank, _ := s.AccountByCode(ctx, "partner:ACME:bank")
	wallet, _ := s.AccountByCode(ctx, "wallet:a1b2c3d4-e5f6-7890-abcd-ef1234567890:withdrawable")
	for i, d := range []string{"2026-11-19", "2026-11-20", "2026-11-21"} {
		cents, day := int64(1000*(i+1)), settle.MustParseDay(d)
		_, _, err := s.Post(ctx, &ledger.Transaction{Key: "t" + d, Type: "SctDeposit", ValueDate: day, BookingDate: day,
			Postings: []ledger.Posting{{AccountID: bank.ID, AmountCents: cents}, {AccountID: wallet.ID, AmountCents: -cents}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	tb, err := WriteTrialBalance(ctx, s, settle.MustParseDay("2026-11-20"), &b)
	if err != nil {
		t.Fatal(err)
	}
	// The posting booked on the 21st does not count in the report of the 20th.
	if tb.DebitCents != 3000 || tb.CreditCents != -3000 || tb.Accounts != int64(len(ledger.SystemAccounts)+2) {
		t.Fatalf("%+v", tb)
	}
	golden := filepath.Join("testdata", "trial-balance.golden.csv")
	if *update {
		os.WriteFile(golden, b.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("trial balance differs from %s:\n%s", golden, b.String())
	}
}
