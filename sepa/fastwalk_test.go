package sepa

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// readBothWays reads data with the fast path and with the decoder's tokens only,
// and returns what each gave and how many elements the fast path read.
func readBothWays(t testing.TB, data []byte) (fast, slow []any, fastErr, slowErr error, scanned int) {
	t.Helper()
	read := func(useFast bool) ([]any, error, int) {
		rd, err := NewReader(bytes.NewReader(data), "f.xml", Options{})
		if err != nil {
			return nil, err, 0
		}
		if !useFast {
			rd.src = nil
		}
		var items []any
		for {
			it, err := rd.Next()
			if errors.Is(err, io.EOF) {
				return items, nil, rd.fast
			}
			if err != nil {
				return items, err, rd.fast
			}
			items = append(items, it)
		}
	}
	fast, fastErr, scanned = read(true)
	slow, slowErr, _ = read(false)
	return
}

// sameBothWays fails the test unless the two ways gave the same items and the same
// error, word for word (line numbers included).
func sameBothWays(t testing.TB, name string, data []byte) int {
	t.Helper()
	fast, slow, fe, se, scanned := readBothWays(t, data)
	if (fe == nil) != (se == nil) || fe != nil && fe.Error() != se.Error() {
		t.Fatalf("%s: errors differ:\nfast: %v\nslow: %v", name, fe, se)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s: items differ:\nfast: %s\nslow: %s", name, mustJSON(t, fast), mustJSON(t, slow))
	}
	return scanned
}

// The fast path reads every corpus file, every version and every hostile variant
// exactly as the decoder's tokens do, and takes the plain entries itself.
func TestFastWalkMatchesTheDecoder(t *testing.T) {
	good := camtHead + camtEntry + camtTail
	entry := func(e string) string { return camtHead + e + camtTail }
	cases := map[string]string{
		"plain":                  good,
		"three entries":          camtHead + camtEntry + camtEntry + "\n" + camtEntry + camtTail,
		"pacs.008":               pacs008,
		"pain.002":               pain002,
		"entities":               entry(strings.Replace(camtEntry, "Nicolò Rossi", "Rossi &amp; Figli &lt;&gt;&apos;&quot;", 1)),
		"character reference":    entry(strings.Replace(camtEntry, "Nicolò", "Nicol&#242;", 1)),
		"CRLF":                   strings.ReplaceAll(good, "\n", "\r\n"),
		"comment":                entry(strings.Replace(camtEntry, "<CdtDbtInd>", "<!-- x --><CdtDbtInd>", 1)),
		"CDATA":                  entry(strings.Replace(camtEntry, "AB2EFG", "<![CDATA[A<B]]>", 1)),
		"prefixes":               entry(strings.ReplaceAll(strings.ReplaceAll(camtEntry, "<Amt ", "<x:Amt xmlns:x=\"urn:x\" "), "</Amt>", "</x:Amt>")),
		"wrong close":            entry(strings.Replace(camtEntry, "</CdtDbtInd>", "</CdtDbtIn>", 1)),
		"wrong close prefix":     entry(strings.Replace(camtEntry, "</CdtDbtInd>", "</x:CdtDbtInd>", 1)),
		"unclosed at the end":    camtHead + strings.TrimSuffix(camtEntry, "</Ntry>"),
		"stray >":                entry(strings.Replace(camtEntry, "REF1", "RE>F1", 1)),
		"]]> in text":            entry(strings.Replace(camtEntry, "REF1", "RE]]>F1", 1)),
		"control character":      entry(strings.Replace(camtEntry, "REF1", "RE\x01F1", 1)),
		"bad UTF-8":              entry(strings.Replace(camtEntry, "REF1", "RE\xffF1", 1)),
		"U+FFFE":                 entry(strings.Replace(camtEntry, "REF1", "RE\uFFFEF1", 1)),
		"unknown entity":         entry(strings.Replace(camtEntry, "REF1", "RE&nbsp;F1", 1)),
		"empty elements":         entry(strings.Replace(camtEntry, "<AcctSvcrRef>REF1</AcctSvcrRef>", "<AcctSvcrRef/><Chrgs/>", 1)),
		"empty Ntry":             camtHead + "<Ntry/>" + camtTail,
		"attribute quirks":       entry(strings.Replace(camtEntry, `<Amt Ccy="EUR">1250.50</Amt><Cdt`, `<Amt  a:Ccy = 'USD' b="x>y" >1250.50</Amt ><Cdt`, 1)),
		"no space between":       entry(strings.Replace(camtEntry, `<Amt Ccy="EUR">`, `<Amt x="1"Ccy="EUR">`, 1)),
		"unquoted attribute":     entry(strings.Replace(camtEntry, `Ccy="EUR"`, `Ccy=EUR`, 1)),
		"< in attribute":         entry(strings.Replace(camtEntry, `Ccy="EUR"`, `Ccy="E<R"`, 1)),
		"non-ASCII name":         entry(strings.Replace(camtEntry, "<AcctSvcrRef>REF1</AcctSvcrRef>", "<Réf>1</Réf>", 1)),
		"two colons":             entry(strings.Replace(camtEntry, "<AcctSvcrRef>REF1</AcctSvcrRef>", "<a:b:c>1</a:b:c>", 1)),
		"processing instruction": entry(strings.Replace(camtEntry, "<CdtDbtInd>", "<?pi x?><CdtDbtInd>", 1)),
		"error after fast lines": camtHead + camtEntry + "\n\n" + camtEntry + "\n<Ntry><Amt Ccy=\"EUR\">1</Amt></Ntr>" + camtTail,
		"big entry":              entry(strings.Replace(camtEntry, "AB2EFG", strings.Repeat("x", 70_000), 1)),
		"latin-1":                strings.Replace(strings.Replace(good, "UTF-8", "ISO-8859-1", 1), "Nicolò", "Nicol\xf2", 1),
		"BOM":                    "\xef\xbb\xbf" + good,
	}
	for n := 1; n <= 14; n++ {
		cases["camt version "+string(rune('a'+n))] = camtOfVersion(n)
		cases["pain.002 version "+string(rune('a'+n))] = pain002OfVersion(n)
	}
	if _, err := os.Stat(shared); err == nil {
		files, _ := filepath.Glob(filepath.Join(shared, "corpus/*/*.xml"))
		if len(files) < 40 {
			t.Fatalf("corpus: %d files", len(files))
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cases[f] = string(b)
		}
	}
	for name, data := range cases {
		sameBothWays(t, name, []byte(data))
	}
	// The plain entries are the fast path's, the others fall back.
	for name, want := range map[string]int{"plain": 1, "three entries": 3, "pacs.008": 2, "pain.002": 2,
		"entities": 1, "CRLF": 0, "comment": 0, "prefixes": 1, "empty Ntry": 0, "attribute quirks": 1, "big entry": 0, "latin-1": 0, "BOM": 1} {
		if _, _, _, _, got := readBothWays(t, []byte(cases[name])); got != want {
			t.Errorf("%s: the fast path read %d elements, want %d", name, got, want)
		}
	}
}

// An error after entries the fast path read names the line the decoder would.
func TestFastWalkKeepsLineNumbers(t *testing.T) {
	data := camtHead + camtEntry + "\n" + camtEntry + "\n<Ntry><Amt Ccy=\"EUR\">1</Amt></Ntr>" + camtTail
	_, _, fe, _, scanned := readBothWays(t, []byte(data))
	line := strings.Count(data[:strings.Index(data, "</Ntr>")], "\n") + 1
	// The third entry's content is the fast path's too; the decoder finds its bad end tag.
	if scanned != 3 || fe == nil || !strings.Contains(fe.Error(), "line "+strconv.Itoa(line)+":") {
		t.Fatalf("scanned %d, error %v, want line %d", scanned, fe, line)
	}
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+n/10)) + string(rune('0'+n%10)))
}

// FuzzFastWalk holds the fast path equal to the decoder's tokens on any input:
// go test ./sepa -run X -fuzz FuzzFastWalk.
func FuzzFastWalk(f *testing.F) {
	for _, s := range []string{camtHead + camtEntry + camtTail, camtHead + camtEntry + camtEntry + camtTail, pacs008, pain002} {
		f.Add([]byte(s))
	}
	for n := 1; n <= 14; n++ {
		f.Add([]byte(camtOfVersion(n)))
		f.Add([]byte(pain002OfVersion(n)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		sameBothWays(t, "fuzz", data)
	})
}
