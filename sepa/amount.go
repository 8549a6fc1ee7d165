package sepa

import "github.com/shopspring/decimal"

// Amount is a decimal amount as the bank wrote it. It marshals to JSON as a bare
// number with at least two decimals (400.00, 0.12345), never a float, never quoted.
type Amount struct{ decimal.Decimal }

// MarshalJSON writes the amount as a bare number with at least two decimals.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(a.Text()), nil
}

// Text prints the amount with at least two decimals.
func (a Amount) Text() string {
	places := int32(2)
	if e := -a.Exponent(); e > places {
		places = e
	}
	return a.StringFixed(places)
}
