package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"settle/sepa"
)

// ascii folds accents and drops what is not a letter: "Nicolò" → "NICOLO",
// "D'Amico" → "DAMICO".
func ascii(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			b.WriteRune(unicode.ToUpper(r))
		case r == 'ß':
			b.WriteString("SS")
		}
	}
	return b.String()
}

func splitLetters(s string) (cons, vows string) {
	for _, r := range ascii(s) {
		if strings.ContainsRune("AEIOU", r) {
			vows += string(r)
		} else {
			cons += string(r)
		}
	}
	return cons, vows
}

func pad3(s string) string { return (s + "XXX")[:3] }

// surnameCode and nameCode are the first six characters of a codice fiscale.
func surnameCode(s string) string {
	c, v := splitLetters(s)
	return pad3(c + v)
}

func nameCode(s string) string {
	c, v := splitLetters(s)
	if len(c) >= 4 {
		return c[:1] + c[2:4]
	}
	return pad3(c + v)
}

const monthLetters = "ABCDEHLMPRST"

// taxID builds a valid codice fiscale. Unique per index: (municipality, sex, birth
// date) is a bijection of idx below len(cities)*2*birthSpan.
func taxID(idx int, first, last string) (string, time.Time, bool) {
	const birthSpan = 20000 // days from 1950-01-01: adults born 1950..2004
	muni := cities[idx%len(cities)].Code
	rest := idx / len(cities)
	female := rest%2 == 1
	rest /= 2
	day := (rest * 7919) % birthSpan // 7919 is prime, so this permutes 0..birthSpan-1
	if block := rest / birthSpan; block > 0 {
		muni = fmt.Sprintf("Z%03d", (block*37+idx%len(cities))%1000) // born abroad: Z codes
	}
	born := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day)
	dd := born.Day()
	if female {
		dd += 40
	}
	s := fmt.Sprintf("%s%s%02d%c%02d%s", surnameCode(last), nameCode(first), born.Year()%100,
		monthLetters[born.Month()-1], dd, muni)
	c, _ := sepa.ItalianCheckChar(s)
	return s + string(c), born, female
}

// uuid4 draws a random (version 4) UUID from r.
func uuid4(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// code36 encodes idx as a unique n-character base-36 code: multiplying by a prime
// other than 2 and 3 permutes 0..36^n-1, so consecutive wallets get unrelated codes.
func code36(idx, n int, mult uint64) string {
	const digits = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZIO"
	mod := uint64(1)
	for range n {
		mod *= 36
	}
	v := (uint64(idx) * mult) % mod
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = digits[v%36]
		v /= 36
	}
	return string(out)
}

func digitsN(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}
