package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"settle"
	"settle/sepa"
	"strings"
)

// Wallet bucket names.
const (
	BucketWithdrawable = "withdrawable"
	BucketRestricted   = "restricted"
)

// SystemAccounts are the accounts every partner has besides its wallets' buckets.
var SystemAccounts = []string{
	"bank", "sdd_receivable", "payout_clearing", "suspense",
	"fees:platform", "fees:partner", "fees:dealer", "fees:store",
	"bank_charges", "unclaimed", "bad_debt", "reset",
}

// StoreCashReference is the ISO 11649 creditor reference (RF) a store quotes when it
// remits the cash it took for wallets to its partner's bank account: "S" and the
// first 20 letters and digits of the store id, upper-cased, with RF check digits.
func StoreCashReference(storeID string) string {
	ref := []byte{'S'}
	for _, c := range strings.ToUpper(storeID) {
		if len(ref) == 21 {
			break
		}
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			ref = append(ref, byte(c))
		}
	}
	rf, _ := sepa.MakeRF(string(ref)) // 1 to 21 letters and digits: cannot fail
	return rf
}

// WalletAccountCode is the code of a wallet bucket's account.
func WalletAccountCode(walletID, bucket string) string {
	return "wallet:" + walletID + ":" + bucket
}

// PartnerAccountCode is the code of a partner's system account.
func PartnerAccountCode(partnerKey, name string) string {
	return "partner:" + partnerKey + ":" + name
}

// Account is one ledger account with its stored balance (debit-positive cents).
type Account struct {
	ID           int64   `db:"id"`
	Code         string  `db:"code"`
	PartnerKey   string  `db:"partner_key"`
	WalletID     *string `db:"wallet_id"`
	Name         string  `db:"name"`
	Currency     string  `db:"currency"`
	BalanceCents int64   `db:"balance_cents"`
	CreatedAt    string  `db:"created_at"`
}

func EnsureAccount(w *Writer, code, partnerKey string, walletID *string, name string) error {
	_, err := w.Exec(`INSERT INTO accounts (code, partner_key, wallet_id, name, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`, code, partnerKey, walletID, name, w.createdAt)
	if err != nil {
		return fmt.Errorf("account %s: %w", code, err)
	}
	return nil
}

// AccountByCode returns the account with the given code.
func (s *Store) AccountByCode(ctx context.Context, code string) (Account, error) {
	var a Account
	err := s.R.GetContext(ctx, &a, `SELECT * FROM accounts WHERE code = ?`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return a, settle.Errorf(settle.NotFound, "account %s does not exist", code)
	}
	return a, err
}

// WithdrawableOf is what a wallet may still take out: its withdrawable bucket less the
// withdrawals waiting for a batch.
func WithdrawableOf(w *Writer, walletID string) (int64, error) {
	acct, err := AccountID(w, WalletAccountCode(walletID, BucketWithdrawable))
	if err != nil {
		return 0, err
	}
	bal, err := w.Balance(acct)
	if err != nil {
		return 0, err
	}
	var pending int64
	err = w.Get(&pending, `SELECT COALESCE(SUM(amount_cents), 0) FROM credit_transfers WHERE wallet_id = ? AND status = 'Created'`, walletID)
	return -bal - pending, err
}

// AccountID returns an account's id, looked up once per write transaction
// (accounts are never deleted, so an id holds until the transaction ends).
func AccountID(w *Writer, code string) (int64, error) {
	if id, ok := w.accountIDs[code]; ok {
		return id, nil
	}
	var id int64
	err := w.Get(&id, `SELECT id FROM accounts WHERE code = ?`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, settle.Errorf(settle.NotFound, "account %s does not exist", code)
	}
	if err == nil {
		w.accountIDs[code] = id
	}
	return id, err
}

// RowExists tells whether q selects a row.
func RowExists(w *Writer, q string, args ...any) (bool, error) {
	var one int
	err := w.Get(&one, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// NextID is the id the next row of table gets; the caller holds the write lock. In
// an exclusive writer that is MAX(id) + 1, numbered without gaps, and on PostgreSQL
// the table's sequence is brought past it before the commit; in a shared writer
// (Store.WriteShared) it is the next of the sequence (see ReserveIDs).
func NextID(w *Writer, table string) (int64, error) {
	var id int64
	if w.shared {
		return w.reserve(table, 1)
	}
	if w.store != nil && w.store.D == Postgres {
		if w.numbered == nil {
			w.numbered = map[string]bool{}
		}
		w.numbered[table] = true
	}
	err := w.Get(&id, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+table)
	return id, err
}
