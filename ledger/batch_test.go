package ledger_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"settle"
	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/ledgertest"
	"settle/ledger/payments"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	testMandates = `mandateId,walletId,debtorName,debtorIban,debtorBic,signatureDate,status,originalMandateId
MND-POLI-1,0ecad4a2-3549-43fb-807e-9ff033247480,Polifemo Micillo & Figli,IT27X0300203280335719971372,,2026-01-15,Active,
MND-POLI-OLD,0ecad4a2-3549-43fb-807e-9ff033247480,Polifemo Micillo,IT27X0300203280335719971372,,2022-01-15,Active,
`
	testTopUps = `topUpId,walletId,mandateId,amount,requestedCollectionDate
TU-1,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-1,100.00,2026-11-20
TU-2,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-1,250.50,2026-11-25
TU-3,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-1,1999.00,
`
)

var batchDay = payments.BatchOptions{Today: settle.MustParseDay("2026-11-20"), Created: time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC), LeadDays: 1, BatchBooking: true}

func importCSV(t *testing.T, s *ledger.Store, kind, csv string) feeds.ImportResult {
	t.Helper()
	res, err := feeds.Import(context.Background(), s, kind, kind+".csv", strings.NewReader(csv), feeds.ImportOptions{Day: testDay})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func batchWorld(t *testing.T) *ledger.Store {
	t.Helper()
	s := openTest(t)
	seedWorld(t, s)
	if res := importCSV(t, s, "mandates", testMandates); res.Rejected > 0 {
		t.Fatalf("%+v", res.Errors)
	}
	if res := importCSV(t, s, "topups", testTopUps); res.Rejected > 0 {
		t.Fatalf("%+v", res.Errors)
	}
	return s
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	ledgertest.Golden(t, filepath.Join("testdata", name), got)
}

func xmllint(t *testing.T, path, xsd string) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Log("xmllint is not installed: schema not checked")
		return
	}
	schema := filepath.Join("..", "..", "shared", "xsd", "iso_pain", xsd+".xsd")
	if _, err := os.Stat(schema); err != nil {
		t.Log("../shared/xsd is absent: schema not checked")
		return
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", schema, path).CombinedOutput(); err != nil {
		t.Fatalf("%s", out)
	}
}

func TestSDDBatchGoldenAndOnce(t *testing.T) {
	s := batchWorld(t)
	ctx := context.Background()
	opt := batchDay
	opt.Outbox = t.TempDir()
	run, err := payments.MakeSDDBatches(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Files) != 1 || run.Txs != 3 || run.Total.Text() != "2349.50" {
		t.Fatalf("%+v", run)
	}
	f := run.Files[0]
	xmllint(t, f.Path, "pain.008.001.08")
	doc, _ := os.ReadFile(f.Path)
	golden(t, "sdd-batch.golden.xml", doc)
	pre, _ := os.ReadFile(filepath.Join(opt.Outbox, payments.PrenotificationName(f.MsgID)))
	golden(t, "sdd-prenotification.golden.csv", pre)
	// FRST for the mandate's first collection, RCUR for the others; dates on TARGET2 days.
	for _, want := range []string{"<SeqTp>FRST</SeqTp><", "<ReqdColltnDt>2026-11-23</ReqdColltnDt>", "<ReqdColltnDt>2026-11-25</ReqdColltnDt>",
		"<NbOfTxs>3</NbOfTxs><CtrlSum>2349.50</CtrlSum>", "<Nm>Polifemo Micillo + Figli</Nm>"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("missing %s", want)
		}
	}
	again, err := payments.MakeSDDBatches(ctx, s, opt)
	if err != nil || len(again.Files) != 0 || again.Txs != 0 {
		t.Fatalf("a second run made %+v, %v", again, err)
	}
	ps, _ := payments.Payments(ctx, s, f.MsgID)
	if len(ps) != 3 || ps[0].Status != payments.PayBatched {
		t.Fatalf("%+v", ps)
	}
	mustVerify(t, s)
}

func TestSDDBatchSplitsAndCancelsOnce(t *testing.T) {
	s := batchWorld(t)
	ctx := context.Background()
	opt := batchDay
	opt.Outbox, opt.MaxTxs = t.TempDir(), 2
	run, err := payments.MakeSDDBatches(ctx, s, opt)
	if err != nil || len(run.Files) != 2 || run.Files[0].NbOfTxs != 2 || run.Files[1].NbOfTxs != 1 {
		t.Fatalf("%+v %v", run, err)
	}
	opt.MaxTxs, opt.MaxAmountCents = 0, 200000 // 1,999.00 + 100.00 is over 2,000.00
	first := run.Files[0]
	for _, f := range run.Files {
		if err := payments.CancelBatch(ctx, s, f.MsgID, opt.Outbox, settle.MustParseDay("2026-11-20")); err != nil {
			t.Fatal(err)
		}
	}
	if err := payments.CancelBatch(ctx, s, first.MsgID, opt.Outbox, settle.MustParseDay("2026-11-20")); settle.CodeOf(err) != settle.Conflict {
		t.Fatalf("second cancel: %v", err)
	}
	if _, err := os.Stat(first.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the cancelled batch's file stays in the outbox")
	}
	run, err = payments.MakeSDDBatches(ctx, s, opt)
	if err != nil || len(run.Files) != 2 || run.Txs != 3 || run.Files[0].NbOfTxs != 2 {
		t.Fatalf("after cancel, split by amount: %+v %v", run, err)
	}
	doc, _ := os.ReadFile(run.Files[0].Path)
	if !strings.Contains(string(doc), "<SeqTp>FRST</SeqTp>") {
		t.Errorf("the cancelled first collection must come back as FRST")
	}
	// With batches.approval, a batch goes to the bank only once a person released it.
	if err := payments.MarkBatchSent(ctx, s, run.Files[0].MsgID, true); settle.CodeOf(err) != settle.Conflict || !strings.Contains(err.Error(), "awaits approval") {
		t.Fatalf("sending an unapproved batch: %v", err)
	}
	if _, err := payments.ApproveBatch(ctx, s, run.Files[0].MsgID, ""); settle.CodeOf(err) != settle.Invalid {
		t.Fatalf("an approval by nobody: %v", err)
	}
	if b, err := payments.ApproveBatch(ctx, s, run.Files[0].MsgID, "carla"); err != nil || *b.ApprovedBy != "carla" {
		t.Fatalf("approve: %+v %v", b, err)
	}
	if err := payments.MarkBatchSent(ctx, s, run.Files[0].MsgID, true); err != nil {
		t.Fatal(err)
	}
	if err := payments.CancelBatch(ctx, s, run.Files[0].MsgID, opt.Outbox, settle.MustParseDay("2026-11-20")); settle.CodeOf(err) != settle.Conflict {
		t.Fatalf("cancelling a sent batch: %v", err)
	}
	mustVerify(t, s)
}

func TestSDDBatchAmendmentAndExpiry(t *testing.T) {
	s := batchWorld(t)
	ctx := context.Background()
	opt := batchDay
	opt.Outbox = t.TempDir()
	ledgertest.Exec(t, s, `UPDATE mandates SET signature_date = '2024-01-15' WHERE mandate_id = 'MND-POLI-OLD'`)
	if _, err := payments.MakeSDDBatches(ctx, s, opt); err != nil {
		t.Fatal(err)
	}
	// After its first collection the debtor moves the mandate to another account.
	header := strings.SplitN(testMandates, "\n", 2)[0]
	importCSV(t, s, "mandates", header+"\nMND-POLI-1,0ecad4a2-3549-43fb-807e-9ff033247480,Polifemo Micillo,DE89370400440532013000,,2026-01-15,Active,\n")
	res := importCSV(t, s, "topups", "topUpId,walletId,mandateId,amount,requestedCollectionDate\nTU-4,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-1,10.00,2026-12-01\n"+
		"TU-5,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-OLD,10.00,2026-12-01\n")
	if res.Rejected > 0 {
		t.Fatalf("%+v", res.Errors)
	}
	// By the next run the old mandate, never used, is 36 months old.
	ledgertest.Exec(t, s, `UPDATE mandates SET signature_date = '2023-11-15' WHERE mandate_id = 'MND-POLI-OLD'`)
	opt.Today = settle.MustParseDay("2026-11-30")
	run, err := payments.MakeSDDBatches(ctx, s, opt)
	if err != nil || len(run.Files) != 1 || run.Txs != 1 || run.Cancelled != 1 {
		t.Fatalf("%+v %v", run, err)
	}
	doc, _ := os.ReadFile(run.Files[0].Path)
	xmllint(t, run.Files[0].Path, "pain.008.001.08")
	if !strings.Contains(string(doc), "<AmdmntInd>true</AmdmntInd><AmdmntInfDtls><OrgnlDbtrAcct><Id><IBAN>IT27X0300203280335719971372</IBAN>") ||
		!strings.Contains(string(doc), "<SeqTp>RCUR</SeqTp>") || !strings.Contains(string(doc), "<IBAN>DE89370400440532013000</IBAN>") {
		t.Fatalf("no amendment:\n%s", doc)
	}
	ps, _ := payments.Payments(ctx, s, "TU-5")
	if len(ps) != 1 || ps[0].Status != payments.PayCancelled || *ps[0].Reason != "MANDATE_EXPIRED" {
		t.Fatalf("%+v", ps)
	}
	// The amendment was told once: the next collection carries none.
	importCSV(t, s, "topups", "topUpId,walletId,mandateId,amount,requestedCollectionDate\nTU-6,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-1,10.00,2026-12-01\n")
	run, _ = payments.MakeSDDBatches(ctx, s, opt)
	if doc, _ := os.ReadFile(run.Files[0].Path); !strings.Contains(string(doc), "<AmdmntInd>false</AmdmntInd>") {
		t.Fatalf("amendment sent twice:\n%s", doc)
	}
}

func TestPaymentFeedsRefuse(t *testing.T) {
	s := batchWorld(t)
	mario := "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
	poli := "0ecad4a2-3549-43fb-807e-9ff033247480"
	importCSV(t, s, "mandates", "mandateId,walletId,debtorName,debtorIban,debtorBic,signatureDate,status,originalMandateId\nMND-REV,"+poli+",P M,IT27X0300203280335719971372,,2026-01-15,Revoked,\n")
	for _, c := range []struct{ kind, row, field, want string }{
		{"topups", "TU-9," + poli + ",MND-NONE,10.00,", "mandateId", "does not exist"},
		{"topups", "TU-9," + poli + ",MND-REV,10.00,", "mandateId", "Revoked"},
		{"topups", "TU-9," + mario + ",MND-POLI-1,10.00,", "walletId", "no validated IBAN"},
		{"topups", "TU-9," + poli + ",MND-POLI-1,151.51,", "amount", "over the partner's 2500.50"},
		{"topups", "TU-9," + poli + ",MND-POLI-1,0.00,", "amount", "at least 0.01"},
		{"topups", "TU-9," + poli + ",MND-POLI-1,1.001,", "amount", ""},
		{"withdrawals", "WD-9," + poli + ",10.00,,,", "amount", "can withdraw 0.00"},
		{"withdrawals", "WD-9," + mario + ",10.00,,,", "walletId", "no validated IBAN"},
		{"withdrawals", "WD-9," + poli + ",10.00,Payment,,", "operationType", "not SctWithdrawal or Redemption"},
		{"mandates", "M 1," + poli + ",P M,IT27X0300203280335719971372,,2026-01-15,,", "mandateId", "space"},
		{"mandates", "mnd-poli-1," + poli + ",P M,IT27X0300203280335719971372,,2026-01-15,,", "mandateId", "case-insensitive"},
		{"mandates", "M-2," + poli + ",P M,IT27X0300203280335719971372,,2099-01-15,,", "signatureDate", "future"},
	} {
		header := map[string]string{"topups": strings.SplitN(testTopUps, "\n", 2)[0], "mandates": strings.SplitN(testMandates, "\n", 2)[0],
			"withdrawals": "withdrawalId,walletId,amount,operationType,requestedExecutionDate,remittance"}[c.kind]
		res := importCSV(t, s, c.kind, header+"\n"+c.row+"\n")
		if res.Rejected != 1 || res.Errors[0].Field != c.field || !strings.Contains(res.Errors[0].Err, c.want) {
			t.Errorf("%s %q: %+v", c.kind, c.row, res.Errors)
		}
	}
}

func TestSCTBatchDebitsAndCancelPutsBackOnce(t *testing.T) {
	s := batchWorld(t)
	ctx := context.Background()
	if _, err := ingestFile(t, s, "in.xml", camt054(ntry{ref: "C1", amount: "300.00", debtorIBAN: polifemoIBAN, remittance: "K7PQ2M"})); err != nil {
		t.Fatal(err)
	}
	res := importCSV(t, s, "withdrawals", "withdrawalId,walletId,amount,operationType,requestedExecutionDate,remittance\n"+
		"WD-1,0ecad4a2-3549-43fb-807e-9ff033247480,120.00,,2026-11-20,Prelievo è semplice\nWD-2,0ecad4a2-3549-43fb-807e-9ff033247480,180.01,,2026-11-20,\n")
	if res.Rejected != 1 || !strings.Contains(res.Errors[0].Err, "can withdraw 180.00") {
		t.Fatalf("%+v", res)
	}
	opt := batchDay
	opt.Outbox = t.TempDir()
	run, err := payments.MakeSCTBatches(ctx, s, opt)
	if err != nil || len(run.Files) != 1 || run.Txs != 1 {
		t.Fatalf("%+v %v", run, err)
	}
	xmllint(t, run.Files[0].Path, "pain.001.001.09")
	doc, _ := os.ReadFile(run.Files[0].Path)
	golden(t, "sct-batch.golden.xml", doc)
	wallet := ledger.WalletAccountCode(polifemo, ledger.BucketWithdrawable)
	if b := balance(t, s, wallet); b != "-180.00" {
		t.Fatalf("wallet after the batch: %s", b)
	}
	if b := balance(t, s, ledger.PartnerAccountCode("ACME", "payout_clearing")); b != "-120.00" {
		t.Fatalf("payout_clearing: %s", b)
	}
	if err := payments.CancelBatch(ctx, s, run.Files[0].MsgID, opt.Outbox, settle.MustParseDay("2026-11-20")); err != nil {
		t.Fatal(err)
	}
	if err := payments.CancelBatch(ctx, s, run.Files[0].MsgID, opt.Outbox, settle.MustParseDay("2026-11-20")); settle.CodeOf(err) != settle.Conflict {
		t.Fatalf("second cancel: %v", err)
	}
	if b := balance(t, s, wallet); b != "-300.00" {
		t.Fatalf("wallet after cancel: %s", b)
	}
	opt.Message = "pain.001.001.03"
	run, err = payments.MakeSCTBatches(ctx, s, opt)
	if err != nil || len(run.Files) != 1 || run.Txs != 1 {
		t.Fatalf("after cancel: %+v %v", run, err)
	}
	xmllint(t, run.Files[0].Path, "pain.001.001.03")
	if b := balance(t, s, wallet); b != "-180.00" {
		t.Fatalf("wallet after the second batch: %s", b)
	}
	mustVerify(t, s)
}

func TestBatchCrashLeavesNoOrphanAndNoDouble(t *testing.T) {
	s := batchWorld(t)
	ctx := context.Background()
	opt := batchDay
	opt.Outbox = t.TempDir()
	crash := errors.New("killed")
	// Killed after writing, before recording: no file, nothing batched.
	opt.FailAfterWrite = killedAt(false, crash)
	// Regression (issue 14): the failed run's summary counted the rolled-back file.
	if run, err := payments.MakeSDDBatches(ctx, s, opt); !errors.Is(err, crash) || run.Txs != 0 || !run.Total.IsZero() {
		t.Fatalf("%+v %v; want the crash and nothing counted", run, err)
	}
	if names := outbox(t, opt.Outbox); len(names) != 0 {
		t.Fatalf("orphans: %v", names)
	}
	// Killed after recording, before the rename: the next run finishes the file, makes no other.
	opt.FailAfterWrite = killedAt(true, crash)
	if run, err := payments.MakeSDDBatches(ctx, s, opt); !errors.Is(err, crash) || run.Txs == 0 {
		t.Fatalf("%+v %v; want the crash and the committed file counted", run, err)
	}
	opt.FailAfterWrite = nil
	run, err := payments.MakeSDDBatches(ctx, s, opt)
	if err != nil || len(run.Files) != 0 {
		t.Fatalf("%+v %v", run, err)
	}
	names := outbox(t, opt.Outbox)
	bs, _ := payments.Batches(ctx, s, "")
	if len(bs) != 1 || len(names) != 2 || names[0] != bs[0].FileName {
		t.Fatalf("batches %+v, outbox %v", bs, names)
	}
	xmllint(t, filepath.Join(opt.Outbox, names[0]), "pain.008.001.08")
}

// killedAt is a FailAfterWrite that fails with err before the commit (committed
// false) or after it, before the rename (true), as a killed process would stop.
func killedAt(committed bool, err error) func(bool) error {
	return func(c bool) error {
		if c == committed {
			return err
		}
		return nil
	}
}

func outbox(t *testing.T, dir string) []string {
	t.Helper()
	es, _ := os.ReadDir(dir)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// A row the pain.008 refuses stops the file while the reader is still ahead of
// the writer: the run fails naming the payment, leaves no file and no batch, and
// runs once the data is mended (regression for the read-ahead of writeSDD).
func TestSDDBatchStopsAtARefusedRow(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	importCSV(t, s, "mandates", testMandates)
	const n = 8000 // more than the reader holds ahead of the writer; one debit per mandate, as a night has them
	ledgertest.Exec(t, s, `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < `+strconv.Itoa(n)+`)
		INSERT INTO mandates (mandate_id, partner_key, creditor_id, wallet_id, debtor_name, debtor_iban, signature_date,
			status, created_at, updated_at)
		SELECT 'MND-N' || n, m.partner_key, m.creditor_id, m.wallet_id, m.debtor_name, m.debtor_iban, m.signature_date,
			'Active', m.created_at, m.updated_at FROM seq, mandates m WHERE m.mandate_id = 'MND-POLI-1'`)
	ledgertest.Exec(t, s, `INSERT INTO direct_debits (topup_id, partner_key, wallet_id, mandate_id, amount_cents, requested_date,
			end_to_end_id, status, created_at, updated_at)
		SELECT 'TU-' || substr(mandate_id, 6), partner_key, wallet_id, mandate_id, 100, '2026-11-20', 'STL-DD-' || substr(mandate_id, 6),
			'Created', '2026-11-20', '2026-11-20' FROM mandates WHERE mandate_id LIKE 'MND-N%' ORDER BY length(mandate_id), mandate_id`)
	ledgertest.Exec(t, s, `UPDATE mandates SET debtor_iban = 'IT00X0300203280335719971372' WHERE mandate_id = 'MND-N1'`)
	ctx := context.Background()
	opt := batchDay
	opt.Outbox, opt.MaxTxs = t.TempDir(), n
	run, err := payments.MakeSDDBatches(ctx, s, opt)
	if err == nil || !strings.Contains(err.Error(), "payment STL-DD-1: account") || run.Txs != 0 {
		t.Fatalf("%+v %v; want payment STL-DD-1's account refused and nothing counted", run, err)
	}
	if names := outbox(t, opt.Outbox); len(names) != 0 {
		t.Fatalf("left in the outbox: %v", names)
	}
	if bs, _ := payments.Batches(ctx, s, ""); len(bs) != 0 {
		t.Fatalf("batches recorded: %+v", bs)
	}
	ledgertest.Exec(t, s, `UPDATE mandates SET debtor_iban = 'IT27X0300203280335719971372' WHERE mandate_id = 'MND-N1'`)
	run, err = payments.MakeSDDBatches(ctx, s, opt)
	if err != nil || len(run.Files) != 1 || run.Txs != n {
		t.Fatalf("after mending: %+v %v", run, err)
	}
	doc, err := os.ReadFile(run.Files[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(doc), "<DrctDbtTxInf>"); got != n {
		t.Fatalf("%d payments in the file, want %d", got, n)
	}
	pre, _ := os.ReadFile(filepath.Join(opt.Outbox, payments.PrenotificationName(run.Files[0].MsgID)))
	if got := strings.Count(string(pre), "\n"); got != n+1 {
		t.Fatalf("%d pre-notification lines, want %d and a header", got, n)
	}
	mustVerify(t, s)
}

// Many due debits under one mandate: the lowest is its first collection (FRST), every
// other RCUR, and once one was batched a new one is RCUR. (Each debit looks at all of
// its mandate's debits: 3,000 under one mandate take 1.7 s on SQLite, 8,000 about 27 s.)
func TestSDDBatchManyDebitsUnderOneMandate(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	importCSV(t, s, "mandates", testMandates)
	const n = 3000
	ledgertest.Exec(t, s, `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < `+strconv.Itoa(n)+`)
		INSERT INTO direct_debits (topup_id, partner_key, wallet_id, mandate_id, amount_cents, requested_date, end_to_end_id,
			status, created_at, updated_at)
		SELECT 'TU-M' || n, m.partner_key, m.wallet_id, m.mandate_id, 100, '2026-11-20', 'STL-DD-M' || n, 'Created',
			'2026-11-20', '2026-11-20' FROM seq, mandates m WHERE m.mandate_id = 'MND-POLI-1'`)
	ctx := context.Background()
	opt := batchDay
	opt.Outbox, opt.MaxTxs = t.TempDir(), n
	run, err := payments.MakeSDDBatches(ctx, s, opt)
	if err != nil || run.Txs != n {
		t.Fatalf("%+v %v", run, err)
	}
	seqs := func() map[string]int {
		var rows []struct {
			Seq string `db:"sequence_type"`
			N   int    `db:"n"`
		}
		if err := s.R.Select(&rows, `SELECT sequence_type, COUNT(*) AS n FROM direct_debits WHERE status = 'Batched' GROUP BY sequence_type`); err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, r := range rows {
			m[r.Seq] = r.N
		}
		return m
	}
	if got := seqs(); got["FRST"] != 1 || got["RCUR"] != n-1 {
		t.Fatalf("sequence types %v, want 1 FRST and %d RCUR", got, n-1)
	}
	var first string
	s.R.Get(&first, `SELECT end_to_end_id FROM direct_debits WHERE sequence_type = 'FRST'`)
	if first != "STL-DD-M1" {
		t.Fatalf("the first collection is %s, want STL-DD-M1 (the mandate's lowest)", first)
	}
	ledgertest.Exec(t, s, `INSERT INTO direct_debits (topup_id, partner_key, wallet_id, mandate_id, amount_cents, requested_date,
			end_to_end_id, status, created_at, updated_at)
		SELECT 'TU-LATER' || n, partner_key, wallet_id, mandate_id, 100, '2026-11-20', 'STL-DD-LATER' || n, 'Created',
			'2026-11-20', '2026-11-20' FROM mandates, (SELECT 1 AS n UNION ALL SELECT 2) AS two WHERE mandate_id = 'MND-POLI-1'`)
	if again, err := payments.MakeSDDBatches(ctx, s, opt); err != nil || again.Txs != 2 {
		t.Fatalf("%+v %v", again, err)
	}
	if got := seqs(); got["FRST"] != 1 || got["RCUR"] != n+1 {
		t.Fatalf("after the mandate's first batch: %v, want no second FRST", got)
	}
	mustVerify(t, s)
}

// Regression: the first collection under a mandate was its lowest Created debit
// whether or not that one was due, so a mandate whose first debit asks for a later
// date had its due debit sent as RCUR though it had never been collected.
func TestSDDBatchFirstCollectionWhenAnEarlierDebitIsNotDue(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	importCSV(t, s, "mandates", testMandates)
	ledgertest.Exec(t, s, `INSERT INTO direct_debits (topup_id, partner_key, wallet_id, mandate_id, amount_cents, requested_date,
			end_to_end_id, status, created_at, updated_at)
		SELECT 'TU-' || n, partner_key, wallet_id, mandate_id, 100, d, 'STL-DD-' || n, 'Created', '2026-11-20', '2026-11-20'
		FROM mandates, (SELECT 'LATE' AS n, '2027-03-01' AS d UNION ALL SELECT 'DUE', '2026-11-20') AS x WHERE mandate_id = 'MND-POLI-1'`)
	opt := batchDay
	opt.Outbox = t.TempDir()
	run, err := payments.MakeSDDBatches(context.Background(), s, opt)
	if err != nil || run.Txs != 1 {
		t.Fatalf("%+v %v", run, err)
	}
	var seq, status string
	s.R.Get(&seq, `SELECT sequence_type FROM direct_debits WHERE end_to_end_id = 'STL-DD-DUE'`)
	s.R.Get(&status, `SELECT status FROM direct_debits WHERE end_to_end_id = 'STL-DD-LATE'`)
	if seq != "FRST" || status != "Created" {
		t.Fatalf("the due debit went as %q (want FRST: the mandate was never collected); the later one is %s", seq, status)
	}
	// When the earlier-created debit falls due, the mandate has been collected: RCUR,
	// though the collected debit has the higher id.
	opt.Today, opt.Created = settle.MustParseDay("2027-02-22"), opt.Created.AddDate(0, 3, 2)
	if run, err := payments.MakeSDDBatches(context.Background(), s, opt); err != nil || run.Txs != 1 {
		t.Fatalf("%+v %v", run, err)
	}
	s.R.Get(&seq, `SELECT sequence_type FROM direct_debits WHERE end_to_end_id = 'STL-DD-LATE'`)
	if seq != "RCUR" {
		t.Fatalf("the later debit went as %q, want RCUR after the mandate's first collection", seq)
	}
	mustVerify(t, s)
}

// A run of several files counts each file in its own transaction: debits that
// become due while the run goes on, with ids inside a later file's range, go into
// the later files, and no file holds more than MaxTxs.
func TestSDDBatchFilesWhenDebitsBecomeDueMidRun(t *testing.T) {
	s := batchWorld(t)
	ctx := context.Background()
	importCSV(t, s, "topups", `topUpId,walletId,mandateId,amount,requestedCollectionDate
TU-4,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-1,10.00,2027-06-01
TU-5,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-1,11.00,2026-11-20
TU-6,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-1,12.00,2027-06-01
TU-7,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-1,13.00,2026-11-20
TU-8,0ecad4a2-3549-43fb-807e-9ff033247480,MND-POLI-1,14.00,2026-11-20
`)
	opt := batchDay
	opt.Outbox, opt.MaxTxs = t.TempDir(), 2
	files := 0
	opt.FailAfterWrite = func(committed bool) error {
		if committed {
			if files++; files == 1 { // TU-4 and TU-6 lie among the second file's ids
				ledgertest.Exec(t, s, `UPDATE direct_debits SET requested_date = '2026-11-20' WHERE topup_id IN ('TU-4', 'TU-6')`)
			}
		}
		return nil
	}
	run, err := payments.MakeSDDBatches(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if run.Txs != 8 || len(run.Files) != 4 {
		t.Fatalf("%d transactions in %d files: %+v", run.Txs, len(run.Files), run.Files)
	}
	for _, f := range run.Files {
		var n int
		if err := s.R.Get(&n, `SELECT COUNT(*) FROM direct_debits d JOIN batches b ON b.id = d.batch_id WHERE b.msg_id = ?`, f.MsgID); err != nil {
			t.Fatal(err)
		}
		if f.NbOfTxs > 2 || n != f.NbOfTxs {
			t.Errorf("%s says %d transactions and holds %d (at most 2)", f.MsgID, f.NbOfTxs, n)
		}
	}
	var left int
	if err := s.R.Get(&left, `SELECT COUNT(*) FROM direct_debits WHERE status <> 'Batched'`); err != nil || left != 0 {
		t.Fatalf("%d debits not batched (%v)", left, err)
	}
	mustVerify(t, s)
}

// Regression: a batch whose run was killed after recording it, before the rename,
// and that an operator then cancelled, must not reach the outbox: the next run
// finished its file as if the batch stood, and the bank could be sent a cancelled
// batch. The cancel removes the temporary files; where it did not see them (run
// with another --outbox), the next run deletes them.
func TestSDDBatchCancelledBeforeItsFileWasRenamed(t *testing.T) {
	for _, sameOutbox := range []bool{true, false} {
		name := "cancelled in the same outbox"
		if !sameOutbox {
			name = "cancelled with another outbox"
		}
		t.Run(name, func(t *testing.T) {
			s := batchWorld(t)
			ctx := context.Background()
			opt := batchDay
			opt.Outbox = t.TempDir()
			crash := errors.New("killed")
			opt.FailAfterWrite = killedAt(true, crash)
			if _, err := payments.MakeSDDBatches(ctx, s, opt); !errors.Is(err, crash) {
				t.Fatalf("%v; want the crash", err)
			}
			bs, err := payments.Batches(ctx, s, "")
			if err != nil || len(bs) != 1 {
				t.Fatalf("%+v %v", bs, err)
			}
			cancelIn := opt.Outbox
			if !sameOutbox {
				cancelIn = t.TempDir()
			}
			if err := payments.CancelBatch(ctx, s, bs[0].MsgID, cancelIn, settle.MustParseDay("2026-11-20")); err != nil {
				t.Fatal(err)
			}
			if names := outbox(t, opt.Outbox); sameOutbox && len(names) > 0 {
				t.Errorf("the cancelled batch left %v in the outbox", names)
			}
			// The debits came back: the next run batches them again, in a file of its own.
			opt.FailAfterWrite = nil
			run, err := payments.MakeSDDBatches(ctx, s, opt)
			if err != nil || len(run.Files) != 1 {
				t.Fatalf("%+v %v", run, err)
			}
			names := outbox(t, opt.Outbox)
			if len(names) != 2 || names[0] != run.Files[0].MsgID+".xml" {
				t.Fatalf("outbox %v; want only the new batch %s", names, run.Files[0].MsgID)
			}
		})
	}
}
