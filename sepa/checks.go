package sepa

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	ibanShape = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$`)
	bicShape  = regexp.MustCompile(`^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
	ciShape   = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9+?/\-:().,']{3}[A-Z0-9+?/\-:().,']{1,28}$`)
)

// CheckIBANChecksum checks an IBAN's shape and its MOD 97-10 check digits. The input
// is normalized first (spaces removed, upper case); the normalized IBAN is returned.
func CheckIBANChecksum(s string) (string, error) {
	iban := NormalizeIBAN(s)
	if iban == "" {
		return "", fmt.Errorf("IBAN is empty")
	}
	if !ibanShape.MatchString(iban) {
		return iban, fmt.Errorf("IBAN %q must be two letters, two digits and 1 to 30 letters or digits", iban)
	}
	r, err := Mod97(iban[4:] + iban[:4])
	if err != nil {
		return iban, fmt.Errorf("IBAN %q: %w", iban, err)
	}
	if r != 1 {
		return iban, fmt.Errorf("IBAN %q has wrong check digits %s", iban, iban[2:4])
	}
	return iban, nil
}

// CheckBIC checks a BIC against the ISO 2019 pattern (8 or 11 characters).
func CheckBIC(s string) (string, error) {
	bic := strings.ToUpper(strings.TrimSpace(s))
	if !bicShape.MatchString(bic) {
		return bic, fmt.Errorf("BIC %q must be 4 letters or digits, a 2-letter country, 2 letters or digits, and optionally 3 more", bic)
	}
	return bic, nil
}

// CheckCreditorIDChecksum checks a SEPA creditor identifier (EPC262-08): shape and
// MOD 97-10 check digits over the national identifier, the country and the check
// digits, the creditor business code (positions 5-7) being excluded.
func CheckCreditorIDChecksum(s string) (string, error) {
	ci := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if !ciShape.MatchString(ci) || len(ci) > 35 {
		return ci, fmt.Errorf("creditor identifier %q must be a country, two check digits, a 3-character business code and a national identifier (at most 35 in all)", ci)
	}
	var national strings.Builder
	for _, c := range ci[7:] {
		if (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			national.WriteRune(c)
		}
	}
	r, err := Mod97(national.String() + ci[:4])
	if err != nil {
		return ci, err
	}
	if r != 1 {
		return ci, fmt.Errorf("creditor identifier %q has wrong check digits %s", ci, ci[2:4])
	}
	return ci, nil
}
