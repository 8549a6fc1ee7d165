// Package sepa holds the ISO 20022 and SEPA rules of settle: identifier checks (IBAN,
// BIC, creditor identifier, RF reference), the EPC character set, and streaming
// readers and writers of bank files. It imports no database, HTTP, CLI or cron code.
package sepa

import "fmt"

// Mod97 returns the ISO 7064 MOD 97-10 remainder of s, where digits stand for
// themselves and letters A..Z (either case) for 10..35. It is computed
// incrementally, never with big integers.
func Mod97(s string) (int, error) {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		case c >= 'a' && c <= 'z':
			r = (r*100 + int(c-'a') + 10) % 97
		default:
			return 0, fmt.Errorf("character %q at position %d is not a letter or digit", c, i+1)
		}
	}
	return r, nil
}

// CheckDigits97 returns the two check digits kk that make prefix+kk+... valid under
// MOD 97-10 when the check string is body + prefix + kk (IBAN, creditor identifier
// and RF reference all use this form): kk = 98 - mod97(body + prefix + "00").
func CheckDigits97(body, prefix string) (string, error) {
	r, err := Mod97(body + prefix + "00")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%02d", 98-r), nil
}
