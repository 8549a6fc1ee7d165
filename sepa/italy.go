package sepa

import "fmt"

// Values of characters in odd positions (1st, 3rd, ...) for the Italian check
// character, shared by the IBAN's CIN and the codice fiscale. Index: 0-9 then A-Z.
var italianOdd = [36]int{
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23, // A-Z
}

// ItalianCheckChar computes the Italian check letter of s (upper-case letters and
// digits): the CIN of an Italian BBAN over ABI+CAB+account, or the 16th character of
// a codice fiscale over its first 15.
func ItalianCheckChar(s string) (byte, error) {
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var idx, even int
		switch {
		case c >= '0' && c <= '9':
			idx, even = int(c-'0'), int(c-'0')
		case c >= 'A' && c <= 'Z':
			idx, even = int(c-'A')+10, int(c-'A')
		default:
			return 0, fmt.Errorf("character %q at position %d is not an upper-case letter or digit", c, i+1)
		}
		if i%2 == 0 { // 1st, 3rd, ... character
			sum += italianOdd[idx]
		} else {
			sum += even
		}
	}
	return byte('A' + sum%26), nil
}
