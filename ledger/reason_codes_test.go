package ledger_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"settle/ledger"
	"settle/ledger/ingest"
	"settle/ledger/ledgertest"
	"settle/ledger/payments"
	"strings"
	"testing"
)

// reasonCodes is SEPA-RULES.md §5's table: each code, the mandate's state after a
// reject or return with it, and the status a return leaves the collection in.
var reasonCodes = []struct{ code, mandate, returned string }{
	{"AC01", payments.MandateRevoked, payments.PayReturned}, {"AC04", payments.MandateRevoked, payments.PayReturned}, {"AC06", payments.MandateSuspended, payments.PayReturned},
	{"AC13", payments.MandateActive, payments.PayReturned}, {"AG01", payments.MandateRevoked, payments.PayReturned}, {"AG02", payments.MandateActive, payments.PayReturned},
	{"AM04", payments.MandateActive, payments.PayReturned}, {"AM05", payments.MandateActive, payments.PayReturned}, {"BE05", payments.MandateActive, payments.PayReturned},
	{"FF01", payments.MandateActive, payments.PayReturned}, {"MD01", payments.MandateRevoked, payments.PayRefunded}, {"MD02", payments.MandateSuspended, payments.PayReturned},
	{"MD06", payments.MandateActive, payments.PayRefunded}, {"MD07", payments.MandateRevoked, payments.PayReturned}, {"MS02", payments.MandateSuspended, payments.PayReturned},
	{"MS03", payments.MandateActive, payments.PayReturned}, {"RC01", payments.MandateActive, payments.PayReturned}, {"RR01", payments.MandateSuspended, payments.PayReturned},
	{"RR02", payments.MandateSuspended, payments.PayReturned}, {"RR03", payments.MandateSuspended, payments.PayReturned}, {"RR04", payments.MandateSuspended, payments.PayReturned},
	{"SL01", payments.MandateSuspended, payments.PayReturned}, {"CNOR", payments.MandateSuspended, payments.PayReturned}, {"DNOR", payments.MandateSuspended, payments.PayReturned},
}

// Every reason code of §5 on a rejected collection: nothing was booked, so no money
// moves; the mandate follows the code.
func TestEveryReasonCodeOnAReject(t *testing.T) {
	for _, c := range reasonCodes {
		t.Run(c.code, func(t *testing.T) {
			s, msg := sddWorld(t)
			doc := pain002("R-1", msg, "", "", msg+"-B0001 STL-DD-1 RJCT "+c.code)
			for _, name := range []string{"r.xml", "again.xml"} { // replayed: acts once
				if _, err := ingestFile(t, s, name, strings.Replace(doc, "R-1", name, 1)); err != nil {
					t.Fatal(err)
				}
			}
			if got := statusOf(t, s, "TU-1"); got != "Rejected "+c.code {
				t.Fatalf("TU-1 %s", got)
			}
			if got := mandateStatus(t, s, "MND-POLI-1"); got != c.mandate {
				t.Errorf("mandate %s, want %s", got, c.mandate)
			}
			if b := balance(t, s, ledger.WalletAccountCode(polifemo, ledger.BucketRestricted)); b != "0.00" {
				t.Errorf("restricted %s: a reject moves no money", b)
			}
			mustVerify(t, s)
		})
	}
}

// Every reason code of §5 on a returned collection: the wallet gives back the
// original amount, the bank's charge is ours, the mandate follows the code.
func TestEveryReasonCodeOnAReturn(t *testing.T) {
	for _, c := range reasonCodes {
		t.Run(c.code, func(t *testing.T) {
			s, _ := sddWorld(t)
			if _, err := ingestFile(t, s, "book.xml", camt054(ntry{ref: "B2", amount: "100.00", code: "PMNT/IDDT/ESDD", e2e: "STL-DD-1"})); err != nil {
				t.Fatal(err)
			}
			doc := camt054(ntry{ref: "R1", amount: "102.50", dir: "DBIT", code: "PMNT/IDDT/UPDD", e2e: "STL-DD-1", returnReason: c.code, charge: "2.50"})
			for _, msg := range []string{"T1", "T2"} { // the statement repeats the notification
				if _, err := ingestFile(t, s, msg+".xml", strings.Replace(doc, "<MsgId>T1</MsgId>", "<MsgId>"+msg+"</MsgId>", 1)); err != nil {
					t.Fatal(err)
				}
			}
			if got := statusOf(t, s, "TU-1"); got != c.returned+" "+c.code {
				t.Fatalf("TU-1 %s", got)
			}
			if got := mandateStatus(t, s, "MND-POLI-1"); got != c.mandate {
				t.Errorf("mandate %s, want %s", got, c.mandate)
			}
			for code, want := range map[string]string{ledger.WalletAccountCode(polifemo, ledger.BucketRestricted): "0.00",
				ledger.PartnerAccountCode("ACME", "bank"): "-2.50", ledger.PartnerAccountCode("ACME", "bank_charges"): "2.50"} {
				if got := balance(t, s, code); got != want {
					t.Errorf("%s %s, want %s", code, got, want)
				}
			}
			mustVerify(t, s)
		})
	}
}

// PostFinance's returns of credit transfers (ICDT/RRTN, AC01), batch-booked
// (Sammelbuchung: a Btch entry with its TxDtls) and single-booked (Einzelbuchung),
// in both schema versions, re-credit the wallet when their EndToEndId is a payout
// of ours. The platform books euros only and the files are in CHF: as the bank wrote
// them they are FOREIGN_CURRENCY exceptions and the payout stays Settled; read in
// EUR, every other byte unchanged, they are returns.
func TestCorpusPostFinanceReturnsArePayoutReturns(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "libeufin_postfinance_gls")
	for _, c := range []struct{ file, account, e2e, amount string }{
		{"9_camt054_Return_Detailavisierung_mit_Sammelbuchung_ISO2019_v2019.xml", "CH2909000000250094239", "EndToEndId-004-01-01", "400.00"},
		{"9_camt054_Return_Detailavisierung_mit_Sammelbuchung_v2009.xml", "CH2909000000250094239", "EndToEndId-004-01-01", "400.00"},
		{"10_camt054_Return_Detailavisierung_mit_Einzelbuchung_ISO2019_v2019.xml", "CH5109000000250092291", "EndToEndId-001-03-04", "500.00"},
		{"10_camt054_Return_Detailavisierung_mit_Einzelbuchung_v2009.xml", "", "", ""},
	} {
		doc, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Skip("../shared is absent")
		}
		if c.account == "" { // the v2009 twin: same references as its v2019 file
			c.account, c.e2e, c.amount = "CH5109000000250092291", "EndToEndId-001-03-04", "500.00"
		}
		if !bytes.Contains(doc, []byte(c.e2e)) {
			t.Fatalf("%s does not carry %s", c.file, c.e2e)
		}
		for _, ccy := range []string{"CHF", "EUR"} {
			t.Run(c.file+"/"+ccy, func(t *testing.T) {
				s := batchWorld(t)
				ledgertest.Exec(t, s, `UPDATE partners SET settlement_iban = ? WHERE partner_key = 'ACME'`, c.account)
				cents := strings.ReplaceAll(c.amount, ".", "")
				// Our payout of that amount to the wallet, booked by the bank.
				ledgertest.Exec(t, s, `INSERT INTO credit_transfers (request_id, partner_key, wallet_id, kind, amount_cents, creditor_name,
					creditor_iban, remittance, requested_date, end_to_end_id, status, created_at, updated_at) VALUES ('WD-PF', 'ACME', ?,
					'SctWithdrawal', ?, 'Robert Schneider', 'CH8709000000929471495', 'Kontouebertrag', '2022-05-19', ?, 'Settled',
					'2022-05-19', '2022-05-19')`, polifemo, cents, c.e2e)
				in := bytes.ReplaceAll(doc, []byte(`Ccy="CHF"`), []byte(`Ccy="`+ccy+`"`))
				for i := range 2 { // replayed as another file: acts once
					if _, err := ingest.IngestBank(context.Background(), s, c.file, bytes.NewReader(in), ingest.IngestOptions{Day: testDay, SHA256: ccy + string(rune('0'+i)), Size: int64(len(in))}); err != nil {
						t.Fatal(err)
					}
				}
				wantStatus, wantWallet := "Settled ", "0.00"
				if ccy == "EUR" {
					wantStatus, wantWallet = "Returned AC01", "-"+c.amount
				}
				if got := statusOf(t, s, "WD-PF"); got != wantStatus {
					t.Errorf("payout %s, want %s", got, wantStatus)
				}
				if got := balance(t, s, ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable)); got != wantWallet {
					t.Errorf("wallet %s, want %s", got, wantWallet)
				}
				if ccy == "CHF" {
					if rs := reasons(t, s); len(rs) != 1 || rs[0] != ingest.ExcForeignCurrency {
						t.Errorf("exceptions %v", rs)
					}
				}
				mustVerify(t, s)
			})
		}
	}
}
