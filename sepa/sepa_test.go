package sepa

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shared is the folder beside the repository that CI always has; tests that read it
// skip on a fresh clone without it.
const shared = "../../shared"

func needShared(t *testing.T) {
	if _, err := os.Stat(shared); err != nil {
		t.Skip("../shared is absent")
	}
}

func TestCheckIBAN(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"IT60X0542811101000000123456", "IT60X0542811101000000123456", ""},
		{"it60 x054 2811 1010 0000 0123 456", "IT60X0542811101000000123456", ""},
		// Regression (issue 15): check digits 00, 01 and 99 pass MOD 97 as aliases of 97, 98 and 02.
		{"GB01BARC20714583608387", "GB01BARC20714583608387", "check digits 01 are never issued"},
		{"GB00HLFX11016111455365", "GB00HLFX11016111455365", "check digits 00 are never issued"},
		{"IBAN DE89 3704 0044 0532 0130 00", "DE89370400440532013000", ""},
		{"GB29NWBK60161331926819", "GB29NWBK60161331926819", ""},
		{"FR1420041010050500013M02606", "FR1420041010050500013M02606", ""},
		{"BE68539007547034", "BE68539007547034", ""},
		{"ES9121000418450200051332", "ES9121000418450200051332", ""},
		{"CH9300762011623852957", "CH9300762011623852957", ""},
		{"IT61X0542811101000000123456", "", "wrong check digits 61"},
		{"IT60X054281110100000012345", "", "has 26 characters; IT IBANs have 27"},
		{"IT6050542811101000000123456", "", "character 5 ('5') must be a letter"},
		{"XX60X0542811101000000123456", "", `"XX" is not a country of the IBAN registry`},
		{"DEAB370400440532013000", "", "check digits \"AB\" must be two digits"},
		{"IT", "", "too short"},
		// Right IBAN check digits over a wrong national check letter.
		{mustIBAN("IT", "A0542811101000000123456"), "", "national check letter (CIN) A is wrong"},
		{mustIBAN("BE", "539007547035"), "", "national check digits 35 are wrong"},
		{mustIBAN("ES", "21000418460200051332"), "", "national control digits 46 are wrong"},
		{mustIBAN("FR", "20041010050500013M02607"), "", "national RIB key 07 is wrong"},
	} {
		got, err := CheckIBAN(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("CheckIBAN(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("CheckIBAN(%q): %v; want an error containing %q", tc.in, err, tc.err)
		}
	}
}

func mustIBAN(cc, bban string) string {
	iban, err := IBANFromBBAN(cc, bban)
	if err != nil {
		panic(err)
	}
	return iban
}

// Every example IBAN of a registry country is valid, national check digits included.
func TestCheckIBANRegistryExamples(t *testing.T) {
	needShared(t)
	files, _ := filepath.Glob(filepath.Join(shared, "iban/examples/*-ibans"))
	checked := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			iban := NormalizeIBAN(sc.Text())
			// Skip blank lines, printed forms with other separators (';', '/', '–'),
			// countries outside the SWIFT registry, and Nicaragua, whose example predates
			// the registry's current length.
			if iban == "" || strings.ContainsAny(iban, ";/–") || ibanRegistry[iban[:2]] == "" || iban[:2] == "NI" {
				continue
			}
			checked++
			if _, err := CheckIBAN(iban); err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
			}
		}
		fh.Close()
	}
	if checked < 1000 {
		t.Fatalf("only %d examples checked", checked)
	}
}

func TestRegistrySpecsAreWellFormed(t *testing.T) {
	for cc, spec := range ibanRegistry {
		n := 0
		for _, s := range parseSpec(spec) {
			if s.n < 1 || !strings.ContainsRune("nac", rune(s.kind)) {
				t.Errorf("%s: bad segment in %s", cc, spec)
			}
			n += s.n
		}
		if n+4 > 34 {
			t.Errorf("%s: IBAN length %d over 34", cc, n+4)
		}
	}
}

func TestInSEPA(t *testing.T) {
	for iban, want := range map[string]bool{"IT60X0542811101000000123456": true, "CH9300762011623852957": true,
		"GB29NWBK60161331926819": true, "MD24AG000225100013104168": true, "AL47212110090000000235698741": true,
		"TR330006100519786457841326": false, "AE070331234567890123456": false} {
		if InSEPA(iban) != want {
			t.Errorf("InSEPA(%s) != %v", iban, want)
		}
	}
}

func TestCheckBIC(t *testing.T) {
	for _, tc := range []struct {
		in    string
		ok    bool
		v2009 bool
	}{
		{"BCITITMM", true, true}, {"COBADEFFXXX", true, true}, {"bcititmm", true, true}, {"INGBNL2A", true, true},
		{"1234ITMM", true, false},  // 2019 allows digits in the bank code
		{"BCITXXMM", false, false}, // XX is not a country
		{"BCITITM", false, false}, {"BCITITMMXX", false, false}, {"BCIT1TMM", false, false},
	} {
		bic, err := CheckBIC(tc.in)
		if (err == nil) != tc.ok || (err == nil && BIC2009(bic) != tc.v2009) {
			t.Errorf("CheckBIC(%q): %v, 2009 %v", tc.in, err, BIC2009(bic))
		}
	}
	if !IsTestBIC("ABCDDEF0") || IsTestBIC("COBADEFFXXX") {
		t.Error("IsTestBIC")
	}
}

func TestCheckCreditorID(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"DE98ZZZ09999999999", true}, // Bundesbank test CI
		{"ES23ZZZ47690558N", true},
		{"MT50ZZZ670169305T", true},  // EPC262-08 example
		{"DE98ABC09999999999", true}, // the business code is not part of the check
		{"de98 zzz 09999999999", true},
		{"DE97ZZZ09999999999", false},
		{"XX98ZZZ09999999999", false},
		{"DE98ZZZ", false},
		{"DE98ZZZ0999999999999999999999999999999", false},
	} {
		if _, err := CheckCreditorID(tc.in); (err == nil) != tc.ok {
			t.Errorf("CheckCreditorID(%q): %v", tc.in, err)
		}
	}
	if kk, _ := CreditorIDCheckDigits("DE", "09999999999"); kk != "98" {
		t.Fatalf("check digits %s", kk)
	}
}

func TestCheckRF(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"RF18539007547034", true}, {"RF18 5390 0754 70Y", true}, {"rf18539007547034", true},
		{"RF17539007547034", false}, {"RX18539007547034", false}, {"RF18", false},
		{"RF181234567890123456789012", false},
	} {
		if _, err := CheckRF(tc.in); (err == nil) != tc.ok {
			t.Errorf("CheckRF(%q): %v", tc.in, err)
		}
	}
	if rf, _ := MakeRF("539007547034"); rf != "RF18539007547034" {
		t.Fatalf("MakeRF = %s", rf)
	}
}

func TestItalianCheckChar(t *testing.T) {
	for in, want := range map[string]byte{
		"RSSMRA80A01H501":        'U', // the classic valid codice fiscale
		"MCLPFM57L24F839":        'R', // seed 001's example wallet
		"0542811101000000123456": 'X', // CIN of IT60X0542811101000000123456
	} {
		if got, err := ItalianCheckChar(in); err != nil || got != want {
			t.Errorf("%s: %c %v; want %c", in, got, err, want)
		}
	}
}

func TestEPCCharset(t *testing.T) {
	for in, want := range map[string]string{
		"Nicolò Dell'Acqua":      "Nicolo Dell'Acqua",
		"Jürgen Schäfer & Söhne": "Jurgen Schafer + Sohne",
		"Straße":                 "Strasse",
		"Łódź Œuvre":             "Lodz OEuvre",
		"Zoë – 50€":              "Zoe - 50EUR",
		"北京":                     "..",
	} {
		got := ToEPC(in)
		if got != want || CheckEPC(got) != nil {
			t.Errorf("ToEPC(%q) = %q; want %q", in, got, want)
		}
	}
	if err := CheckEPC("Rossi & Co"); err == nil || !strings.Contains(err.Error(), "position 7") {
		t.Errorf("CheckEPC: %v", err)
	}
	if Truncate("Nicolò", 5) != "Nicol" {
		t.Error("Truncate counts characters")
	}
	for in, ok := range map[string]bool{"E2E-1": true, "/E2E": false, "E2E/": false, "A//B": false, "A B": true, "": false,
		strings.Repeat("A", 36): false, "Ünicode": false} {
		if (CheckReference(in, true) == nil) != ok {
			t.Errorf("CheckReference(%q) ok=%v", in, !ok)
		}
	}
	if CheckReference("MNDT 1", false) == nil {
		t.Error("a mandate id with a space was accepted")
	}
}

func TestMask(t *testing.T) {
	if got := MaskIBAN("IT60X0542811101000000123456"); got != "IT60…3456" {
		t.Fatal(got)
	}
	if got := MaskName("Mario Rossi"); got != "M… R…" {
		t.Fatal(got)
	}
}
