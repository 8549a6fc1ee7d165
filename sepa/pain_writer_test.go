package sepa

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"settle"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// writePain writes a two-block message whose amounts and control sums exceed
// 1,000,000.00, with accented names and an ampersand.
func writePain(t *testing.T, version string) []byte {
	t.Helper()
	var buf bytes.Buffer
	h := GroupHeader{MsgID: "SETTLE-TEST-1", Created: time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC), NbOfTxs: 3,
		CtrlSum: dec("1999998.51"), InitiatingBy: "Acme Pagamenti & Co. S.p.A."}
	p, err := NewPainWriter(&buf, version, h)
	if err != nil {
		t.Fatal(err)
	}
	block := func(id, seq string, n int, sum string) Block {
		return Block{PmtInfID: id, Date: settle.MustParseDay("2026-11-24"), SequenceType: seq, Instrument: "CORE", BatchBooking: true, NbOfTxs: n,
			CtrlSum: dec(sum), Name: "Acme Pagamenti S.p.A.", IBAN: "IT60X0542811101000000123456", BIC: "BPMOIT22XXX",
			CreditorID: "IT66ZZZA1B2C3D4E5F6G7H8"}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.Block(block("SETTLE-TEST-1-1", "FRST", 2, "1000000.50")))
	must(p.Payment(Payment{EndToEndID: "E2E-1", Amount: dec("999999.99"), Name: "Zoë Müller-Lüdenscheidt & Söhne", IBAN: "DE89370400440532013000",
		BIC: "COBADEFFXXX", MandateID: "MANDATE-1", SignatureDate: settle.MustParseDay("2026-01-15"), Remittance: "Ricarica wallet è più",
		Amendment: &Amendment{OriginalDebtorIBAN: "IT27X0300203280335719971372", SameMandateNewAgent: true}}))
	must(p.Payment(Payment{EndToEndID: "E2E-2", Amount: dec("0.51"), Name: "Élodie Brûlé", IBAN: "FR1420041010050500013M02606",
		MandateID: "MANDATE-2", SignatureDate: settle.MustParseDay("2026-02-01"), Amendment: &Amendment{OriginalMandateID: "OLD-2", OriginalCreditorID: "IT66ZZZA1B2C3D4E5F6G7H8"}}))
	must(p.Block(block("SETTLE-TEST-1-2", "RCUR", 1, "999998.01")))
	must(p.Payment(Payment{EndToEndID: "E2E-3", Amount: dec("999998.01"), Name: strings.Repeat("Lungo ", 20), IBAN: "IT27X0300203280335719971372",
		MandateID: "MANDATE-3", SignatureDate: settle.MustParseDay("2025-06-30"), Remittance: strings.Repeat("x", 200)}))
	must(p.Close())
	return buf.Bytes()
}

func TestPainWriterValidatesAgainstXSD(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint is not installed (CI installs libxml2-utils)")
	}
	xsdDir := filepath.Join("..", "..", "shared", "xsd", "iso_pain")
	if _, err := os.Stat(xsdDir); err != nil {
		t.Skip("../shared/xsd is absent")
	}
	for _, v := range []string{Pain008v08, Pain008v02, Pain001v09, Pain001v03} {
		t.Run(v, func(t *testing.T) {
			doc := writePain(t, v)
			f := filepath.Join(t.TempDir(), v+".xml")
			os.WriteFile(f, doc, 0o644)
			if out, err := exec.Command("xmllint", "--noout", "--schema", filepath.Join(xsdDir, v+".xsd"), f).CombinedOutput(); err != nil {
				t.Fatalf("%s\n%s", out, doc)
			}
			s := string(doc)
			for _, want := range []string{"<CtrlSum>1999998.51</CtrlSum>", "<CtrlSum>1000000.50</CtrlSum>", ">999999.99</InstdAmt>",
				"Zoe Muller-Ludenscheidt + Sohne", "<Nm>Acme Pagamenti + Co. S.p.A.</Nm>"} {
				if !strings.Contains(s, want) {
					t.Errorf("missing %s", want)
				}
			}
			if strings.Contains(s, "&amp;") || strings.Contains(s, strings.Repeat("x", 141)) || strings.Contains(s, strings.Repeat("Lungo ", 12)) {
				t.Errorf("text not in the EPC set or not cut to 70/140:\n%s", s)
			}
		})
	}
}

// TestPainWriterRefuses checks each EPC rule the writer enforces.
func TestPainWriterRefuses(t *testing.T) {
	base := func() (GroupHeader, Block, Payment) {
		return GroupHeader{MsgID: "M1", NbOfTxs: 1, CtrlSum: dec("10.00"), InitiatingBy: "Acme"},
			Block{PmtInfID: "P1", Date: settle.MustParseDay("2026-11-24"), SequenceType: "RCUR", Instrument: "CORE", NbOfTxs: 1, CtrlSum: dec("10.00"),
				Name: "Acme", IBAN: "IT60X0542811101000000123456", CreditorID: "IT66ZZZA1B2C3D4E5F6G7H8"},
			Payment{EndToEndID: "E1", Amount: dec("10.00"), Name: "Mario Rossi", IBAN: "IT27X0300203280335719971372",
				MandateID: "M-1", SignatureDate: settle.MustParseDay("2026-01-01")}
	}
	for _, c := range []struct {
		name   string
		change func(*GroupHeader, *Block, *Payment)
		want   string
	}{
		{"slash at the start of MsgId", func(h *GroupHeader, _ *Block, _ *Payment) { h.MsgID = "/M1" }, "MsgId"},
		{"double slash in EndToEndId", func(_ *GroupHeader, _ *Block, p *Payment) { p.EndToEndID = "E//1" }, "EndToEndId"},
		{"EndToEndId over 35", func(_ *GroupHeader, _ *Block, p *Payment) { p.EndToEndID = strings.Repeat("E", 36) }, "EndToEndId"},
		{"space in a mandate id", func(_ *GroupHeader, _ *Block, p *Payment) { p.MandateID = "M 1" }, "MndtId"},
		{"three decimals", func(h *GroupHeader, b *Block, p *Payment) { p.Amount = dec("10.001") }, "two decimals"},
		{"zero amount", func(h *GroupHeader, b *Block, p *Payment) { p.Amount = dec("0") }, "outside"},
		{"over 999999999.99", func(h *GroupHeader, b *Block, p *Payment) { p.Amount = dec("1000000000.00") }, "outside"},
		{"bad IBAN", func(_ *GroupHeader, _ *Block, p *Payment) { p.IBAN = "IT60X0542811101000000123457" }, "account"},
		{"signature after collection", func(_ *GroupHeader, _ *Block, p *Payment) { p.SignatureDate = settle.MustParseDay("2026-12-01") }, "DtOfSgntr"},
		{"bad sequence type", func(_ *GroupHeader, b *Block, _ *Payment) { b.SequenceType = "LAST" }, "sequence type"},
		{"bad creditor id", func(_ *GroupHeader, b *Block, _ *Payment) { b.CreditorID = "IT00ZZZA1B2C3D4E5F6G7H8" }, "creditor id"},
		{"no name", func(_ *GroupHeader, _ *Block, p *Payment) { p.Name = "  " }, "name"},
		{"block sum differs (AM10)", func(_ *GroupHeader, b *Block, _ *Payment) { b.CtrlSum = dec("10.01") }, "AM18/AM10"},
		{"group count differs (AM18)", func(h *GroupHeader, _ *Block, _ *Payment) { h.NbOfTxs = 2 }, "AM18/AM10"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, b, p := base()
			c.change(&h, &b, &p)
			var buf bytes.Buffer
			w, err := NewPainWriter(&buf, Pain008v08, h)
			if err == nil {
				err = w.Block(b)
			}
			if err == nil {
				err = w.Payment(p)
			}
			if err == nil {
				err = w.Close()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one naming %q", err, c.want)
			}
		})
	}
}

// writeEscaped writes what xml.EscapeText writes, for any text.
func FuzzWriteEscaped(f *testing.F) {
	for _, s := range []string{"", "STL-DD-1", "Müller & Söhne", "<x>", `"q" 'a'`, "tab\there", "nl\ncr\r", "\xff\xfe", "RF18 S5A0", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want bytes.Buffer
		bw := bufio.NewWriter(&got)
		writeEscaped(bw, s)
		bw.Flush()
		xml.EscapeText(&want, []byte(s))
		if got.String() != want.String() {
			t.Fatalf("%q: got %q, xml.EscapeText %q", s, got.String(), want.String())
		}
	})
}
