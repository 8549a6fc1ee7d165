package sepa

import (
	"fmt"
	"regexp"
	"strings"
)

var ciShape = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9+?/\-:().,']{3}[A-Z0-9+?/\-:().,']{1,28}$`)

// CheckCreditorID checks a SEPA creditor identifier (AT-02, EPC262-08): a country,
// two check digits, a 3-character business code (not part of the check) and a
// national identifier, 35 characters at most; the check digits are MOD 97-10 over
// national identifier + country + check digits. The normalized CI is returned.
func CheckCreditorID(s string) (string, error) {
	ci := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	switch {
	case len(ci) < 8:
		return ci, fmt.Errorf("creditor identifier %q is too short", ci)
	case len(ci) > 35:
		return ci, fmt.Errorf("creditor identifier %q has %d characters; at most 35", ci, len(ci))
	case !IsCountry(ci[:2]):
		return ci, fmt.Errorf("creditor identifier %q: %q is not an ISO 3166 country", ci, ci[:2])
	case !ciShape.MatchString(ci):
		return ci, fmt.Errorf("creditor identifier %q must be a country, 2 check digits, a 3-character business code and a national identifier", ci)
	}
	kk, _ := CreditorIDCheckDigits(ci[:2], ci[7:])
	if kk != ci[2:4] {
		return ci, fmt.Errorf("creditor identifier %q has wrong check digits %s (want %s)", ci, ci[2:4], kk)
	}
	return ci, nil
}

// CreditorIDCheckDigits computes the check digits of a creditor identifier from its
// country and national identifier (separators and other non-alphanumerics ignored).
func CreditorIDCheckDigits(country, national string) (string, error) {
	var b strings.Builder
	for _, c := range strings.ToUpper(national) {
		if (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	return CheckDigits97(b.String(), country)
}

// CheckRF checks an ISO 11649 creditor reference: "RF", two check digits and 1 to 21
// letters or digits (printed groups of 4 are accepted). The electronic form is returned.
func CheckRF(s string) (string, error) {
	rf := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	switch {
	case !strings.HasPrefix(rf, "RF"):
		return rf, fmt.Errorf("creditor reference %q must start with RF", rf)
	case len(rf) < 5 || len(rf) > 25:
		return rf, fmt.Errorf("creditor reference %q has %d characters; RF references have 5 to 25", rf, len(rf))
	case rf[2] < '0' || rf[2] > '9' || rf[3] < '0' || rf[3] > '9':
		return rf, fmt.Errorf("creditor reference %q: check digits %q must be two digits", rf, rf[2:4])
	}
	r, err := Mod97(rf[4:] + rf[:4])
	if err != nil {
		return rf, fmt.Errorf("creditor reference %q: %w", rf, err)
	}
	if r != 1 {
		return rf, fmt.Errorf("creditor reference %q has wrong check digits %s", rf, rf[2:4])
	}
	return rf, nil
}

// MakeRF builds the RF creditor reference of ref (1 to 21 letters or digits).
func MakeRF(ref string) (string, error) {
	ref = strings.ToUpper(ref)
	if len(ref) < 1 || len(ref) > 21 {
		return "", fmt.Errorf("reference %q must have 1 to 21 characters", ref)
	}
	kk, err := CheckDigits97(ref, "RF")
	if err != nil {
		return "", fmt.Errorf("reference %q: %w", ref, err)
	}
	return "RF" + kk + ref, nil
}
