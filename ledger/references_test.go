package ledger_test

import (
	"context"
	"database/sql"
	"fmt"
	"settle"
	"strings"
	"testing"

	"settle/ledger"
	"settle/ledger/ledgertest"
)

// A row that names a missing row is refused, on the bulk path the ingest takes
// (COPY on PostgreSQL, checked per statement since migration 0016) as on the
// single-row paths, and a row that others name is not deleted.
func TestReferencesAreChecked(t *testing.T) {
	s, bank, wallet, txID := withDeposit(t)
	ctx := context.Background()
	const missing = 999999
	for _, c := range []struct {
		name string
		fn   func(w *ledger.Writer) error
	}{
		{"a posting to a missing account, in bulk", func(w *ledger.Writer) error {
			return w.InsertRows("postings", []string{"transaction_id", "account_id", "amount_cents"},
				[]any{txID, bank, 5, txID, missing, -5})
		}},
		{"a posting of a missing transaction, in bulk", func(w *ledger.Writer) error {
			return w.InsertRows("postings", []string{"transaction_id", "account_id", "amount_cents"},
				[]any{missing, bank, 5, missing, wallet, -5})
		}},
		{"a payment status of a missing file, in bulk", func(w *ledger.Writer) error {
			return w.InsertRows("payment_statuses", []string{"file_id", "position", "level", "orig_msg_id", "status"},
				[]any{missing, 1, "group", "MSG-1", "RJCT"})
		}},
		{"a transaction moved to a missing wallet", func(w *ledger.Writer) error {
			_, err := w.Exec(`UPDATE transactions SET wallet_id = 'no-such-wallet' WHERE id = ?`, txID)
			return err
		}},
		{"a transaction reversing a missing one", func(w *ledger.Writer) error {
			_, err := w.Exec(`UPDATE transactions SET reverses_id = ? WHERE id = ?`, missing, txID)
			return err
		}},
		{"an account its postings name, deleted", func(w *ledger.Writer) error {
			_, err := w.Exec(`DELETE FROM postings WHERE account_id = ? AND transaction_id <> ?`, bank, txID)
			if err != nil {
				return err
			}
			_, err = w.Exec(`DELETE FROM accounts WHERE id = ?`, bank)
			return err
		}},
		{"a transaction its postings name, renumbered", func(w *ledger.Writer) error {
			_, err := w.Exec(`UPDATE transactions SET id = ? WHERE id = ?`, missing, txID)
			return err
		}},
	} {
		err := s.Write(ctx, c.fn)
		if !ledger.IsForeignKey(err) {
			t.Errorf("%s: %v, want a foreign key violation", c.name, err)
		}
	}
	// Post names the account.
	_, _, err := s.Post(ctx, deposit("camt:2", bank, missing, 1000))
	if settle.CodeOf(err) != settle.NotFound || !strings.Contains(err.Error(), "names an account that does not exist") {
		t.Errorf("post to a missing account: %v", err)
	}
	if s.D == ledger.Postgres {
		if err := s.Write(ctx, func(w *ledger.Writer) error { _, err := w.Exec(`TRUNCATE accounts CASCADE`); return err }); err == nil ||
			!strings.Contains(err.Error(), "other tables refer to its rows") {
			t.Errorf("TRUNCATE accounts: %v", err)
		}
	}
	mustVerify(t, s) // nothing of the refused writes is left
}

// Verify names a row whose reference is dangling, as a database written with the
// checks off (an import by hand, a restore in the wrong order) would hold.
func TestVerifyNamesDanglingReferences(t *testing.T) {
	s, _, _, txID := withDeposit(t)
	ctx := context.Background()
	const insert = `INSERT INTO postings (transaction_id, account_id, amount_cents) VALUES ($1, 424242, 5), ($1, 424243, -5)`
	if s.D == ledger.Postgres {
		ledgertest.Exec(t, s, `ALTER TABLE postings DISABLE TRIGGER postings_refs`)
		ledgertest.Exec(t, s, strings.ReplaceAll(insert, "$1", "?"), txID, txID)
	} else {
		db, err := sql.Open("sqlite3", s.Path) // foreign keys off: the driver's default
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(strings.ReplaceAll(insert, "$1", "?"), txID, txID); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Verify(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.Violation{
		{Kind: "reference", Subject: "postings 3: account_id 424242", Detail: "names no row of accounts (postings.account_id)"},
		{Kind: "reference", Subject: "postings 4: account_id 424243", Detail: "names no row of accounts (postings.account_id)"},
	}
	if res.Count != 2 || fmt.Sprint(res.Violations) != fmt.Sprint(want) {
		t.Fatalf("%d violations %+v, want %+v", res.Count, res.Violations, want)
	}

}

// withDeposit opens the test world with one deposit posted from ACME's bank account
// to Mario's wallet, and returns the two accounts and the transaction.
func withDeposit(t *testing.T) (s *ledger.Store, bank, wallet, txID int64) {
	t.Helper()
	s = openTest(t)
	seedWorld(t, s)
	bank = accountID(t, s, ledger.PartnerAccountCode("ACME", "bank"))
	wallet = accountID(t, s, ledger.WalletAccountCode(mario, ledger.BucketWithdrawable))
	txID, _, err := s.Post(context.Background(), deposit("camt:1", bank, wallet, 1000))
	if err != nil {
		t.Fatal(err)
	}
	return s, bank, wallet, txID
}
