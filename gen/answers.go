package gen

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"settle"
	"sort"
	"strings"
	"time"

	"settle/ledger"
	"settle/sepa"
)

// AnswerOptions tune the bank's answers to our batches.
type AnswerOptions struct {
	Seed        uint64 // the same seed gives the same answers
	RejectPerK  int    // transactions rejected in the pain.002, per thousand
	ReturnPerK  int    // booked transactions returned later, per thousand
	ChargeCents int64  // the bank's charge on half of the returned collections
}

// DefaultAnswers is a bank that rejects 3% of the transactions and returns 4% of
// the booked ones, charging 3.00 on half of the returned collections.
var DefaultAnswers = AnswerOptions{Seed: 1, RejectPerK: 30, ReturnPerK: 40, ChargeCents: 300}

// Reason codes the simulated bank uses (SEPA-RULES.md §5).
var (
	sddRejects = []string{"AM04", "MD01", "AC04", "MS02"}
	sddReturns = []string{"AM04", "MD06", "AC04", "MS03"}
	sctRejects = []string{"AC04", "AC01"}
	sctReturns = []string{"AC04", "MD07"}
)

// Answer plays the bank: for every pain.008 and pain.001 file in outbox that has
// no answer in inbox yet (nor in its processed/ or rejected/), it writes what the
// bank sends back, named so that an ingest reads them in order:
//
//	MSGID.answer-1.pain.002.xml         the status report: accepted, with some transactions rejected
//	MSGID.answer-2.camt.054.xml         the bookings, on the collection or execution date: a block the
//	                                    file asked to batch-book is one entry (with its details for every
//	                                    other block), the others one entry per transaction
//	MSGID.answer-3.camt.054-returns.xml some booked transactions returned with a reason code two TARGET2
//	                                    days later, a collection's with a bank charge on half of them
//
// Which transactions are rejected or returned depends only on the seed and their
// EndToEndId. The pain file is read twice (block totals, then the answers) and
// never held whole.
func Answer(outbox, inbox string, opt AnswerOptions) ([]File, error) {
	names, err := filepath.Glob(filepath.Join(outbox, "*.xml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var files []File
	for _, path := range names {
		msgID := strings.TrimSuffix(filepath.Base(path), ".xml")
		if answered(inbox, msgID) {
			continue
		}
		fs, err := answerFile(path, msgID, inbox, opt)
		if err != nil {
			return files, fmt.Errorf("answering %s: %w", path, err)
		}
		files = append(files, fs...)
	}
	return files, nil
}

func answered(inbox, msgID string) bool {
	for _, dir := range []string{inbox, filepath.Join(inbox, "processed"), filepath.Join(inbox, "rejected")} {
		if _, err := os.Stat(filepath.Join(dir, msgID+".answer-1.pain.002.xml")); err == nil {
			return true
		}
	}
	return false
}

// fate is what the bank does with one transaction.
type fate struct {
	reject, ret string // reason codes, or ""
	charge      int64  // on a returned collection
}

func (o AnswerOptions) fate(sdd bool, e2e string) fate {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d:%s", o.Seed, e2e)
	x := h.Sum64()
	roll, pick := int(x%1000), int(x/1000%1000)
	rejects, returns := sctRejects, sctReturns
	if sdd {
		rejects, returns = sddRejects, sddReturns
	}
	var f fate
	switch {
	case roll < o.RejectPerK:
		f.reject = rejects[pick%len(rejects)]
	case roll < o.RejectPerK+o.ReturnPerK:
		f.ret = returns[pick%len(returns)]
		if sdd && pick%2 == 0 {
			f.charge = o.ChargeCents
		}
	}
	return f
}

// blockTotal is what the bank books for a block: its transactions not rejected.
type blockTotal struct {
	n     int
	cents int64
}

func answerFile(path, msgID, inbox string, opt AnswerOptions) ([]File, error) {
	// First pass: the booked total of every block.
	totals := map[string]*blockTotal{}
	var order []string
	head, err := readPain(path, func(b sepa.InitBlock, tx sepa.InitTx, cents int64) error {
		t := totals[b.PmtInfID]
		if t == nil {
			t = &blockTotal{}
			totals[b.PmtInfID] = t
			order = append(order, b.PmtInfID)
		}
		if opt.fate(true, tx.EndToEndID).reject == "" { // whether it is rejected does not depend on the kind

			t.n++
			t.cents += cents
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sdd := head.Kind == "pain.008"
	a, err := newAnswerWriters(inbox, msgID, head)
	if err != nil {
		return nil, err
	}
	defer a.discard()
	blockIndex := map[string]int{}
	for i, id := range order {
		blockIndex[id] = i
	}
	current := ""
	_, err = readPain(path, func(b sepa.InitBlock, tx sepa.InitTx, cents int64) error {
		if b.PmtInfID != current {
			a.block(b, current, totals[b.PmtInfID], blockIndex[b.PmtInfID]%2 == 0, sdd)
			current = b.PmtInfID
		}
		f := opt.fate(sdd, tx.EndToEndID)
		a.tx(b, tx, cents, f, sdd)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a.close(current)
}

// readPain reads a pain file, giving each transaction's amount in cents.
func readPain(path string, each func(sepa.InitBlock, sepa.InitTx, int64) error) (sepa.Initiation, error) {
	f, err := os.Open(path)
	if err != nil {
		return sepa.Initiation{}, err
	}
	defer f.Close()
	return sepa.ReadInitiation(f, path, func(b sepa.InitBlock, tx sepa.InitTx) error {
		cents, err := ledger.ToCents(tx.Amount.Decimal)
		if err != nil {
			return fmt.Errorf("%s: %w", tx.EndToEndID, err)
		}
		return each(b, tx, cents)
	})
}

// answerDate is the day after the date part of a CreDtTm.
func answerDate(created string) string {
	d, err := time.Parse("2006-01-02", created[:min(10, len(created))])
	if err != nil {
		return created
	}
	return d.AddDate(0, 0, 1).Format("2006-01-02")
}

// answerWriters writes the three answers to one batch file, each to a temporary
// name renamed into place once complete.
type answerWriters struct {
	head              sepa.Initiation
	msgID             string
	paths             [3]string
	files             [3]*os.File
	status, book, ret *bufio.Writer
	batchOpen         bool // a batch-booked entry waits for its details
	statusOpen        bool // the block's statuses are open in the pain.002
	counts            [3]int
	ref               int
}

func newAnswerWriters(inbox, msgID string, head sepa.Initiation) (*answerWriters, error) {
	a := &answerWriters{head: head, msgID: msgID}
	for i, name := range []string{"answer-1.pain.002", "answer-2.camt.054", "answer-3.camt.054-returns"} {
		a.paths[i] = filepath.Join(inbox, msgID+"."+name+".xml")
		f, err := os.Create(tmpName(a.paths[i]))
		if err != nil {
			a.discard()
			return nil, err
		}
		a.files[i] = f
	}
	a.status, a.book, a.ret = bufio.NewWriter(a.files[0]), bufio.NewWriter(a.files[1]), bufio.NewWriter(a.files[2])
	day := answerDate(head.Created)
	fmt.Fprintf(a.status, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>
<GrpHdr><MsgId>ST-%s</MsgId><CreDtTm>%sT07:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId><OrgnlMsgNmId>%s</OrgnlMsgNmId><OrgnlNbOfTxs>%s</OrgnlNbOfTxs><GrpSts>ACCP</GrpSts></OrgnlGrpInfAndSts>
`, msgID, day, msgID, head.Message, head.NbOfTxs)
	for i, w := range []*bufio.Writer{a.book, a.ret} {
		kind := []string{"BK", "RT"}[i]
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>%s-%s</MsgId><CreDtTm>%sT22:00:00</CreDtTm></GrpHdr>
`, kind, msgID, day)
	}
	return a, nil
}

// block closes the previous block's status and opens the next block's entries.
func (a *answerWriters) block(b sepa.InitBlock, previous string, t *blockTotal, details, sdd bool) {
	a.endBlock(previous)
	if previous == "" {
		for _, w := range []*bufio.Writer{a.book, a.ret} {
			fmt.Fprintf(w, "<Ntfctn><Id>%s</Id><CreDtTm>%sT22:00:00</CreDtTm><Acct><Id><IBAN>%s</IBAN></Id><Ccy>EUR</Ccy></Acct>\n",
				a.msgID, answerDate(a.head.Created), b.IBAN)
		}
	}
	if !b.BatchBooking || t.n == 0 {
		return
	}
	a.ref++
	fmt.Fprintf(a.book, `<Ntry><NtryRef>%s</NtryRef><Amt Ccy="EUR">%s</Amt><CdtDbtInd>%s</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>`+
		`<BookgDt><Dt>%s</Dt></BookgDt><ValDt><Dt>%s</Dt></ValDt><AcctSvcrRef>%s-%d</AcctSvcrRef>%s<NtryDtls>`+
		`<Btch><MsgId>%s</MsgId><PmtInfId>%s</PmtInfId><NbOfTxs>%d</NbOfTxs><TtlAmt Ccy="EUR">%s</TtlAmt><CdtDbtInd>%s</CdtDbtInd></Btch>`,
		b.PmtInfID, ledger.FormatCents(t.cents), direction(sdd, false), b.Date, b.Date, a.msgID, a.ref, bankCode(sdd, false),
		a.msgID, b.PmtInfID, t.n, ledger.FormatCents(t.cents), direction(sdd, false))
	if !details {
		a.book.WriteString("</NtryDtls></Ntry>\n")
		a.batchOpen = false
		return
	}
	a.batchOpen = true
}

func (a *answerWriters) endBlock(id string) {
	if id == "" {
		return
	}
	if a.batchOpen {
		a.book.WriteString("</NtryDtls></Ntry>\n")
		a.batchOpen = false
	}
	if a.statusOpen {
		a.status.WriteString("</OrgnlPmtInfAndSts>\n")
		a.statusOpen = false
	}
}

// direction is the side of our account: a collection credits it, a payout debits
// it, and their returns the other way round.
func direction(sdd, ret bool) string {
	if sdd != ret {
		return "CRDT"
	}
	return "DBIT"
}

func bankCode(sdd, ret bool) string {
	code := map[[2]bool]string{{true, false}: "PMNT/IDDT/ESDD", {true, true}: "PMNT/IDDT/UPDD",
		{false, false}: "PMNT/ICDT/ESCT", {false, true}: "PMNT/ICDT/RRTN"}[[2]bool{sdd, ret}]
	p := strings.Split(code, "/")
	return fmt.Sprintf("<BkTxCd><Domn><Cd>%s</Cd><Fmly><Cd>%s</Cd><SubFmlyCd>%s</SubFmlyCd></Fmly></Domn></BkTxCd>", p[0], p[1], p[2])
}

func tmpName(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
}

// tx writes what the bank does with one transaction: its reject, its booking (alone,
// or as a detail of its block's entry) and its return.
func (a *answerWriters) tx(b sepa.InitBlock, tx sepa.InitTx, cents int64, f fate, sdd bool) {
	if f.reject != "" {
		a.counts[0]++
		if !a.statusOpen {
			fmt.Fprintf(a.status, "<OrgnlPmtInfAndSts><OrgnlPmtInfId>%s</OrgnlPmtInfId>", b.PmtInfID)
			a.statusOpen = true
		}
		fmt.Fprintf(a.status, "<TxInfAndSts><OrgnlEndToEndId>%s</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>%s</Cd></Rsn></StsRsnInf></TxInfAndSts>",
			tx.EndToEndID, f.reject)
		return
	}
	a.counts[1]++
	switch {
	case a.batchOpen:
		a.details(a.book, b, tx, cents, sdd, "")
	case !b.BatchBooking:
		a.entry(a.book, b.Date, cents, 0, sdd, false)
		a.details(a.book, b, tx, cents, sdd, "")
		a.book.WriteString("</NtryDtls></Ntry>\n")
	}
	if f.ret == "" {
		return
	}
	a.counts[2]++
	d, _ := settle.ParseDay(b.Date)
	amount := cents + f.charge // a collection's return takes the charge too; a payout comes back whole
	a.entry(a.ret, d.AddTARGET2(2).String(), amount, f.charge, sdd, true)
	a.details(a.ret, b, tx, cents, sdd, f.ret)
	a.ret.WriteString("</NtryDtls></Ntry>\n")
}

// entry opens a single-booked entry, up to its NtryDtls.
func (a *answerWriters) entry(w *bufio.Writer, date string, cents, charge int64, sdd, ret bool) {
	a.ref++
	fmt.Fprintf(w, `<Ntry><Amt Ccy="EUR">%s</Amt><CdtDbtInd>%s</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>%s</Dt></BookgDt>`+
		`<ValDt><Dt>%s</Dt></ValDt><AcctSvcrRef>%s-%d</AcctSvcrRef>%s`, ledger.FormatCents(cents), direction(sdd, ret), date, date, a.msgID, a.ref, bankCode(sdd, ret))
	if charge > 0 {
		fmt.Fprintf(w, `<Chrgs><Rcrd><Amt Ccy="EUR">%s</Amt><CdtDbtInd>DBIT</CdtDbtInd></Rcrd></Chrgs>`, ledger.FormatCents(charge))
	}
	w.WriteString("<NtryDtls>")
}

// details writes one transaction's TxDtls, with its return reason when returned.
func (a *answerWriters) details(w *bufio.Writer, b sepa.InitBlock, tx sepa.InitTx, cents int64, sdd bool, reason string) {
	fmt.Fprintf(w, "<TxDtls><Refs><MsgId>%s</MsgId><PmtInfId>%s</PmtInfId><EndToEndId>%s</EndToEndId>", a.msgID, b.PmtInfID, tx.EndToEndID)
	if tx.MandateID != "" {
		fmt.Fprintf(w, "<MndtId>%s</MndtId>", tx.MandateID)
	}
	party, account := "Dbtr", "DbtrAcct"
	if !sdd {
		party, account = "Cdtr", "CdtrAcct"
	}
	fmt.Fprintf(w, `</Refs><Amt Ccy="EUR">%s</Amt><CdtDbtInd>%s</CdtDbtInd><RltdPties><%s><Pty><Nm>`, ledger.FormatCents(cents), direction(sdd, reason != ""), party)
	xml.EscapeText(w, []byte(tx.Name))
	fmt.Fprintf(w, "</Nm></Pty></%s><%s><Id><IBAN>%s</IBAN></Id></%s></RltdPties>", party, account, tx.IBAN, account)
	if reason != "" {
		fmt.Fprintf(w, "<RtrInf><Rsn><Cd>%s</Cd></Rsn></RtrInf>", reason)
	}
	w.WriteString("</TxDtls>")
}

// close ends the three documents and renames them into place; a returns file with
// no return is not written.
func (a *answerWriters) close(last string) ([]File, error) {
	a.endBlock(last)
	a.status.WriteString("</CstmrPmtStsRpt></Document>\n")
	for _, w := range []*bufio.Writer{a.book, a.ret} {
		w.WriteString("</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n")
	}
	var files []File
	for i, w := range []*bufio.Writer{a.status, a.book, a.ret} {
		if err := w.Flush(); err != nil {
			return nil, err
		}
		if err := a.files[i].Close(); err != nil {
			return nil, err
		}
		a.files[i] = nil
		if i == 2 && a.counts[2] == 0 {
			os.Remove(tmpName(a.paths[i]))
			continue
		}
		if err := os.Rename(tmpName(a.paths[i]), a.paths[i]); err != nil {
			return nil, err
		}
		kind := []string{"rejected", "booked", "returned"}[i]
		files = append(files, File{Kind: kind, Path: a.paths[i], Rows: a.counts[i]})
	}
	return files, nil
}

// discard removes what an answer that failed half-way wrote.
func (a *answerWriters) discard() {
	for i, f := range a.files {
		if f != nil {
			f.Close()
			os.Remove(tmpName(a.paths[i]))
		}
	}
}
