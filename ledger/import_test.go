package ledger_test

import (
	"context"
	"settle"
	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/ledgertest"
	"strconv"
	"strings"
	"testing"
)

func TestImportReportsBadRowsAndKeepsGoodOnes(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	header := strings.SplitN(ledgertest.WorldCSV(t, "wallets"), "\n", 2)[0]
	good := "11111111-2222-4333-8444-555555555555,ACME,VRDGPP80A01H501U,Giuseppe,Verdi,,,false,,+39.3330000000,g.verdi@example.com,2026-02-01,,,,,ACME_D1,,,,,,,Active,,ABCD12"
	rows := []struct {
		line, field, want string
		row               string
	}{
		{"3", "walletId", "not a UUID", "not-a-uuid,ACME,VRDGPP80A01H501U,Giuseppe,Verdi,,,false,,+39.333,g@example.com,2026-02-01,,,,,ACME_D1,,,,,,,Active,,"},
		{"4", "email", "not an e-mail", "22222222-2222-4333-8444-555555555555,ACME,BNCLRA80A41H501D,Laura,Bianchi,,,false,,+39.3330000001,laura..b@example,2026-02-01,,,,,ACME_D1,,,,,,,Active,,"},
		{"5", "partnerKey", "does not exist", "33333333-2222-4333-8444-555555555555,NOPE,BNCLRA80A41H501D,Laura,Bianchi,,,false,,+39.3330000001,laura@example.com,2026-02-01,,,,,ACME_D1,,,,,,,Active,,"},
		{"6", "firstName", "is required", "44444444-2222-4333-8444-555555555555,ACME,BNCLRA80A41H501D,,Bianchi,,,false,,+39.3330000001,laura@example.com,2026-02-01,,,,,ACME_D1,,,,,,,Active,,"},
		{"7", "iban", "wrong check digits", "55555555-2222-4333-8444-555555555555,ACME,BNCLRA80A41H501D,Laura,Bianchi,IT61X0542811101000000123456,,false,XY12,+39.3330000001,laura@example.com,2026-02-01,,,,,ACME_D1,,,,,,,Active,,"},
		{"8", "taxId", "check letter", "66666666-2222-4333-8444-555555555555,ACME,BNCLRA80A41H501A,Laura,Bianchi,,,false,,+39.3330000001,laura@example.com,2026-02-01,,,,,ACME_D1,,,,,,,Active,,"},
		{"9", "originatingDealerKey", "does not exist", "77777777-2222-4333-8444-555555555555,ACME,BNCLRA80A41H501D,Laura,Bianchi,,,false,,+39.3330000001,laura@example.com,2026-02-01,,,,,NOPE,,,,,,,Active,,"},
		{"10", "ibanValidationCode", "pending validation", "88888888-2222-4333-8444-555555555555,ACME,BNCLRA80A41H501D,Laura,Bianchi,IT60X0542811101000000123456,,false,,+39.3330000001,laura@example.com,2026-02-01,,,,,ACME_D1,,,,,,,Active,,"},
		{"11", "taxId", "already the tax id", "99999999-2222-4333-8444-555555555555,ACME,RSSMRA80A01H501U,Mario,Rossi,,,false,,+39.3330000001,m2@example.com,2026-02-01,,,,,ACME_D1,,,,,,,Active,,"},
		{"12", "status", "not Active", "aaaaaaaa-2222-4333-8444-555555555555,ACME,BNCLRA80A41H501D,Laura,Bianchi,,,false,,+39.3330000001,laura@example.com,2026-02-01,,,,,ACME_D1,,,,,,,Frozen,,"},
		{"13", "creationDate", "not a date-time", "bbbbbbbb-2222-4333-8444-555555555555,ACME,BNCLRA80A41H501D,Laura,Bianchi,,,false,,+39.3330000001,laura@example.com,yesterday,,,,,ACME_D1,,,,,,,Active,,"},
		{"14", "", "wrong number of fields", "cccccccc-2222-4333-8444-555555555555,ACME"},
	}
	var b strings.Builder
	b.WriteString(header + "\n" + good + "\n")
	for _, r := range rows {
		b.WriteString(r.row + "\n")
	}
	res, err := feeds.Import(context.Background(), s, "wallets", "w.csv", strings.NewReader(b.String()), feeds.ImportOptions{Day: testDay, ChunkSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 && res.Errors[0].Line == 2 {
		t.Fatalf("the good row was rejected: %v", res.Errors[0])
	}
	if res.Rows != 1+len(rows) || res.Imported != 1 || res.Rejected != len(rows) {
		t.Fatalf("rows %d imported %d rejected %d; want %d, 1, %d", res.Rows, res.Imported, res.Rejected, 1+len(rows), len(rows))
	}
	for i, r := range rows {
		e := res.Errors[i]
		if e.File != "w.csv" || r.line != strconv.Itoa(e.Line) || e.Field != r.field || !strings.Contains(e.Err, r.want) {
			t.Errorf("row %s: got %s; want line %s field %q containing %q", r.line, e.Error(), r.line, r.field, r.want)
		}
	}
	var n int
	s.R.Get(&n, `SELECT COUNT(*) FROM wallets`)
	if n != 3 {
		t.Fatalf("%d wallets; want the 2 seeded and the 1 good row", n)
	}
	var accounts int
	s.R.Get(&accounts, `SELECT COUNT(*) FROM accounts WHERE wallet_id = '11111111-2222-4333-8444-555555555555'`)
	if accounts != 2 {
		t.Fatalf("the imported wallet has %d bucket accounts; want 2", accounts)
	}
}

func TestImportUpsertIsIdempotent(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	seedWorld(t, s) // again: same rows, no duplicates, no errors
	var wallets, accounts int
	s.R.Get(&wallets, `SELECT COUNT(*) FROM wallets`)
	s.R.Get(&accounts, `SELECT COUNT(*) FROM accounts`)
	if wallets != 2 || accounts != 2*2+len(ledger.SystemAccounts) {
		t.Fatalf("%d wallets, %d accounts after importing twice", wallets, accounts)
	}
	p := ledger.Partner{}
	s.R.Get(&p, `SELECT * FROM partners WHERE partner_key = 'ACME'`)
	if *p.MaxMonthSddDepositCents != 250050 || *p.MaxBalanceCents != 500000 {
		t.Fatalf("partner limits %+v", p)
	}
}

func TestImportRefusesMissingColumnsAndUnknownKind(t *testing.T) {
	s := openTest(t)
	_, err := feeds.Import(context.Background(), s, "wallets", "w.csv", strings.NewReader("walletId,partnerKey\n"), feeds.ImportOptions{Day: testDay})
	if err == nil || !strings.Contains(err.Error(), "missing column") || !strings.Contains(err.Error(), "taxId") {
		t.Fatalf("missing columns: %v", err)
	}
	if _, err := feeds.Import(context.Background(), s, "cats", "c.csv", strings.NewReader(""), feeds.ImportOptions{Day: testDay}); settle.CodeOf(err) != settle.Invalid {
		t.Fatalf("unknown kind: %v", err)
	}
}

func TestWalletCannotMoveToAnotherPartner(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	other := strings.ReplaceAll(ledgertest.WorldCSV(t, "partners"), "ACME,Acme Pay", "OTHER,Other Pay")
	if _, err := feeds.Import(context.Background(), s, "partners", "p.csv", strings.NewReader(other), feeds.ImportOptions{Day: testDay}); err != nil {
		t.Fatal(err)
	}
	feeds.Import(context.Background(), s, "dealers", "d.csv", strings.NewReader("dealerKey,partnerKey,dealerName,iban,bic\nOTHER_D1,OTHER,X,,\n"), feeds.ImportOptions{Day: testDay})
	moved := strings.ReplaceAll(strings.ReplaceAll(ledgertest.WorldCSV(t, "wallets"), ",ACME,", ",OTHER,"), "ACME_D1", "OTHER_D1")
	res, err := feeds.Import(context.Background(), s, "wallets", "w.csv", strings.NewReader(moved), feeds.ImportOptions{Day: testDay})
	if err != nil || res.Rejected != 2 || res.Errors[0].Field != "partnerKey" {
		t.Fatalf("moving wallets: %v %+v", err, res.Errors)
	}
}

// Regression: a stray quote in a row's first field panicked ("out of range index
// passed to FieldPos") and blocked the inbox. It is that row's rejection.
func TestImportStrayQuoteRejectsTheRow(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	for _, bad := range []string{`"TU-X"x`, `TU"X`} {
		doc := testMandates + bad + ",0ecad4a2-3549-43fb-807e-9ff033247480,Polifemo,IT27X0300203280335719971372,,2026-01-15,Active,\n" +
			"MND-AFTER,0ecad4a2-3549-43fb-807e-9ff033247480,Polifemo,IT27X0300203280335719971372,,2026-01-15,Active,\n"
		res, err := feeds.Import(context.Background(), s, "mandates", "m.csv", strings.NewReader(doc), feeds.ImportOptions{Day: testDay})
		if err != nil || res.Rejected != 1 || res.Imported != 3 || len(res.Errors) != 1 || res.Errors[0].Line != 4 {
			t.Errorf("%s: %+v %v; want line 4 rejected and the three other rows imported", bad, res, err)
		}
	}
}

// Regression (issue 15): re-importing a wallet's original row set is_iban_validated
// back to false and its last usage back to the feed's. What settle learned stays;
// a new IBAN starts from what the feed says.
func TestWalletFeedKeepsWhatSettleLearned(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	ctx := context.Background()
	pending := strings.Replace(ledgertest.WorldCSV(t, "wallets"), "Rossi,,,false,,", "Rossi,IT60X0542811101000000123456,,false,XY7QRS,", 1)
	if res, err := feeds.Import(ctx, s, "wallets", "w.csv", strings.NewReader(pending), feeds.ImportOptions{Day: testDay}); err != nil || res.Rejected > 0 {
		t.Fatal(err, res.Errors)
	}
	// settle validates the IBAN with the first transfer carrying the code, and notes the use.
	mario := "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
	ledgertest.Exec(t, s, `UPDATE wallets SET is_iban_validated = TRUE, last_usage_date = '2026-11-20T00:00:00Z',
		last_update_date = '2026-11-20T00:00:00Z' WHERE wallet_id = ?`, mario)
	state := func() (validated bool, used, updated string) {
		t.Helper()
		row := s.R.QueryRow(`SELECT is_iban_validated, COALESCE(last_usage_date, ''), COALESCE(last_update_date, '') FROM wallets WHERE wallet_id = ?`, mario)
		if err := row.Scan(&validated, &used, &updated); err != nil {
			t.Fatal(err)
		}
		return
	}
	if res, err := feeds.Import(ctx, s, "wallets", "w.csv", strings.NewReader(pending), feeds.ImportOptions{Day: testDay}); err != nil || res.Rejected > 0 {
		t.Fatal(err, res.Errors)
	}
	if v, used, updated := state(); !v || used != "2026-11-20T00:00:00Z" || updated != "2026-11-20T00:00:00Z" {
		t.Fatalf("after re-importing the same row: validated %v, last usage %q, last update %q", v, used, updated)
	}
	moved := strings.Replace(pending, "IT60X0542811101000000123456", "IT27X0300203280335719971372", 1)
	if res, err := feeds.Import(ctx, s, "wallets", "w.csv", strings.NewReader(moved), feeds.ImportOptions{Day: testDay}); err != nil || res.Rejected > 0 {
		t.Fatal(err, res.Errors)
	}
	if v, _, _ := state(); v {
		t.Fatal("a new IBAN kept the old one's validation")
	}
}
