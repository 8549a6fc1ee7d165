package ledger_test

import (
	"context"
	"fmt"
	"os"
	"settle/ledger"
	"settle/ledger/payments"
	"strings"
	"testing"
)

// pain002 is a status report on batch msgID: a group status (or none), then
// transaction statuses "PMTINFID E2E STATUS REASON".
func pain002(id, msgID, groupStatus, groupReason string, txs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>
<GrpHdr><MsgId>%s</MsgId><CreDtTm>2026-11-21T08:00:00</CreDtTm></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>`, id, msgID)
	if groupStatus != "" {
		fmt.Fprintf(&b, "<GrpSts>%s</GrpSts>", groupStatus)
		if groupReason != "" {
			fmt.Fprintf(&b, "<StsRsnInf><Rsn><Cd>%s</Cd></Rsn></StsRsnInf>", groupReason)
		}
	}
	b.WriteString("</OrgnlGrpInfAndSts>")
	for _, tx := range txs {
		f := strings.Fields(tx)
		fmt.Fprintf(&b, `<OrgnlPmtInfAndSts><OrgnlPmtInfId>%s</OrgnlPmtInfId><TxInfAndSts><OrgnlEndToEndId>%s</OrgnlEndToEndId>
<TxSts>%s</TxSts><StsRsnInf><Rsn><Cd>%s</Cd></Rsn></StsRsnInf></TxInfAndSts></OrgnlPmtInfAndSts>`, f[0], f[1], f[2], f[3])
	}
	b.WriteString("</CstmrPmtStsRpt></Document>")
	return b.String()
}

func statusOf(t *testing.T, s *ledger.Store, ref string) string {
	t.Helper()
	ps, err := payments.Payments(context.Background(), s, ref)
	if err != nil || len(ps) != 1 {
		t.Fatalf("%s: %+v %v", ref, ps, err)
	}
	return ps[0].Status + " " + ledger.Deref(ps[0].Reason)
}

func mandateStatus(t *testing.T, s *ledger.Store, id string) string {
	var st string
	s.R.Get(&st, `SELECT status FROM mandates WHERE mandate_id = ?`, id)
	return st
}

func TestPain002GroupRejectPutsTheBatchBack(t *testing.T) {
	s := batchWorld(t)
	ctx := context.Background()
	opt := batchDay
	opt.Outbox = t.TempDir()
	run, err := payments.MakeSDDBatches(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	msg := run.Files[0].MsgID
	if _, err := ingestFile(t, s, "ack.xml", pain002("ACK-1", msg, "ACCP", "")); err != nil {
		t.Fatal(err)
	}
	if bs, _ := payments.Batches(ctx, s, ""); bs[0].Status != payments.BatchSent || statusOf(t, s, "TU-1") != "Sent " {
		t.Fatalf("after ACCP: %+v, %s", bs[0], statusOf(t, s, "TU-1"))
	}
	sum, err := ingestFile(t, s, "rjct.xml", pain002("RJ-1", msg, "RJCT", "FF01"))
	if err != nil || sum.Acted != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	bs, _ := payments.Batches(ctx, s, "")
	if bs[0].Status != payments.BatchRejected || bs[0].Flagged == nil || !strings.Contains(*bs[0].Flagged, "FF01") || statusOf(t, s, "TU-1") != "Created " {
		t.Fatalf("after the group reject: %+v, %s", bs[0], statusOf(t, s, "TU-1"))
	}
	// The same answer again (another file) changes nothing; the next run makes the batch again, FRST first.
	if sum, _ := ingestFile(t, s, "rjct2.xml", pain002("RJ-2", msg, "RJCT", "FF01")); sum.Acted != 0 {
		t.Fatalf("replayed reject acted on %d", sum.Acted)
	}
	run, err = payments.MakeSDDBatches(ctx, s, opt)
	if err != nil || run.Txs != 3 {
		t.Fatalf("%+v %v", run, err)
	}
	if doc, _ := os.ReadFile(run.Files[0].Path); !strings.Contains(string(doc), "<SeqTp>FRST</SeqTp>") {
		t.Fatal("the regenerated batch lost its FRST")
	}
	mustVerify(t, s)
}

func TestPain002TransactionRejectsSetTheMandate(t *testing.T) {
	for _, c := range []struct{ reason, mandate string }{{"MD01", payments.MandateRevoked}, {"AC04", payments.MandateRevoked}, {"MS02", payments.MandateSuspended}, {"AM04", payments.MandateActive}} {
		t.Run(c.reason, func(t *testing.T) {
			s := batchWorld(t)
			opt := batchDay
			opt.Outbox = t.TempDir()
			run, err := payments.MakeSDDBatches(context.Background(), s, opt)
			if err != nil {
				t.Fatal(err)
			}
			msg := run.Files[0].MsgID
			if _, err := ingestFile(t, s, "r.xml", pain002("R-1", msg, "", "", msg+"-B0001 STL-DD-1 RJCT "+c.reason)); err != nil {
				t.Fatal(err)
			}
			if got := statusOf(t, s, "TU-1"); got != "Rejected "+c.reason {
				t.Fatalf("TU-1 %s", got)
			}
			if got := statusOf(t, s, "TU-2"); got != "Batched " {
				t.Fatalf("TU-2 %s: only the named transaction is rejected", got)
			}
			if got := mandateStatus(t, s, "MND-POLI-1"); got != c.mandate {
				t.Fatalf("mandate %s, want %s", got, c.mandate)
			}
		})
	}
}

func TestPain002PayoutRejectRecreditsTheWalletOnce(t *testing.T) {
	s := batchWorld(t)
	ctx := context.Background()
	if _, err := ingestFile(t, s, "in.xml", camt054(ntry{ref: "C1", amount: "300.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"})); err != nil {
		t.Fatal(err)
	}
	importCSV(t, s, "withdrawals", "withdrawalId,walletId,amount,operationType,requestedExecutionDate,remittance\nWD-1,"+polifemo+",120.00,,2026-11-20,\n")
	opt := batchDay
	opt.Outbox = t.TempDir()
	run, err := payments.MakeSCTBatches(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	msg := run.Files[0].MsgID
	wallet := ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable)
	if b := balance(t, s, wallet); b != "-180.00" {
		t.Fatalf("wallet after the batch: %s", b)
	}
	for i := range 2 { // the second report repeats the first
		if _, err := ingestFile(t, s, fmt.Sprintf("r%d.xml", i), pain002(fmt.Sprintf("R-%d", i), msg, "", "", msg+"-D20261120 STL-CT-1 RJCT AC04")); err != nil {
			t.Fatal(err)
		}
		if b := balance(t, s, wallet); b != "-300.00" {
			t.Fatalf("wallet after the reject (%d): %s", i, b)
		}
	}
	if got := statusOf(t, s, "WD-1"); got != "Rejected AC04" {
		t.Fatal(got)
	}
	mustVerify(t, s)
}
