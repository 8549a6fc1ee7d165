package ledger_test

import (
	"context"
	"fmt"
	"settle"
	"settle/ledger"
	"settle/ledger/fees"
	"strings"
	"testing"
)

func feeTotalsText(t *testing.T, s *ledger.Store, day string) string {
	t.Helper()
	ts, err := fees.FeeTotals(context.Background(), s, settle.MustParseDay(day))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, x := range ts {
		lines = append(lines, fmt.Sprintf("%s %s %s %s %s %d %s %s %s %s %s %s %s", x.DealerKey, x.OperationType, x.OperationStatus,
			x.FeeDebtor, x.StoreID[:min(4, len(x.StoreID))], x.Count, x.TotalAmount.Text(), x.TotalCustomerNet.Text(),
			x.TotalCustomerFinal.Text(), x.TotalForPlatform.Text(), x.TotalForPartner.Text(),
			x.TotalForDealer.Text(), x.TotalForStore.Text()))
	}
	return strings.Join(lines, "\n")
}

// Recomputing a day gives the same rows; a new operation of the day is counted by
// the next recomputation, and other days are untouched.
func TestFeeTotalsRecomputeIsIdempotent(t *testing.T) {
	s := feeWorld(t)
	ctx := context.Background()
	importCSV(t, s, "operations", opHeader+
		"OP-1,"+polifemo+","+store1+",CashDeposit,200.00,2026-11-20,Completed\n"+
		"OP-2,"+polifemo+","+store1+",CashDeposit,100.00,2026-11-20,Completed\n"+
		"OP-3,"+polifemo+","+store1+",CashWithdrawal,50.00,2026-11-20,Completed\n"+
		"OP-4,"+polifemo+","+store1+",CashDeposit,10.00,2026-11-20,Failed\n"+
		"OP-9,"+polifemo+","+store1+",CashDeposit,10.00,2026-11-21,Completed\n")
	want := strings.Join([]string{
		" SctDeposit Completed None  1 300.00 300.00 300.00 0.00 0.00 0.00 0.00",                 // the world's bank top-up: no dealer, no store
		"ACME_D1 CashDeposit Completed Customer 5a0e 2 300.00 293.50 300.00 2.60 1.95 1.30 0.65", // fees 4.00 + 2.50,
		"ACME_D1 CashDeposit Failed Customer 5a0e 1 10.00 10.00 10.00 0.00 0.00 0.00 0.00",
		"ACME_D1 CashWithdrawal Completed Store 5a0e 1 50.00 50.00 50.00 0.13 0.13 0.12 0.12",
	}, "\n")
	for i := range 2 {
		res, err := fees.RebuildFeeTotals(ctx, s, settle.MustParseDay("2026-11-20"), false)
		if err != nil || res.Rows != 4 || res.Operations != 5 {
			t.Fatalf("run %d: %+v %v", i, res, err)
		}
		if got := feeTotalsText(t, s, "2026-11-20"); got != want {
			t.Fatalf("run %d:\n%s\nwant\n%s", i, got, want)
		}
	}
	if got := feeTotalsText(t, s, "2026-11-21"); got != "" {
		t.Fatalf("the 21st was not asked for: %s", got)
	}
	importCSV(t, s, "operations", opHeader+"OP-5,"+polifemo+","+store1+",CashWithdrawal,10.00,2026-11-20,Completed\n")
	fees.RebuildFeeTotals(ctx, s, settle.MustParseDay("2026-11-20"), false)
	if got := feeTotalsText(t, s, "2026-11-20"); !strings.Contains(got, "CashWithdrawal Completed Store 5a0e 2 60.00") {
		t.Fatalf("after a new operation:\n%s", got)
	}
	if res, _ := fees.RebuildFeeTotals(ctx, s, settle.Day{}, false); res.Days != 2 {
		t.Fatalf("all days: %+v", res)
	}
	// A day's shares sum to its fees, and equal what the fee accounts received.
	var fees, shares, accounts int64
	s.R.Get(&fees, `SELECT SUM(total_fee_cents) FROM fee_totals WHERE operation_status = 'Completed'`)
	s.R.Get(&shares, `SELECT SUM(total_for_platform_cents + total_for_partner_cents + total_for_dealer_cents + total_for_store_cents)
		FROM fee_totals WHERE operation_status = 'Completed'`)
	s.R.Get(&accounts, `SELECT -SUM(balance_cents) FROM accounts WHERE code LIKE 'partner:ACME:fees:%'`)
	if fees != shares || fees != accounts {
		t.Fatalf("fees %d, shares %d, fee accounts %d", fees, shares, accounts)
	}
}
