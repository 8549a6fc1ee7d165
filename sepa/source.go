package sepa

import (
	"bytes"
	"io"
)

// srcSize is the reader's buffer: the decoder reads it byte by byte, the fast path
// scans it whole. An element the fast path takes must fit in its second half.
const srcSize = 64 << 10

// source is the buffered input under a reader's decoder. The decoder reads it through
// ReadByte (encoding/xml uses an io.ByteReader as it is, without a buffer of its own),
// so the fast path can scan the same bytes in place and move past an element the
// decoder has not seen: what is in buf[r:w] is exactly what the decoder reads next.
type source struct {
	rd    io.Reader
	buf   []byte
	r, w  int
	err   error
	lines int  // newlines the fast path moved past, which the decoder did not count
	moved bool // a charset reader reads the bytes now: the fast path is off
}

func newSource(rd io.Reader) *source {
	return &source{rd: rd, buf: make([]byte, srcSize)}
}

// ReadByte implements io.ByteReader for the decoder.
func (s *source) ReadByte() (byte, error) {
	if s.r == s.w && !s.fill(1) {
		return 0, s.err
	}
	b := s.buf[s.r]
	s.r++
	return b, nil
}

// Read implements io.Reader, for a charset reader put between the file and the decoder.
func (s *source) Read(p []byte) (int, error) {
	if s.r == s.w && !s.fill(1) {
		return 0, s.err
	}
	n := copy(p, s.buf[s.r:s.w])
	s.r += n
	return n, nil
}

// fill reads until at least n bytes are buffered or the input ends, and tells
// whether any byte is buffered. It keeps the two bytes before r, which tell how the
// last start tag ended.
func (s *source) fill(n int) bool {
	if keep := min(s.r, 2); s.r > keep && s.w-s.r < n {
		copy(s.buf, s.buf[s.r-keep:s.w])
		s.w -= s.r - keep
		s.r = keep
	}
	for empty := 0; s.w-s.r < n && s.w < len(s.buf) && s.err == nil; {
		m, err := s.rd.Read(s.buf[s.w:])
		s.w += m
		if err != nil {
			s.err = err
		} else if m == 0 {
			if empty++; empty == 100 {
				s.err = io.ErrNoProgress
			}
		}
	}
	return s.w > s.r
}

// skipBOM drops a UTF-8 byte order mark, which some banks write.
func (s *source) skipBOM() {
	s.fill(3)
	if bytes.HasPrefix(s.buf[s.r:s.w], []byte("\xef\xbb\xbf")) {
		s.r += 3
	}
}

// afterOpenTag tells whether the decoder has just read the '>' of a start tag that
// is not empty (<Ntry>, not <Ntry/>), so the element's content starts at r.
func (s *source) afterOpenTag() bool {
	return !s.moved && s.r >= 2 && s.buf[s.r-1] == '>' && s.buf[s.r-2] != '/'
}

// window returns the buffered bytes from r, at least half the buffer unless the input
// ends first.
func (s *source) window() []byte {
	if s.w-s.r < srcSize/2 {
		s.fill(srcSize / 2)
	}
	return s.buf[s.r:s.w]
}

// skip moves past n bytes of the window the fast path has read.
func (s *source) skip(n int) {
	s.lines += bytes.Count(s.buf[s.r:s.r+n], []byte{'\n'})
	s.r += n
}
