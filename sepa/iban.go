package sepa

import (
	"strings"
)

// NormalizeIBAN removes spaces and folds to upper case.
func NormalizeIBAN(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// IBANFromBBAN builds the IBAN of country and bban with its check digits.
func IBANFromBBAN(country, bban string) (string, error) {
	kk, err := CheckDigits97(bban, country)
	if err != nil {
		return "", err
	}
	return country + kk + bban, nil
}

// MaskIBAN keeps the first four and last four characters of an IBAN for logs:
// IT60X0542811101000000123456 becomes IT60…3456.
func MaskIBAN(iban string) string {
	iban = NormalizeIBAN(iban)
	if len(iban) <= 8 {
		return strings.Repeat("*", len(iban))
	}
	return iban[:4] + "…" + iban[len(iban)-4:]
}

// MaskName keeps the first letter of each word of a person's name for logs.
func MaskName(name string) string {
	var b strings.Builder
	for i, w := range strings.Fields(name) {
		if i > 0 {
			b.WriteByte(' ')
		}
		r := []rune(w)
		b.WriteRune(r[0])
		b.WriteString("…")
	}
	return b.String()
}
