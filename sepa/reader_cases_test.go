package sepa

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func entries(items []any) []*Entry {
	var es []*Entry
	for _, it := range items {
		if e, ok := it.(*Entry); ok {
			es = append(es, e)
		}
	}
	return es
}

// What the bank wrote in known corpus files, as a person reading them would check.
func TestKnownCorpusContent(t *testing.T) {
	needShared(t)
	corpus := func(p string) string { return filepath.Join(shared, "corpus", p) }

	// German SDD return (MS03) debited 53.00 = 50.00 collected + 3.00 return fee.
	_, items, err := readFile(t, corpus("hbci4j_hbci4java/test-camt-ruecklastschrift.xml"))
	if err != nil {
		t.Fatal(err)
	}
	e := entries(items)[0]
	d := e.Details[0]
	if e.Credit || e.Amount.Text() != "53.00" || e.Currency != "EUR" || d.ReturnReason != "MS03" || d.MandateID != "TEST1234" ||
		d.Amount.Text() != "50.00" || len(d.Charges) != 2 || d.Charges[0].Amount.Text() != "3.00" || e.SignedAmount().String() != "-53" {
		t.Errorf("German return: %s", mustJSON(t, e))
	}
	stmt := items[0].(*Statement)
	if b, ok := stmt.Balance("CLBD"); !ok || b.Amount.Text() != "100.00" || b.Date.String() != "2021-03-26" {
		t.Errorf("closing balance %+v", stmt.Balances)
	}

	// PostFinance batch-booked SCT return: one CRDT of 400.00 CHF with AC01 details.
	_, items, _ = readFile(t, corpus("libeufin_postfinance_gls/9_camt054_Return_Detailavisierung_mit_Sammelbuchung_ISO2019_v2019.xml"))
	e = entries(items)[0]
	if !e.Credit || e.Amount.Text() != "400.00" || e.Currency != "CHF" || e.BankTxCode.String() != "PMNT/ICDT/RRTN" ||
		e.Batch == nil || e.Batch.Transactions != 1 || e.Details[0].EndToEndID != "EndToEndId-004-01-01" ||
		e.Details[0].ReturnReason != "AC01" || e.Details[0].DebtorName != "Robert Schneider SA" {
		t.Errorf("PostFinance return: %s", mustJSON(t, e))
	}

	// PostFinance single-booked SCT return: CRDT with RvslInd true is money in
	// (regression: the reversal flag used to flip it into a debit).
	_, items, _ = readFile(t, corpus("libeufin_postfinance_gls/10_camt054_Return_Detailavisierung_mit_Einzelbuchung_ISO2019_v2019.xml"))
	e = entries(items)[0]
	if !e.Credit || !e.Reversal || e.SignedAmount().String() != "500" || e.Details[0].ReturnReason != "AC01" {
		t.Errorf("PostFinance single-booked return: %s", mustJSON(t, e))
	}

	// camt.053: opening balance + entries = closing balance, or the drift the bank's
	// own sample shows (PostFinance's CLBD leaves out the 1,537.00 value-dated the
	// next day; its forward available balance FWAV includes it).
	for f, drift := range map[string]string{
		"libeufin_postfinance_gls/camt053_P_CH2909000000250094239_1110092698_0_2020112503071366_v2019.xml": "1537",
		"moov-io_iso20022/FI_camt_053_sample.xml.xml":                                                      "0",
	} {
		_, items, err := readFile(t, corpus(f))
		if err != nil {
			t.Fatal(err)
		}
		stmt := items[0].(*Statement)
		open, ok1 := stmt.Balance("OPBD")
		closing, ok2 := stmt.Balance("CLBD")
		if !ok1 || !ok2 {
			t.Errorf("%s: balances %+v", f, stmt.Balances)
			continue
		}
		sum := open.Amount.Decimal
		for _, e := range entries(items) {
			sum = sum.Add(e.SignedAmount())
		}
		if got := sum.Sub(closing.Amount.Decimal).String(); got != drift {
			t.Errorf("%s: opening %s + entries = %s, closing %s: drift %s, want %s", f, open.Amount.Text(), sum, closing.Amount.Text(), got, drift)
		}
	}

	// pain.002 with a group-level reject for a wrong control sum (AM10).
	_, items, _ = readFile(t, corpus("libeufin_postfinance_gls/6_pain002_A-Level_RJCT_(Empfangsbestaetigung_FDS)_v2019.xml"))
	st := items[0].(*Status)
	if st.Level != LevelGroup || st.Status != "RJCT" || st.OrigMessageID != "MsgId-005" || st.Reasons[0].Code != "AM10" {
		t.Errorf("group reject: %s", mustJSON(t, st))
	}
	// pain.002 with block and transaction rejects.
	_, items, _ = readFile(t, corpus("libeufin_postfinance_gls/2_pain002_B-Level_ACCP_v2009.xml"))
	tx := items[2].(*Status)
	if tx.Level != LevelTransaction || tx.Status != "RJCT" || tx.OrigEndToEndID != "EndToEndId-006-01-01" ||
		tx.OrigPmtInfID != "PmtInfId-006-01" || tx.Reasons[0].Code != "AC01" {
		t.Errorf("transaction reject: %s", mustJSON(t, tx))
	}
}

const camtHead = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-20T08:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N1</Id><Acct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id></Acct>`

const camtEntry = `<Ntry><Amt Ccy="EUR">1250.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt><AcctSvcrRef>REF1</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs><Amt Ccy="EUR">1250.50</Amt>
<RltdPties><Dbtr><Pty><Nm>Nicolò Rossi</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>IT27X0300203280335719971372</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>AB2EFG</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`

const camtTail = `</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`

func TestRefusals(t *testing.T) {
	good := camtHead + camtEntry + camtTail
	for name, tc := range map[string]struct{ in, want string }{
		"empty":                            {"", "empty file"},
		"not XML":                          {"hello, this is a CSV,1,2\n", "not an XML file"},
		"DOCTYPE":                          {`<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x "y">]>` + strings.TrimPrefix(good, `<?xml version="1.0" encoding="UTF-8"?>`), "DOCTYPE is not allowed"},
		"no namespace":                     {`<Document><BkToCstmrStmt/></Document>`, "no namespace"},
		"unknown ns":                       {`<Document xmlns="urn:example:foo"><X/></Document>`, `unknown namespace "urn:example:foo"`},
		"version":                          {`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.14"><BkToCstmrStmt/></Document>`, "camt.053.001.14 (namespace"},
		"wrong root":                       {`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrDbtCdtNtfctn/></Document>`, "message element is <BkToCstmrStmt>"},
		"not Document":                     {`<Foo xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/>`, "root element is <Foo>"},
		"bad amount":                       {strings.Replace(good, ">1250.50</Amt><CdtDbtInd>", ">1.250,50</Amt><CdtDbtInd>", 1), "entry 1: Ntry/Amt: amount \"1.250,50\" is not a decimal number"},
		"negative":                         {strings.Replace(good, ">1250.50</Amt><CdtDbtInd>", ">-5.00</Amt><CdtDbtInd>", 1), "entry 1: Ntry/Amt"},
		"exponent":                         {strings.Replace(good, ">1250.50</Amt><CdtDbtInd>", ">1e6</Amt><CdtDbtInd>", 1), "entry 1: Ntry/Amt"},
		"currency":                         {strings.Replace(good, `<Amt Ccy="EUR">1250.50</Amt><CdtDbtInd>`, `<Amt Ccy="euro">1250.50</Amt><CdtDbtInd>`, 1), "entry 1: Ntry/Amt/@Ccy"},
		"direction":                        {strings.Replace(good, "<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>IN</CdtDbtInd>", 1), "entry 1: Ntry/CdtDbtInd: \"IN\" is neither"},
		"bad date":                         {strings.Replace(good, "<BookgDt><Dt>2026-11-20", "<BookgDt><Dt>20/11/2026", 1), "entry 1: Ntry/BookgDt"},
		"detail amount":                    {strings.Replace(good, `</Refs><Amt Ccy="EUR">1250.50</Amt>`, `</Refs><Amt Ccy="EUR">x</Amt>`, 1), "entry 1: Ntry/NtryDtls[1]/TxDtls[1]/Amt"},
		"mismatched tag":                   {strings.Replace(good, "</AcctSvcrRef>", "</AcctSvcrReff>", 1), "malformed XML"},
		"trailing junk":                    {good + "<Document/>", "a second element after the document"},
		"encoding":                         {strings.Replace(good, "UTF-8", "KOI8-R", 1), "encoding \"KOI8-R\" is not supported"},
		"doctype, lower case, in the body": {strings.Replace(good, "<Ntry>", `<!doctype x><Ntry>`, 1), "DOCTYPE is not allowed"},
		"nested 101 deep":                  {strings.Replace(good, "AB2EFG", strings.Repeat("<a>", 100)+strings.Repeat("</a>", 100), 1), "entry 1: Ntry: malformed XML: XML syntax error on line 9: elements nested more than 100 deep"},
		"a text of 1 MiB and 1 byte":       {strings.Replace(good, "AB2EFG", strings.Repeat("x", MaxText+1), 1), "a text of more than 1048576 bytes"},
		"a comment of 1 MiB and 1 byte":    {strings.Replace(good, "AB2EFG", "<!--"+strings.Repeat("x", MaxText+1)+"-->", 1), "a comment of more than 1048576 bytes"},
		"end tag of another prefix":        {strings.Replace(good, "</AcctSvcrRef>", "</x:AcctSvcrRef>", 1), "element <AcctSvcrRef> closed by </x:AcctSvcrRef>"},
		"pain.008":                         {`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"><CstmrDrctDbtInitn/></Document>`, "payment initiation we send"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := readAll(t, "f.xml", strings.NewReader(tc.in))
			var pe *ParseError
			if err == nil || !errors.As(err, &pe) || pe.File != "f.xml" || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v; want a ParseError on f.xml containing %q", err, tc.want)
			}
		})
	}
	if _, items, err := readAll(t, "f.xml", strings.NewReader(good)); err != nil || len(items) != 2 {
		t.Fatalf("the good file: %v, %d items", err, len(items))
	}
}

// Regression (issue 14): a file nested five million levels deep inside <Ustrd> took
// 1.2 GB. It is refused at depth 100, having held no more than a few pages.
func TestDeepNestingIsRefusedEarly(t *testing.T) {
	levels := 5_000_000
	head, tail, _ := strings.Cut(camtHead+camtEntry+camtTail, "AB2EFG")
	deep := io.MultiReader(strings.NewReader(head), strings.NewReader(strings.Repeat("<Ustrd>", levels)),
		strings.NewReader(strings.Repeat("</Ustrd>", levels)+tail))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := readAll(t, "deep.xml", deep)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "nested more than 100 deep") || !strings.Contains(err.Error(), "deep.xml") {
		t.Fatalf("%v; want a refusal of the nesting naming the file", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Fatalf("refusing the file allocated %d bytes; want under 8 MiB", grew)
	}
}

// A file cut at any byte is refused: no prefix of a document reads as complete.
func TestTruncatedAtEveryByte(t *testing.T) {
	good := []byte(camtHead + camtEntry + camtEntry + camtTail)
	for n := 0; n < len(good); n++ {
		if _, _, err := readAll(t, "t.xml", bytes.NewReader(good[:n])); err == nil {
			t.Fatalf("the first %d of %d bytes read as a whole document", n, len(good))
		}
	}
	_, _, err := readAll(t, "t.xml", bytes.NewReader(good[:len(good)/2]))
	if !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("%v; want the word truncated", err)
	}
}

func TestMaxBytes(t *testing.T) {
	good := camtHead + camtEntry + camtTail
	rd, err := NewReader(strings.NewReader(good), "big.xml", Options{MaxBytes: int64(len(good) - 10)})
	if err == nil {
		for err == nil {
			_, err = rd.Next()
		}
	}
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "big.xml") {
		t.Fatalf("%v", err)
	}
	// Exactly at the limit is fine.
	if rd, err := NewReader(strings.NewReader(good), "ok.xml", Options{MaxBytes: int64(len(good))}); err != nil {
		t.Fatal(err)
	} else {
		for err == nil {
			_, err = rd.Next()
		}
		if !errors.Is(err, io.EOF) {
			t.Fatalf("at the limit: %v", err)
		}
	}
}

func TestLatin1AndBOM(t *testing.T) {
	latin1 := strings.Replace(camtHead+camtEntry+camtTail, "UTF-8", "ISO-8859-1", 1)
	latin1 = strings.Replace(latin1, "Nicolò", "Nicol\xf2", 1) // ò in ISO-8859-1
	_, items, err := readAll(t, "l.xml", strings.NewReader(latin1))
	if err != nil {
		t.Fatal(err)
	}
	if got := entries(items)[0].Details[0].DebtorName; got != "Nicolò Rossi" {
		t.Fatalf("debtor %q", got)
	}
	if _, _, err := readAll(t, "b.xml", strings.NewReader("\xef\xbb\xbf"+camtHead+camtEntry+camtTail)); err != nil {
		t.Fatalf("BOM: %v", err)
	}
}

const pacs008 = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<GrpHdr><MsgId>P8</MsgId><CreDtTm>2026-11-20T09:00:00</CreDtTm><NbOfTxs>2</NbOfTxs><IntrBkSttlmDt>2026-11-20</IntrBkSttlmDt>
<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<CdtTrfTxInf><PmtId><InstrId>I1</InstrId><EndToEndId>E1</EndToEndId><TxId>T1</TxId></PmtId>
<IntrBkSttlmAmt Ccy="EUR">25.00</IntrBkSttlmAmt><ChrgBr>SLEV</ChrgBr>
<Dbtr><Nm>Mario Rossi</Nm></Dbtr><DbtrAcct><Id><IBAN>IT27X0300203280335719971372</IBAN></Id></DbtrAcct>
<DbtrAgt><FinInstnId><BICFI>BCITITMM</BICFI></FinInstnId></DbtrAgt><CdtrAgt><FinInstnId><BICFI>BCITITMM</BICFI></FinInstnId></CdtrAgt>
<Cdtr><Nm>Acme Pay</Nm></Cdtr><CdtrAcct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id></CdtrAcct>
<RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></CdtTrfTxInf>
<CdtTrfTxInf><PmtId><EndToEndId>NOTPROVIDED</EndToEndId><TxId>T2</TxId></PmtId>
<IntrBkSttlmAmt Ccy="EUR">999999999.99</IntrBkSttlmAmt><IntrBkSttlmDt>2026-11-21</IntrBkSttlmDt><ChrgBr>SLEV</ChrgBr>
<Dbtr><Nm>Big</Nm></Dbtr><DbtrAgt><FinInstnId/></DbtrAgt><CdtrAgt><FinInstnId/></CdtrAgt><Cdtr><Nm>Acme</Nm></Cdtr>
<CdtrAcct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id></CdtrAcct><RmtInf><Ustrd>H69ZUC</Ustrd></RmtInf></CdtTrfTxInf>
</FIToFICstmrCdtTrf></Document>`

const pacs004 = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.004.001.09"><PmtRtr>
<GrpHdr><MsgId>R4</MsgId><CreDtTm>2026-11-21T09:00:00</CreDtTm><NbOfTxs>2</NbOfTxs><SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<TxInf><RtrId>RT1</RtrId><OrgnlGrpInf><OrgnlMsgId>SCT-1</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId></OrgnlGrpInf>
<OrgnlEndToEndId>PAYOUT-7</OrgnlEndToEndId><RtrdIntrBkSttlmAmt Ccy="EUR">40.00</RtrdIntrBkSttlmAmt><IntrBkSttlmDt>2026-11-21</IntrBkSttlmDt>
<RtrRsnInf><Rsn><Cd>AC04</Cd></Rsn></RtrRsnInf>
<OrgnlTxRef><Dbtr><Pty><Nm>Acme</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id></DbtrAcct>
<Cdtr><Pty><Nm>Mario Rossi</Nm></Pty></Cdtr><CdtrAcct><Id><IBAN>IT27X0300203280335719971372</IBAN></Id></CdtrAcct></OrgnlTxRef></TxInf>
<TxInf><RtrId>RT2</RtrId><OrgnlGrpInf><OrgnlMsgId>SDD-1</OrgnlMsgId><OrgnlMsgNmId>pacs.003.001.08</OrgnlMsgNmId></OrgnlGrpInf>
<OrgnlEndToEndId>TOPUP-9</OrgnlEndToEndId><RtrdIntrBkSttlmAmt Ccy="EUR">53.00</RtrdIntrBkSttlmAmt><IntrBkSttlmDt>2026-11-21</IntrBkSttlmDt>
<ChrgsInf><Amt Ccy="EUR">3.00</Amt><Agt><FinInstnId/></Agt></ChrgsInf><RtrRsnInf><Rsn><Cd>MD06</Cd></Rsn></RtrRsnInf>
<OrgnlTxRef><MndtRltdInf><MndtId>MNDT-1</MndtId></MndtRltdInf><Cdtr><Pty><Nm>Acme</Nm></Pty></Cdtr>
<CdtrAcct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id></CdtrAcct></OrgnlTxRef></TxInf>
</PmtRtr></Document>`

func TestPacs(t *testing.T) {
	doc, items, err := readAll(t, "p8.xml", strings.NewReader(pacs008))
	if err != nil {
		t.Fatal(err)
	}
	es := entries(items)
	if doc.Kind != Pacs008 || doc.MessageID != "P8" || len(es) != 2 {
		t.Fatalf("%+v %d", doc, len(es))
	}
	if e := es[0]; !e.Credit || e.Amount.Text() != "25.00" || e.BookingDate.String() != "2026-11-20" || e.Account != "IT60X0542811101000000123456" ||
		e.Details[0].CreditorRef != "RF18539007547034" || e.Details[0].DebtorIBAN != "IT27X0300203280335719971372" || e.Details[0].EndToEndID != "E1" {
		t.Errorf("transfer 1: %s", mustJSON(t, e))
	}
	if e := es[1]; e.Amount.Text() != "999999999.99" || e.BookingDate.String() != "2026-11-21" || e.Details[0].Remittance != "H69ZUC" {
		t.Errorf("transfer 2: %s", mustJSON(t, e))
	}
	_, items, err = readAll(t, "p4.xml", strings.NewReader(pacs004))
	if err != nil {
		t.Fatal(err)
	}
	es = entries(items)
	if e := es[0]; !e.Credit || e.Account != "IT60X0542811101000000123456" || e.Details[0].OrigEndToEndID != "PAYOUT-7" ||
		e.Details[0].ReturnReason != "AC04" || e.BankTxCode.String() != "PMNT/ICDT/RRTN" {
		t.Errorf("SCT return: %s", mustJSON(t, e))
	}
	if e := es[1]; e.Credit || e.Amount.Text() != "53.00" || e.Details[0].MandateID != "MNDT-1" || e.Details[0].ReturnReason != "MD06" ||
		len(e.Details[0].Charges) != 1 || e.Details[0].Charges[0].Amount.Text() != "3.00" {
		t.Errorf("SDD return: %s", mustJSON(t, e))
	}
}
