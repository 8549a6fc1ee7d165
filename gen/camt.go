package gen

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"

	"settle/ledger"
)

// The kinds of incoming entries in the generated bank files, so that an ingest
// meets what a real inbox holds.
const (
	FirstDeposit   = "first-deposit"    // from the wallet's pending IBAN, with its validation code
	TopUp          = "top-up"           // from the validated IBAN, with the wallet's SCT reason
	IBANMismatch   = "iban-mismatch"    // the wallet's SCT reason from another IBAN
	UnknownRef     = "unknown-ref"      // a reference that is no wallet's
	InactiveWallet = "inactive-wallet"  // the SCT reason of a suspended or closed wallet
	Duplicate      = "duplicate"        // an entry the bank sends twice
	ForeignCcy     = "foreign-currency" // an entry in CHF
)

// entry is one generated bank entry.
type entry struct {
	kind       string
	ref        string // AcctSvcrRef
	e2e        string
	cents      int64
	currency   string
	debtorName string
	debtorIBAN string
	remittance string
	wallet     int // the wallet's index
}

// entries draws the incoming entries on one partner's account: n of them, from the
// partner's own stream, so that notification and statement replay the same ones.
func (w *world) entries(p int, n int, each func(entry) error) error {
	partner := w.partners[p]
	r := w.stream("camt:" + partner.PartnerKey)
	validated := map[int]bool{} // wallets whose first deposit this day already validated
	var last entry
	for i := 0; i < n; i++ {
		e := w.drawEntry(r, p, i, validated)
		if i > 0 && r.IntN(100) < 3 {
			e = last // the bank sends the same booking twice
			e.kind = Duplicate
		}
		if err := each(e); err != nil {
			return err
		}
		last = e
	}
	return nil
}

// entriesOf is how many of the entries are on partner p's account.
func (w *world) entriesOf(p int) int {
	n := w.opt.Entries / len(w.partners)
	if p < w.opt.Entries%len(w.partners) {
		n++
	}
	return n
}

// drawEntry draws entry i of partner p: a kind, then a wallet of that partner that fits it.
func (w *world) drawEntry(r *rand.Rand, p, i int, validated map[int]bool) entry {
	e := entry{
		ref:      fmt.Sprintf("%s%02d%08d", strings.ReplaceAll(w.date, "-", ""), p, i),
		e2e:      "NOTPROVIDED",
		cents:    500 + r.Int64N(49_500),
		currency: "EUR",
	}
	if r.IntN(2) == 0 {
		e.e2e = fmt.Sprintf("E2E-%d-%d", p, i)
	}
	k := r.IntN(100)
	switch {
	case k < 25:
		e.kind = FirstDeposit
	case k < 80:
		e.kind = TopUp
	case k < 86:
		e.kind = IBANMismatch
	case k < 92:
		e.kind = UnknownRef
	case k < 96:
		e.kind = InactiveWallet
	default:
		e.kind = ForeignCcy
	}
	idx, wl, ok := w.pickWallet(r, p, e.kind, validated)
	if !ok && e.kind == FirstDeposit { // every pending wallet validated already: a top-up instead
		e.kind = TopUp
		idx, wl, ok = w.pickWallet(r, p, e.kind, validated)
	}
	if !ok {
		e.kind = UnknownRef
	}
	if e.kind == FirstDeposit {
		validated[idx] = true
	}
	e.wallet = idx
	e.debtorName, e.debtorIBAN = wl.FirstName+" "+wl.LastName, wl.IBAN
	switch e.kind {
	case FirstDeposit:
		e.remittance = []string{wl.IBANValidationCode, "Attivazione " + wl.IBANValidationCode, strings.ToLower(wl.IBANValidationCode)}[r.IntN(3)]
	case TopUp, InactiveWallet:
		e.remittance = []string{wl.Reason, "Ricarica " + wl.Reason, "ricarica wallet " + strings.ToLower(wl.Reason)}[r.IntN(3)]
	case IBANMismatch:
		e.remittance = "Ricarica " + wl.Reason
		e.debtorIBAN, _ = randomIBAN(r)
	case UnknownRef:
		e.remittance = "Ricarica " + code36(r.IntN(1_000_000), 6, 7_919)
		if e.debtorIBAN == "" {
			e.debtorIBAN, _ = randomIBAN(r)
			e.debtorName = firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
		}
	case ForeignCcy:
		e.currency = "CHF"
		e.remittance = "Ricarica " + wl.Reason
	}
	return e
}

// pickWallet tries wallets of partner p until one fits the kind of entry: a first
// deposit goes to a pending wallet not validated yet this day.
func (w *world) pickWallet(r *rand.Rand, p int, kind string, validated map[int]bool) (int, ledger.WalletRow, bool) {
	perPartner := (w.opt.Wallets - p + len(w.partners) - 1) / len(w.partners)
	if perPartner <= 0 {
		return 0, ledger.WalletRow{}, false
	}
	for try := 0; try < 40; try++ {
		idx := p + len(w.partners)*r.IntN(perPartner)
		wl := w.walletLite(idx)
		active := wl.Status == ledger.WalletActive
		switch {
		case kind == FirstDeposit && active && wl.IBAN != "" && wl.IsIBANValidated == "false" && !validated[idx],
			(kind == TopUp || kind == IBANMismatch || kind == ForeignCcy) && active && wl.IsIBANValidated == "true",
			kind == InactiveWallet && !active && wl.IsIBANValidated == "true",
			kind == UnknownRef:
			return idx, wl, true
		}
	}
	return 0, ledger.WalletRow{}, false
}

// camtVersion describes what differs between the versions gen writes (.001.01 to
// .001.13, checked against the ISO schemas).
type camtVersion struct {
	n         int  // the version's number
	v1        bool // .001.01: message element ...V01, no NtryDtls, Bal/Tp/Cd
	stsCode   bool // .001.07 on: Sts/Cd (before: Sts as text)
	txAmt     bool // .001.03 on: Amt in TxDtls (before: AmtDtls/TxAmt/Amt)
	partyName bool // .001.07 on: Dbtr/Pty/Nm (before: Dbtr/Nm)
}

func versionOf(v string) (camtVersion, error) {
	if v == "" {
		v = "08"
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 13 || len(v) != 2 {
		return camtVersion{}, fmt.Errorf("camt version %q: 01 to 13", v)
	}
	return camtVersion{n: n, v1: n == 1, stsCode: n >= 7, txAmt: n >= 3, partyName: n >= 7}, nil
}

// writeCamt writes a camt.054 notification (statement = false) or a camt.053
// statement of every partner account, with the same entries in both.
func (w *world) writeCamt(out io.Writer, statement bool) (int, error) {
	cv, err := versionOf(w.opt.CamtVersion)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	msg, root, block := "camt.054.001.", "BkToCstmrDbtCdtNtfctn", "Ntfctn"
	if statement {
		msg, root, block = "camt.053.001.", "BkToCstmrStmt", "Stmt"
	}
	version := fmt.Sprintf("%02d", cv.n)
	if cv.v1 {
		root += "V01"
	}
	created := w.date + "T23:30:00"
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:%s%s">
<%s><GrpHdr><MsgId>%s-%s-%s</MsgId><CreDtTm>%s</CreDtTm></GrpHdr>
`, msg, version, root, strings.ToUpper(block), strings.ReplaceAll(w.date, "-", ""), version, created)
	total := 0
	for p, partner := range w.partners {
		n := w.entriesOf(p)
		fmt.Fprintf(bw, "<%s><Id>%s-%s</Id>", block, partner.PartnerKey, w.date)
		if statement {
			fmt.Fprintf(bw, "<ElctrncSeqNb>1</ElctrncSeqNb>")
		}
		fmt.Fprintf(bw, "<CreDtTm>%s</CreDtTm><Acct><Id><IBAN>%s</IBAN></Id><Ccy>EUR</Ccy></Acct>\n", created, partner.SettlementIBAN)
		// A statement holds each booking once, in the account's currency: the
		// notification's repeats and CHF entries are not on it.
		onStatement := func(e entry) bool { return e.kind != Duplicate && e.currency == "EUR" }
		breaks := statement && w.opt.Breaks && p == 0
		offByOne := "" // the reference of the entry the statement has one cent off
		if statement {
			// Balances come before the entries: sum them in a first pass of the same stream.
			var sum int64
			w.entries(p, n, func(e entry) error {
				if onStatement(e) {
					sum += e.cents
					if breaks && offByOne == "" && e.kind == TopUp {
						offByOne = e.ref
					}
				}
				return nil
			})
			if breaks {
				sum += 1 - plantedMissing - plantedCharge
			}
			// The world starts today: the settlement accounts open at zero, but for
			// a last partner that went live with money on its account.
			var opening int64
			if p == len(w.partners)-1 {
				opening = w.opt.OpeningCents
			}
			writeBalance(bw, cv, "OPBD", opening, w.date)
			writeBalance(bw, cv, "CLBD", opening+sum, w.date)
		}
		err := w.entries(p, n, func(e entry) error {
			if statement && !onStatement(e) {
				return nil
			}
			if e.ref == offByOne {
				e.cents++
			}
			total++
			return writeEntry(bw, cv, w.date, e)
		})
		if err != nil {
			return total, err
		}
		if breaks {
			total += 2
			writeDebit(bw, cv, w.date, "BRKMISSING", plantedMissing, "PMNT/RDDT/ESDD")
			writeDebit(bw, cv, w.date, "BRKCHARGE", plantedCharge, "ACMT/MDOP/CHRG")
		}
		fmt.Fprintf(bw, "</%s>\n", block)
	}
	fmt.Fprintf(bw, "</%s></Document>\n", root)
	return total, bw.Flush()
}

// The planted breaks' debits: a direct debit of someone else's on our account
// (missing from the ledger) and a bank charge nobody expected.
const (
	plantedMissing = 12345
	plantedCharge  = 250
)

// writeDebit writes a debit on the account that is no booking of ours.
func writeDebit(w *bufio.Writer, cv camtVersion, date, ref string, cents int64, code string) {
	sts := "<Sts>BOOK</Sts>"
	if cv.stsCode {
		sts = "<Sts><Cd>BOOK</Cd></Sts>"
	}
	c := strings.Split(code, "/")
	fmt.Fprintf(w, `<Ntry><Amt Ccy="EUR">%s</Amt><CdtDbtInd>DBIT</CdtDbtInd>%s<BookgDt><Dt>%s</Dt></BookgDt><ValDt><Dt>%s</Dt></ValDt>`+
		`<AcctSvcrRef>%s%s</AcctSvcrRef><BkTxCd><Domn><Cd>%s</Cd><Fmly><Cd>%s</Cd><SubFmlyCd>%s</SubFmlyCd></Fmly></Domn></BkTxCd></Ntry>
`, ledger.FormatCents(cents), sts, date, date, strings.ReplaceAll(date, "-", ""), ref, c[0], c[1], c[2])
}

func writeBalance(w io.Writer, cv camtVersion, typ string, cents int64, date string) {
	ind := "CRDT"
	if cents < 0 {
		ind, cents = "DBIT", -cents
	}
	tp := "<CdOrPrtry><Cd>" + typ + "</Cd></CdOrPrtry>"
	if cv.v1 {
		tp = "<Cd>" + typ + "</Cd>"
	}
	fmt.Fprintf(w, `<Bal><Tp>%s</Tp><Amt Ccy="EUR">%s</Amt><CdtDbtInd>%s</CdtDbtInd><Dt><Dt>%s</Dt></Dt></Bal>
`, tp, ledger.FormatCents(cents), ind, date)
}

func writeEntry(w *bufio.Writer, cv camtVersion, date string, e entry) error {
	amt := fmt.Sprintf(`<Amt Ccy="%s">%s</Amt>`, e.currency, ledger.FormatCents(e.cents))
	sts := "<Sts>BOOK</Sts>"
	if cv.stsCode {
		sts = "<Sts><Cd>BOOK</Cd></Sts>"
	}
	dtls, dtlsEnd := "<NtryDtls><TxDtls>", "</TxDtls></NtryDtls>"
	if cv.v1 {
		dtls, dtlsEnd = "<TxDtls>", "</TxDtls>"
	}
	fmt.Fprintf(w, `<Ntry>%s<CdtDbtInd>CRDT</CdtDbtInd>%s<BookgDt><Dt>%s</Dt></BookgDt><ValDt><Dt>%s</Dt></ValDt><AcctSvcrRef>%s</AcctSvcrRef>`+
		`<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>%s<Refs><EndToEndId>%s</EndToEndId></Refs>`,
		amt, sts, date, date, e.ref, dtls, e.e2e)
	if cv.txAmt {
		fmt.Fprintf(w, "%s<CdtDbtInd>CRDT</CdtDbtInd>", amt)
	} else {
		fmt.Fprintf(w, "<AmtDtls><TxAmt>%s</TxAmt></AmtDtls>", amt)
	}
	w.WriteString("<RltdPties><Dbtr>")
	if cv.partyName {
		w.WriteString("<Pty><Nm>")
		xml.EscapeText(w, []byte(e.debtorName))
		w.WriteString("</Nm></Pty>")
	} else {
		w.WriteString("<Nm>")
		xml.EscapeText(w, []byte(e.debtorName))
		w.WriteString("</Nm>")
	}
	fmt.Fprintf(w, "</Dbtr><DbtrAcct><Id><IBAN>%s</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>", e.debtorIBAN)
	xml.EscapeText(w, []byte(e.remittance))
	_, err := w.WriteString("</Ustrd></RmtInf>" + dtlsEnd + "</Ntry>\n")
	return err
}
