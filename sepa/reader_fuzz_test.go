package sepa

import (
	"bytes"
	"testing"
)

const pain002 = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>
<GrpHdr><MsgId>S1</MsgId><CreDtTm>2026-11-21T07:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>SDD-1</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId><OrgnlNbOfTxs>2</OrgnlNbOfTxs><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId><PmtInfSts>PART</PmtInfSts>
<TxInfAndSts><OrgnlEndToEndId>TOPUP-1</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>
<OrgnlTxRef><Amt><InstdAmt Ccy="EUR">20.00</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>TOPUP-2</OrgnlEndToEndId><TxSts>ACCP</TxSts></TxInfAndSts>
</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>`

// FuzzReader: no input makes a reader panic or loop; a document that reads whole
// reads the same way twice.
func FuzzReader(f *testing.F) {
	for _, s := range []string{camtHead + camtEntry + camtTail, pacs008, pacs004, pain002, "<a/>", ""} {
		f.Add([]byte(s))
	}
	for n := 1; n <= 14; n++ { // every version the readers take
		f.Add([]byte(camtOfVersion(n)))
		f.Add([]byte(pain002OfVersion(n)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		_, a, errA := readAll(t, "fuzz.xml", bytes.NewReader(data))
		_, b, errB := readAll(t, "fuzz.xml", bytes.NewReader(data))
		if (errA == nil) != (errB == nil) || len(a) != len(b) {
			t.Fatalf("two reads differ: %v / %v", errA, errB)
		}
		if errA == nil {
			checkPositions(t, a)
		}
		if w, d, ok := ntrysBoth(data); !ok {
			t.Fatalf("Ntry: walker and DecodeElement differ on %q:\n%+v\n%+v", data, w, d)
		}
		if w, d, ok := bothWays[xCdtTrfTxInf](data, "CdtTrfTxInf"); !ok {
			t.Fatalf("CdtTrfTxInf: walker and DecodeElement differ on %q:\n%+v\n%+v", data, w, d)
		}
		if w, d, ok := bothWays[xTxSts](data, "TxInfAndSts"); !ok {
			t.Fatalf("TxInfAndSts: walker and DecodeElement differ on %q:\n%+v\n%+v", data, w, d)
		}
	})
}

func checkPositions(t *testing.T, items []any) {
	pos := 0
	for _, it := range items {
		switch v := it.(type) {
		case *Entry:
			pos++
			if v.Position != pos || v.Amount.IsNegative() {
				t.Fatalf("entry %d: %+v", pos, v)
			}
		case *Status:
			pos++
			if v.Position != pos {
				t.Fatalf("status %d: %+v", pos, v)
			}
		}
	}
}

func TestPain002Sample(t *testing.T) {
	_, items, err := readAll(t, "s.xml", bytes.NewReader([]byte(pain002)))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 4 {
		t.Fatalf("%d items: %s", len(items), mustJSON(t, items))
	}
	g, b, tx1, tx2 := items[0].(*Status), items[1].(*Status), items[2].(*Status), items[3].(*Status)
	if g.Level != LevelGroup || g.Status != "PART" || g.OrigTxCount != 2 || b.Level != LevelBlock || b.OrigPmtInfID != "B1" ||
		tx1.Status != "RJCT" || tx1.Reasons[0].Code != "AM04" || tx1.Amount.Text() != "20.00" || tx1.OrigPmtInfID != "B1" ||
		tx2.Status != "ACCP" || tx2.OrigEndToEndID != "TOPUP-2" {
		t.Fatalf("%s", mustJSON(t, items))
	}
	checkPositions(t, items)
}
