package sepa

import (
	"encoding/xml"
	"fmt"
	"io"
	"settle"
	"strconv"
	"strings"
)

// Status levels of a pain.002.
const (
	LevelGroup       = "group"
	LevelBlock       = "block"
	LevelTransaction = "transaction"
)

// Reason is a status reason: an ISO code (or proprietary one) and its text.
type Reason struct {
	Code string `json:"code,omitempty"`
	Info string `json:"info,omitempty"`
}

// Status is one status of a pain.002: of the original message (group), of a
// payment information block, or of a transaction.
type Status struct {
	Position        int           `json:"position"` // 1-based, in the file
	Level           string        `json:"level"`
	OrigMessageID   string        `json:"originalMessageId"`
	OrigMessageName string        `json:"originalMessageName,omitempty"`
	OrigPmtInfID    string        `json:"originalPmtInfId,omitempty"`
	OrigInstrID     string        `json:"originalInstrId,omitempty"`
	OrigEndToEndID  string        `json:"originalEndToEndId,omitempty"`
	Status          string        `json:"status"` // ACTC, ACCP, RJCT, PART, PDNG, RCVD, ...
	Reasons         []Reason      `json:"reasons,omitempty"`
	OrigTxCount     int           `json:"originalTransactions,omitempty"`
	OrigControlSum  *settle.Money `json:"originalControlSum,omitempty"`
	Amount          *settle.Money `json:"amount,omitempty"`
	Currency        string        `json:"currency,omitempty"`
}

type xStsRsnInf struct {
	Rsn struct {
		Cd    string `xml:"Cd"`
		Prtry string `xml:"Prtry"`
	} `xml:"Rsn"`
	AddtlInf []string `xml:"AddtlInf"`
}

func reasons(rs []xStsRsnInf) []Reason {
	var out []Reason
	for _, r := range rs {
		out = append(out, Reason{Code: strings.TrimSpace(r.Rsn.Cd + r.Rsn.Prtry), Info: strings.TrimSpace(strings.Join(r.AddtlInf, " "))})
	}
	return out
}

type xGrpSts struct {
	OrgnlMsgId   string       `xml:"OrgnlMsgId"`
	OrgnlMsgNmId string       `xml:"OrgnlMsgNmId"`
	OrgnlNbOfTxs string       `xml:"OrgnlNbOfTxs"`
	OrgnlCtrlSum string       `xml:"OrgnlCtrlSum"`
	GrpSts       string       `xml:"GrpSts"`
	StsRsnInf    []xStsRsnInf `xml:"StsRsnInf"`
}

type xTxSts struct {
	OrgnlInstrId    string       `xml:"OrgnlInstrId"`
	OrgnlEndToEndId string       `xml:"OrgnlEndToEndId"`
	TxSts           string       `xml:"TxSts"`
	StsRsnInf       []xStsRsnInf `xml:"StsRsnInf"`
	OrgnlTxRef      struct {
		Amt struct {
			InstdAmt *xAmt `xml:"InstdAmt"`
		} `xml:"Amt"`
	} `xml:"OrgnlTxRef"`
}

// pain002Next returns the item iterator of a pain.002 whose message element is msg.
// Transactions are streamed: a block with a million statuses is never held whole.
// A block's own status (PmtInfSts), which the schema puts before its transactions,
// is returned before them; a block without one returns only its transactions.
func (r *Reader) pain002Next(msg xml.StartElement) func() (any, error) {
	var (
		origMsgID    string
		block        *Status // the block being read; nil between blocks
		blockEmitted bool
		pending      *xml.StartElement // a transaction read while its block was returned
	)
	emitBlock := func() *Status {
		if blockEmitted {
			return nil
		}
		blockEmitted = true
		if block.Status == "" && len(block.Reasons) == 0 {
			return nil
		}
		r.entry++
		block.Position = r.entry
		return block
	}
	return func() (any, error) {
		for {
			if pending != nil {
				start := *pending
				pending = nil
				return r.decodeTxStatus(start, origMsgID, block.OrigPmtInfID)
			}
			if block == nil {
				start, ok, err := r.child()
				if err != nil {
					return nil, r.fail("", err)
				}
				if !ok {
					return nil, io.EOF
				}
				switch start.Name.Local {
				case "GrpHdr":
					if _, err := r.groupHeader(start); err != nil {
						return nil, err
					}
				case "OrgnlGrpInfAndSts":
					st, err := r.decodeGroupStatus(start)
					if st != nil {
						origMsgID = st.OrigMessageID
					}
					return st, err
				case "OrgnlPmtInfAndSts":
					block, blockEmitted = &Status{Level: LevelBlock, OrigMessageID: origMsgID}, false
				default:
					if err := r.dec.Skip(); err != nil {
						return nil, r.fail("", r.syntax(err))
					}
				}
				continue
			}
			start, ok, err := r.child()
			if err != nil {
				return nil, r.fail("", err)
			}
			if !ok { // end of the block
				b := emitBlock()
				block = nil
				if b != nil {
					return b, nil
				}
				continue
			}
			var field any
			switch start.Name.Local {
			case "OrgnlPmtInfId":
				field = &block.OrigPmtInfID
			case "PmtInfSts":
				field = &block.Status
			case "StsRsnInf":
				var x xStsRsnInf
				if err := r.dec.DecodeElement(&x, &start); err != nil {
					return nil, r.fail("OrgnlPmtInfAndSts/StsRsnInf", r.syntax(err))
				}
				block.Reasons = append(block.Reasons, reasons([]xStsRsnInf{x})...)
				continue
			case "TxInfAndSts":
				if b := emitBlock(); b != nil {
					pending = &start
					return b, nil
				}
				return r.decodeTxStatus(start, origMsgID, block.OrigPmtInfID)
			default:
				if err := r.dec.Skip(); err != nil {
					return nil, r.fail("", r.syntax(err))
				}
				continue
			}
			p := field.(*string)
			if err := r.dec.DecodeElement(p, &start); err != nil {
				return nil, r.fail("OrgnlPmtInfAndSts/"+start.Name.Local, r.syntax(err))
			}
			*p = strings.TrimSpace(*p)
		}
	}
}

func (r *Reader) decodeGroupStatus(start xml.StartElement) (*Status, error) {
	var g xGrpSts
	r.entry++
	if err := r.dec.DecodeElement(&g, &start); err != nil {
		return nil, r.fail("OrgnlGrpInfAndSts", r.syntax(err))
	}
	st := &Status{Position: r.entry, Level: LevelGroup, OrigMessageID: strings.TrimSpace(g.OrgnlMsgId),
		OrigMessageName: strings.TrimSpace(g.OrgnlMsgNmId), Status: strings.TrimSpace(g.GrpSts), Reasons: reasons(g.StsRsnInf)}
	if s := strings.TrimSpace(g.OrgnlNbOfTxs); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, r.fail("OrgnlGrpInfAndSts/OrgnlNbOfTxs", fmt.Errorf("%q is not a number", s))
		}
		st.OrigTxCount = n
	}
	if s := strings.TrimSpace(g.OrgnlCtrlSum); s != "" {
		d, err := ParseISOAmount(s)
		if err != nil {
			return nil, r.fail("OrgnlGrpInfAndSts/OrgnlCtrlSum", err)
		}
		st.OrigControlSum = &settle.Money{Decimal: d}
	}
	return st, nil
}

func (r *Reader) decodeTxStatus(start xml.StartElement, origMsgID, blockID string) (any, error) {
	r.entry++
	var x xTxSts
	if err := r.walk(&x); err != nil {
		return nil, r.fail("TxInfAndSts", r.syntax(err))
	}
	st := &Status{Position: r.entry, Level: LevelTransaction, OrigMessageID: origMsgID, OrigPmtInfID: blockID,
		OrigInstrID: strings.TrimSpace(x.OrgnlInstrId), OrigEndToEndID: strings.TrimSpace(x.OrgnlEndToEndId),
		Status: strings.TrimSpace(x.TxSts), Reasons: reasons(x.StsRsnInf)}
	if a := x.OrgnlTxRef.Amt.InstdAmt; a != nil {
		amt, ccy, fe := convertAmount("OrgnlTxRef/Amt/InstdAmt", a, true)
		if fe != nil {
			return nil, r.fail("TxInfAndSts/"+fe.field, fe.err)
		}
		st.Amount, st.Currency = &amt, ccy
	}
	return st, nil
}

func (x *xTxSts) reset() { *x = xTxSts{} }

func (x *xTxSts) open(path []byte) {
	if string(path) == "StsRsnInf" {
		x.StsRsnInf = append(x.StsRsnInf, xStsRsnInf{})
	}
}

func (x *xTxSts) set(path, text []byte, ccy string) {
	switch string(path) {
	case "OrgnlInstrId":
		x.OrgnlInstrId = string(text)
	case "OrgnlEndToEndId":
		x.OrgnlEndToEndId = string(text)
	case "TxSts":
		x.TxSts = string(text)
	case "OrgnlTxRef/Amt/InstdAmt":
		x.OrgnlTxRef.Amt.InstdAmt = &xAmt{Value: string(text), Ccy: ccy}
	case "StsRsnInf/Rsn/Cd", "StsRsnInf/Rsn/Prtry", "StsRsnInf/AddtlInf":
		rs := last(x.StsRsnInf)
		if rs == nil {
			return
		}
		switch string(path) {
		case "StsRsnInf/Rsn/Cd":
			rs.Rsn.Cd = string(text)
		case "StsRsnInf/Rsn/Prtry":
			rs.Rsn.Prtry = string(text)
		default:
			rs.AddtlInf = append(rs.AddtlInf, string(text))
		}
	}
}
