package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
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
	day := settle.MustParseDay("2026-11-20")
	tb, err := WriteTrialBalance(ctx, s, day, &b, Format{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The posting booked on the 21st does not count in the report of the 20th; the
	// wallet's balance shows in its partner's withdrawable line, and zero balances are
	// left out.
	if tb.DebitCents != 3000 || tb.CreditCents != -3000 {
		t.Fatalf("%+v", tb)
	}
	ledgertest.Golden(t, filepath.Join("testdata", "trial-balance.golden.csv"), b.Bytes())
	rows, _ := csv.NewReader(&b).ReadAll()
	last := rows[len(rows)-1]
	if len(rows) != 4 || last[0] != "total" || last[5] != "30.00" || last[6] != "30.00" {
		t.Fatalf("want the bank, the wallets' line and a totals row whose debits and credits are 30.00:\n%v", rows)
	}
	var walletAccounts int64
	s.R.Get(&walletAccounts, `SELECT COUNT(*) FROM accounts WHERE partner_key = 'ACME' AND wallet_id IS NOT NULL AND name = 'withdrawable'`)
	if rows[2][0] != "wallet:*:withdrawable" || rows[2][1] != "ACME" || rows[2][4] != fmt.Sprint(walletAccounts) || rows[2][6] != "30.00" {
		t.Fatalf("wallet line %v; want wallet:*:withdrawable of ACME summing %d accounts, credit 30.00", rows[2], walletAccounts)
	}

	// With zero balances, every account is counted once.
	b.Reset()
	if tb, err = WriteTrialBalance(ctx, s, day, &b, Format{}, Options{ZeroBalances: true}); err != nil {
		t.Fatal(err)
	}
	var accounts int64
	s.R.Get(&accounts, `SELECT COUNT(*) FROM accounts`)
	if tb.Accounts != accounts || tb.DebitCents != 3000 {
		t.Fatalf("%+v; want %d accounts", tb, accounts)
	}
}

// The Excel format: a BOM, semicolons and decimal commas, as an Italian Excel opens it.
func TestCSVForExcel(t *testing.T) {
	var b bytes.Buffer
	c, err := NewCSV(&b, Format{Excel: true, Separator: ';', DecimalComma: true}, "name", "amount")
	if err != nil {
		t.Fatal(err)
	}
	c.Row([]Column{{"name", Text}, {"amount", Cents}}, []string{"Società Cooperativa; Niccolò", "-1234.50"})
	c.Flush()
	want := "\uFEFFname;amount\n\"Società Cooperativa; Niccolò\";-1234,50\n"
	if b.String() != want {
		t.Fatalf("got %q; want %q", b.String(), want)
	}
	for _, f := range []Format{{Separator: '|'}, {DecimalComma: true}} {
		if _, err := NewCSV(&b, f, "x"); err == nil {
			t.Errorf("%+v: want refused", f)
		}
	}
}
