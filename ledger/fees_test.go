package ledger_test

import (
	"context"
	"math/big"
	"math/rand/v2"
	"settle"
	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/fees"
	"settle/ledger/payments"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// Property: for random amounts, percentages and shares, the fee is fixed +
// percent% × amount rounded half-up, exactly, and the shares sum to it, each
// within one cent of its exact part and never below its floor.
func TestFeeAndSharesExact(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 200_000; i++ {
		amount := 1 + r.Int64N(99_999_999_999)
		if i%2 == 0 {
			amount = 1 + r.Int64N(100_000)
		}
		pct := decimal.New(r.Int64N(100_0001), -4) // 0.0000 to 100.0000 %
		var bp [4]int
		left := 10_000
		for j := 0; j < 3; j++ {
			bp[j] = r.IntN(left + 1)
			left -= bp[j]
		}
		bp[3] = left
		r.Shuffle(4, func(a, b int) { bp[a], bp[b] = bp[b], bp[a] })
		f := fees.FeeSchedule{FixedCents: r.Int64N(500), Percent: pct, FeeDebtor: fees.DebtorCustomer, PlatformBP: bp[0], PartnerBP: bp[1], DealerBP: bp[2], StoreBP: bp[3]}
		fee := f.Price(amount)

		// exact: amount × pct / 100 as a rational, rounded half-up
		exact := new(big.Rat).Mul(new(big.Rat).SetInt64(amount), pct.Rat())
		exact.Quo(exact, big.NewRat(100, 1))
		half := new(big.Rat).Add(exact, big.NewRat(1, 2))
		want := new(big.Int).Quo(half.Num(), half.Denom()).Int64() + f.FixedCents
		if fee.Cents != want {
			t.Fatalf("amount %d, %s%%, fixed %d: fee %d, want %d", amount, pct, f.FixedCents, fee.Cents, want)
		}
		var sum int64
		for j, s := range fee.Shares {
			sum += s
			floor := fee.Cents * int64(bp[j]) / 10_000
			if s != floor && s != floor+1 {
				t.Fatalf("share %d of %d at %d bp is %d", j, fee.Cents, bp[j], s)
			}
		}
		if sum != fee.Cents {
			t.Fatalf("shares %v sum to %d, not %d", fee.Shares, sum, fee.Cents)
		}
	}
}

func TestSplitSharesTiesAndRemainders(t *testing.T) {
	for _, c := range []struct {
		cents int64
		bp    [4]int
		want  [4]int64
	}{
		{1, [4]int{2500, 2500, 2500, 2500}, [4]int64{1, 0, 0, 0}},     // a tie: the platform first
		{3, [4]int{2500, 2500, 2500, 2500}, [4]int64{1, 1, 1, 0}},     // then partner, dealer
		{10, [4]int{3333, 3333, 3334, 0}, [4]int64{3, 3, 4, 0}},       // largest remainder: dealer (.334)
		{100, [4]int{5000, 3000, 1500, 500}, [4]int64{50, 30, 15, 5}}, // exact
		{7, [4]int{0, 0, 0, 10000}, [4]int64{0, 0, 0, 7}},
		{0, [4]int{4000, 3000, 2000, 1000}, [4]int64{0, 0, 0, 0}},
	} {
		if got := fees.SplitShares(c.cents, c.bp); got != c.want {
			t.Errorf("SplitShares(%d, %v) = %v, want %v", c.cents, c.bp, got, c.want)
		}
	}
}

const (
	testStores = "storeId,dealerKey,storeName,iban,bic,city\n" + store1 + ",ACME_D1,Tabacchi Centrale,DE89370400440532013000,,Milano\n"
	testFees   = `partnerKey,operationType,fixedAmount,percentage,feeDebtor,sharePlatform,sharePartner,shareDealer,shareStore
ACME,CashDeposit,1.00,1.5,Customer,4000,3000,2000,1000
ACME,CashWithdrawal,0.50,0,Store,2500,2500,2500,2500
ACME,Payment,0,0.75,None,10000,0,0,0
`
)

// feeWorld is the test world with a store, a fee schedule and 300.00 in Polifemo's wallet.
func feeWorld(t *testing.T) *ledger.Store {
	t.Helper()
	s := openTest(t)
	seedWorld(t, s)
	for _, f := range []struct{ kind, csv string }{{"stores", testStores}, {"fees", testFees}} {
		if res := importCSV(t, s, f.kind, f.csv); res.Rejected > 0 {
			t.Fatalf("%s: %+v", f.kind, res.Errors)
		}
	}
	if _, err := ingestFile(t, s, "in.xml", camt054(ntry{ref: "C1", amount: "300.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"})); err != nil {
		t.Fatal(err)
	}
	return s
}

const store1 = "5a0e1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"

const opHeader = "operationId,walletId,storeId,operationType,amount,operationDate,operationStatus\n"

func TestStoreOperationsPostWithFeesAndShares(t *testing.T) {
	s := feeWorld(t)
	rome, _ := time.LoadLocation("Europe/Rome")
	res, err := feeds.Import(context.Background(), s, "operations", "operations.csv", strings.NewReader(opHeader+
		"OP-1,"+polifemo+","+store1+",CashDeposit,200.00,2026-11-20,Completed\n"+ // fee 1.00 + 3.00 = 4.00 by the customer: wallet +196.00
		"OP-2,"+polifemo+","+store1+",CashWithdrawal,100.00,2026-11-20T23:30:00+00:00,\n"+ // 0.50 by the store; the 21st in Rome
		"OP-3,"+polifemo+","+store1+",Payment,33.33,2026-11-21,Completed\n"+ // no fee
		"OP-4,"+polifemo+","+store1+",CashDeposit,50.00,2026-11-21,Failed\n"+
		"OP-5,"+polifemo+","+store1+",CashDeposit,10.00,2026-11-21,Pending\n"), feeds.ImportOptions{Day: testDay, Location: rome})
	if err != nil || res.Rejected > 0 {
		t.Fatalf("%v %+v", err, res.Errors)
	}
	for code, want := range map[string]string{
		ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable): "-362.67", // 300 + 196 - 100 - 33.33
		ledger.PartnerAccountCode("ACME", "store_cash:"+store1):       "67.17",   // 200 owed; 99.50 paid out (100 less the fee the store bears); 33.33 the store keeps
		ledger.PartnerAccountCode("ACME", "fees:platform"):            "-1.73",   // 40% of 4.00 + 25% of 0.50 (0.125 → the tie goes to the platform)
		ledger.PartnerAccountCode("ACME", "fees:partner"):             "-1.33",
		ledger.PartnerAccountCode("ACME", "fees:dealer:ACME_D1"):      "-0.92",
		ledger.PartnerAccountCode("ACME", "fees:store:"+store1):       "-0.52",
	} {
		if got := balance(t, s, code); got != want {
			t.Errorf("%s %s, want %s", code, got, want)
		}
	}
	var ops []ledger.Operation
	s.R.Select(&ops, `SELECT * FROM operations WHERE operation_id LIKE 'OP-%' ORDER BY operation_id`)
	got := []string{}
	for _, o := range ops {
		got = append(got, strings.Join([]string{o.OperationID, o.OperationStatus, o.OperationDate.String(), ledger.FormatCents(o.CustomerNetCents),
			ledger.FormatCents(o.CustomerFinalCents), ledger.FormatCents(o.FeeCents), o.FeeDebtor}, " "))
	}
	want := []string{
		"OP-1 Completed 2026-11-20 196.00 200.00 4.00 Customer",
		"OP-2 Completed 2026-11-21 100.00 100.00 0.50 Store",
		"OP-3 Completed 2026-11-21 33.33 33.33 0.00 None",
		"OP-4 Failed 2026-11-21 50.00 50.00 0.00 Customer",
		"OP-5 Pending 2026-11-21 8.85 10.00 1.15 Customer",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("operations:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The pending deposit completes; the feed told again changes nothing.
	for range 2 {
		importCSV(t, s, "operations", opHeader+"OP-5,"+polifemo+","+store1+",CashDeposit,10.00,2026-11-21,Completed\n")
	}
	if got := balance(t, s, ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable)); got != "-371.52" {
		t.Fatalf("after OP-5 completed: %s", got)
	}
	mustVerify(t, s)
}

func TestStoreOperationsRefused(t *testing.T) {
	s := feeWorld(t)
	for _, c := range []struct{ row, field, want string }{
		{"X-1," + polifemo + "," + store1 + ",CashWithdrawal,300.00,2026-11-20,", "", ""},                                               // the store bears its fee: the wallet needs the amount only
		{"X-2," + polifemo + "," + store1 + ",Payment,300.01,2026-11-20,", "amount", "has 0.00 withdrawable, the Payment needs 300.01"}, // X-1 took it all
		{"X-3," + polifemo + "," + store1 + ",CashDeposit,1000.01,2026-11-20,", "amount", "over the partner's maximum of 1000.00"},
		{"X-4," + mario + "," + store1 + ",CashDeposit,10.00,2026-11-20,", "", ""}, // an active wallet without IBAN may deposit cash
		{"X-5," + polifemo + ",5a0e1b2c-3d4e-4f50-8a6b-000000000000,CashDeposit,10.00,2026-11-20,", "storeId", "does not exist"},
		{"X-9,00000000-0000-4000-8000-00000000abcd," + store1 + ",CashDeposit,10.00,2026-11-20,", "walletId", "does not exist"},
		{"X-6," + polifemo + "," + store1 + ",Refund,10.00,2026-11-20,", "operationType", "is not CashDeposit"},
		{"X-7," + polifemo + "," + store1 + ",CashDeposit,10.00,20/11/2026,", "operationDate", "is not a date"},
		{"X-8," + polifemo + "," + store1 + ",CashDeposit,10.00,2026-11-20,Reversed", "operationStatus", "settle reverse"},
	} {
		res := importCSV(t, s, "operations", opHeader+c.row+"\n")
		if c.field == "" {
			if res.Rejected != 0 {
				t.Errorf("%s: %+v", c.row, res.Errors)
			}
			continue
		}
		if res.Rejected != 1 || res.Errors[0].Field != c.field || !strings.Contains(res.Errors[0].Err, c.want) {
			t.Errorf("%s: %+v, want %s: %s", c.row, res.Errors, c.field, c.want)
		}
	}
	mustVerify(t, s)
}

func TestFeeScheduleRefused(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	head := strings.SplitN(testFees, "\n", 2)[0] + "\n"
	for _, c := range []struct{ row, field string }{
		{"ACME,CashDeposit,1.00,1.5,Customer,4000,3000,2000,999", "sharePlatform"},
		{"ACME,CashDeposit,1.00,101,Customer,4000,3000,2000,1000", "percentage"},
		{"ACME,CashDeposit,1.00,0.00001,Customer,4000,3000,2000,1000", "percentage"},
		{"ACME,CashDeposit,-1.00,1,Customer,4000,3000,2000,1000", "fixedAmount"},
		{"ACME,CashDeposit,1.00,1,Bank,4000,3000,2000,1000", "feeDebtor"},
		{"ACME,Topup,1.00,1,Customer,4000,3000,2000,1000", "operationType"},
		{"NOPE,CashDeposit,1.00,1,Customer,4000,3000,2000,1000", "partnerKey"},
		{"ACME,CashDeposit,1.00,1,Customer,40.5,3000,2000,1000", "sharePlatform"},
	} {
		res, err := feeds.Import(context.Background(), s, "fees", "fees.csv", strings.NewReader(head+c.row+"\n"), feeds.ImportOptions{Day: testDay})
		if err != nil || res.Rejected != 1 || res.Errors[0].Field != c.field {
			t.Errorf("%s: %v %+v, want %s", c.row, err, res.Errors, c.field)
		}
	}
}

// Dealers' and stores' earned shares are paid once per cycle, by the next SCT
// batch; a reject puts the money back on the fee account.
func TestFeePayoutsPayEachShareOnce(t *testing.T) {
	s := feeWorld(t)
	ctx := context.Background()
	importCSV(t, s, "operations", opHeader+"OP-1,"+polifemo+","+store1+",CashDeposit,200.00,2026-11-20,Completed\n"+
		"OP-2,"+polifemo+","+store1+",CashDeposit,100.00,2026-11-21,Completed\n") // the 21st: the next cycle
	importCSV(t, s, "dealers", "dealerKey,partnerKey,dealerName,iban,bic\nACME_D1,ACME,Rete Nord,IT27X0300203280335719971372,\n")
	res, err := payments.QueueFeePayouts(ctx, s, settle.MustParseDay("2026-11-21"), 1, false, false)
	if err != nil || res.Payouts != 2 || res.Cents != 80+40 {
		t.Fatalf("%+v %v", res, err) // dealer 20 % and store 10 % of the 20th's 4.00
	}
	if again, _ := payments.QueueFeePayouts(ctx, s, settle.MustParseDay("2026-11-21"), 1, false, false); again.Payouts != 0 {
		t.Fatalf("paid twice: %+v", again)
	}
	dealer := ledger.PartnerAccountCode("ACME", "fees:dealer:ACME_D1")
	if b := balance(t, s, dealer); b != "-0.50" { // the 21st's share (20 % of 2.50) waits for the next cycle
		t.Fatalf("dealer fee account %s", b)
	}
	opt := batchDay
	opt.Today, opt.Outbox = settle.MustParseDay("2026-11-21"), t.TempDir()
	run, err := payments.MakeSCTBatches(ctx, s, opt)
	if err != nil || run.Txs != 2 || run.Total.Text() != "1.20" {
		t.Fatalf("%+v %v", run, err)
	}
	msg := run.Files[0].MsgID
	if _, err := ingestFile(t, s, "r.xml", pain002("R-1", msg, "", "", msg+"-D20261123 STL-CT-1 RJCT AC04")); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, s, dealer); b != "-1.30" {
		t.Fatalf("after the reject the dealer's 0.80 is back: %s", b)
	}
	if !payments.FeePayoutDue("monthly", settle.MustParseDay("2026-12-01")) || payments.FeePayoutDue("monthly", settle.MustParseDay("2026-12-02")) || !payments.FeePayoutDue("weekly", settle.MustParseDay("2026-11-23")) || payments.FeePayoutDue("off", settle.MustParseDay("2026-12-01")) {
		t.Fatal("cycle days")
	}
	mustVerify(t, s)
}

// Regression (issue 15): re-importing an operations feed said "imported" for rows
// that posted nothing. Rows done before are unchanged; a pending one still counts.
func TestReimportedOperationsAreUnchanged(t *testing.T) {
	s := feeWorld(t)
	feed := opHeader + "OP-1," + polifemo + "," + store1 + ",CashDeposit,200.00,2026-11-20,Completed\n" +
		"OP-2," + polifemo + "," + store1 + ",CashDeposit,10.00,2026-11-20,Pending\n"
	if res := importCSV(t, s, "operations", feed); res.Imported != 2 || res.Unchanged != 0 {
		t.Fatalf("first import: %+v", res)
	}
	if res := importCSV(t, s, "operations", feed); res.Imported != 1 || res.Unchanged != 1 || res.Rejected != 0 {
		t.Fatalf("second import: %+v; want the completed one unchanged, the pending one looked at again", res)
	}
}
