package sepa

import (
	"fmt"
	"strconv"
	"strings"
)

// NormalizeIBAN turns a printed IBAN into its electronic form: upper case, without
// a leading "IBAN" and without the spaces, '-', '.' and ':' people print inside it.
func NormalizeIBAN(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "IBAN")
	return ibanSeparators.Replace(s)
}

var ibanSeparators = strings.NewReplacer(" ", "", "-", "", ".", "", ":", "", "\t", "")

// IBANFromBBAN builds the IBAN of country and bban with its check digits.
func IBANFromBBAN(country, bban string) (string, error) {
	kk, err := CheckDigits97(bban, country)
	if err != nil {
		return "", err
	}
	return country + kk + bban, nil
}

// sepaCountries are the IBAN country codes of the SEPA schemes' geographical scope
// (EPC409-09): the EU and EEA, Switzerland, the United Kingdom, San Marino, the
// Vatican, Andorra, Monaco, Albania, Moldova, Montenegro, North Macedonia and
// Gibraltar. Territories without IBAN codes of their own (French overseas
// departments, Åland, Guernsey, Jersey, the Isle of Man) use FR, FI and GB IBANs.
var sepaCountries = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true,
	"FI": true, "FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true,
	"LT": true, "LU": true, "MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true,
	"SI": true, "ES": true, "SE": true, // EU
	"IS": true, "LI": true, "NO": true, // EEA
	"CH": true, "GB": true, "SM": true, "VA": true, "AD": true, "MC": true, "GI": true,
	"AL": true, "MD": true, "ME": true, "MK": true,
}

// InSEPA tells whether an IBAN's country takes part in the SEPA schemes.
func InSEPA(iban string) bool {
	return len(iban) >= 2 && sepaCountries[strings.ToUpper(iban[:2])]
}

// CheckIBAN checks an IBAN completely: the country is in the SWIFT registry, the
// length and the BBAN structure are that country's, the MOD 97-10 check digits
// are right, and so are the national check digits where they are checked here
// (BE, ES, FR, IT, SM). The input is normalized first (spaces removed, upper
// case); the normalized IBAN is returned with an error saying precisely what is wrong.
func CheckIBAN(s string) (string, error) {
	iban := NormalizeIBAN(s)
	if len(iban) < 5 {
		return iban, fmt.Errorf("IBAN %q is too short", iban)
	}
	cc := iban[:2]
	spec, ok := ibanRegistry[cc]
	if !ok {
		return iban, fmt.Errorf("IBAN %q: %q is not a country of the IBAN registry", iban, cc)
	}
	if iban[2] < '0' || iban[2] > '9' || iban[3] < '0' || iban[3] > '9' {
		return iban, fmt.Errorf("IBAN %q: check digits %q must be two digits", iban, iban[2:4])
	}
	if cd := iban[2:4]; cd == "00" || cd == "01" || cd == "99" {
		// 98 - (n mod 97) runs from 02 to 98 (ISO 13616, ISO 7064 MOD 97-10): 00, 01 and
		// 99 pass the remainder test only as aliases of 97, 98 and 02.
		return iban, fmt.Errorf("IBAN %q: check digits %s are never issued (they run from 02 to 98)", iban, cd)
	}
	bban := iban[4:]
	segs := parseSpec(spec)
	want := 0
	for _, sg := range segs {
		want += sg.n
	}
	if len(bban) != want {
		return iban, fmt.Errorf("IBAN %q has %d characters; %s IBANs have %d", iban, len(iban), cc, want+4)
	}
	pos := 0
	for _, sg := range segs {
		for i := pos; i < pos+sg.n; i++ {
			if !sg.ok(bban[i]) {
				return iban, fmt.Errorf("IBAN %q: character %d (%q) must be %s", iban, i+5, bban[i], sg.what())
			}
		}
		pos += sg.n
	}
	if r, _ := Mod97(bban + iban[:4]); r != 1 {
		return iban, fmt.Errorf("IBAN %q has wrong check digits %s", iban, iban[2:4])
	}
	if err := nationalCheck(cc, bban); err != nil {
		return iban, fmt.Errorf("IBAN %q: %w", iban, err)
	}
	return iban, nil
}

type segment struct {
	n    int
	kind byte // n, a or c
}

func (s segment) ok(c byte) bool {
	switch s.kind {
	case 'n':
		return c >= '0' && c <= '9'
	case 'a':
		return c >= 'A' && c <= 'Z'
	default:
		return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
	}
}

func (s segment) what() string {
	switch s.kind {
	case 'n':
		return "a digit"
	case 'a':
		return "a letter"
	}
	return "a letter or digit"
}

// parseSpec reads SWIFT notation such as "1!a5!n5!n12!c".
func parseSpec(spec string) []segment {
	var segs []segment
	for spec != "" {
		i := strings.IndexAny(spec, "nac")
		n, _ := strconv.Atoi(strings.TrimSuffix(spec[:i], "!"))
		segs = append(segs, segment{n, spec[i]})
		spec = spec[i+1:]
	}
	return segs
}

// nationalCheck verifies the BBAN's own check digits where the algorithm is public
// and certain; other countries rely on the IBAN's MOD 97-10 alone.
func nationalCheck(cc, bban string) error {
	switch cc {
	case "IT", "SM": // CIN: the Italian check letter over ABI+CAB+account
		if c, err := ItalianCheckChar(bban[1:]); err != nil || c != bban[0] {
			return fmt.Errorf("national check letter (CIN) %c is wrong", bban[0])
		}
	case "BE":
		if BelgianCheckDigits(bban[:10]) != bban[10:] {
			return fmt.Errorf("national check digits %s are wrong", bban[10:])
		}
	case "ES":
		if SpanishControlDigits(bban[:4], bban[4:8], bban[10:]) != bban[8:10] {
			return fmt.Errorf("national control digits %s are wrong", bban[8:10])
		}
	case "FR", "MC":
		if FrenchRIBKey(bban[:21]) != bban[21:] {
			return fmt.Errorf("national RIB key %s is wrong", bban[21:])
		}
	}
	return nil
}

// BelgianCheckDigits are the last two digits of a Belgian BBAN: its first ten
// digits mod 97, 97 when that is 0.
func BelgianCheckDigits(first10 string) string {
	n, _ := strconv.ParseInt(first10, 10, 64)
	k := n % 97
	if k == 0 {
		k = 97
	}
	return fmt.Sprintf("%02d", k)
}

// SpanishControlDigits are the two control digits of a Spanish BBAN: one over
// "00" + bank + branch, one over the 10-digit account.
func SpanishControlDigits(bank, branch, account string) string {
	return string([]byte{esControl("00" + bank + branch), esControl(account)})
}

func esControl(s string) byte {
	weights := [10]int{1, 2, 4, 8, 5, 10, 9, 7, 3, 6}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i]-'0') * weights[i]
	}
	d := 11 - sum%11
	switch d {
	case 11:
		d = 0
	case 10:
		d = 1
	}
	return byte('0' + d)
}

// FrenchRIBKey computes the French RIB key of bank(5)+branch(5)+account(11):
// 97 - (89 bank + 15 branch + 3 account) mod 97, letters in the account counting as
// digits (A,J→1 … I,R→9; S→2 … Z→9).
func FrenchRIBKey(s string) string {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		d := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			d = int("12345678912345678923456789"[c-'A'] - '0')
		}
		r = (r*10 + d) % 97
	}
	// key = 97 - (number * 100 mod 97)
	return fmt.Sprintf("%02d", 97-(r*100)%97)
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
