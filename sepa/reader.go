package sepa

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Message kinds settle reads.
const (
	Camt052 = "camt.052" // account report
	Camt053 = "camt.053" // statement
	Camt054 = "camt.054" // debit/credit notification
	Pain002 = "pain.002" // customer payment status report
	Pacs008 = "pacs.008" // FI to FI customer credit transfer
	Pacs004 = "pacs.004" // payment return
)

// supported maps a message (kind + version) to its root element's first child.
var supported = func() map[string]string {
	m := map[string]string{
		"pacs.008.001.02": "FIToFICstmrCdtTrf", "pacs.008.001.08": "FIToFICstmrCdtTrf", "pacs.008.001.09": "FIToFICstmrCdtTrf",
		"pacs.004.001.02": "PmtRtr", "pacs.004.001.09": "PmtRtr", "pacs.004.001.10": "PmtRtr",
	}
	// camt.052, .053 and .054 in every version ISO has published, .001.01 to .001.13
	// (the first one's message element carries V01), and pain.002 from .001.03.
	for msg, root := range map[string]string{Camt052: "BkToCstmrAcctRpt", Camt053: "BkToCstmrStmt", Camt054: "BkToCstmrDbtCdtNtfctn"} {
		for v := 1; v <= 13; v++ {
			m[fmt.Sprintf("%s.001.%02d", msg, v)] = root + map[bool]string{true: "V01"}[v == 1]
		}
	}
	for v := 3; v <= 14; v++ {
		m[fmt.Sprintf("%s.001.%02d", Pain002, v)] = "CstmrPmtStsRpt"
	}
	return m
}()

// DefaultMaxBytes is the largest file a reader accepts unless told otherwise.
const DefaultMaxBytes = 2 << 30 // 2 GiB

// ErrTooLarge is returned when a file exceeds Options.MaxBytes.
var ErrTooLarge = errors.New("file exceeds the configured maximum size")

// ParseError says where a bank file is wrong: the file, the entry (1-based position
// of the Ntry, status or transaction in the file; 0 for the file itself) and the
// field, wrapping the cause.
type ParseError struct {
	File  string
	Entry int
	Field string
	Err   error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Entry > 0 {
		fmt.Fprintf(&b, ": entry %d", e.Entry)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// Document says what a file is.
type Document struct {
	File      string `json:"file"`
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`    // camt.053, pain.002, ...
	Version   string `json:"version"` // 001.08, 001.03.ch.02, ...
	MessageID string `json:"messageId"`
	Created   string `json:"created"`
}

// Options limit what a reader accepts.
type Options struct {
	MaxBytes int64 // default DefaultMaxBytes
}

// Reader reads a bank file one item at a time: memory stays flat whatever the size.
// Next returns *Statement (a camt statement, report or notification, before its
// entries), *Entry (a camt Ntry, or one pacs.008 transfer or pacs.004 return) and
// *Status (a pain.002 status at group, block or transaction level); io.EOF once
// the whole document has been read and found well-formed.
type Reader struct {
	doc   Document
	dec   *xml.Decoder
	src   *source  // the bytes under dec, for the fast path (nil: walk reads tokens)
	bnd   *bounded // the decoder's element stack
	scan  scanner
	fast  int // elements the fast path read
	lim   *limitReader
	next  func() (any, error)
	entry int // items returned so far
	done  bool
}

// NewReader reads the prolog and the root of a file and dispatches on its
// namespace. It refuses a file that is not XML, has a DOCTYPE, has no namespace or
// one settle does not read, or whose root does not match its namespace.
func NewReader(r io.Reader, file string, opt Options) (*Reader, error) {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	lim := &limitReader{r: r, left: opt.MaxBytes}
	src := newSource(lim)
	src.skipBOM()
	dec, bnd := newBoundedDecoder(src)
	rd := &Reader{doc: Document{File: file}, dec: dec, src: src, bnd: bnd, lim: lim}
	root, err := rd.root()
	if err != nil {
		return nil, rd.fail("", err)
	}
	if err := rd.dispatch(root); err != nil {
		return nil, rd.fail("", err)
	}
	return rd, nil
}

// Document returns what the file is; MessageID and Created are known once the
// group header has been read (after the first Next).
func (r *Reader) Document() Document { return r.doc }

// Next returns the next item, or io.EOF at the well-formed end of the document.
func (r *Reader) Next() (any, error) {
	if r.done {
		return nil, io.EOF
	}
	item, err := r.next()
	if err == io.EOF {
		r.done = true
		if err := r.finish(); err != nil {
			return nil, r.fail("", err)
		}
		return nil, io.EOF
	}
	if err != nil {
		return nil, err
	}
	return item, nil
}

// finish reads to the end of the file: nothing but the closing tags and white space
// may follow, and the file must not stop early.
func (r *Reader) finish() error {
	for {
		tok, err := r.dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return r.syntax(err)
		}
		if cd, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(cd)) > 0 {
			return fmt.Errorf("text after the document")
		}
		if _, ok := tok.(xml.StartElement); ok {
			return fmt.Errorf("a second element after the document")
		}
	}
}

// root reads up to the Document element, refusing DOCTYPEs and non-XML content.
func (r *Reader) root() (xml.StartElement, error) {
	for {
		tok, err := r.dec.Token()
		if err == io.EOF {
			return xml.StartElement{}, fmt.Errorf("empty file: no XML document")
		}
		if err != nil {
			return xml.StartElement{}, r.syntax(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, fmt.Errorf("not an XML file: text before the first element")
			}
		case xml.StartElement:
			return t, nil
		}
	}
}

const isoPrefix = "urn:iso:std:iso:20022:tech:xsd:"
const sixPrefix = "http://www.six-interbank-clearing.com/de/"

// dispatch recognises the message from its namespace and checks the root.
func (r *Reader) dispatch(root xml.StartElement) error {
	ns := root.Name.Space
	r.doc.Namespace = ns
	if root.Name.Local != "Document" {
		return fmt.Errorf("root element is <%s>, not <Document>: not an ISO 20022 message", root.Name.Local)
	}
	var msg string
	switch {
	case ns == "":
		return fmt.Errorf("the Document has no namespace: cannot tell which message it is")
	case strings.HasPrefix(ns, isoPrefix):
		msg = strings.TrimPrefix(ns, isoPrefix)
	case strings.HasPrefix(ns, sixPrefix) && strings.HasSuffix(ns, ".xsd"):
		// Swiss SIX variants such as pain.002.001.03.ch.02: the ISO base version.
		msg = strings.TrimSuffix(strings.TrimPrefix(ns, sixPrefix), ".xsd")
	default:
		return fmt.Errorf("unknown namespace %q", ns)
	}
	parts := strings.SplitN(msg, ".", 3)
	if len(parts) < 3 {
		return fmt.Errorf("unknown namespace %q", ns)
	}
	r.doc.Kind, r.doc.Version = parts[0]+"."+parts[1], parts[2]
	v := strings.Split(r.doc.Version, ".")
	if len(v) < 2 {
		return fmt.Errorf("unknown namespace %q", ns)
	}
	base := r.doc.Kind + "." + v[0] + "." + v[1] // 001.03.ch.02 is read as 001.03
	want, ok := supported[base]
	if !ok {
		switch r.doc.Kind {
		case "pain.001", "pain.008":
			return fmt.Errorf("%s is a payment initiation we send, not a file settle reads (namespace %q)", r.doc.Kind, ns)
		}
		return fmt.Errorf("message %s (namespace %q) is not one settle reads", msg, ns)
	}
	// The message element is the first child of Document.
	start, err := r.nextStart()
	if err != nil {
		return err
	}
	if start.Name.Local != want {
		return fmt.Errorf("namespace says %s, whose message element is <%s>, but the document holds <%s>", base, want, start.Name.Local)
	}
	switch r.doc.Kind {
	case Camt052, Camt053, Camt054:
		r.next = r.camtNext(start)
	case Pain002:
		r.next = r.pain002Next(start)
	case Pacs008, Pacs004:
		r.next = r.pacsNext(start)
	}
	return nil
}

// nextStart returns the next start element, skipping text and comments; io.EOF-like
// end of the enclosing element is an error here.
func (r *Reader) nextStart() (xml.StartElement, error) {
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return xml.StartElement{}, r.syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			return xml.StartElement{}, fmt.Errorf("<%s> is empty", t.Name.Local)
		}
	}
}

// child returns the next child start element of the current element, or ok=false
// at its end tag.
func (r *Reader) child() (xml.StartElement, bool, error) {
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return xml.StartElement{}, false, r.syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, true, nil
		case xml.EndElement:
			return xml.StartElement{}, false, nil
		}
	}
}

// groupHeader reads a GrpHdr into the document and returns it.
func (r *Reader) groupHeader(start xml.StartElement) (xGrpHdr, error) {
	var h xGrpHdr
	if err := r.dec.DecodeElement(&h, &start); err != nil {
		return h, r.fail("GrpHdr", r.syntax(err))
	}
	r.doc.MessageID, r.doc.Created = strings.TrimSpace(h.MsgId), strings.TrimSpace(h.CreDtTm)
	return h, nil
}

// syntax turns a decoder error into a clear reason; a file cut short says so.
func (r *Reader) syntax(err error) error {
	if errors.Is(err, ErrTooLarge) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF") {
		return fmt.Errorf("truncated file: it ends before the document is closed: %w", err)
	}
	return fmt.Errorf("malformed XML: %w", err)
}

func (r *Reader) fail(field string, err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return err
	}
	return &ParseError{File: r.doc.File, Entry: r.entryPos(), Field: field, Err: err}
}

func (r *Reader) entryPos() int { return r.entry }

// charsetReader decodes the non-UTF-8 encodings banks declare.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return charmap.ISO8859_1.NewDecoder().Reader(input), nil
	case "iso-8859-15", "latin9":
		return charmap.ISO8859_15.NewDecoder().Reader(input), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(input), nil
	}
	return nil, fmt.Errorf("encoding %q is not supported (UTF-8 or ISO-8859-1 expected)", label)
}

// limitReader fails with ErrTooLarge past its limit.
type limitReader struct {
	r    io.Reader
	left int64
	read int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n == 0 {
			return 0, io.EOF // exactly at the limit
		}
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	l.read += int64(n)
	return n, err
}
