package ledger

import (
	"errors"
	"fmt"
	"settle"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// The errors of both backends that settle acts on, told apart in one place.

// uniqueError turns a UNIQUE violation on a wallet into a field error naming the field.
func uniqueError(err error, w *Wallet) error {
	if IsUnique(err) {
		switch {
		case violates(err, "wallets.tax_id", "wallets_partner_tax_id"):
			return settle.FieldError("taxId", "%s is already the tax id of another wallet of partner %s", w.TaxID, w.PartnerKey)
		case violates(err, "wallets.sct_reason", "wallets_sct_reason"):
			return settle.FieldError("reason", "%s is already the SCT reason of another wallet", Deref(w.SCTReason))
		}
	}
	return fmt.Errorf("wallet %s: %w", w.WalletID, err)
}

// violates tells whether a constraint error names the SQLite column or the
// PostgreSQL constraint (index) given.
func violates(err error, sqliteColumn, pgConstraint string) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName == pgConstraint
	}
	return strings.Contains(err.Error(), sqliteColumn)
}

// Deref returns *p, or the zero value for nil.
func Deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// IsForeignKey tells whether err is a FOREIGN KEY constraint violation (on
// PostgreSQL also a reference checked by the triggers of migration 0016).
func IsForeignKey(err error) bool {
	var se sqlite3.Error
	return (errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey) || pgCode(err) == "23503"
}

// IsUnique tells whether err is a UNIQUE constraint violation.
func IsUnique(err error) bool {
	var se sqlite3.Error
	return (errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique) || pgCode(err) == "23505"
}

// IsBusy tells whether err says another process held a lock for longer than
// BusyTimeout (SQLite's "database is locked", PostgreSQL's lock timeout), or that
// PostgreSQL chose this transaction as a deadlock's victim. Worth retrying, unlike
// other errors.
func IsBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	switch pgCode(err) {
	case "55P03", "40P01", "40001": // lock_not_available, deadlock_detected, serialization_failure
		return true
	}
	return false
}
