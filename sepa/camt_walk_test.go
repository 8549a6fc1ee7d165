package sepa

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// ntrysBoth decodes every Ntry of data twice, with the walker and with
// DecodeElement, and reports whether each pair agrees.
func ntrysBoth(data []byte) (walked, decoded []xNtry, ok bool) {
	return bothWays[xNtry](data, "Ntry")
}

// bothWays decodes every element named elem twice, with the walker and with
// DecodeElement, and reports whether they agree: the same elements when both read
// the document, or both failing (a failed file is refused whole, so partial
// contents do not matter).
func bothWays[T any, PT interface {
	*T
	walker
}](data []byte, elem string) (walked, decoded []T, ok bool) {
	var failed [2]bool
	for pass := 0; pass < 2; pass++ {
		dec := xml.NewDecoder(bytes.NewReader(data))
		dec.CharsetReader = charsetReader
		r := &Reader{dec: dec}
		for {
			tok, err := dec.Token()
			if err != nil {
				failed[pass] = err != io.EOF
				break
			}
			st, isStart := tok.(xml.StartElement)
			if !isStart || st.Name.Local != elem {
				continue
			}
			var n T
			if pass == 0 {
				err = r.walk(PT(&n))
				walked = append(walked, n)
			} else {
				err = dec.DecodeElement(&n, &st)
				decoded = append(decoded, n)
			}
			if err != nil {
				failed[pass] = true
				break
			}
		}
	}
	if failed[0] || failed[1] {
		return walked, decoded, failed[0] == failed[1]
	}
	return walked, decoded, reflect.DeepEqual(walked, decoded)
}

// The walker reads every corpus Ntry exactly as DecodeElement does from the struct tags.
func TestWalkMatchesDecodeElement(t *testing.T) {
	samples := [][]byte{[]byte(camtHead + camtEntry + camtTail)}
	want := 1 // without ../shared, the inline sample only
	if _, err := os.Stat(shared); err == nil {
		want = 40
		files, _ := filepath.Glob(filepath.Join(shared, "corpus/*/*camt*.xml"))
		files2, _ := filepath.Glob(filepath.Join(shared, "corpus/*/*statement*.xml"))
		for _, f := range append(files, files2...) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			samples = append(samples, b)
		}
	}
	total := 0
	for i, s := range samples {
		w, d, ok := ntrysBoth(s)
		total += len(w)
		if !ok {
			t.Errorf("sample %d: walker and DecodeElement differ:\n%s\n%s", i, mustJSON(t, w), mustJSON(t, d))
		}
	}
	if total < want {
		t.Fatalf("only %d entries compared, want at least %d", total, want)
	}
}

func TestWalkMatchesDecodeElementPacsAndPain002(t *testing.T) {
	if w, d, ok := bothWays[xCdtTrfTxInf]([]byte(pacs008), "CdtTrfTxInf"); !ok || len(w) != 2 {
		t.Errorf("pacs.008:\n%s\n%s", mustJSON(t, w), mustJSON(t, d))
	}
	if w, d, ok := bothWays[xTxSts]([]byte(pain002), "TxInfAndSts"); !ok || len(w) != 2 {
		t.Errorf("pain.002:\n%s\n%s", mustJSON(t, w), mustJSON(t, d))
	}
	if _, err := os.Stat(shared); err == nil {
		files, _ := filepath.Glob(filepath.Join(shared, "corpus/*/*pain002*.xml"))
		n := 0
		for _, f := range files {
			b, _ := os.ReadFile(f)
			w, d, ok := bothWays[xTxSts](b, "TxInfAndSts")
			n += len(w)
			if !ok {
				t.Errorf("%s:\n%s\n%s", f, mustJSON(t, w), mustJSON(t, d))
			}
		}
		if n == 0 {
			t.Error("no corpus transaction status compared")
		}
	}
}

// Mixed content: an element's own text around a child is kept, as DecodeElement does.
func TestWalkMixedContent(t *testing.T) {
	doc := []byte(`<Document><Ntry><AcctSvcrRef>A<x/>B</AcctSvcrRef><Amt Ccy="EUR">1<!-- c -->.00</Amt></Ntry></Document>`)
	w, d, ok := ntrysBoth(doc)
	if !ok || w[0].AcctSvcrRef != "AB" || w[0].Amt.Value != "1.00" {
		t.Fatalf("%+v / %+v", w, d)
	}
}
