package ledger_test

import (
	"context"
	"settle/ledger"
	"settle/ledger/ingest"
	"strings"
	"testing"
)

// Regression: a booked entry of 0.00 ("a posting cannot be zero") or of
// 9999999999999999.99 ("amount out of range") failed the whole ingest as an
// internal error, and entries of 90071992547409.91 were posted until the bank
// account's balance overflowed. Each is now an AMOUNT_OUT_OF_RANGE exception, never
// posted; the rest of the file posts and verify passes.
func TestOutOfRangeEntriesAreExceptions(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	entries := []ntry{
		{ref: "Z0", amount: "0.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"},
		{ref: "Z1", amount: "9999999999999999.99", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"},
		{ref: "Z2", amount: "1000000000.00", debtorIBAN: polifemoIBAN, remittance: "nobody"},
		{ref: "OK", amount: "10.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"},
	}
	for i := 0; i < 50; i++ {
		entries = append(entries, ntry{ref: "BIG" + strings.Repeat("x", i), amount: "90071992547409.91", remittance: "nobody"})
	}
	sum, err := ingestFile(t, s, "z.xml", camt054(entries...))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[ingest.OutcomePosted] != 1 || sum.Counts[ingest.OutcomeException] != 53 {
		t.Fatalf("%s", sum.Line())
	}
	var n int
	s.R.Get(&n, `SELECT COUNT(*) FROM exceptions WHERE reason = ? AND NOT in_suspense`, ingest.ExcAmountOutOfRange)
	if n != 53 {
		t.Fatalf("%d AMOUNT_OUT_OF_RANGE exceptions, want 53; reasons %v", n, reasons(t, s))
	}
	mustVerify(t, s)
}

// Balances are checked where they change: a posting that would take an account
// past MaxBalanceCents is refused, and nothing of its transaction is kept.
func TestBalanceCannotOverflow(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	bank := accountID(t, s, ledger.PartnerAccountCode("ACME", "bank"))
	susp := accountID(t, s, ledger.PartnerAccountCode("ACME", "suspense"))
	post := func(key string, cents int64) error {
		_, _, err := s.Post(context.Background(), &ledger.Transaction{Key: key, Type: "X", ValueDate: testDay, BookingDate: testDay,
			Postings: []ledger.Posting{{bank, cents}, {susp, -cents}}})
		return err
	}
	if err := post("a", ledger.MaxBalanceCents-1); err != nil {
		t.Fatal(err)
	}
	if err := post("b", 2); err == nil || !strings.Contains(err.Error(), "would") {
		t.Fatalf("overflowing posting: %v", err)
	}
	if balance(t, s, ledger.PartnerAccountCode("ACME", "bank")) != ledger.FormatCents(ledger.MaxBalanceCents-1) {
		t.Fatalf("bank balance %s", balance(t, s, ledger.PartnerAccountCode("ACME", "bank")))
	}
	mustVerify(t, s)
}
