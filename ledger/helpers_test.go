package ledger_test

import (
	"context"
	"path/filepath"
	"settle"
	"settle/ledger"
	"settle/ledger/feeds"
	"strings"
	"testing"
	"time"
)

// testDay is the business day of the test world: imports and ingests run on it.
var testDay = settle.MustParseDay("2026-11-20")

// openTest opens a fresh database in a temporary directory, its clock standing at
// the evening of testDay.
func openTest(t testing.TB) *ledger.Store {
	t.Helper()
	s, err := ledger.Create(filepath.Join(t.TempDir(), "settle.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Clock = settle.NewFakeClock(time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC))
	t.Cleanup(func() { s.Close() })
	return s
}

const (
	testPartners = `partnerKey,name,settlementIban,settlementBic,creditorId,destinationOwner,maximum,maximumLastMonthCashDeposit,maximumLastMonthCashWithdrawal,maximumLastMonthSddDeposit
ACME,Acme Pay,IT60X0542811101000000123456,BCITITMM,IT66ZZZA1B2C3D4E5F6G7H8,Acme Pay S.p.A.,5000.00,1000,1000,2500.50
`
	testDealers = `dealerKey,partnerKey,dealerName,iban,bic
ACME_D1,ACME,Rete Nord,,
`
	testWallets = `walletId,partnerKey,taxId,firstName,lastName,iban,bic,isIbanValidated,ibanValidationCode,phoneNumber,email,creationDate,lastUpdateDate,lastUsageDate,closureDate,suspensionDate,originatingDealerKey,addressStreet,addressNumber,zipCode,city,province,country,status,metadata,reason
a1b2c3d4-e5f6-7890-abcd-ef1234567890,ACME,RSSMRA80A01H501U,Mario,Rossi,,,false,,+39.3331234567,mario.rossi@example.com,2026-01-16T11:30:00+01:00,,,,,ACME_D1,,,,,,,Active,,H69ZUC
0ecad4a2-3549-43fb-807e-9ff033247480,ACME,MCLPFM57L24F839R,Polifemo,Micillo,IT27X0300203280335719971372,,true,AB2EFG,+39.3338765432,Polifemo.Micillo@example.com,2026-01-10T11:30:00+01:00,,,,,ACME_D1,,,,,,,Active,"{""tier"":""gold""}",K7PQ2M
`
)

// seedWorld imports one partner, one dealer and two wallets.
func seedWorld(t testing.TB, s *ledger.Store) {
	t.Helper()
	for _, f := range []struct{ kind, csv string }{{"partners", testPartners}, {"dealers", testDealers}, {"wallets", testWallets}} {
		res, err := feeds.Import(context.Background(), s, f.kind, f.kind+".csv", strings.NewReader(f.csv), feeds.ImportOptions{Day: testDay})
		if err != nil || res.Rejected > 0 {
			t.Fatalf("import %s: %v %+v", f.kind, err, res.Errors)
		}
	}
}

func accountID(t testing.TB, s *ledger.Store, code string) int64 {
	t.Helper()
	a, err := s.AccountByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func mustVerify(t testing.TB, s *ledger.Store) {
	t.Helper()
	res, err := s.Verify(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 0 {
		t.Fatalf("ledger does not verify: %v", res.Violations)
	}
}
