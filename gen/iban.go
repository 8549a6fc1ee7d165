package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"settle/sepa"
)

// A bank of the generated world: a country, a BIC, and how to make a BBAN whose
// national check digits are right where the country has them.
type bank struct {
	country, bic string
	bban         func(r *rand.Rand) string
}

var banks = []bank{
	{"IT", "", itBBAN}, // Italian IBANs need no BIC (seed 001)
	{"DE", "COBADEFFXXX", func(r *rand.Rand) string { return "10040000" + digitsN(r, 10) }},
	{"FR", "BNPAFRPPXXX", frBBAN},
	{"ES", "CAIXESBBXXX", esBBAN},
	{"NL", "INGBNL2A", func(r *rand.Rand) string { return "INGB" + digitsN(r, 10) }},
	{"BE", "GEBABEBB", beBBAN},
	{"AT", "BKAUATWW", func(r *rand.Rand) string { return "12000" + digitsN(r, 11) }},
}

var itABICAB = []string{"0306909606", "0200805351", "0542811101", "0503401633", "0100503382", "0306703200"}

// itBBAN: CIN + ABI + CAB + 12-character account, the CIN computed like a codice
// fiscale's check letter.
func itBBAN(r *rand.Rand) string {
	rest := itABICAB[r.IntN(len(itABICAB))] + digitsN(r, 12)
	cin, _ := sepa.ItalianCheckChar(rest)
	return string(cin) + rest
}

// frBBAN: bank, branch, account and the RIB key 97 - (89 bank + 15 branch + 3 account) mod 97.
func frBBAN(r *rand.Rand) string {
	bankCode, branch, acct := "30004", digitsN(r, 5), digitsN(r, 11)
	b, _ := strconv.ParseInt(bankCode, 10, 64)
	g, _ := strconv.ParseInt(branch, 10, 64)
	a, _ := strconv.ParseInt(acct, 10, 64)
	key := 97 - (89*b+15*g+3*(a%97))%97
	return fmt.Sprintf("%s%s%s%02d", bankCode, branch, acct, key)
}

// esBBAN: bank, branch, two control digits (over bank+branch, then the account), account.
func esBBAN(r *rand.Rand) string {
	bankBranch, acct := "2100"+digitsN(r, 4), digitsN(r, 10)
	return bankBranch + esDC("00"+bankBranch) + esDC(acct) + acct
}

func esDC(s string) string {
	weights := []int{1, 2, 4, 8, 5, 10, 9, 7, 3, 6}
	sum := 0
	for i := range s {
		sum += int(s[i]-'0') * weights[i]
	}
	d := 11 - sum%11
	switch d {
	case 11:
		d = 0
	case 10:
		d = 1
	}
	return strconv.Itoa(d)
}

// beBBAN: bank and account, then the first ten digits mod 97 (97 when zero).
func beBBAN(r *rand.Rand) string {
	n := "001" + digitsN(r, 7)
	v, _ := strconv.ParseInt(n, 10, 64)
	k := v % 97
	if k == 0 {
		k = 97
	}
	return fmt.Sprintf("%s%02d", n, k)
}

// randomIBAN draws an IBAN: mostly Italian, the rest from other SEPA countries.
func randomIBAN(r *rand.Rand) (iban, bic string) {
	b := banks[0]
	if r.IntN(100) >= 70 {
		b = banks[1+r.IntN(len(banks)-1)]
	}
	iban, _ = sepa.IBANFromBBAN(b.country, b.bban(r))
	return iban, b.bic
}

// italianIBAN draws an Italian IBAN (partners', dealers' and stores' accounts).
func italianIBAN(r *rand.Rand) string {
	iban, _ := sepa.IBANFromBBAN("IT", itBBAN(r))
	return iban
}
