package sepa

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// What the writer wrote, the reader reads back, in every version: the bank's view
// of our files, which gen's bank answers are built from.
func TestReadInitiationReadsWhatTheWriterWrote(t *testing.T) {
	for _, v := range []string{Pain008v08, Pain008v02, Pain001v09, Pain001v03} {
		t.Run(v, func(t *testing.T) {
			var got []string
			head, err := ReadInitiation(bytes.NewReader(writePain(t, v)), v+".xml", func(b InitBlock, tx InitTx) error {
				got = append(got, strings.Join([]string{b.PmtInfID, b.Date, b.IBAN, tx.EndToEndID, tx.Amount.StringFixed(2), tx.MandateID, tx.IBAN}, " "))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if head.Kind != v[:8] || head.MsgID != "SETTLE-TEST-1" || head.NbOfTxs != "3" || head.CtrlSum != "1999998.51" {
				t.Fatalf("%+v", head)
			}
			mandate := map[bool]string{true: "MANDATE-1", false: ""}[v[:8] == "pain.008"]
			want := "SETTLE-TEST-1-1 2026-11-24 IT60X0542811101000000123456 E2E-1 999999.99 " + mandate + " DE89370400440532013000"
			if len(got) != 3 || got[0] != want || !strings.HasPrefix(got[2], "SETTLE-TEST-1-2 2026-11-24") {
				t.Fatalf("%q\nwant first %q", got, want)
			}
		})
	}
}

func TestReadInitiationRefuses(t *testing.T) {
	for _, c := range []struct{ name, doc, want string }{
		{"a camt", camtHead + camtEntry + camtTail, "is not a pain.008 or pain.001"},
		{"cut short", string(writePain(t, Pain008v08))[:900], "malformed XML"},
		{"bad amount", strings.Replace(string(writePain(t, Pain008v08)), ">0.51<", ">0,51<", 1), "DrctDbtTxInf/InstdAmt"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadInitiation(strings.NewReader(c.doc), "x.xml", func(InitBlock, InitTx) error { return nil })
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "x.xml" || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v, want %q", err, c.want)
			}
		})
	}
}

// FuzzReadInitiation: no input makes the initiation reader panic, and it reads the
// same way twice.
func FuzzReadInitiation(f *testing.F) {
	f.Add([]byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"><CstmrDrctDbtInitn><GrpHdr><MsgId>M</MsgId></GrpHdr>
<PmtInf><PmtInfId>B</PmtInfId><ReqdColltnDt>2026-11-24</ReqdColltnDt><DrctDbtTxInf><PmtId><EndToEndId>E</EndToEndId></PmtId>
<InstdAmt Ccy="EUR">1.00</InstdAmt></DrctDbtTxInf></PmtInf></CstmrDrctDbtInitn></Document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		read := func() (int, error) {
			n := 0
			_, err := ReadInitiation(bytes.NewReader(data), "fuzz.xml", func(InitBlock, InitTx) error { n++; return nil })
			return n, err
		}
		a, errA := read()
		b, errB := read()
		if a != b || (errA == nil) != (errB == nil) {
			t.Fatalf("two reads differ: %d %v / %d %v", a, errA, b, errB)
		}
	})
}
