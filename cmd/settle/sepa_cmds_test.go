package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	r := runSettle(t, dir, "check", "iban", "IT60 X054 2811 1010 0000 0123 456", "GB29NWBK60161331926819")
	if r.code != 0 || !strings.Contains(r.stdout, "valid: IT60X0542811101000000123456 (SEPA)") {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	r = runSettle(t, dir, "check", "iban", "IT60X0542811101000000123456", "IT61X0542811101000000123456")
	if r.code != exitFail || !strings.Contains(r.stdout, "invalid: IBAN \"IT61X0542811101000000123456\" has wrong check digits 61") {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	cmd := exec.Command(bin, "check", "rf", "-")
	cmd.Stdin = strings.NewReader("RF18539007547034\n\nRF18 5390 0754 70Y\n")
	out, err := cmd.Output()
	if err != nil || strings.Count(string(out), "valid: ") != 2 {
		t.Fatalf("%v\n%s", err, out)
	}
	if r := runSettle(t, dir, "check", "ci", "DE98ZZZ09999999999"); r.code != 0 {
		t.Fatal(r.stdout)
	}
	if r := runSettle(t, dir, "check", "bic", "BCITXXMM"); r.code != exitFail || !strings.Contains(r.stdout, "not an ISO 3166 country") {
		t.Fatal(r.stdout)
	}
	if r := runSettle(t, dir, "check", "tax", "X"); r.code != exitUsage {
		t.Fatalf("unknown kind: exit %d", r.code)
	}
}

const inspectSample = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>2026-11-21T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-20261120</Id><Acct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-20</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000010.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-20</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">10.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt>
<ValDt><Dt>2026-11-20</Dt></ValDt><AcctSvcrRef>BANK-REF-1</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-7</EndToEndId></Refs><Amt Ccy="EUR">10.50</Amt>
<RltdPties><Dbtr><Pty><Nm>Mario Rossi</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>IT27X0300203280335719971372</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>H69ZUC</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stmt.xml")
	os.WriteFile(path, []byte(inspectSample), 0o644)
	r := runSettle(t, dir, "inspect", path)
	for _, want := range []string{"account IT60X0542811101000000123456 EUR", "balance OPBD 2026-11-20 1000000.00 EUR",
		"entry 1: CRDT 10.50 EUR BOOK booked 2026-11-20 value 2026-11-20 ref BANK-REF-1 code PMNT/RCDT/ESCT",
		"e2e E2E-7", "debtor Mario Rossi IT27X0300203280335719971372", "remittance H69ZUC",
		"camt.053 001.08, message STMT-1: 1 entries; EUR credits 10.50, debits 0.00"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("missing %q in\n%s", want, r.stdout)
		}
	}
	r = runSettle(t, dir, "inspect", path, "--json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 2 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	var entry struct {
		Type string `json:"type"`
		Item struct {
			Amount  json.Number `json:"amount"`
			Details []struct {
				EndToEndID string `json:"endToEndId"`
			} `json:"details"`
		} `json:"item"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &entry); err != nil || entry.Type != "entry" || entry.Item.Amount != "10.50" ||
		entry.Item.Details[0].EndToEndID != "E2E-7" {
		t.Fatalf("%v %+v\n%s", err, entry, lines[1])
	}
	if !strings.Contains(lines[0], `"amount":1000000.00`) {
		t.Fatalf("balances must be bare numbers with two decimals:\n%s", lines[0])
	}
	// A truncated copy is refused, naming the file; nothing is printed as if read.
	cut := filepath.Join(dir, "cut.xml")
	os.WriteFile(cut, []byte(inspectSample[:len(inspectSample)-40]), 0o644)
	r = runSettle(t, dir, "inspect", cut)
	if r.code != exitFail || !strings.Contains(r.stderr, cut+": ") || !strings.Contains(r.stderr, "truncated") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// settle inspect reads every corpus file the readers support, and refuses the rest
// with a reason naming the file.
func TestInspectCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/corpus/*/*.xml")
	if len(files) == 0 {
		t.Skip("../shared is absent")
	}
	read := 0
	for _, f := range files {
		var out strings.Builder
		err := inspect(mustOpen(t, f), f, &out, false, 0)
		switch {
		case err == nil:
			read++
			if !strings.Contains(out.String(), f+": ") {
				t.Errorf("%s: no summary line", f)
			}
		case !strings.HasPrefix(err.Error(), f+": "):
			t.Errorf("%s: refusal does not name the file: %v", f, err)
		}
	}
	if read < 50 {
		t.Fatalf("only %d corpus files read", read)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// Regression (issue 14): inspect read files of any size; it keeps to maxFileBytes.
func TestInspectKeepsToMaxFileBytes(t *testing.T) {
	dir := t.TempDir()
	camt := `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-20T08:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N1</Id><Acct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id></Acct></Ntfctn>
</BkToCstmrDbtCdtNtfctn></Document>
`
	abs := filepath.Join(dir, "camt.xml")
	os.WriteFile(abs, []byte(camt), 0o644)
	os.WriteFile(filepath.Join(dir, "small.json"), []byte(fmt.Sprintf(`{"maxFileBytes": %d}`, len(camt)-1)), 0o644)
	r := runSettle(t, dir, "--config", "small.json", "inspect", abs)
	if r.code != 1 || !strings.Contains(r.stderr, "exceeds the configured maximum size") || !strings.Contains(r.stderr, abs) {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r := runSettle(t, dir, "inspect", abs); r.code != 0 {
		t.Fatalf("without the limit: exit %d: %s", r.code, r.stderr)
	}
}
