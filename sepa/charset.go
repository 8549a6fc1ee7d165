package sepa

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// EPC basic Latin character set of SEPA messages (SEPA-RULES.md §1).
func isEPC(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
		strings.ContainsRune("/-?:().,'+ ", r)
}

// CheckEPC reports the first character of s outside the EPC basic Latin set, with
// its position (1-based, in characters).
func CheckEPC(s string) error {
	for i, r := range []rune(s) {
		if !isEPC(r) {
			return fmt.Errorf("character %q at position %d is not in the EPC character set", r, i+1)
		}
	}
	return nil
}

// special are the letters that do not decompose into a base letter and marks.
var special = map[rune]string{
	'ß': "ss", 'ẞ': "SS", 'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE", 'ø': "o", 'Ø': "O",
	'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ð': "d", 'Ð': "D", 'þ': "th", 'Þ': "TH", 'ı': "i",
	'&': "+", '’': "'", '‘': "'", '`': "'", '´': "'", '–': "-", '—': "-", '"': "'", '«': "'", '»': "'",
	'_': "-", '@': "(at)", '\t': " ", '\n': " ", '\r': " ", '€': "EUR",
}

// ToEPC transliterates s into the EPC character set: accented Latin letters lose
// their accents (è → e, Ä → A), a few letters and signs are spelt out (ß → ss,
// & → +), and anything else becomes '.', so that a name is never silently dropped.
func ToEPC(s string) string {
	if isEPCText(s) {
		return s // the common case, without the cost of normalising
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && isEPC(r) {
			b.WriteRune(r)
			continue
		}
		b.WriteString(foldRune(r))
	}
	return b.String()
}

// folded caches what each non-EPC character becomes: a name's letters repeat, and
// normalising each occurrence again was most of a million-name batch's cost.
var folded sync.Map // rune → string

// foldRune is what one character outside the EPC set becomes: its decomposition
// without accents, a spelt-out replacement, or '.'.
func foldRune(r rune) string {
	if v, ok := folded.Load(r); ok {
		return v.(string)
	}
	var b strings.Builder
	if rep, ok := special[r]; ok {
		b.WriteString(rep)
	} else {
		for _, d := range norm.NFD.String(string(r)) {
			switch {
			case isEPC(d):
				b.WriteRune(d)
			case unicode.Is(unicode.Mn, d): // a combining accent: drop it
			default:
				if rep, ok := special[d]; ok {
					b.WriteString(rep)
				} else {
					b.WriteByte('.')
				}
			}
		}
	}
	folded.Store(r, b.String())
	return b.String()
}

// isEPCText tells whether every byte of s is in the EPC character set.
func isEPCText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || !isEPC(rune(c)) {
			return false
		}
	}
	return true
}

// Truncate cuts s to at most n characters (not bytes).
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// CheckReference checks an EPC identifier (MsgId, PmtInfId, EndToEndId, MndtId...):
// 1 to 35 characters of the EPC set, not starting or ending with '/' and without
// "//"; spaceAllowed is false for mandate ids (RestrictedIdentificationSEPA2).
func CheckReference(s string, spaceAllowed bool) error {
	switch {
	case s == "":
		return fmt.Errorf("is empty")
	case len([]rune(s)) > 35:
		return fmt.Errorf("%q has %d characters; at most 35", s, len([]rune(s)))
	case strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/"):
		return fmt.Errorf("%q starts or ends with '/'", s)
	case strings.Contains(s, "//"):
		return fmt.Errorf("%q contains '//'", s)
	case !spaceAllowed && strings.Contains(s, " "):
		return fmt.Errorf("%q contains a space", s)
	}
	if err := CheckEPC(s); err != nil {
		return fmt.Errorf("%q: %w", s, err)
	}
	return nil
}
