package ledger

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// MaxAmountCents is the largest amount of a single item: 999,999,999.99.
const MaxAmountCents = 99_999_999_999

var hundred = decimal.NewFromInt(100)

// ToCents converts an amount to integer cents. It refuses amounts with more than two
// decimals and amounts whose cents do not fit an int64.
func ToCents(d decimal.Decimal) (int64, error) {
	c := d.Mul(hundred)
	if !c.IsInteger() {
		return 0, fmt.Errorf("amount %s has more than two decimals", d.String())
	}
	if !c.BigInt().IsInt64() {
		return 0, fmt.Errorf("amount %s is out of range", d.String())
	}
	return c.IntPart(), nil
}

// FromCents converts integer cents to a decimal amount with two decimals.
func FromCents(c int64) decimal.Decimal {
	return decimal.New(c, -2)
}

// ParseAmount parses a plain decimal amount ("10", "10.5", "10.50"; no exponent, no
// thousands separator) into cents, refusing more than two decimals.
func ParseAmount(s string) (int64, error) {
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' && r != '-' {
			return 0, fmt.Errorf("amount %q is not a plain decimal number", s)
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return 0, fmt.Errorf("amount %q is not a number", s)
	}
	return ToCents(d)
}

// FormatCents prints cents as a plain decimal with exactly two decimals ("-12.30").
func FormatCents(c int64) string {
	return FromCents(c).StringFixed(2)
}

// SQLCents is an SQL expression formatting the integer cents of expr as an amount
// with two decimals ("-0.05", "1234.50"), in integers: never a float formatter.
func SQLCents(expr string) string {
	cents := "(abs(" + expr + ") % 100)"
	return "(CASE WHEN (" + expr + ") < 0 THEN '-' ELSE '' END || (abs(" + expr + ") / 100) || '.' || " +
		"CASE WHEN " + cents + " < 10 THEN '0' ELSE '' END || " + cents + ")"
}
