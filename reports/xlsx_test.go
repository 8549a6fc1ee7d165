package reports

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"settle/gen"
	"settle/ledger/ledgertest"
)

// A report longer than a sheet goes on in "name (2)", "name (3)" …, each with its
// header and its totals, and no row is lost.
func TestWorkbookSplitsALongReport(t *testing.T) {
	s := ledgertest.Open(t)
	ledgertest.World(t, s)
	defer func(n int) { maxSheetRows = n }(maxSheetRows)
	maxSheetRows = 1
	var b bytes.Buffer
	if err := WriteWorkbook(context.Background(), s, gen.DefaultDate, &b, Options{}); err != nil {
		t.Fatal(err)
	}
	var wallets int
	s.R.Get(&wallets, `SELECT COUNT(*) FROM wallets`)
	if wallets < 2 {
		t.Fatalf("the world has %d wallets; the test needs 2 or more", wallets)
	}
	wb, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for part := 1; ; part++ {
		name := "wallet-balances"
		if part > 1 {
			name = fmt.Sprintf("wallet-balances (%d)", part)
		}
		sheet, err := wb.GetRows(name)
		if err != nil || len(sheet) == 0 {
			if want := wallets; part-1 != want {
				t.Fatalf("%d sheets of wallet-balances; want %d", part-1, want)
			}
			break
		}
		if sheet[0][0] != "walletId" || sheet[len(sheet)-1][0] != "total" {
			t.Errorf("%s: header %v, last row %v", name, sheet[0], sheet[len(sheet)-1])
		}
		rows += len(sheet) - 2
	}
	if rows != wallets {
		t.Fatalf("%d rows across the sheets; %d wallets", rows, wallets)
	}
}
