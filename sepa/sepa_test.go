package sepa

import "testing"

func TestMod97Vectors(t *testing.T) {
	// IBANs from the SWIFT registry examples and SEPA-RULES.md §8–§9.
	for _, tc := range []struct {
		in    string
		valid bool
	}{
		{"IT60X0542811101000000123456", true},
		{"DE89370400440532013000", true},
		{"GB29NWBK60161331926819", true},
		{"FR1420041010050500013M02606", true},
		{"IT61X0542811101000000123456", false},
		{"DE88370400440532013000", false},
	} {
		_, err := CheckIBANChecksum(tc.in)
		if (err == nil) != tc.valid {
			t.Errorf("%s: %v", tc.in, err)
		}
	}
	if _, err := CheckIBANChecksum("it60 x054 2811 1010 0000 0123 456"); err != nil {
		t.Errorf("spaces and case must be normalized: %v", err)
	}
	if _, err := Mod97("AB-12"); err == nil {
		t.Error("Mod97 accepted '-'")
	}
}

func TestCreditorIDVectors(t *testing.T) {
	for _, tc := range []struct {
		in    string
		valid bool
	}{
		{"DE98ZZZ09999999999", true},
		{"ES23ZZZ47690558N", true},
		{"MT50ZZZ670169305T", true},
		{"DE98ABC09999999999", true}, // the business code is not checked
		{"DE97ZZZ09999999999", false},
		{"DE98ZZZ", false},
	} {
		_, err := CheckCreditorIDChecksum(tc.in)
		if (err == nil) != tc.valid {
			t.Errorf("%s: %v", tc.in, err)
		}
	}
	kk, _ := CheckDigits97("09999999999", "DE")
	if kk != "98" {
		t.Fatalf("CI check digits %s; want 98", kk)
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

func TestBIC(t *testing.T) {
	for in, valid := range map[string]bool{"BCITITMM": true, "COBADEFFXXX": true, "bcititmm": true, "BCIT1TMM": false, "BCITITM": false} {
		if _, err := CheckBIC(in); (err == nil) != valid {
			t.Errorf("%s: %v", in, err)
		}
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

func FuzzCheckIBANChecksum(f *testing.F) {
	f.Add("IT60X0542811101000000123456")
	f.Add("xx")
	f.Fuzz(func(t *testing.T, s string) {
		iban, err := CheckIBANChecksum(s)
		if err == nil {
			if r, _ := Mod97(iban[4:] + iban[:4]); r != 1 {
				t.Fatalf("%q accepted with remainder %d", s, r)
			}
		}
	})
}
