package ledger_test

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"settle"
	"strings"
	"testing"

	"settle/ledger"
	"settle/ledger/ingest"
	"settle/ledger/ledgertest"
	"settle/sepa"
)

const (
	acmeIBAN     = "IT60X0542811101000000123456"
	polifemo     = "0ecad4a2-3549-43fb-807e-9ff033247480" // validated IBAN IT27X0300203280335719971372, reason K7PQ2M
	polifemoIBAN = "IT27X0300203280335719971372"
)

// ntry is one entry of a test camt.054.
type ntry struct {
	ref, account, ccy, dir, debtorIBAN, remittance, code, e2e, returnReason string
	amount                                                                  string
	pmtInf, charge                                                          string // batch booking's PmtInfId; a bank charge
}

func camt054(entries ...ntry) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>T1</MsgId><CreDtTm>2026-11-20T20:00:00</CreDtTm></GrpHdr>`)
	for i, e := range entries {
		account := cmp.Or(e.account, acmeIBAN)
		fmt.Fprintf(&b, `<Ntfctn><Id>N%d</Id><Acct><Id><IBAN>%s</IBAN></Id></Acct><Ntry><Amt Ccy="%s">%s</Amt><CdtDbtInd>%s</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt>`, i, account, cmp.Or(e.ccy, "EUR"), cmp.Or(e.amount, "10.00"), cmp.Or(e.dir, "CRDT"))
		if e.ref != "" {
			fmt.Fprintf(&b, "<AcctSvcrRef>%s</AcctSvcrRef>", e.ref)
		}
		code := strings.Split(cmp.Or(e.code, "PMNT/RCDT/ESCT"), "/")
		fmt.Fprintf(&b, `<BkTxCd><Domn><Cd>%s</Cd><Fmly><Cd>%s</Cd><SubFmlyCd>%s</SubFmlyCd></Fmly></Domn></BkTxCd>`, code[0], code[1], code[2])
		if e.charge != "" {
			fmt.Fprintf(&b, `<Chrgs><Rcrd><Amt Ccy="EUR">%s</Amt></Rcrd></Chrgs>`, e.charge)
		}
		b.WriteString("<NtryDtls>")
		if e.pmtInf != "" {
			fmt.Fprintf(&b, "<Btch><PmtInfId>%s</PmtInfId></Btch>", e.pmtInf)
		}
		fmt.Fprintf(&b, `<TxDtls><Refs><EndToEndId>%s</EndToEndId></Refs><RltdPties><Dbtr><Pty><Nm>Debtor Name</Nm></Pty></Dbtr>
<DbtrAcct><Id><IBAN>%s</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>%s</Ustrd></RmtInf>`, cmp.Or(e.e2e, "NOTPROVIDED"), e.debtorIBAN, e.remittance)
		if e.returnReason != "" {
			fmt.Fprintf(&b, "<RtrInf><Rsn><Cd>%s</Cd></Rsn></RtrInf>", e.returnReason)
		}
		b.WriteString("</TxDtls></NtryDtls></Ntry></Ntfctn>\n")
	}
	b.WriteString("</BkToCstmrDbtCdtNtfctn></Document>")
	return b.String()
}

func ingestFile(t *testing.T, s *ledger.Store, name, doc string) (*ingest.FileSummary, error) {
	t.Helper()
	return ingestWindow(s, name, doc, 0)
}

// ingestWindow ingests doc deciding window units together (0: the default).
func ingestWindow(s *ledger.Store, name, doc string, window int) (*ingest.FileSummary, error) {
	sum := sha256.Sum256([]byte(doc))
	return ingest.IngestBank(context.Background(), s, name, strings.NewReader(doc), ingest.IngestOptions{Day: testDay,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(doc)), Window: window})
}

func balance(t *testing.T, s *ledger.Store, code string) string {
	t.Helper()
	a, err := s.AccountByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return ledger.FormatCents(a.BalanceCents)
}

func reasons(t *testing.T, s *ledger.Store) []string {
	xs, err := s.Exceptions(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var rs []string
	for _, x := range xs {
		rs = append(rs, x.Reason)
	}
	return rs
}

func TestIngestEveryUnitEndsOnce(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	doc := camt054(
		ntry{ref: "R1", amount: "25.50", debtorIBAN: polifemoIBAN, remittance: "Ricarica k7pq2m"},       // posted
		ntry{ref: "R2", amount: "40.00", debtorIBAN: "DE89370400440532013000", remittance: "K7PQ2M"},    // IBAN mismatch
		ntry{ref: "R3", amount: "7.00", debtorIBAN: polifemoIBAN, remittance: "Ricarica ZZZZZZ"},        // unknown reference
		ntry{ref: "R4", amount: "99.00", ccy: "CHF", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"},    // foreign currency
		ntry{ref: "R5", amount: "5.00", account: "CH9300762011623852957", remittance: "K7PQ2M"},         // not our account
		ntry{ref: "R1", amount: "25.50", debtorIBAN: polifemoIBAN, remittance: "Ricarica k7pq2m"},       // duplicate
		ntry{ref: "R6", amount: "3.00", dir: "DBIT", code: "PMNT/MCOP/OTHR"},                            // unexpected debit
		ntry{ref: "R7", amount: "12.00", code: "PMNT/ICDT/RRTN", e2e: "PAYOUT-1", returnReason: "AC04"}, // recorded
		ntry{ref: "R8", amount: "1.005", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"},                // not cents
	)
	sum, err := ingestFile(t, s, "n1.xml", doc)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{ingest.OutcomePosted: 1, ingest.OutcomeException: 6, ingest.OutcomeDuplicate: 1, ingest.OutcomeRecorded: 1}
	for o, n := range want {
		if sum.Counts[o] != n {
			t.Errorf("%s: %d, want %d (%s)", o, sum.Counts[o], n, sum.Line())
		}
	}
	// Every EUR unit counts in, exactly: R1, R2, R3, R5, the duplicate, R6, R7 and R8's 1.005
	// (regression: a unit that was not whole cents used to count 0.00).
	if got := sum.AmountsIn["EUR"].Text(); got != "119.005" {
		t.Errorf("EUR in %s", got)
	}
	if got := sum.Amounts[ingest.OutcomeException]["EUR"].Text(); got != "56.005" {
		t.Errorf("EUR in exceptions %s, want 40.00+7.00+5.00+3.00+1.005", got)
	}
	if got := sum.Amounts[ingest.OutcomePosted]["EUR"].StringFixed(2); got != "25.50" {
		t.Errorf("EUR posted %s", got)
	}
	if got := strings.Join(reasons(t, s), ","); got != "IBAN_MISMATCH,UNKNOWN_REFERENCE,FOREIGN_CURRENCY,NOT_OUR_ACCOUNT,UNEXPECTED_DEBIT,AMOUNT_NOT_CENTS" {
		t.Errorf("exceptions %s", got)
	}
	// Bank received 25.50 + 40.00 + 7.00 in EUR on the account: the wallet has 25.50, suspense 47.00.
	for code, want := range map[string]string{
		ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable): "-25.50",
		ledger.PartnerAccountCode("ACME", "suspense"):                 "-47.00",
		ledger.PartnerAccountCode("ACME", "bank"):                     "72.50",
	} {
		if got := balance(t, s, code); got != want {
			t.Errorf("%s: %s, want %s", code, got, want)
		}
	}
	xs, _ := s.Exceptions(context.Background(), "")
	if got := xs[len(xs)-1].Amount.Text(); got != "1.005" {
		t.Errorf("AMOUNT_NOT_CENTS exception shows %s, want the exact 1.005", got)
	}
	var recorded string
	s.R.Get(&recorded, `SELECT return_reason || ' ' || end_to_end_id FROM bank_entries WHERE outcome = 'recorded'`)
	if recorded != "AC04 PAYOUT-1" {
		t.Errorf("recorded return: %q", recorded)
	}
	mustVerify(t, s)
}

func TestIngestValidatesPendingIBANOnce(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	// Mario gets a pending IBAN with a validation code.
	ledgertest.Exec(t, s, `UPDATE wallets SET iban = ?, iban_validation_code = 'AB7XQ2' WHERE wallet_id = ?`, "DE89370400440532013000", mario)
	doc := camt054(
		ntry{ref: "V0", amount: "20.00", debtorIBAN: "DE89370400440532013000", remittance: "H69ZUC"},            // reason before validation
		ntry{ref: "V1", amount: "0.01", debtorIBAN: "FR1420041010050500013M02606", remittance: "AB7XQ2"},        // code from another IBAN
		ntry{ref: "V2", amount: "0.01", debtorIBAN: "DE89370400440532013000", remittance: "Attivazione ab7xq2"}, // validates
		ntry{ref: "V3", amount: "50.00", debtorIBAN: "DE89370400440532013000", remittance: "Ricarica H69ZUC"},   // now a top-up
		ntry{ref: "V4", amount: "1.00", debtorIBAN: "DE89370400440532013000", remittance: "AB7XQ2X"},            // not a whole token
	)
	sum, err := ingestFile(t, s, "v.xml", doc)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[ingest.OutcomePosted] != 2 || strings.Join(reasons(t, s), ",") != "IBAN_NOT_VALIDATED,IBAN_MISMATCH,UNKNOWN_REFERENCE" {
		t.Fatalf("%s; exceptions %v", sum.Line(), reasons(t, s))
	}
	var validated bool
	s.R.Get(&validated, `SELECT is_iban_validated FROM wallets WHERE wallet_id = ?`, mario)
	if !validated || balance(t, s, ledger.WalletAccountCode(mario, ledger.BucketWithdrawable)) != "-50.01" {
		t.Fatalf("validated %v, balance %s", validated, balance(t, s, ledger.WalletAccountCode(mario, ledger.BucketWithdrawable)))
	}
	var txID int64
	s.R.Get(&txID, `SELECT transaction_id FROM bank_entries WHERE acct_svcr_ref = 'V2'`)
	ops, _ := s.OperationsOf(ctx, txID)
	if len(ops) != 1 || ops[0].OperationType != "SctDeposit" || ops[0].AmountCents != 1 || *ops[0].WalletID != mario {
		t.Fatalf("operations of %d: %+v", txID, ops)
	}
	mustVerify(t, s)
}

func TestIngestSuspendedWalletAndLimit(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s) // ACME's maximum balance is 5000.00
	doc := camt054(
		ntry{ref: "L1", amount: "4990.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"},
		ntry{ref: "L2", amount: "10.01", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"}, // over 5000.00
		ntry{ref: "L3", amount: "10.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"}, // exactly 5000.00
	)
	if _, err := ingestFile(t, s, "l.xml", doc); err != nil {
		t.Fatal(err)
	}
	ledgertest.Exec(t, s, `UPDATE wallets SET status = 'Suspended' WHERE wallet_id = ?`, polifemo)
	if _, err := ingestFile(t, s, "l2.xml", camt054(ntry{ref: "L4", amount: "1.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"})); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(reasons(t, s), ","); got != "LIMIT_EXCEEDED,WALLET_SUSPENDED" {
		t.Fatalf("exceptions %s", got)
	}
	if got := balance(t, s, ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable)); got != "-5000.00" {
		t.Fatalf("wallet %s", got)
	}
	mustVerify(t, s)
}

func TestIngestDuplicates(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	doc := camt054(ntry{ref: "D1", amount: "10.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"})
	if _, err := ingestFile(t, s, "a.xml", doc); err != nil {
		t.Fatal(err)
	}
	if _, err := ingestFile(t, s, "renamed.xml", doc); !errors.Is(err, ingest.ErrDuplicateFile) {
		t.Fatalf("the same bytes again: %v", err)
	}
	// Another file (a statement, say) with the same booking: a duplicate entry.
	sum, err := ingestFile(t, s, "b.xml", doc+" ")
	if err != nil || sum.Counts[ingest.OutcomeDuplicate] != 1 {
		t.Fatalf("%v %+v", err, sum)
	}
	// Two identical entries without any reference in one file are two bookings.
	twin := ntry{amount: "3.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"}
	sum, err = ingestFile(t, s, "c.xml", camt054(twin, twin))
	if err != nil || sum.Counts[ingest.OutcomePosted] != 2 {
		t.Fatalf("%v %s", err, sum.Line())
	}
	// The same file content under another name later: both are duplicates now.
	sum, err = ingestFile(t, s, "d.xml", camt054(twin, twin)+"\n")
	if err != nil || sum.Counts[ingest.OutcomeDuplicate] != 2 {
		t.Fatalf("%v %s", err, sum.Line())
	}
	if got := balance(t, s, ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable)); got != "-16.00" {
		t.Fatalf("wallet %s", got)
	}
	mustVerify(t, s)
}

// A file cut at a random byte posts nothing; the whole file then posts everything.
func TestIngestTruncatedPostsNothing(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	var es []ntry
	for i := 0; i < 30; i++ {
		es = append(es, ntry{ref: fmt.Sprintf("T%d", i), amount: "1.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"})
	}
	doc := camt054(es...)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20; i++ {
		cut := doc[:r.IntN(len(doc)-1)]
		_, err := ingestFile(t, s, "cut.xml", cut)
		var pe *sepa.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("cut at %d: %v", len(cut), err)
		}
	}
	var n int
	s.R.Get(&n, `SELECT COUNT(*) FROM input_files`)
	if n != 0 || balance(t, s, ledger.PartnerAccountCode("ACME", "bank")) != "0.00" {
		t.Fatalf("%d files recorded after truncated ingests", n)
	}
	sum, err := ingestFile(t, s, "whole.xml", doc)
	if err != nil || sum.Counts[ingest.OutcomePosted] != 30 {
		t.Fatalf("%v %+v", err, sum)
	}
	mustVerify(t, s)
}

func TestExceptionResolutions(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	doc := camt054(
		ntry{ref: "E1", amount: "11.00", debtorIBAN: "DE89370400440532013000", remittance: "nothing"},
		ntry{ref: "E2", amount: "22.00", debtorIBAN: "DE89370400440532013000", remittance: "nothing"},
		ntry{ref: "E3", amount: "33.00", debtorIBAN: "DE89370400440532013000", remittance: "nothing"},
		ntry{ref: "E4", amount: "44.00", ccy: "CHF", remittance: "nothing"},
	)
	if _, err := ingestFile(t, s, "e.xml", doc); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AssignException(ctx, 1, polifemo, "ops", "customer called", settle.MustParseDay("2026-11-21")); err != nil {
		t.Fatal(err)
	}
	if err := s.RefundException(ctx, 2, "ops", "", settle.MustParseDay("2026-11-21")); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteOffException(ctx, 3, "ops", "", settle.MustParseDay("2026-11-21")); settle.CodeOf(err) != settle.Invalid {
		t.Fatalf("write-off without reason: %v", err)
	}
	if err := s.WriteOffException(ctx, 3, "ops", "sender unreachable after 3 months", settle.MustParseDay("2026-11-21")); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteOffException(ctx, 4, "ops", "CHF sent to the EUR account; bank returns it", settle.MustParseDay("2026-11-21")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AssignException(ctx, 1, polifemo, "ops", "", settle.MustParseDay("2026-11-21")); settle.CodeOf(err) != settle.Conflict {
		t.Fatalf("assigning twice: %v", err)
	}
	for code, want := range map[string]string{
		ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable): "-11.00",
		ledger.PartnerAccountCode("ACME", "payout_clearing"):          "-22.00",
		ledger.PartnerAccountCode("ACME", "unclaimed"):                "-33.00",
		ledger.PartnerAccountCode("ACME", "suspense"):                 "0.00",
	} {
		if got := balance(t, s, code); got != want {
			t.Errorf("%s: %s, want %s", code, got, want)
		}
	}
	xs, _ := s.Exceptions(ctx, "")
	for _, x := range xs {
		if x.Status == ledger.ExceptionOpen || *x.ResolvedBy != "ops" || x.ResolvedAt == nil || x.Note == nil {
			t.Errorf("exception %d not journaled: %+v", x.ID, x)
		}
	}
	var refund struct {
		IBAN   string `db:"iban"`
		Cents  int64  `db:"amount_cents"`
		Status string `db:"status"`
	}
	s.R.Get(&refund, `SELECT iban, amount_cents, status FROM refund_requests WHERE exception_id = 2`)
	if refund.IBAN != "DE89370400440532013000" || refund.Cents != 2200 || refund.Status != "pending" {
		t.Fatalf("refund %+v", refund)
	}
	mustVerify(t, s)
}

func TestAutoRefund(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	doc := camt054(ntry{ref: "A1", amount: "40.00", debtorIBAN: "DE89370400440532013000", remittance: "K7PQ2M"})
	_, err := ingest.IngestBank(context.Background(), s, "a.xml", strings.NewReader(doc), ingest.IngestOptions{Day: testDay, SHA256: "x", AutoRefund: []string{ingest.ExcIBANMismatch}})
	if err != nil {
		t.Fatal(err)
	}
	xs, _ := s.Exceptions(context.Background(), "")
	if len(xs) != 1 || xs[0].Status != ledger.ExceptionRefunded || balance(t, s, ledger.PartnerAccountCode("ACME", "payout_clearing")) != "-40.00" {
		t.Fatalf("%+v", xs)
	}
	mustVerify(t, s)
}

// TestIngestWindowsDecideAsOne ingests the same file with windows of 1, 2, 3 and 512
// units: a wallet validated, a limit reached, a duplicate and an automatic refund in
// one window must be seen by the next exactly as within one window.
func TestIngestWindowsDecideAsOne(t *testing.T) {
	doc := camt054(
		ntry{ref: "W0", amount: "20.00", debtorIBAN: "DE89370400440532013000", remittance: "H69ZUC"},            // reason before validation
		ntry{ref: "W1", amount: "0.01", debtorIBAN: "DE89370400440532013000", remittance: "Attivazione ab7xq2"}, // validates
		ntry{ref: "W2", amount: "50.00", debtorIBAN: "DE89370400440532013000", remittance: "Ricarica H69ZUC"},   // now a top-up
		ntry{ref: "W3", amount: "0.01", debtorIBAN: "DE89370400440532013000", remittance: "AB7XQ2"},             // code used up
		ntry{ref: "W1", amount: "0.01", debtorIBAN: "DE89370400440532013000", remittance: "Attivazione ab7xq2"}, // duplicate
		ntry{ref: "W4", amount: "4990.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"},
		ntry{ref: "W5", amount: "10.01", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"}, // over 5000.00
		ntry{ref: "W6", amount: "10.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"}, // exactly 5000.00
		ntry{ref: "W7", amount: "7.00", debtorIBAN: polifemoIBAN, remittance: "ZZZZZZ"},  // refunded at once
		ntry{ref: "W4", amount: "4990.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"},
	)
	var first string
	for _, n := range []int{512, 1, 2, 3} {
		s := openTest(t)
		seedWorld(t, s)
		ledgertest.Exec(t, s, `UPDATE wallets SET iban = ?, iban_validation_code = 'AB7XQ2' WHERE wallet_id = ?`, "DE89370400440532013000", mario)
		sum, err := ingest.IngestBank(context.Background(), s, "w.xml", strings.NewReader(doc), ingest.IngestOptions{Day: testDay, SHA256: "w",
			Size: int64(len(doc)), AutoRefund: []string{ingest.ExcUnknownReference}, Window: n})
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		s.R.Select(&rows, `SELECT b.position || ' ' || b.outcome || ' ' || COALESCE(CAST(d.position AS TEXT), '-') || ' ' ||
			COALESCE(x.reason || ' ' || x.status, '-') FROM bank_entries b LEFT JOIN bank_entries d ON d.id = b.duplicate_of
			LEFT JOIN exceptions x ON x.bank_entry_id = b.id ORDER BY b.position`)
		var balances []string
		s.R.Select(&balances, `SELECT code || ' ' || balance_cents FROM accounts WHERE balance_cents <> 0 ORDER BY code`)
		got := sum.Line() + "\n" + strings.Join(rows, "\n") + "\n" + strings.Join(balances, "\n")
		if n == 512 {
			first = got
			if !strings.Contains(got, "4 posted") || !strings.Contains(got, "UNKNOWN_REFERENCE refunded") {
				t.Fatalf("window %d:\n%s", n, got)
			}
		} else if got != first {
			t.Errorf("window %d decides otherwise:\n%s\nwindow 512:\n%s", n, got, first)
		}
		mustVerify(t, s)
	}
}
