package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"settle"

	"github.com/jmoiron/sqlx"
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

func ensureAccount(w *Writer, code, partnerKey string, walletID *string, name string) error {
	_, err := w.Exec(`INSERT INTO accounts (code, partner_key, wallet_id, name, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`, code, partnerKey, walletID, name, w.createdAt)
	if err != nil {
		return fmt.Errorf("account %s: %w", code, err)
	}
	return nil
}

// AccountID returns the id of the account with the given code.
func AccountID(ctx context.Context, q sqlx.QueryerContext, code string) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, `SELECT id FROM accounts WHERE code = ?`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, settle.Errorf(settle.NotFound, "account %s does not exist", code)
	}
	return id, err
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
