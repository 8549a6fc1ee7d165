package sepa

import (
	"encoding/xml"
	"fmt"
)

// walker is an element decoded by walk: open is called at each start tag below it
// and set at each end tag, with the path below the element ("Refs/EndToEndId"),
// the element's own text and its Ccy attribute.
type walker interface {
	open(path []byte)
	set(path, text []byte, ccy string)
	reset() // back to the zero value, after a fast path that gave up
}

// walk fills n from the tokens of the element whose start tag was just read: the
// fast path for the repeated elements of bank files (Ntry, TxInfAndSts,
// CdtTrfTxInf). It produces exactly what xml.Decoder.DecodeElement would from the
// struct tags (TestWalkMatchesDecodeElement and FuzzReader check this), without
// reflection and with one string per kept field.
func (r *Reader) walk(n walker) error {
	if r.fastWalk(n) {
		tok, err := r.dec.Token() // the element's end tag
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.EndElement); !ok {
			return fmt.Errorf("the fast path stopped before %T, not an end tag", tok)
		}
		return nil
	}
	var (
		path  []byte   // the current element's path below Ntry: "NtryDtls/TxDtls/Refs/EndToEndId"
		stack []int    // path lengths to return to at each end tag
		texts [][]byte // the text directly inside each open element (buffers reused)
		ccys  []string // the Ccy attribute of each open element
		depth int
	)
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, len(path))
			if len(path) > 0 {
				path = append(path, '/')
			}
			path = append(path, t.Name.Local...)
			depth++
			if len(texts) < depth {
				texts, ccys = append(texts, nil), append(ccys, "")
			}
			texts[depth-1], ccys[depth-1] = texts[depth-1][:0], ""
			for _, a := range t.Attr {
				if a.Name.Local == "Ccy" {
					ccys[depth-1] = a.Value
				}
			}
			n.open(path)
		case xml.CharData:
			if depth > 0 {
				texts[depth-1] = append(texts[depth-1], t...)
			}
		case xml.EndElement:
			if depth == 0 {
				return nil // </Ntry>
			}
			n.set(path, texts[depth-1], ccys[depth-1])
			path = path[:stack[len(stack)-1]]
			stack = stack[:len(stack)-1]
			depth--
		}
	}
}

func (n *xNtry) reset() { *n = xNtry{} }

// open creates the list item or optional part an element starts.
func (n *xNtry) open(path []byte) {
	switch string(path) {
	case "BookgDt":
		n.BookgDt = &xDate{}
	case "ValDt":
		n.ValDt = &xDate{}
	case "Chrgs":
		n.Chrgs = append(n.Chrgs, xCharges{})
	case "Chrgs/Rcrd":
		if c := last(n.Chrgs); c != nil {
			c.Rcrd = append(c.Rcrd, xCharge{})
		}
	case "NtryDtls":
		n.NtryDtls = append(n.NtryDtls, xNtryDtls{})
	case "Btch": // .001.01
		n.Btch = &xBtch{}
	case "TxDtls": // .001.01
		n.TxDtls = append(n.TxDtls, xTxDtls{})
	default:
		if rest, ok := cut(path, "TxDtls/"); ok {
			if t := last(n.TxDtls); t != nil {
				t.open(rest)
			}
		} else if d := last(n.NtryDtls); d != nil {
			if rest, ok := cut(path, "NtryDtls/"); ok {
				d.open(rest)
			}
		}
	}
}

func (d *xNtryDtls) open(path []byte) {
	switch string(path) {
	case "Btch":
		d.Btch = &xBtch{}
	case "TxDtls":
		d.TxDtls = append(d.TxDtls, xTxDtls{})
	default:
		if t := last(d.TxDtls); t != nil {
			if rest, ok := cut(path, "TxDtls/"); ok {
				t.open(rest)
			}
		}
	}
}

func (t *xTxDtls) open(path []byte) {
	switch string(path) {
	case "Chrgs":
		t.Chrgs = append(t.Chrgs, xCharges{})
	case "Chrgs/Rcrd":
		if c := last(t.Chrgs); c != nil {
			c.Rcrd = append(c.Rcrd, xCharge{})
		}
	case "RmtInf/Strd":
		t.RmtInf.Strd = append(t.RmtInf.Strd, xStrd{})
	}
}

// set stores the text of a leaf element.
func (n *xNtry) set(path, text []byte, ccy string) {
	switch string(path) {
	case "NtryRef":
		n.NtryRef = string(text)
	case "Amt":
		n.Amt = &xAmt{Value: string(text), Ccy: ccy}
	case "CdtDbtInd":
		n.CdtDbtInd = string(text)
	case "RvslInd":
		n.RvslInd = string(text)
	case "Sts":
		n.Sts.Text = string(text)
	case "Sts/Cd":
		n.Sts.Cd = string(text)
	case "Sts/Prtry":
		n.Sts.Prtry = string(text)
	case "BookgDt/Dt":
		n.BookgDt.Dt = string(text)
	case "BookgDt/DtTm":
		n.BookgDt.DtTm = string(text)
	case "ValDt/Dt":
		n.ValDt.Dt = string(text)
	case "ValDt/DtTm":
		n.ValDt.DtTm = string(text)
	case "AcctSvcrRef":
		n.AcctSvcrRef = string(text)
	case "AddtlNtryInf":
		n.AddtlNtryInf = string(text)
	default:
		if rest, ok := cut(path, "BkTxCd/"); ok {
			n.BkTxCd.set(rest, text)
		} else if rest, ok := cut(path, "Chrgs/"); ok {
			if c := last(n.Chrgs); c != nil {
				c.set(rest, text, ccy)
			}
		} else if rest, ok := cut(path, "NtryDtls/"); ok {
			if d := last(n.NtryDtls); d != nil {
				d.set(rest, text, ccy)
			}
		} else if rest, ok := cut(path, "Btch/"); ok && n.Btch != nil { // .001.01
			n.Btch.set(rest, text, ccy)
		} else if rest, ok := cut(path, "TxDtls/"); ok { // .001.01
			if t := last(n.TxDtls); t != nil {
				t.set(rest, text, ccy)
			}
		}
	}
}

func (b *xBtch) set(path, text []byte, ccy string) {
	switch string(path) {
	case "MsgId":
		b.MsgId = string(text)
	case "PmtInfId":
		b.PmtInfId = string(text)
	case "NbOfTxs":
		b.NbOfTxs = string(text)
	case "TtlAmt":
		b.TtlAmt = &xAmt{Value: string(text), Ccy: ccy}
	case "CdtDbtInd":
		b.CdtDbtInd = string(text)
	}
}

func (d *xNtryDtls) set(path, text []byte, ccy string) {
	if rest, ok := cut(path, "Btch/"); ok && d.Btch != nil {
		d.Btch.set(rest, text, ccy)
		return
	}
	if rest, ok := cut(path, "TxDtls/"); ok {
		if t := last(d.TxDtls); t != nil {
			t.set(rest, text, ccy)
		}
	}
}

func (t *xTxDtls) set(path, text []byte, ccy string) {
	s := func() string { return string(text) }
	switch string(path) {
	case "Refs/MsgId":
		t.Refs.MsgId = s()
	case "Refs/AcctSvcrRef":
		t.Refs.AcctSvcrRef = s()
	case "Refs/PmtInfId":
		t.Refs.PmtInfId = s()
	case "Refs/InstrId":
		t.Refs.InstrId = s()
	case "Refs/EndToEndId":
		t.Refs.EndToEndId = s()
	case "Refs/TxId":
		t.Refs.TxId = s()
	case "Refs/MndtId":
		t.Refs.MndtId = s()
	case "Amt":
		t.Amt = &xAmt{Value: s(), Ccy: ccy}
	case "AmtDtls/InstdAmt/Amt":
		t.AmtDtls.InstdAmt.Amt = &xAmt{Value: s(), Ccy: ccy}
	case "AmtDtls/TxAmt/Amt":
		t.AmtDtls.TxAmt.Amt = &xAmt{Value: s(), Ccy: ccy}
	case "CdtDbtInd":
		t.CdtDbtInd = s()
	case "RmtInf/Ustrd":
		t.RmtInf.Ustrd = append(t.RmtInf.Ustrd, s())
	case "RmtInf/Strd/CdtrRefInf/Ref":
		if st := last(t.RmtInf.Strd); st != nil {
			st.CdtrRefInf.Ref = s()
		}
	case "RtrInf/Rsn/Cd":
		t.RtrInf.Rsn.Cd = s()
	case "RtrInf/Rsn/Prtry":
		t.RtrInf.Rsn.Prtry = s()
	case "RtrInf/AddtlInf":
		t.RtrInf.AddtlInf = append(t.RtrInf.AddtlInf, s())
	case "AddtlTxInf":
		t.AddtlTxInf = s()
	default:
		if rest, ok := cut(path, "BkTxCd/"); ok {
			t.BkTxCd.set(rest, text)
		} else if rest, ok := cut(path, "RtrInf/OrgnlBkTxCd/"); ok {
			t.RtrInf.OrgnlBkTxCd.set(rest, text)
		} else if rest, ok := cut(path, "Chrgs/"); ok {
			if c := last(t.Chrgs); c != nil {
				c.set(rest, text, ccy)
			}
		} else if rest, ok := cut(path, "RltdPties/"); ok {
			p := &t.RltdPties
			_ = setParty(rest, text, "Dbtr/", &p.Dbtr) || setAcct(rest, text, "DbtrAcct/", &p.DbtrAcct) ||
				setParty(rest, text, "UltmtDbtr/", &p.UltmtDbtr) || setParty(rest, text, "Cdtr/", &p.Cdtr) ||
				setAcct(rest, text, "CdtrAcct/", &p.CdtrAcct) || setParty(rest, text, "UltmtCdtr/", &p.UltmtCdtr)
		}
	}
}

// setParty stores a party's name found at prefix ("Dbtr/Nm", "Dbtr/Pty/Nm"), and
// tells whether path was that party's.
func setParty(path, text []byte, prefix string, p *xParty) bool {
	rest, ok := cut(path, prefix)
	if ok {
		switch string(rest) {
		case "Nm":
			p.Nm = string(text)
		case "Pty/Nm":
			p.Pty.Nm = string(text)
		}
	}
	return ok
}

// setAcct stores an account's IBAN, other id or currency found at prefix.
func setAcct(path, text []byte, prefix string, a *xAcct) bool {
	rest, ok := cut(path, prefix)
	if ok {
		switch string(rest) {
		case "Id/IBAN":
			a.Id.IBAN = string(text)
		case "Id/Othr/Id":
			a.Id.Othr.Id = string(text)
		case "Ccy":
			a.Ccy = string(text)
		}
	}
	return ok
}

func (b *xBkTxCd) set(path, text []byte) {
	switch string(path) {
	case "Domn/Cd":
		b.Domn.Cd = string(text)
	case "Domn/Fmly/Cd":
		b.Domn.Fmly.Cd = string(text)
	case "Domn/Fmly/SubFmlyCd":
		b.Domn.Fmly.SubFmlyCd = string(text)
	case "Prtry/Cd":
		b.Prtry.Cd = string(text)
	case "Prtry/Issr":
		b.Prtry.Issr = string(text)
	}
}

func (c *xCharges) set(path, text []byte, ccy string) {
	switch string(path) {
	case "Amt":
		c.Amt = &xAmt{Value: string(text), Ccy: ccy}
	case "CdtDbtInd":
		c.CdtDbtInd = string(text)
	case "ChrgInclInd":
		c.ChrgInclInd = string(text)
	case "TtlChrgsAndTaxAmt":
		c.TtlChrgsAndTaxAmt = &xAmt{Value: string(text), Ccy: ccy}
	default:
		if rest, ok := cut(path, "Rcrd/"); ok {
			if rc := last(c.Rcrd); rc != nil {
				switch string(rest) {
				case "Amt":
					rc.Amt = &xAmt{Value: string(text), Ccy: ccy}
				case "CdtDbtInd":
					rc.CdtDbtInd = string(text)
				case "ChrgInclInd":
					rc.ChrgInclInd = string(text)
				}
			}
		}
	}
}

func last[T any](s []T) *T {
	if len(s) == 0 {
		return nil
	}
	return &s[len(s)-1]
}

// cut returns what follows prefix in path.
func cut(path []byte, prefix string) ([]byte, bool) {
	if len(path) > len(prefix) && string(path[:len(prefix)]) == prefix {
		return path[len(prefix):], true
	}
	return nil, false
}
