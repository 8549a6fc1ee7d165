package ledger

import (
	"errors"
	"fmt"
	"settle"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// uniqueError turns a UNIQUE violation on a wallet into a field error naming the field.
func uniqueError(err error, w *Wallet) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
		switch {
		case strings.Contains(se.Error(), "wallets.tax_id"):
			return settle.FieldError("taxId", "%s is already the tax id of another wallet of partner %s", w.TaxID, w.PartnerKey)
		case strings.Contains(se.Error(), "wallets.sct_reason"):
			return settle.FieldError("reason", "%s is already the SCT reason of another wallet", Deref(w.SCTReason))
		}
	}
	return fmt.Errorf("wallet %s: %w", w.WalletID, err)
}

// deref returns *p, or the zero value for nil.
func Deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// isForeignKey tells whether err is a FOREIGN KEY constraint violation.
func isForeignKey(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey
}

// isUnique tells whether err is a UNIQUE constraint violation.
func IsUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}
