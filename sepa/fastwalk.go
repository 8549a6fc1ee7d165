package sepa

import (
	"bytes"
	"unicode/utf8"
)

// fastWalk reads the content of the element whose start tag the decoder has just
// read straight from the input buffer, calling n's open and set exactly as walk does
// from the decoder's tokens, and moves the input to the element's end tag, which it
// leaves for the decoder. It takes only what it reads without doubt: text with the
// five predefined entities, ASCII names, quoted attributes. At anything else (a
// comment, CDATA, a character reference, a carriage return, an element longer than
// half the buffer, malformed XML) it moves nothing, resets n and returns false, and
// walk reads the element the reference way, which also gives the reference error.
// TestFastWalkMatchesTheDecoder and FuzzFastWalk hold the two ways equal.
func (r *Reader) fastWalk(n walker) bool {
	s := r.src
	if s == nil || !s.afterOpenTag() {
		return false
	}
	end, ok := r.scan.element(s.window(), n, MaxDepth-len(r.bnd.names))
	if !ok {
		n.reset()
		return false
	}
	s.skip(end)
	r.fast++
	return true
}

// scanner holds the fast path's buffers, reused from one element to the next.
type scanner struct {
	path  []byte   // the current element's path below the walked one, as in walk
	stack []int    // path lengths to return to at each end tag
	names [][]byte // the open elements' names as written (prefix:local)
	texts [][]byte // the text directly inside each open element
	ccys  []string // the Ccy attribute of each open element
}

// element scans data, the content of an element up to and excluding its end tag,
// and returns where that end tag starts. room is how many elements may still open.
func (sc *scanner) element(data []byte, n walker, room int) (end int, ok bool) {
	sc.path, sc.stack, sc.names = sc.path[:0], sc.stack[:0], sc.names[:0]
	depth, i := 0, 0
	for {
		// Text up to the next tag.
		for {
			start := i
			for i < len(data) && plainText[data[i]] {
				i++
			}
			if depth > 0 && i > start {
				sc.texts[depth-1] = append(sc.texts[depth-1], data[start:i]...)
			}
			if i == len(data) {
				return 0, false
			}
			c := data[i]
			if c == '<' {
				break
			}
			var dec []byte
			switch {
			case c == '&':
				dec, i, ok = entity(data, i)
			case c >= utf8.RuneSelf:
				dec, i, ok = validRune(data, i)
			default: // a control character, '\r' or '>'
				ok = false
			}
			if !ok {
				return 0, false
			}
			if depth > 0 {
				sc.texts[depth-1] = append(sc.texts[depth-1], dec...)
			}
		}
		tag := i
		i++
		if i == len(data) {
			return 0, false
		}
		switch data[i] {
		case '/': // an end tag
			var name []byte
			if name, i, ok = readName(data, i+1); !ok {
				return 0, false
			}
			i = skipSpace(data, i)
			if i == len(data) || data[i] != '>' {
				return 0, false
			}
			i++
			if depth == 0 {
				return tag, true // the walked element's own end tag, for the decoder
			}
			if !bytes.Equal(name, sc.names[depth-1]) {
				return 0, false
			}
			n.set(sc.path, sc.texts[depth-1], sc.ccys[depth-1])
			sc.pop()
			depth--
		case '!', '?': // comment, CDATA, directive, processing instruction
			return 0, false
		default: // a start tag
			var name []byte
			if name, i, ok = readName(data, i); !ok || depth == room {
				return 0, false
			}
			ccy, empty := "", false
			if ccy, empty, i, ok = attributes(data, i); !ok {
				return 0, false
			}
			sc.push(name, depth, ccy)
			depth++
			n.open(sc.path)
			if empty {
				n.set(sc.path, sc.texts[depth-1], ccy)
				sc.pop()
				depth--
			}
		}
	}
}

func (sc *scanner) push(name []byte, depth int, ccy string) {
	sc.stack = append(sc.stack, len(sc.path))
	if len(sc.path) > 0 {
		sc.path = append(sc.path, '/')
	}
	sc.path = append(sc.path, localName(name)...)
	sc.names = append(sc.names, name)
	if len(sc.texts) <= depth {
		sc.texts, sc.ccys = append(sc.texts, nil), append(sc.ccys, "")
	}
	sc.texts[depth], sc.ccys[depth] = sc.texts[depth][:0], ccy
}

func (sc *scanner) pop() {
	top := len(sc.stack) - 1
	sc.path = sc.path[:sc.stack[top]]
	sc.stack, sc.names = sc.stack[:top], sc.names[:top]
}

// attributes reads a start tag's attributes after its name, up to and including
// its '>' or "/>", and returns the Ccy attribute's value.
func attributes(data []byte, i int) (ccy string, empty bool, next int, ok bool) {
	for {
		j := skipSpace(data, i)
		if j == len(data) {
			return "", false, 0, false
		}
		switch data[j] {
		case '>':
			return ccy, false, j + 1, true
		case '/':
			if j+1 < len(data) && data[j+1] == '>' {
				return ccy, true, j + 2, true
			}
			return "", false, 0, false
		}
		if j == i { // no space before the attribute
			return "", false, 0, false
		}
		var name, value []byte
		if name, i, ok = readName(data, j); !ok {
			return "", false, 0, false
		}
		if i = skipSpace(data, i); i == len(data) || data[i] != '=' {
			return "", false, 0, false
		}
		if i = skipSpace(data, i+1); i == len(data) || data[i] != '"' && data[i] != '\'' {
			return "", false, 0, false
		}
		if value, i, ok = attrValue(data, i); !ok {
			return "", false, 0, false
		}
		if string(localName(name)) == "Ccy" {
			ccy = "EUR"
			if string(value) != "EUR" {
				ccy = string(value)
			}
		}
	}
}

// attrValue reads a quoted value starting at its quote; it takes plain text only.
func attrValue(data []byte, i int) (value []byte, next int, ok bool) {
	quote, start := data[i], i+1
	for i = start; i < len(data); {
		c := data[i]
		switch {
		case c == quote:
			return data[start:i], i + 1, true
		case plainText[c] || c == '>':
			i++
		case c >= utf8.RuneSelf:
			if _, i, ok = validRune(data, i); !ok {
				return nil, 0, false
			}
		default: // '<', '&', '\r' or a control character
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// readName reads an element or attribute name as encoding/xml accepts it, ASCII only:
// a letter or '_' first, at most one ':' and not at the end.
func readName(data []byte, i int) (name []byte, next int, ok bool) {
	start := i
	if i == len(data) || !nameStart[data[i]] {
		return nil, 0, false
	}
	colons := 0
	for i++; i < len(data) && nameByte[data[i]]; i++ {
		if data[i] == ':' {
			colons++
		}
	}
	if i == len(data) || data[i] >= utf8.RuneSelf || colons > 1 || data[i-1] == ':' {
		return nil, 0, false
	}
	return data[start:i], i, true
}

// localName is a name's part after its prefix.
func localName(name []byte) []byte {
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		return name[k+1:]
	}
	return name
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
		i++
	}
	return i
}

var entities = [...]struct{ name, text string }{
	{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&apos;", "'"}, {"&quot;", `"`},
}

// entity decodes one of the five predefined entities at data[i].
func entity(data []byte, i int) (text []byte, next int, ok bool) {
	for _, e := range entities {
		if bytes.HasPrefix(data[i:], []byte(e.name)) {
			return []byte(e.text), i + len(e.name), true
		}
	}
	return nil, 0, false
}

// validRune checks the UTF-8 character at data[i] as encoding/xml does.
func validRune(data []byte, i int) (text []byte, next int, ok bool) {
	r, size := utf8.DecodeRune(data[i:])
	if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
		return nil, 0, false
	}
	return data[i : i+size], i + size, true
}

// plainText marks the bytes text holds as they are: printable ASCII and tab and
// newline, but not '<', '&', '>' (which could end "]]>") or '\r' (which XML turns
// into '\n').
var plainText, nameStart, nameByte = func() (plain, start, name [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		plain[c] = c != '<' && c != '&' && c != '>'
	}
	plain['\t'], plain['\n'] = true, true
	for c := 0; c < 256; c++ {
		start[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_'
		name[c] = start[c] || '0' <= c && c <= '9' || c == ':' || c == '.' || c == '-'
	}
	return
}()
