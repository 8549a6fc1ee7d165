package ledger_test

import (
	"context"
	"fmt"
	"settle"
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

// The balances of more accounts than one statement updates (1,500 > flushChunk) are
// all written; one of them going out of range, in the second statement, fails the
// whole transaction: the first statement's changes go too.
func TestFlushOfManyAccounts(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	const n = 1500
	bank := accountID(t, s, ledger.PartnerAccountCode("ACME", "bank"))
	postAll := func(last int64) error {
		return s.Write(ctx, func(w *ledger.Writer) error {
			var prev int64
			for i := range n {
				code := fmt.Sprintf("test:flush:%04d", i)
				if err := ledger.EnsureAccount(w, code, "ACME", nil, "flush"); err != nil {
					return err
				}
				id, err := ledger.AccountID(w, code)
				if err != nil {
					return err
				}
				from, cents := bank, int64(i+1)
				if i == n-1 { // the last one from the one before, both past the first statement's 1,000
					from, cents = prev, last
				}
				if _, _, err := w.Post(&ledger.Transaction{Key: fmt.Sprintf("flush:%d:%d", last, i), Type: "X", ValueDate: testDay,
					BookingDate: testDay, Postings: []ledger.Posting{{AccountID: from, AmountCents: cents}, {AccountID: id, AmountCents: -cents}}}); err != nil {
					return err
				}
				prev = id
			}
			return nil
		})
	}
	if err := postAll(n); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, s, ledger.PartnerAccountCode("ACME", "bank")); b != ledger.FormatCents(n*(n-1)/2) {
		t.Fatalf("bank %s, want %s", b, ledger.FormatCents(n*(n-1)/2))
	}
	if b := balance(t, s, "test:flush:1498"); b != "0.01" {
		t.Fatalf("the account before the last %s, want 0.01", b)
	}
	if b := balance(t, s, "test:flush:1499"); b != "-15.00" {
		t.Fatalf("the last account %s", b)
	}
	// The last account already holds -15.00: another -(MaxBalanceCents - 1) takes it out.
	if err := postAll(ledger.MaxBalanceCents - 1); settle.CodeOf(err) != settle.Invalid || !strings.Contains(err.Error(), "would leave") {
		t.Fatalf("an account out of range in the second statement: %v", err)
	}
	if b := balance(t, s, "test:flush:0000"); b != "-0.01" {
		t.Fatalf("the first account after the refused transaction %s, want -0.01", b)
	}
	mustVerify(t, s)
}
