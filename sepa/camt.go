package sepa

import (
	"encoding/xml"
	"fmt"
	"io"
	"settle"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Balance is a statement balance, signed from the account holder's side: credit
// balances are positive, debit balances negative.
type Balance struct {
	Type     string       `json:"type"` // OPBD, CLBD, PRCD, ITBD, CLAV, ...
	Amount   settle.Money `json:"amount"`
	Currency string       `json:"currency"`
	Date     settle.Day   `json:"date"`
}

// Statement is a camt.053 statement, camt.052 report or camt.054 notification, as
// read before its entries.
type Statement struct {
	Kind      string    `json:"kind"`
	MessageID string    `json:"messageId"`
	ID        string    `json:"statementId"`
	Sequence  string    `json:"electronicSequence,omitempty"`
	Created   string    `json:"created,omitempty"`
	Account   string    `json:"account"`
	Currency  string    `json:"currency,omitempty"`
	Balances  []Balance `json:"balances,omitempty"`
}

// Balance returns the balance of the given type (OPBD, CLBD...) and whether it is there.
func (s *Statement) Balance(typ string) (Balance, bool) {
	for _, b := range s.Balances {
		if b.Type == typ {
			return b, true
		}
	}
	return Balance{}, false
}

// BankTxCode is the bank transaction code: ISO domain/family/sub-family or proprietary.
type BankTxCode struct {
	Domain      string `json:"domain,omitempty"`
	Family      string `json:"family,omitempty"`
	SubFamily   string `json:"subFamily,omitempty"`
	Proprietary string `json:"proprietary,omitempty"`
	Issuer      string `json:"issuer,omitempty"`
}

func (b BankTxCode) String() string {
	if b.Domain != "" {
		return b.Domain + "/" + b.Family + "/" + b.SubFamily
	}
	if b.Proprietary != "" {
		return b.Proprietary
	}
	return ""
}

// Charge is a fee the bank took or reports.
type Charge struct {
	Amount   settle.Money `json:"amount"`
	Currency string       `json:"currency"`
	Debit    bool         `json:"debit"`
	Included bool         `json:"included"` // already in the entry amount
}

// Batch is the Btch of a batch-booked entry.
type Batch struct {
	MessageID    string        `json:"messageId,omitempty"`
	PmtInfID     string        `json:"pmtInfId,omitempty"`
	Transactions int           `json:"transactions,omitempty"`
	Total        *settle.Money `json:"total,omitempty"`
}

// TxDetails are the details of one transaction inside an entry.
type TxDetails struct {
	MessageID      string        `json:"messageId,omitempty"`
	AcctSvcrRef    string        `json:"acctSvcrRef,omitempty"`
	PmtInfID       string        `json:"pmtInfId,omitempty"`
	InstrID        string        `json:"instrId,omitempty"`
	EndToEndID     string        `json:"endToEndId,omitempty"`
	TxID           string        `json:"txId,omitempty"`
	MandateID      string        `json:"mandateId,omitempty"`
	Amount         *settle.Money `json:"amount,omitempty"`
	Currency       string        `json:"currency,omitempty"`
	Debit          *bool         `json:"debit,omitempty"`
	BankTxCode     BankTxCode    `json:"bankTxCode"`
	Charges        []Charge      `json:"charges,omitempty"`
	DebtorName     string        `json:"debtorName,omitempty"`
	DebtorIBAN     string        `json:"debtorIban,omitempty"`
	UltimateDebtor string        `json:"ultimateDebtor,omitempty"`
	CreditorName   string        `json:"creditorName,omitempty"`
	CreditorIBAN   string        `json:"creditorIban,omitempty"`
	Remittance     string        `json:"remittance,omitempty"`        // the Ustrd lines joined by a space
	CreditorRef    string        `json:"creditorReference,omitempty"` // Strd/CdtrRefInf/Ref
	ReturnReason   string        `json:"returnReason,omitempty"`
	ReturnInfo     string        `json:"returnInfo,omitempty"`
	OrigEndToEndID string        `json:"originalEndToEndId,omitempty"` // pacs.004
}

// Entry is one booking (a camt Ntry), or one pacs.008 transfer or pacs.004 return
// presented as a booking on the receiving account.
type Entry struct {
	Position    int          `json:"position"` // 1-based, in the file
	StatementID string       `json:"statementId,omitempty"`
	Account     string       `json:"account,omitempty"`
	Amount      settle.Money `json:"amount"`
	Currency    string       `json:"currency"`
	Credit      bool         `json:"credit"`
	Reversal    bool         `json:"reversal"`
	Status      string       `json:"status"`
	BookingDate settle.Day   `json:"bookingDate,omitzero"`
	ValueDate   settle.Day   `json:"valueDate,omitzero"`
	AcctSvcrRef string       `json:"acctSvcrRef,omitempty"`
	BankTxCode  BankTxCode   `json:"bankTxCode"`
	Charges     []Charge     `json:"charges,omitempty"`
	Batch       *Batch       `json:"batch,omitempty"`
	Details     []TxDetails  `json:"details,omitempty"`
	Info        string       `json:"info,omitempty"`
}

// SignedAmount is the amount with the sign of the account holder's side: credits
// positive, debits negative. CdtDbtInd is the direction of this entry even when it
// is a reversal (RvslInd true): ISO 20022 says a CRDT reversal undoes an earlier
// debit, so it is money in, as PostFinance's returns of credit transfers are.
func (e *Entry) SignedAmount() decimal.Decimal {
	if e.Credit {
		return e.Amount.Decimal
	}
	return e.Amount.Neg()
}

// camtNext returns the item iterator of a camt message whose message element is msg.
func (r *Reader) camtNext(msg xml.StartElement) func() (any, error) {
	var (
		stmt    *Statement
		emitted bool
		pending *xml.StartElement // an Ntry read while the statement was being emitted
	)
	return func() (any, error) {
		for {
			if pending != nil {
				start := *pending
				pending = nil
				return r.decodeEntry(start, stmt)
			}
			if stmt == nil { // between statements
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
				case "Stmt", "Rpt", "Ntfctn":
					stmt, emitted = &Statement{Kind: r.doc.Kind, MessageID: r.doc.MessageID}, false
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
			if !ok { // end of the statement
				s := stmt
				stmt = nil
				if !emitted {
					return s, nil
				}
				continue
			}
			if start.Name.Local == "Ntry" {
				if !emitted {
					emitted = true
					pending = &start
					return stmt, nil
				}
				return r.decodeEntry(start, stmt)
			}
			if err := r.statementField(stmt, start); err != nil {
				return nil, err
			}
		}
	}
}

// statementField reads one header element of a statement.
func (r *Reader) statementField(s *Statement, start xml.StartElement) error {
	var err error
	switch start.Name.Local {
	case "Id":
		err = r.dec.DecodeElement(&s.ID, &start)
	case "ElctrncSeqNb":
		err = r.dec.DecodeElement(&s.Sequence, &start)
	case "CreDtTm":
		err = r.dec.DecodeElement(&s.Created, &start)
	case "Acct":
		var a xAcct
		if err = r.dec.DecodeElement(&a, &start); err == nil {
			s.Account, s.Currency = strings.TrimSpace(a.id()), strings.TrimSpace(a.Ccy)
		}
	case "Bal":
		var b xBal
		if err = r.dec.DecodeElement(&b, &start); err == nil {
			bal, ferr := convertBalance(b)
			if ferr != nil {
				return r.fail(fmt.Sprintf("Bal[%d]/%s", len(s.Balances)+1, ferr.field), ferr.err)
			}
			s.Balances = append(s.Balances, bal)
		}
	default:
		err = r.dec.Skip()
	}
	if err != nil {
		return r.fail(start.Name.Local, r.syntax(err))
	}
	s.ID, s.Sequence, s.Created = strings.TrimSpace(s.ID), strings.TrimSpace(s.Sequence), strings.TrimSpace(s.Created)
	return nil
}

func (r *Reader) decodeEntry(start xml.StartElement, stmt *Statement) (any, error) {
	r.entry++
	var n xNtry
	if err := r.walk(&n); err != nil {
		return nil, r.fail("Ntry", r.syntax(err))
	}
	e, ferr := convertEntry(&n)
	if ferr != nil {
		return nil, r.fail("Ntry/"+ferr.field, ferr.err)
	}
	e.Position = r.entry
	if stmt != nil {
		e.StatementID, e.Account = stmt.ID, stmt.Account
	}
	return e, nil
}

// fieldErr names the field of a conversion error, relative to the element converted.
type fieldErr struct {
	field string
	err   error
}

func ferr(field, format string, args ...any) *fieldErr {
	return &fieldErr{field, fmt.Errorf(format, args...)}
}

func convertBalance(b xBal) (Balance, *fieldErr) {
	bal := Balance{Type: strings.TrimSpace(b.Tp.CdOrPrtry.Cd + b.Tp.Cd)}
	if bal.Type == "" {
		bal.Type = strings.TrimSpace(b.Tp.CdOrPrtry.Prtry + b.Tp.Prtry)
	}
	amt, ccy, fe := convertAmount("Amt", b.Amt, true)
	if fe != nil {
		return bal, fe
	}
	debit, fe := creditDebit("CdtDbtInd", b.CdtDbtInd, true)
	if fe != nil {
		return bal, fe
	}
	if debit {
		amt = settle.Money{Decimal: amt.Neg()}
	}
	bal.Amount, bal.Currency = amt, ccy
	if b.Dt == nil {
		return bal, ferr("Dt", "balance %s has no date", bal.Type)
	}
	if bal.Date, fe = convertDate("Dt", b.Dt); fe != nil {
		return bal, fe
	}
	if bal.Date.IsZero() {
		return bal, ferr("Dt", "balance %s has no date", bal.Type)
	}
	return bal, nil
}

func convertEntry(n *xNtry) (*Entry, *fieldErr) {
	e := &Entry{Status: strings.TrimSpace(n.Sts.Text), AcctSvcrRef: strings.TrimSpace(n.AcctSvcrRef),
		BankTxCode: convertBkTxCd(n.BkTxCd), Info: strings.TrimSpace(n.AddtlNtryInf)}
	if e.Status == "" {
		e.Status = strings.TrimSpace(n.Sts.Cd + n.Sts.Prtry)
	}
	var fe *fieldErr
	if e.Amount, e.Currency, fe = convertAmount("Amt", n.Amt, true); fe != nil {
		return nil, fe
	}
	debit, fe := creditDebit("CdtDbtInd", n.CdtDbtInd, true)
	if fe != nil {
		return nil, fe
	}
	e.Credit = !debit
	switch strings.TrimSpace(n.RvslInd) {
	case "", "false", "0":
	case "true", "1":
		e.Reversal = true
	default:
		return nil, ferr("RvslInd", "%q is not true or false", n.RvslInd)
	}
	if e.BookingDate, fe = convertDate("BookgDt", n.BookgDt); fe != nil {
		return nil, fe
	}
	if e.ValueDate, fe = convertDate("ValDt", n.ValDt); fe != nil {
		return nil, fe
	}
	if e.Charges, fe = convertCharges("Chrgs", n.Chrgs); fe != nil {
		return nil, fe
	}
	dtls := n.NtryDtls
	if n.Btch != nil || len(n.TxDtls) > 0 { // .001.01
		dtls = append([]xNtryDtls{{Btch: n.Btch, TxDtls: n.TxDtls}}, dtls...)
	}
	for i, d := range dtls {
		if b := d.Btch; b != nil {
			e.Batch = &Batch{MessageID: strings.TrimSpace(b.MsgId), PmtInfID: strings.TrimSpace(b.PmtInfId)}
			if s := strings.TrimSpace(b.NbOfTxs); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil || n < 0 {
					return nil, ferr(fmt.Sprintf("NtryDtls[%d]/Btch/NbOfTxs", i+1), "%q is not a number", s)
				}
				e.Batch.Transactions = n
			}
			if b.TtlAmt != nil {
				t, _, fe := convertAmount(fmt.Sprintf("NtryDtls[%d]/Btch/TtlAmt", i+1), b.TtlAmt, true)
				if fe != nil {
					return nil, fe
				}
				e.Batch.Total = &t
			}
		}
		for j := range d.TxDtls {
			td, fe := convertTxDtls(&d.TxDtls[j])
			if fe != nil {
				fe.field = fmt.Sprintf("NtryDtls[%d]/TxDtls[%d]/%s", i+1, j+1, fe.field)
				return nil, fe
			}
			e.Details = append(e.Details, td)
		}
	}
	return e, nil
}

func convertTxDtls(t *xTxDtls) (TxDetails, *fieldErr) {
	trim := strings.TrimSpace
	d := TxDetails{
		MessageID: trim(t.Refs.MsgId), AcctSvcrRef: trim(t.Refs.AcctSvcrRef), PmtInfID: trim(t.Refs.PmtInfId),
		InstrID: trim(t.Refs.InstrId), EndToEndID: trim(t.Refs.EndToEndId), TxID: trim(t.Refs.TxId),
		MandateID: trim(t.Refs.MndtId), BankTxCode: convertBkTxCd(t.BkTxCd),
		DebtorName: trim(t.RltdPties.Dbtr.name()), DebtorIBAN: trim(t.RltdPties.DbtrAcct.id()),
		UltimateDebtor: trim(t.RltdPties.UltmtDbtr.name()),
		CreditorName:   trim(t.RltdPties.Cdtr.name()), CreditorIBAN: trim(t.RltdPties.CdtrAcct.id()),
		Remittance:   trim(strings.Join(t.RmtInf.Ustrd, " ")),
		ReturnReason: trim(t.RtrInf.Rsn.Cd + t.RtrInf.Rsn.Prtry), ReturnInfo: trim(strings.Join(t.RtrInf.AddtlInf, " ")),
	}
	for _, s := range t.RmtInf.Strd {
		if ref := trim(s.CdtrRefInf.Ref); ref != "" {
			d.CreditorRef = ref
			break
		}
	}
	amt := t.Amt
	for _, a := range []*xAmt{t.AmtDtls.TxAmt.Amt, t.AmtDtls.InstdAmt.Amt} {
		if amt == nil {
			amt = a
		}
	}
	if amt != nil {
		v, ccy, fe := convertAmount("Amt", amt, true)
		if fe != nil {
			return d, fe
		}
		d.Amount, d.Currency = &v, ccy
	}
	if s := trim(t.CdtDbtInd); s != "" {
		debit, fe := creditDebit("CdtDbtInd", s, true)
		if fe != nil {
			return d, fe
		}
		d.Debit = &debit
	}
	var fe *fieldErr
	if d.Charges, fe = convertCharges("Chrgs", t.Chrgs); fe != nil {
		return d, fe
	}
	return d, nil
}

func convertBkTxCd(b xBkTxCd) BankTxCode {
	return BankTxCode{Domain: strings.TrimSpace(b.Domn.Cd), Family: strings.TrimSpace(b.Domn.Fmly.Cd),
		SubFamily: strings.TrimSpace(b.Domn.Fmly.SubFmlyCd), Proprietary: strings.TrimSpace(b.Prtry.Cd),
		Issuer: strings.TrimSpace(b.Prtry.Issr)}
}

func convertCharges(field string, cs []xCharges) ([]Charge, *fieldErr) {
	var out []Charge
	add := func(i int, c xCharge) *fieldErr {
		if c.Amt == nil {
			return nil
		}
		amt, ccy, fe := convertAmount(fmt.Sprintf("%s[%d]/Amt", field, i+1), c.Amt, true)
		if fe != nil {
			return fe
		}
		debit := strings.TrimSpace(c.CdtDbtInd) != "CRDT"
		out = append(out, Charge{Amount: amt, Currency: ccy, Debit: debit, Included: strings.TrimSpace(c.ChrgInclInd) == "true"})
		return nil
	}
	for i, c := range cs {
		if err := add(i, c.xCharge); err != nil {
			return nil, err
		}
		for _, rc := range c.Rcrd {
			if err := add(i, rc); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// convertAmount parses an ISO amount: digits, at most one '.', at most 5 decimals
// and 18 digits in all (ActiveOrHistoricCurrencyAndAmount), and a 3-letter currency.
func convertAmount(field string, a *xAmt, required bool) (settle.Money, string, *fieldErr) {
	if a == nil {
		if required {
			return settle.Money{}, "", ferr(field, "missing")
		}
		return settle.Money{}, "", nil
	}
	d, err := ParseISOAmount(a.Value)
	if err != nil {
		return settle.Money{}, "", &fieldErr{field, err}
	}
	ccy := strings.TrimSpace(a.Ccy)
	if len(ccy) != 3 || strings.ToUpper(ccy) != ccy {
		return settle.Money{}, "", ferr(field+"/@Ccy", "currency %q is not a 3-letter ISO code", ccy)
	}
	return settle.Money{Decimal: d}, ccy, nil
}

// ParseISOAmount parses an amount as ISO 20022 writes it: digits with an optional
// '.' and at most 5 decimals, 18 digits in all, no sign, no exponent.
func ParseISOAmount(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	intPart, frac, _ := strings.Cut(s, ".")
	digits := 0
	for i, part := range []string{intPart, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return decimal.Zero, fmt.Errorf("amount %q is not a decimal number", s)
			}
			digits++
		}
		if i == 0 && part == "" {
			return decimal.Zero, fmt.Errorf("amount %q is not a decimal number", s)
		}
	}
	if len(frac) > 5 {
		return decimal.Zero, fmt.Errorf("amount %q has %d decimals; at most 5", s, len(frac))
	}
	if digits > 18 {
		return decimal.Zero, fmt.Errorf("amount %q has more than 18 digits", s)
	}
	return decimal.RequireFromString(s), nil
}

func creditDebit(field, s string, required bool) (debit bool, fe *fieldErr) {
	switch strings.TrimSpace(s) {
	case "CRDT":
		return false, nil
	case "DBIT":
		return true, nil
	case "":
		if !required {
			return false, nil
		}
		return false, ferr(field, "missing")
	}
	return false, ferr(field, "%q is neither CRDT nor DBIT", s)
}

// convertDate takes the date of Dt or DtTm (its first 10 characters) and checks it.
func convertDate(field string, d *xDate) (settle.Day, *fieldErr) {
	if d == nil {
		return settle.Day{}, nil
	}
	s := strings.TrimSpace(d.Dt)
	if s == "" {
		s = strings.TrimSpace(d.DtTm)
		if len(s) >= 10 {
			s = s[:10]
		}
	}
	if s == "" {
		return settle.Day{}, nil
	}
	day, err := settle.ParseDay(s)
	if err != nil {
		return day, ferr(field, "%s", err.Error())
	}
	return day, nil
}
