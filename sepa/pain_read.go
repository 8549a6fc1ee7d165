package sepa

import (
	"encoding/xml"
	"fmt"
	"io"
	"settle"
	"strings"
)

// Initiation is the group header of a pain.008 or pain.001 file.
type Initiation struct {
	Kind    string // pain.008 or pain.001
	Message string // the whole message name, such as pain.008.001.08
	MsgID   string
	Created string
	NbOfTxs string
	CtrlSum string
}

// InitBlock is a payment information block of a pain.008 or pain.001.
type InitBlock struct {
	PmtInfID     string
	BatchBooking bool   // BtchBookg true, or absent (the bank's default books the block as one entry)
	Date         string // ReqdColltnDt or ReqdExctnDt
	SequenceType string // FRST, RCUR... (pain.008)
	IBAN         string // the initiating party's own account: CdtrAcct (pain.008) or DbtrAcct (pain.001)
}

// InitTx is one direct debit or credit transfer of a block.
type InitTx struct {
	EndToEndID string
	Amount     settle.Money
	MandateID  string // pain.008
	Name       string // the debtor (pain.008) or creditor (pain.001)
	IBAN       string // the debtor's (pain.008) or creditor's (pain.001) account
}

type xInitTx struct {
	EndToEndID string `xml:"PmtId>EndToEndId"`
	InstdAmt   string `xml:"InstdAmt"`     // pain.008
	AmtInstd   string `xml:"Amt>InstdAmt"` // pain.001
	MndtID     string `xml:"DrctDbtTx>MndtRltdInf>MndtId"`
	Dbtr       string `xml:"Dbtr>Nm"`
	DbtrIBAN   string `xml:"DbtrAcct>Id>IBAN"`
	Cdtr       string `xml:"Cdtr>Nm"`
	CdtrIBAN   string `xml:"CdtrAcct>Id>IBAN"`
}

// blockFields are the elements read only inside a PmtInf block.
var blockFields = map[string]bool{"PmtInfId": true, "SeqTp": true, "ReqdColltnDt": true, "ReqdExctnDt": true, "BtchBookg": true,
	"CdtrAcct": true, "DbtrAcct": true, "DrctDbtTxInf": true, "CdtTrfTxInf": true}

// ReadInitiation reads a pain.008 or pain.001 file (the files settle sends, read
// back as a bank would), calling each for every transaction with its block. It
// streams: a block of a million transactions is never held whole. Errors name the
// file, the transaction's position and the field.
func ReadInitiation(r io.Reader, file string, each func(InitBlock, InitTx) error) (Initiation, error) {
	dec, _ := newBoundedDecoder(newSource(r))
	var (
		head  Initiation
		block *InitBlock
		pos   int
	)
	fail := func(field string, err error) error {
		return &ParseError{File: file, Entry: pos, Field: field, Err: err}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if head.Kind == "" {
				return head, fail("", fmt.Errorf("not a pain.008 or pain.001 document"))
			}
			return head, nil
		}
		if err != nil {
			return head, fail("", fmt.Errorf("malformed XML: %w", err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if head.Kind == "" {
				ns := strings.TrimPrefix(t.Name.Space, isoPrefix)
				if t.Name.Local != "Document" || !(strings.HasPrefix(ns, "pain.008.") || strings.HasPrefix(ns, "pain.001.")) {
					return head, fail("", fmt.Errorf("namespace %q is not a pain.008 or pain.001", t.Name.Space))
				}
				head.Kind, head.Message = ns[:len("pain.008")], ns
				continue
			}
			if blockFields[t.Name.Local] && block == nil {
				return head, fail(t.Name.Local, fmt.Errorf("outside a PmtInf block"))
			}
			var text *string
			switch t.Name.Local {
			case "GrpHdr":
				var h struct {
					MsgID   string `xml:"MsgId"`
					Created string `xml:"CreDtTm"`
					N       string `xml:"NbOfTxs"`
					Sum     string `xml:"CtrlSum"`
				}
				if err := dec.DecodeElement(&h, &t); err != nil {
					return head, fail("GrpHdr", err)
				}
				head.MsgID, head.Created, head.NbOfTxs, head.CtrlSum = h.MsgID, h.Created, h.N, h.Sum
			case "PmtInf":
				block = &InitBlock{BatchBooking: true}
			case "PmtInfId":
				text = &block.PmtInfID
			case "SeqTp":
				text = &block.SequenceType
			case "ReqdColltnDt":
				text = &block.Date
			case "ReqdExctnDt": // <Dt> inside in pain.001.001.09, the date itself in .03
				var d struct {
					Dt   string `xml:"Dt"`
					Text string `xml:",chardata"`
				}
				if err := dec.DecodeElement(&d, &t); err != nil {
					return head, fail("PmtInf/ReqdExctnDt", err)
				}
				block.Date = strings.TrimSpace(d.Dt + d.Text)
			case "BtchBookg":
				var b string
				if err := dec.DecodeElement(&b, &t); err != nil {
					return head, fail("PmtInf/BtchBookg", err)
				}
				block.BatchBooking = strings.TrimSpace(b) != "false"
			case "CdtrAcct", "DbtrAcct": // the block's own account; a transaction's is read with it
				var a struct {
					IBAN string `xml:"Id>IBAN"`
				}
				if err := dec.DecodeElement(&a, &t); err != nil {
					return head, fail("PmtInf/"+t.Name.Local, err)
				}
				block.IBAN = a.IBAN
			case "DrctDbtTxInf", "CdtTrfTxInf":
				pos++
				var x xInitTx
				if err := dec.DecodeElement(&x, &t); err != nil {
					return head, fail(t.Name.Local, err)
				}
				tx := InitTx{EndToEndID: x.EndToEndID, MandateID: x.MndtID, Name: x.Dbtr, IBAN: x.DbtrIBAN}
				amount := x.InstdAmt
				if head.Kind == "pain.001" {
					tx.Name, tx.IBAN, amount = x.Cdtr, x.CdtrIBAN, x.AmtInstd
				}
				a, err := ParseISOAmount(strings.TrimSpace(amount))
				if err != nil {
					return head, fail(t.Name.Local+"/InstdAmt", err)
				}
				tx.Amount = settle.Money{Decimal: a}
				if err := each(*block, tx); err != nil {
					return head, err
				}
			}
			if text != nil {
				if err := dec.DecodeElement(text, &t); err != nil {
					return head, fail("PmtInf/"+t.Name.Local, err)
				}
				*text = strings.TrimSpace(*text)
			}
		}
	}
}
