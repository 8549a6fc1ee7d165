package sepa

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"settle"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Messages the writers produce.
const (
	Pain008v08 = "pain.008.001.08"
	Pain008v02 = "pain.008.001.02"
	Pain001v09 = "pain.001.001.09"
	Pain001v03 = "pain.001.001.03"
)

// MaxAmount is the largest amount of one SEPA transaction (SEPA-RULES.md §2).
var MaxAmount = decimal.RequireFromString("999999999.99")

// GroupHeader is what a pain.008 or pain.001 says about itself: the totals of the
// whole message, known before its first transaction is written.
type GroupHeader struct {
	MsgID        string
	Created      time.Time
	NbOfTxs      int
	CtrlSum      decimal.Decimal
	InitiatingBy string // the initiating party's name
}

// Block is a payment information block: totals, the date, and our account.
type Block struct {
	PmtInfID     string
	Date         settle.Day // ReqdColltnDt or ReqdExctnDt
	SequenceType string     // FRST, RCUR, FNAL, OOFF (pain.008)
	Instrument   string     // CORE or B2B (pain.008)
	BatchBooking bool
	NbOfTxs      int
	CtrlSum      decimal.Decimal
	Name         string // the creditor (pain.008) or the debtor (pain.001)
	IBAN         string
	BIC          string
	CreditorID   string // pain.008
}

// Payment is one transaction: a direct debit (pain.008) or a credit transfer (pain.001).
type Payment struct {
	EndToEndID string
	Amount     decimal.Decimal
	Name       string // the debtor (pain.008) or the creditor (pain.001)
	IBAN       string
	BIC        string
	Remittance string
	// pain.008 only
	MandateID     string
	SignatureDate settle.Day
	Amendment     *Amendment
}

// Amendment is a change of mandate told to the debtor bank with the next collection.
type Amendment struct {
	OriginalMandateID   string
	OriginalCreditorID  string
	OriginalDebtorIBAN  string
	SameMandateNewAgent bool // OrgnlDbtrAgt SMNDA: the debtor moved to another bank
}

// PainWriter streams a pain.008 or pain.001 to w: Begin writes the group header,
// Block opens each payment information block, Payment adds a transaction, Close
// ends the document. Text is transliterated to the EPC character set and cut to
// the EPC lengths; identifiers and amounts that break the rules are errors, and so
// are counts or sums that differ from the totals announced (nothing is written
// that a bank would reject for AM10 or AM18). EndToEndIds are not remembered (memory
// stays flat for a million transactions): their uniqueness is the caller's, a
// UNIQUE column in settle. Output is buffered: the first write error sticks and
// Close returns it.
type PainWriter struct {
	msg       string
	sct       bool
	w         *bufio.Writer
	h         GroupHeader
	block     *Block
	n, bn     int
	sum, bsum decimal.Decimal
	blocks    map[string]bool
}

// NewPainWriter starts a message of the given version (Pain008v08, ...).
func NewPainWriter(w io.Writer, version string, h GroupHeader) (*PainWriter, error) {
	p := &PainWriter{msg: version, w: bufio.NewWriterSize(w, 64<<10), h: h, blocks: map[string]bool{}}
	switch version {
	case Pain008v08, Pain008v02:
	case Pain001v09, Pain001v03:
		p.sct = true
	default:
		return nil, fmt.Errorf("message %q: not one of %s, %s, %s, %s", version, Pain008v08, Pain008v02, Pain001v09, Pain001v03)
	}
	if err := CheckReference(h.MsgID, true); err != nil {
		return nil, fmt.Errorf("MsgId: %w", err)
	}
	if err := checkTotals("group", h.NbOfTxs, h.CtrlSum); err != nil {
		return nil, err
	}
	root := "CstmrDrctDbtInitn"
	if p.sct {
		root = "CstmrCdtTrfInitn"
	}
	fmt.Fprintf(p.w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:%s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+"\n<%s>\n", version, root)
	p.w.WriteString("<GrpHdr>")
	p.leaf("MsgId", h.MsgID)
	p.leaf("CreDtTm", h.Created.UTC().Format("2006-01-02T15:04:05"))
	p.leaf("NbOfTxs", fmt.Sprint(h.NbOfTxs))
	p.leaf("CtrlSum", h.CtrlSum.StringFixed(2))
	p.w.WriteString("<InitgPty>")
	p.leaf("Nm", text(h.InitiatingBy, 70))
	p.w.WriteString("</InitgPty></GrpHdr>\n")
	return p, nil
}

// Block closes the open block, if any, and opens b.
func (p *PainWriter) Block(b Block) error {
	if err := p.endBlock(); err != nil {
		return err
	}
	if err := CheckReference(b.PmtInfID, true); err != nil {
		return fmt.Errorf("PmtInfId: %w", err)
	}
	if p.blocks[b.PmtInfID] {
		return fmt.Errorf("PmtInfId %s: used twice in %s", b.PmtInfID, p.h.MsgID)
	}
	p.blocks[b.PmtInfID] = true
	if err := checkTotals("block "+b.PmtInfID, b.NbOfTxs, b.CtrlSum); err != nil {
		return err
	}
	if b.Date.IsZero() {
		return fmt.Errorf("block %s: a date is required", b.PmtInfID)
	}
	if _, err := CheckIBAN(b.IBAN); err != nil {
		return fmt.Errorf("block %s: account: %w", b.PmtInfID, err)
	}
	if text(b.Name, 70) == "" {
		return fmt.Errorf("block %s: a name is required", b.PmtInfID)
	}
	p.block, p.bn, p.bsum = &b, 0, decimal.Zero
	p.w.WriteString("<PmtInf>")
	p.leaf("PmtInfId", b.PmtInfID)
	if p.sct {
		p.leaf("PmtMtd", "TRF")
	} else {
		p.leaf("PmtMtd", "DD")
	}
	p.leaf("BtchBookg", fmt.Sprint(b.BatchBooking))
	p.leaf("NbOfTxs", fmt.Sprint(b.NbOfTxs))
	p.leaf("CtrlSum", b.CtrlSum.StringFixed(2))
	p.w.WriteString("<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl>")
	if p.sct {
		p.w.WriteString("</PmtTpInf>")
		if p.msg == Pain001v09 {
			p.w.WriteString("<ReqdExctnDt>")
			p.leaf("Dt", b.Date.String())
			p.w.WriteString("</ReqdExctnDt>")
		} else {
			p.leaf("ReqdExctnDt", b.Date.String())
		}
		p.party("Dbtr", text(b.Name, 70))
		p.account("DbtrAcct", b.IBAN)
		p.agent("DbtrAgt", b.BIC)
		p.leaf("ChrgBr", "SLEV")
		return nil
	}
	switch b.SequenceType {
	case "FRST", "RCUR", "FNAL", "OOFF":
	default:
		return fmt.Errorf("block %s: sequence type %q", b.PmtInfID, b.SequenceType)
	}
	if b.Instrument != "CORE" && b.Instrument != "B2B" {
		return fmt.Errorf("block %s: local instrument %q", b.PmtInfID, b.Instrument)
	}
	if _, err := CheckCreditorID(b.CreditorID); err != nil {
		return fmt.Errorf("block %s: creditor id: %w", b.PmtInfID, err)
	}
	p.w.WriteString("<LclInstrm>")
	p.leaf("Cd", b.Instrument)
	p.w.WriteString("</LclInstrm>")
	p.leaf("SeqTp", b.SequenceType)
	p.w.WriteString("</PmtTpInf>")
	p.leaf("ReqdColltnDt", b.Date.String())
	p.party("Cdtr", text(b.Name, 70))
	p.account("CdtrAcct", b.IBAN)
	p.agent("CdtrAgt", b.BIC)
	p.leaf("ChrgBr", "SLEV")
	p.w.WriteString("<CdtrSchmeId><Id><PrvtId><Othr>")
	p.leaf("Id", b.CreditorID)
	p.w.WriteString("<SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></CdtrSchmeId>\n")
	return nil
}

// Payment adds a transaction to the open block.
func (p *PainWriter) Payment(t Payment) error {
	if p.block == nil {
		return fmt.Errorf("payment %s outside a block", t.EndToEndID)
	}
	if err := CheckReference(t.EndToEndID, true); err != nil {
		return fmt.Errorf("EndToEndId: %w", err)
	}
	if err := checkAmount(t.Amount); err != nil {
		return fmt.Errorf("payment %s: %w", t.EndToEndID, err)
	}
	if _, err := CheckIBAN(t.IBAN); err != nil {
		return fmt.Errorf("payment %s: account: %w", t.EndToEndID, err)
	}
	name := text(t.Name, 70)
	if name == "" {
		return fmt.Errorf("payment %s: a name is required", t.EndToEndID)
	}
	p.n, p.bn = p.n+1, p.bn+1
	p.sum, p.bsum = p.sum.Add(t.Amount), p.bsum.Add(t.Amount)
	if p.sct {
		p.w.WriteString("<CdtTrfTxInf><PmtId>")
		p.leaf("EndToEndId", t.EndToEndID)
		p.w.WriteString(`</PmtId><Amt><InstdAmt Ccy="EUR">` + t.Amount.StringFixed(2) + "</InstdAmt></Amt>")
		if t.BIC != "" {
			p.agent("CdtrAgt", t.BIC)
		}
		p.party("Cdtr", name)
		p.account("CdtrAcct", t.IBAN)
		p.remittance(t.Remittance)
		p.w.WriteString("</CdtTrfTxInf>\n")
		return nil
	}
	if err := CheckReference(t.MandateID, false); err != nil {
		return fmt.Errorf("payment %s: MndtId: %w", t.EndToEndID, err)
	}
	if t.SignatureDate.IsZero() || t.SignatureDate.After(p.block.Date) {
		return fmt.Errorf("payment %s: DtOfSgntr %q must be a date not after the collection date %s", t.EndToEndID, t.SignatureDate, p.block.Date)
	}
	p.w.WriteString("<DrctDbtTxInf><PmtId>")
	p.leaf("EndToEndId", t.EndToEndID)
	p.w.WriteString(`</PmtId><InstdAmt Ccy="EUR">` + t.Amount.StringFixed(2) + "</InstdAmt><DrctDbtTx><MndtRltdInf>")
	p.leaf("MndtId", t.MandateID)
	p.leaf("DtOfSgntr", t.SignatureDate.String())
	if a := t.Amendment; a != nil {
		p.w.WriteString("<AmdmntInd>true</AmdmntInd><AmdmntInfDtls>")
		if a.OriginalMandateID != "" {
			if err := CheckReference(a.OriginalMandateID, false); err != nil {
				return fmt.Errorf("payment %s: OrgnlMndtId: %w", t.EndToEndID, err)
			}
			p.leaf("OrgnlMndtId", a.OriginalMandateID)
		}
		if a.OriginalCreditorID != "" {
			p.w.WriteString("<OrgnlCdtrSchmeId><Id><PrvtId><Othr>")
			p.leaf("Id", a.OriginalCreditorID)
			p.w.WriteString("<SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></OrgnlCdtrSchmeId>")
		}
		if a.OriginalDebtorIBAN != "" {
			p.account("OrgnlDbtrAcct", a.OriginalDebtorIBAN)
		}
		if a.SameMandateNewAgent {
			p.w.WriteString("<OrgnlDbtrAgt><FinInstnId><Othr><Id>SMNDA</Id></Othr></FinInstnId></OrgnlDbtrAgt>")
		}
		p.w.WriteString("</AmdmntInfDtls>")
	} else {
		p.w.WriteString("<AmdmntInd>false</AmdmntInd>")
	}
	p.w.WriteString("</MndtRltdInf></DrctDbtTx>")
	p.agent("DbtrAgt", t.BIC)
	p.party("Dbtr", name)
	p.account("DbtrAcct", t.IBAN)
	p.remittance(t.Remittance)
	p.w.WriteString("</DrctDbtTxInf>\n")
	return nil
}

// Close ends the last block and the document, and flushes.
func (p *PainWriter) Close() error {
	if err := p.endBlock(); err != nil {
		return err
	}
	if p.n != p.h.NbOfTxs || !p.sum.Equal(p.h.CtrlSum) {
		return fmt.Errorf("%s: %d transactions for %s written, the header says %d for %s (AM18/AM10)",
			p.h.MsgID, p.n, p.sum.StringFixed(2), p.h.NbOfTxs, p.h.CtrlSum.StringFixed(2))
	}
	root := "CstmrDrctDbtInitn"
	if p.sct {
		root = "CstmrCdtTrfInitn"
	}
	p.w.WriteString("</" + root + ">\n</Document>\n")
	return p.w.Flush()
}

func (p *PainWriter) endBlock() error {
	b := p.block
	if b == nil {
		return nil
	}
	if p.bn != b.NbOfTxs || !p.bsum.Equal(b.CtrlSum) {
		return fmt.Errorf("block %s: %d transactions for %s written, its header says %d for %s (AM18/AM10)",
			b.PmtInfID, p.bn, p.bsum.StringFixed(2), b.NbOfTxs, b.CtrlSum.StringFixed(2))
	}
	p.w.WriteString("</PmtInf>\n")
	p.block = nil
	return nil
}

func (p *PainWriter) leaf(name, v string) {
	p.w.WriteByte('<')
	p.w.WriteString(name)
	p.w.WriteByte('>')
	writeEscaped(p.w, v)
	p.w.WriteString("</")
	p.w.WriteString(name)
	p.w.WriteByte('>')
}

// writeEscaped writes v as XML character data exactly as xml.EscapeText does.
// Text with nothing to escape (the usual case: references, IBANs, dates, names in
// the EPC character set) is written as it is, without a copy.
func writeEscaped(w *bufio.Writer, v string) {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= 0x80 || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' {
			xml.EscapeText(w, []byte(v))
			return
		}
	}
	w.WriteString(v)
}

// party writes a party by its name, already in the EPC character set and cut to 70.
func (p *PainWriter) party(tag, name string) {
	p.w.WriteString("<" + tag + ">")
	p.leaf("Nm", name)
	p.w.WriteString("</" + tag + ">")
}

func (p *PainWriter) account(name, iban string) {
	p.w.WriteString("<" + name + "><Id>")
	p.leaf("IBAN", NormalizeIBAN(iban))
	p.w.WriteString("</Id></" + name + ">")
}

// agent writes a bank by its BIC, or NOTPROVIDED (IBAN-only) when there is none.
func (p *PainWriter) agent(name, bic string) {
	p.w.WriteString("<" + name + "><FinInstnId>")
	switch {
	case bic == "":
		p.w.WriteString("<Othr><Id>NOTPROVIDED</Id></Othr>")
	case p.msg == Pain008v08 || p.msg == Pain001v09:
		p.leaf("BICFI", bic)
	default:
		p.leaf("BIC", bic)
	}
	p.w.WriteString("</FinInstnId></" + name + ">")
}

func (p *PainWriter) remittance(s string) {
	if s = text(s, 140); s != "" {
		p.w.WriteString("<RmtInf>")
		p.leaf("Ustrd", s)
		p.w.WriteString("</RmtInf>")
	}
}

// text is s in the EPC character set, trimmed and cut to n characters.
func text(s string, n int) string {
	return strings.TrimSpace(Truncate(strings.TrimSpace(ToEPC(s)), n))
}

func checkAmount(a decimal.Decimal) error {
	switch {
	case a.Exponent() < -2 && !a.Equal(a.Round(2)):
		return fmt.Errorf("amount %s has more than two decimals", a.String())
	case a.LessThan(decimal.New(1, -2)) || a.GreaterThan(MaxAmount):
		return fmt.Errorf("amount %s is outside 0.01 to 999999999.99", a.StringFixed(2))
	}
	return nil
}

func checkTotals(what string, n int, sum decimal.Decimal) error {
	if n < 1 {
		return fmt.Errorf("%s: NbOfTxs %d: a message or block needs a transaction", what, n)
	}
	if sum.Exponent() < -2 && !sum.Equal(sum.Round(2)) {
		return fmt.Errorf("%s: CtrlSum %s has more than two decimals", what, sum.String())
	}
	return nil
}
