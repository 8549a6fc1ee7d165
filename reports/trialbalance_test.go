package reports

import (
	"bytes"
	"context"
	"path/filepath"
	"settle"
	"testing"

	"settle/ledger"
	"settle/ledger/ledgertest"
)

func TestTrialBalanceAsOfDate(t *testing.T) {
	s := ledgertest.Open(t)
	ctx := context.Background()
	ledgertest.World(t, s)
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
	// The posting booked on the 21st does not count in the report of the 20th; every
	// account is listed.
	var accounts int64
	s.R.Get(&accounts, `SELECT COUNT(*) FROM accounts`)
	if tb.DebitCents != 3000 || tb.CreditCents != -3000 || tb.Accounts != accounts {
		t.Fatalf("%+v", tb)
	}
	ledgertest.Golden(t, filepath.Join("testdata", "trial-balance.golden.csv"), b.Bytes())
}
