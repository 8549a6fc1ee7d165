package ledger_test

import (
	"context"
	"settle"
	"strings"
	"testing"

	"settle/ledger"
	"settle/ledger/ingest"
	"settle/ledger/payments"
	"settle/sepa"
)

func TestStoreCashReferenceIsAValidRF(t *testing.T) {
	for _, tc := range []struct{ store, want string }{
		{store1, "S5A0E1B2C3D4E4F508A6B"}, // a UUID: its first 20 letters and digits
		{"st-1", "SST1"},
		{"ñandú 7", "SAND7"},
	} {
		rf := ledger.StoreCashReference(tc.store)
		if got, err := sepa.CheckRF(rf); err != nil || got[4:] != tc.want {
			t.Errorf("%s: %s (%v); want RFkk%s", tc.store, rf, err, tc.want)
		}
	}
}

// A store's remittance quoting its RF reference (printed in groups or not) lowers
// the cash it owes; with netting, its earned fees are set against what it still
// owes and only the rest would be paid.
func TestStoreRemittanceAndFeeNetting(t *testing.T) {
	s := feeWorld(t)
	ctx := context.Background()
	importCSV(t, s, "operations", opHeader+"OP-1,"+polifemo+","+store1+",CashDeposit,200.00,2026-11-20,Completed\n")
	cash := ledger.PartnerAccountCode("ACME", "store_cash:"+store1)
	if b := balance(t, s, cash); b != "200.00" {
		t.Fatalf("the store owes %s", b)
	}
	rf := ledger.StoreCashReference(store1)
	var printed []string
	for i := 0; i < len(rf); i += 4 {
		printed = append(printed, rf[i:min(i+4, len(rf))])
	}
	sum, err := ingestFile(t, s, "remit.xml", camt054(
		ntry{ref: "R1", amount: "150.00", debtorIBAN: "IT02L1234512345123456789012", remittance: "Versamento " + strings.Join(printed, " ")},
		ntry{ref: "R2", amount: "49.60", debtorIBAN: "IT02L1234512345123456789012", remittance: rf}))
	if err != nil || sum.Counts[ingest.OutcomePosted] != 2 {
		t.Fatalf("%+v %v", sum, err)
	}
	if b := balance(t, s, cash); b != "0.40" {
		t.Fatalf("after remitting 199.60 the store owes %s", b)
	}
	res, err := payments.QueueFeePayouts(ctx, s, settle.MustParseDay("2026-11-21"), 1, true, false)
	if err != nil || res.Netted != 40 || res.Payouts != 0 {
		t.Fatalf("netting: %+v %v; want the store's 0.40 set against its 0.40 of cash, no payout (no dealer IBAN)", res, err)
	}
	if b := balance(t, s, cash); b != "0.00" {
		t.Fatalf("after netting the store owes %s", b)
	}
	if b := balance(t, s, ledger.PartnerAccountCode("ACME", "fees:store:"+store1)); b != "0.00" {
		t.Fatalf("after netting its fee account holds %s", b)
	}
	again, err := payments.QueueFeePayouts(ctx, s, settle.MustParseDay("2026-11-21"), 1, true, false)
	if err != nil || again.Payouts != 0 || balance(t, s, cash) != "0.00" {
		t.Fatalf("a rerun: %+v %v", again, err)
	}
	mustVerify(t, s)
}
