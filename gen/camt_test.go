package gen

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"settle/sepa"
)

const xsdDir = "../../shared/xsd/iso_camt"

// Every generated bank file validates against its ISO schema, in each version from
// .001.01 to .001.13, and reads back to the same entries whatever the version.
func TestCamtFilesValidateAgainstTheSchemas(t *testing.T) {
	lint := true
	if _, err := exec.LookPath("xmllint"); err != nil {
		lint = false
		t.Log("xmllint is not installed (CI installs libxml2-utils): reading back only")
	}
	if _, err := os.Stat(xsdDir); err != nil {
		lint = false
	}
	var want string
	for n := 1; n <= 13; n++ {
		v := fmt.Sprintf("%02d", n)
		dir := t.TempDir()
		files, err := Generate(dir, Options{Wallets: 120, Entries: 150, Breaks: true, CamtVersion: v}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var read strings.Builder
		for _, f := range files {
			if !strings.HasPrefix(f.Kind, "camt") {
				continue
			}
			xsd := filepath.Join(xsdDir, f.Kind+".001."+v+".xsd")
			if lint {
				if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, f.Path).CombinedOutput(); err != nil {
					t.Errorf("%s (%s): %v\n%s", f.Kind, v, err, out)
				}
			}
			stmts, es := readEntries(t, f.Path)
			for _, st := range stmts {
				fmt.Fprintf(&read, "%s %v\n", st.ID, st.Balances)
			}
			for _, e := range es {
				fmt.Fprintf(&read, "%s %s %s %v %s\n", e.AcctSvcrRef, e.Amount.String(), e.Status, e.Credit, e.BookingDate)
				for _, d := range e.Details {
					fmt.Fprintf(&read, "  %s %s %s %s %s\n", d.EndToEndID, d.Amount.String(), d.DebtorName, d.DebtorIBAN, d.Remittance)
				}
			}
		}
		if n == 1 {
			want = read.String()
		} else if got := read.String(); got != want {
			t.Errorf(".001.%s reads differently from .001.01:\n%.600s\nwant\n%.600s", v, got, want)
		}
	}
}

func readEntries(t *testing.T, path string) ([]*sepa.Statement, []*sepa.Entry) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := sepa.NewReader(f, path, sepa.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var stmts []*sepa.Statement
	var es []*sepa.Entry
	for {
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return stmts, es
		}
		if err != nil {
			t.Fatal(err)
		}
		switch v := it.(type) {
		case *sepa.Statement:
			stmts = append(stmts, v)
		case *sepa.Entry:
			es = append(es, v)
		}
	}
}

// The statement holds the notification's bookings once each, in EUR (not the
// repeats, not the CHF entries); with Breaks, the three planted findings too. Each
// statement's opening balance plus its entries is its closing balance; the mix of
// entries has every kind an ingest must handle.
func TestCamtContent(t *testing.T) {
	dir := t.TempDir()
	files, err := Generate(dir, Options{Wallets: 1000, Entries: 2000, Breaks: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, notified := readEntries(t, find(t, files, "camt.054").Path)
	stmts, stated := readEntries(t, find(t, files, "camt.053").Path)
	byRef := map[string]*sepa.Entry{}
	repeats, chf := 0, 0
	for _, e := range notified {
		switch {
		case byRef[e.AcctSvcrRef] != nil:
			repeats++
		case e.Currency != "EUR":
			chf++
		}
		byRef[e.AcctSvcrRef] = e
	}
	if len(notified) != 2000 || len(stated) != 2000-repeats-chf+2 || len(stmts) != 3 || repeats == 0 || chf == 0 {
		t.Fatalf("%d notified (%d repeats, %d CHF), %d stated entries, %d statements", len(notified), repeats, chf, len(stated), len(stmts))
	}
	var planted []string
	for _, b := range stated {
		a := byRef[b.AcctSvcrRef]
		switch {
		case a == nil:
			planted = append(planted, b.AcctSvcrRef[8:]+" "+b.SignedAmount().StringFixed(2))
		case !a.Amount.Equal(b.Amount.Decimal):
			planted = append(planted, "off "+b.Amount.Sub(a.Amount.Decimal).StringFixed(2))
		}
	}
	if got := strings.Join(planted, ", "); got != "off 0.01, BRKMISSING -123.45, BRKCHARGE -2.50" {
		t.Fatalf("planted: %s", got)
	}
	for _, st := range stmts {
		open, _ := st.Balance("OPBD")
		closing, _ := st.Balance("CLBD")
		sum := open.Amount.Decimal
		for _, e := range stated {
			if e.StatementID == st.ID && e.Currency == "EUR" {
				sum = sum.Add(e.SignedAmount())
			}
		}
		if !sum.Equal(closing.Amount.Decimal) {
			t.Errorf("%s: opening %s + entries = %s, closing %s", st.ID, open.Amount.Text(), sum, closing.Amount.Text())
		}
	}
	kinds := map[string]int{}
	opt := Options{Wallets: 1000, Entries: 2000}
	if err := opt.defaults(); err != nil {
		t.Fatal(err)
	}
	w := &world{opt: opt}
	w.makeReference()
	for p := range w.partners {
		w.entries(p, 700, func(e entry) error { kinds[e.kind]++; return nil })
	}
	for _, k := range []string{FirstDeposit, TopUp, IBANMismatch, UnknownRef, InactiveWallet, Duplicate, ForeignCcy} {
		if kinds[k] < 10 {
			t.Errorf("only %d entries of kind %s in %v", kinds[k], k, kinds)
		}
	}
}

func find(t *testing.T, files []File, kind string) File {
	t.Helper()
	f, ok := Find(files, kind)
	if !ok {
		t.Fatalf("no %s among %v", kind, files)
	}
	return f
}

// The stores' remittances are a schema-valid camt.054 whose credits quote each
// store's RF reference; the last partner's statement opens with its go-live balance.
func TestRemittancesAndOpeningBalance(t *testing.T) {
	dir := t.TempDir()
	f, err := WriteRemittances(dir, DefaultDate.AddDays(1), []Remittance{
		{PartnerIBAN: "IT60X0542811101000000123456", StoreName: "Bar Sport", StoreIBAN: "IT02L1234512345123456789012", Reference: "RF18S5A0E1B2", Cents: 12345}, // the ingest checks the references; gen only prints them
		{PartnerIBAN: "IT60X0542811101000000123456", StoreName: "Tabacchi & Co", StoreIBAN: "IT02L1234512345123456789012", Reference: "RF71SST1", Cents: 50},
	})
	if err != nil || f.Rows != 2 {
		t.Fatalf("%+v %v", f, err)
	}
	xmllintCamt(t, f.Path)
	b, _ := os.ReadFile(f.Path)
	if !strings.Contains(string(b), "Versamento contanti RF18 S5A0 E1B2") || !strings.Contains(string(b), "Tabacchi &amp; Co") {
		t.Fatalf("%s", b)
	}
	files, err := Generate(filepath.Join(dir, "w"), Options{Wallets: 50, Entries: 60, OpeningCents: 2_500_000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := Find(files, "camt.053")
	doc, _ := os.ReadFile(st.Path)
	if n := strings.Count(string(doc), `<Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">25000.00</Amt>`); n != 1 {
		t.Fatalf("%d statements open at 25000.00; want the last partner's", n)
	}
}
