package gen

import (
	"math/rand/v2"

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

// frBBAN: bank, branch, account and the RIB key.
func frBBAN(r *rand.Rand) string {
	rest := "30004" + digitsN(r, 5) + digitsN(r, 11)
	return rest + sepa.FrenchRIBKey(rest)
}

// esBBAN: bank, branch, two control digits, account.
func esBBAN(r *rand.Rand) string {
	branch, acct := digitsN(r, 4), digitsN(r, 10)
	return "2100" + branch + sepa.SpanishControlDigits("2100", branch, acct) + acct
}

// beBBAN: bank and account, then their check digits.
func beBBAN(r *rand.Rand) string {
	n := "001" + digitsN(r, 7)
	return n + sepa.BelgianCheckDigits(n)
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
