package sepa

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
)

// Bounds on what a bank file may hold. Real files nest about 12 levels deep and their
// longest text is a remittance line of 140 characters; past these a file is refused
// before it can make the reader's memory grow with it.
const (
	MaxDepth = 100     // elements open at once
	MaxText  = 1 << 20 // bytes in one text node, comment or attribute-free run of text
)

// bounded is the token source under a reader's decoder: it passes the raw tokens of
// its own decoder on and refuses a DOCTYPE (anywhere, in any case), nesting deeper than
// MaxDepth and a text node longer than MaxText. It also checks that end tags match
// their start tags, with the line where they do not, so the decoder above it only
// resolves namespaces.
type bounded struct {
	d     *xml.Decoder
	src   *source    // its input, whose fast path moves past lines d does not count
	names []xml.Name // the open elements, as written (prefix and local name)
}

func newBoundedDecoder(src *source) (*xml.Decoder, *bounded) {
	inner := xml.NewDecoder(src)
	inner.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		src.moved = true // the decoder reads through a charset reader from now on
		return charsetReader(label, input)
	}
	b := &bounded{d: inner, src: src, names: make([]xml.Name, 0, 32)}
	return xml.NewTokenDecoder(b), b
}

// Token implements xml.TokenReader.
func (b *bounded) Token() (xml.Token, error) {
	tok, err := b.d.RawToken()
	if err != nil {
		if se, ok := err.(*xml.SyntaxError); ok && b.src.lines > 0 {
			// a copy: the decoder returns its error again at every later call
			err = &xml.SyntaxError{Msg: se.Msg, Line: se.Line + b.src.lines}
		}
		if err == io.EOF && len(b.names) > 0 {
			return nil, b.errorf("unexpected EOF: <%s> is not closed", b.names[len(b.names)-1].Local)
		}
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		if len(b.names) == MaxDepth {
			return nil, b.errorf("elements nested more than %d deep: not a bank file", MaxDepth)
		}
		b.names = append(b.names, t.Name)
	case xml.EndElement:
		if len(b.names) == 0 {
			return nil, b.errorf("unexpected end element </%s>", t.Name.Local)
		}
		open := b.names[len(b.names)-1]
		if open != t.Name {
			return nil, b.errorf("element <%s> closed by </%s>", qname(open), qname(t.Name))
		}
		b.names = b.names[:len(b.names)-1]
	case xml.CharData:
		if len(t) > MaxText {
			return nil, b.errorf("a text of more than %d bytes: not a bank file", MaxText)
		}
	case xml.Comment:
		if len(t) > MaxText {
			return nil, b.errorf("a comment of more than %d bytes: not a bank file", MaxText)
		}
	case xml.Directive:
		if isDoctype(t) {
			return nil, fmt.Errorf("a DOCTYPE is not allowed in a bank file")
		}
	}
	return tok, nil
}

func (b *bounded) errorf(format string, args ...any) error {
	line, _ := b.d.InputPos()
	line += b.src.lines
	return &xml.SyntaxError{Msg: fmt.Sprintf(format, args...), Line: line}
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// isDoctype tells a DOCTYPE declaration, whatever its case and leading space.
func isDoctype(d xml.Directive) bool {
	d = bytes.TrimSpace(d)
	return len(d) >= 7 && bytes.EqualFold(d[:7], []byte("DOCTYPE"))
}
