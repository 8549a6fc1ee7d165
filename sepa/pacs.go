package sepa

import (
	"encoding/xml"
	"fmt"
	"io"
	"settle"
	"strings"
)

// xCdtTrfTxInf is a pacs.008 transaction (.02, .08, .09).
type xCdtTrfTxInf struct {
	PmtId struct {
		InstrId    string `xml:"InstrId"`
		EndToEndId string `xml:"EndToEndId"`
		TxId       string `xml:"TxId"`
	} `xml:"PmtId"`
	IntrBkSttlmAmt *xAmt  `xml:"IntrBkSttlmAmt"`
	IntrBkSttlmDt  string `xml:"IntrBkSttlmDt"`
	Dbtr           xParty `xml:"Dbtr"`
	DbtrAcct       xAcct  `xml:"DbtrAcct"`
	UltmtDbtr      xParty `xml:"UltmtDbtr"`
	Cdtr           xParty `xml:"Cdtr"`
	CdtrAcct       xAcct  `xml:"CdtrAcct"`
	RmtInf         struct {
		Ustrd []string `xml:"Ustrd"`
		Strd  []xStrd  `xml:"Strd"`
	} `xml:"RmtInf"`
}

// xPmtRtrTxInf is a pacs.004 return (.02, .09, .10).
type xPmtRtrTxInf struct {
	RtrId       string `xml:"RtrId"`
	OrgnlGrpInf struct {
		OrgnlMsgId   string `xml:"OrgnlMsgId"`
		OrgnlMsgNmId string `xml:"OrgnlMsgNmId"`
	} `xml:"OrgnlGrpInf"`
	OrgnlInstrId        string `xml:"OrgnlInstrId"`
	OrgnlEndToEndId     string `xml:"OrgnlEndToEndId"`
	OrgnlTxId           string `xml:"OrgnlTxId"`
	RtrdIntrBkSttlmAmt  *xAmt  `xml:"RtrdIntrBkSttlmAmt"`
	IntrBkSttlmDt       string `xml:"IntrBkSttlmDt"`
	OrgnlIntrBkSttlmAmt *xAmt  `xml:"OrgnlIntrBkSttlmAmt"`
	ChrgsInf            []struct {
		Amt *xAmt `xml:"Amt"`
	} `xml:"ChrgsInf"`
	RtrRsnInf []struct {
		Rsn struct {
			Cd    string `xml:"Cd"`
			Prtry string `xml:"Prtry"`
		} `xml:"Rsn"`
		AddtlInf []string `xml:"AddtlInf"`
	} `xml:"RtrRsnInf"`
	OrgnlTxRef struct {
		MndtRltdInf struct {
			MndtId string `xml:"MndtId"`
		} `xml:"MndtRltdInf"`
		Dbtr     xParty `xml:"Dbtr"`
		DbtrAcct xAcct  `xml:"DbtrAcct"`
		Cdtr     xParty `xml:"Cdtr"`
		CdtrAcct xAcct  `xml:"CdtrAcct"`
	} `xml:"OrgnlTxRef"`
}

// pacsNext returns the iterator of a pacs.008 or pacs.004: each transaction is an
// Entry on the account it credits or debits, with one TxDetails.
func (r *Reader) pacsNext(msg xml.StartElement) func() (any, error) {
	var settlement string
	return func() (any, error) {
		for {
			start, ok, err := r.child()
			if err != nil {
				return nil, r.fail("", err)
			}
			if !ok {
				return nil, io.EOF
			}
			switch start.Name.Local {
			case "GrpHdr":
				h, err := r.groupHeader(start)
				if err != nil {
					return nil, err
				}
				settlement = strings.TrimSpace(h.IntrBkSttlmDt)
			case "CdtTrfTxInf":
				r.entry++
				var x xCdtTrfTxInf
				if err := r.walk(&x); err != nil {
					return nil, r.fail("CdtTrfTxInf", r.syntax(err))
				}
				e, fe := convertTransfer(&x, settlement)
				if fe != nil {
					return nil, r.fail("CdtTrfTxInf/"+fe.field, fe.err)
				}
				e.Position = r.entry
				return e, nil
			case "TxInf":
				r.entry++
				var x xPmtRtrTxInf
				if err := r.dec.DecodeElement(&x, &start); err != nil {
					return nil, r.fail("TxInf", r.syntax(err))
				}
				e, fe := convertReturn(&x, settlement)
				if fe != nil {
					return nil, r.fail("TxInf/"+fe.field, fe.err)
				}
				e.Position = r.entry
				return e, nil
			default:
				if err := r.dec.Skip(); err != nil {
					return nil, r.fail("", r.syntax(err))
				}
			}
		}
	}
}

func settlementDate(field, txDate, groupDate string) (settle.Day, *fieldErr) {
	d := strings.TrimSpace(txDate)
	if d == "" {
		d = groupDate
	}
	if d == "" {
		return settle.Day{}, ferr(field, "no settlement date in the transaction or the group header")
	}
	day, err := settle.ParseDay(d)
	if err != nil {
		return day, ferr(field, "%s", err.Error())
	}
	return day, nil
}

// convertTransfer presents an incoming credit transfer as a credit on the creditor's account.
func convertTransfer(x *xCdtTrfTxInf, groupDate string) (*Entry, *fieldErr) {
	amt, ccy, fe := convertAmount("IntrBkSttlmAmt", x.IntrBkSttlmAmt, true)
	if fe != nil {
		return nil, fe
	}
	date, fe := settlementDate("IntrBkSttlmDt", x.IntrBkSttlmDt, groupDate)
	if fe != nil {
		return nil, fe
	}
	trim := strings.TrimSpace
	d := TxDetails{InstrID: trim(x.PmtId.InstrId), EndToEndID: trim(x.PmtId.EndToEndId), TxID: trim(x.PmtId.TxId),
		Amount: &amt, Currency: ccy, DebtorName: trim(x.Dbtr.name()), DebtorIBAN: trim(x.DbtrAcct.id()),
		UltimateDebtor: trim(x.UltmtDbtr.name()), CreditorName: trim(x.Cdtr.name()), CreditorIBAN: trim(x.CdtrAcct.id()),
		Remittance: trim(strings.Join(x.RmtInf.Ustrd, " "))}
	for _, s := range x.RmtInf.Strd {
		if ref := trim(s.CdtrRefInf.Ref); ref != "" {
			d.CreditorRef = ref
			break
		}
	}
	return &Entry{Account: d.CreditorIBAN, Amount: amt, Currency: ccy, Credit: true, Status: "BOOK",
		BookingDate: date, ValueDate: date, AcctSvcrRef: d.TxID,
		BankTxCode: BankTxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT"}, Details: []TxDetails{d}}, nil
}

// convertReturn presents a payment return as a booking: the return of a credit
// transfer (pacs.008) credits its original debtor; that of a direct debit (pacs.003)
// debits its original creditor. The details carry the original end-to-end id, the
// join key with what we sent.
func convertReturn(x *xPmtRtrTxInf, groupDate string) (*Entry, *fieldErr) {
	amt, ccy, fe := convertAmount("RtrdIntrBkSttlmAmt", x.RtrdIntrBkSttlmAmt, true)
	if fe != nil {
		return nil, fe
	}
	date, fe := settlementDate("IntrBkSttlmDt", x.IntrBkSttlmDt, groupDate)
	if fe != nil {
		return nil, fe
	}
	trim := strings.TrimSpace
	directDebit := strings.HasPrefix(trim(x.OrgnlGrpInf.OrgnlMsgNmId), "pacs.003") || trim(x.OrgnlTxRef.MndtRltdInf.MndtId) != ""
	d := TxDetails{EndToEndID: trim(x.OrgnlEndToEndId), OrigEndToEndID: trim(x.OrgnlEndToEndId),
		InstrID: trim(x.OrgnlInstrId), TxID: trim(x.OrgnlTxId), MessageID: trim(x.OrgnlGrpInf.OrgnlMsgId),
		MandateID: trim(x.OrgnlTxRef.MndtRltdInf.MndtId), Amount: &amt, Currency: ccy,
		DebtorName: trim(x.OrgnlTxRef.Dbtr.name()), DebtorIBAN: trim(x.OrgnlTxRef.DbtrAcct.id()),
		CreditorName: trim(x.OrgnlTxRef.Cdtr.name()), CreditorIBAN: trim(x.OrgnlTxRef.CdtrAcct.id())}
	if len(x.RtrRsnInf) > 0 {
		d.ReturnReason = trim(x.RtrRsnInf[0].Rsn.Cd + x.RtrRsnInf[0].Rsn.Prtry)
		d.ReturnInfo = trim(strings.Join(x.RtrRsnInf[0].AddtlInf, " "))
	}
	for i, c := range x.ChrgsInf {
		if c.Amt == nil {
			continue
		}
		ca, cc, fe := convertAmount(fmt.Sprintf("ChrgsInf[%d]/Amt", i+1), c.Amt, true)
		if fe != nil {
			return nil, fe
		}
		d.Charges = append(d.Charges, Charge{Amount: ca, Currency: cc, Debit: true, Included: true})
	}
	e := &Entry{Amount: amt, Currency: ccy, Status: "BOOK", BookingDate: date, ValueDate: date,
		AcctSvcrRef: trim(x.RtrId), Details: []TxDetails{d}}
	if directDebit {
		e.Account, e.Credit = d.CreditorIBAN, false
		e.BankTxCode = BankTxCode{Domain: "PMNT", Family: "IDDT", SubFamily: "UPDD"}
	} else {
		e.Account, e.Credit = d.DebtorIBAN, true
		e.BankTxCode = BankTxCode{Domain: "PMNT", Family: "ICDT", SubFamily: "RRTN"}
	}
	return e, nil
}

func (x *xCdtTrfTxInf) reset() { *x = xCdtTrfTxInf{} }

func (x *xCdtTrfTxInf) open(path []byte) {
	if string(path) == "RmtInf/Strd" {
		x.RmtInf.Strd = append(x.RmtInf.Strd, xStrd{})
	}
}

func (x *xCdtTrfTxInf) set(path, text []byte, ccy string) {
	s := func() string { return string(text) }
	switch string(path) {
	case "PmtId/InstrId":
		x.PmtId.InstrId = s()
	case "PmtId/EndToEndId":
		x.PmtId.EndToEndId = s()
	case "PmtId/TxId":
		x.PmtId.TxId = s()
	case "IntrBkSttlmAmt":
		x.IntrBkSttlmAmt = &xAmt{Value: s(), Ccy: ccy}
	case "IntrBkSttlmDt":
		x.IntrBkSttlmDt = s()
	case "RmtInf/Ustrd":
		x.RmtInf.Ustrd = append(x.RmtInf.Ustrd, s())
	case "RmtInf/Strd/CdtrRefInf/Ref":
		if st := last(x.RmtInf.Strd); st != nil {
			st.CdtrRefInf.Ref = s()
		}
	default:
		_ = setParty(path, text, "Dbtr/", &x.Dbtr) || setAcct(path, text, "DbtrAcct/", &x.DbtrAcct) ||
			setParty(path, text, "UltmtDbtr/", &x.UltmtDbtr) || setParty(path, text, "Cdtr/", &x.Cdtr) ||
			setAcct(path, text, "CdtrAcct/", &x.CdtrAcct)
	}
}
