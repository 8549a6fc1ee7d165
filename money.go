package settle

import (
	"database/sql/driver"
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"
)

// Money is an exact amount: a decimal, never a float. In SQL it is integer minor
// units (cents) and refuses an amount that is not whole cents; in JSON and text it is
// a bare number with two decimals, or all of its decimals when it has more (a bank
// may send them, and they are never rounded away).
type Money struct{ decimal.Decimal }

var hundred = decimal.NewFromInt(100)

// MoneyFromCents is the Money of c cents.
func MoneyFromCents(c int64) Money { return Money{decimal.New(c, -2)} }

// Cents is the amount in cents; ok is false when it is not whole cents or does not
// fit an int64.
func (m Money) Cents() (cents int64, ok bool) {
	c := m.Mul(hundred)
	if !c.IsInteger() || !c.BigInt().IsInt64() {
		return 0, false
	}
	return c.IntPart(), true
}

// Plus is m + n.
func (m Money) Plus(n Money) Money { return Money{m.Add(n.Decimal)} }

// Text is the amount with two decimals, or all of its decimals when it has more.
func (m Money) Text() string {
	if m.Exponent() < -2 {
		return m.StringFixed(-m.Exponent())
	}
	return m.StringFixed(2)
}

// String is Text.
func (m Money) String() string { return m.Text() }

// MarshalJSON writes the amount as a bare number, e.g. 10.00.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.Text()), nil }

// UnmarshalJSON reads a bare number or a quoted decimal.
func (m *Money) UnmarshalJSON(b []byte) error { return m.Decimal.UnmarshalJSON(b) }

// MarshalText writes Text.
func (m Money) MarshalText() ([]byte, error) { return []byte(m.Text()), nil }

// UnmarshalText reads a decimal.
func (m *Money) UnmarshalText(b []byte) error {
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return fmt.Errorf("%q is not an amount", b)
	}
	m.Decimal = d
	return nil
}

// Scan reads integer cents (the form of every *_cents column).
func (m *Money) Scan(v any) error {
	switch x := v.(type) {
	case int64:
		*m = MoneyFromCents(x)
	case []byte:
		return m.Scan(string(x))
	case string: // PostgreSQL's SUM of BIGINT is NUMERIC, handed over as text
		c, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return fmt.Errorf("money: %q is not integer cents", x)
		}
		*m = MoneyFromCents(c)
	case nil:
		*m = Money{}
	default:
		return fmt.Errorf("money: cannot scan %T (want integer cents)", v)
	}
	return nil
}

// Value writes integer cents; an amount that is not whole cents is an error.
func (m Money) Value() (driver.Value, error) {
	c, ok := m.Cents()
	if !ok {
		return nil, fmt.Errorf("money: %s is not a whole number of cents", m.Text())
	}
	return c, nil
}
