package sepa

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	bic2019 = regexp.MustCompile(`^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
	bic2009 = regexp.MustCompile(`^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$`)
)

// iso3166 lists the ISO 3166-1 alpha-2 country codes, and XK (Kosovo), which SWIFT uses.
const iso3166 = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
	"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
	"UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK"

var countries = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(iso3166) {
		m[c] = true
	}
	return m
}()

// IsCountry tells whether cc is an ISO 3166-1 alpha-2 country code.
func IsCountry(cc string) bool { return countries[cc] }

// CheckBIC checks a BIC: 8 or 11 characters matching the ISO 2019 pattern, with an
// ISO 3166 country in positions 5-6. The normalized BIC is returned.
func CheckBIC(s string) (string, error) {
	bic := strings.ToUpper(strings.TrimSpace(s))
	if len(bic) != 8 && len(bic) != 11 {
		return bic, fmt.Errorf("BIC %q has %d characters; a BIC has 8 or 11", bic, len(bic))
	}
	if !bic2019.MatchString(bic) {
		return bic, fmt.Errorf("BIC %q must be 4 letters or digits (bank), 2 letters (country), 2 letters or digits (location) and optionally 3 (branch)", bic)
	}
	if !IsCountry(bic[4:6]) {
		return bic, fmt.Errorf("BIC %q: %q is not an ISO 3166 country", bic, bic[4:6])
	}
	return bic, nil
}

// BIC2009 tells whether a valid BIC also fits the stricter 2009 pattern (letters in
// the bank code; a location not starting with 0 or 1 and not ending with O), which
// files in the 2009 message versions require.
func BIC2009(bic string) bool { return bic2009.MatchString(bic) }

// IsTestBIC tells whether a valid BIC is a test BIC (location code ending in 0).
func IsTestBIC(bic string) bool { return len(bic) >= 8 && bic[7] == '0' }
