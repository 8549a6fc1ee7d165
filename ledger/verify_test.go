package ledger_test

import (
	"context"
	"settle/ledger"
	"settle/ledger/ledgertest"
	"strings"
	"testing"
)

// Verify finds what a broken database holds: a stored balance that is not the sum of
// its postings, a transaction that does not sum to zero, and balances not summing to zero.
func TestVerifyNamesViolations(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	bank := accountID(t, s, ledger.PartnerAccountCode("ACME", "bank"))
	wallet := accountID(t, s, ledger.WalletAccountCode(mario, ledger.BucketWithdrawable))
	id, _, err := s.Post(ctx, deposit("camt:1", bank, wallet, 1000))
	if err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s)
	// Tamper as a bad migration or a hand-made UPDATE would.
	ledgertest.Exec(t, s, `UPDATE accounts SET balance_cents = balance_cents + 1 WHERE id = ?`, bank)
	ledgertest.Exec(t, s, `UPDATE postings SET amount_cents = -999 WHERE transaction_id = ? AND account_id = ?`, id, wallet)
	res, err := s.Verify(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range res.Violations {
		got = append(got, v.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"balance partner:ACME:bank: stored balance 10.01 but postings sum to 10.00",
		"balance wallet:" + mario + ":withdrawable: stored balance -10.00 but postings sum to -9.99",
		"transaction 1: 2 postings summing to 0.01",
		"trial-balance all accounts: balances sum to 0.01, not 0.00",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
	if res.Count != 4 {
		t.Errorf("%d violations; want 4", res.Count)
	}
}
