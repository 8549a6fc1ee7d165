package sepa

import (
	"fmt"
	"strings"
	"testing"
)

// camtOfVersion is the test notification (camtHead, camtEntry, camtTail: .001.08)
// written as camt.054.001.NN: the forms each version uses for the status, the
// debtor's name, the transaction amount and the entry details.
func camtOfVersion(n int) string {
	doc := camtHead + camtEntry + camtTail
	doc = strings.Replace(doc, "camt.054.001.08", fmt.Sprintf("camt.054.001.%02d", n), 1)
	if n < 7 {
		doc = strings.ReplaceAll(doc, "<Sts><Cd>BOOK</Cd></Sts>", "<Sts>BOOK</Sts>")
		doc = strings.ReplaceAll(doc, "<Dbtr><Pty><Nm>Nicolò Rossi</Nm></Pty></Dbtr>", "<Dbtr><Nm>Nicolò Rossi</Nm></Dbtr>")
	}
	if n < 3 {
		doc = strings.Replace(doc, `</Refs><Amt Ccy="EUR">1250.50</Amt>`, `</Refs><AmtDtls><TxAmt><Amt Ccy="EUR">1250.50</Amt></TxAmt></AmtDtls>`, 1)
	}
	if n == 1 {
		doc = strings.ReplaceAll(doc, "BkToCstmrDbtCdtNtfctn>", "BkToCstmrDbtCdtNtfctnV01>")
		doc = strings.Replace(doc, "<NtryDtls>", "", 1)
		doc = strings.Replace(doc, "</NtryDtls>", "", 1)
	}
	return doc
}

// pain002OfVersion is the test status report as pain.002.001.NN.
func pain002OfVersion(n int) string {
	return strings.Replace(pain002, "pain.002.001.10", fmt.Sprintf("pain.002.001.%02d", n), 1)
}

// Every published version reads, and reads the same as .001.08 (issue 21: a .001.03
// or .001.06 file was refused as "not one settle reads").
func TestEveryCamtAndPain002VersionReads(t *testing.T) {
	_, want, err := readAll(t, "v08.xml", strings.NewReader(camtOfVersion(8)))
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 13; n++ {
		doc, items, err := readAll(t, "v.xml", strings.NewReader(camtOfVersion(n)))
		if err != nil {
			t.Errorf("camt.054.001.%02d: %v", n, err)
			continue
		}
		if doc.Version != fmt.Sprintf("001.%02d", n) || fmt.Sprint(entries(items)[0]) != fmt.Sprint(entries(want)[0]) {
			t.Errorf("camt.054.001.%02d reads %+v\nwant %+v", n, entries(items)[0], entries(want)[0])
		}
	}
	for n := 3; n <= 14; n++ {
		if _, items, err := readAll(t, "p.xml", strings.NewReader(pain002OfVersion(n))); err != nil || len(items) != 4 {
			t.Errorf("pain.002.001.%02d: %d items, %v", n, len(items), err)
		}
	}
}
