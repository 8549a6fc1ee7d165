package sepa

import "testing"

func FuzzCheckIBAN(f *testing.F) {
	for _, s := range []string{"IT60X0542811101000000123456", "xx", "IBAN DE89-3704", "FR1420041010050500013M02606"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iban, err := CheckIBAN(s)
		if err == nil {
			if r, _ := Mod97(iban[4:] + iban[:4]); r != 1 {
				t.Fatalf("%q accepted with remainder %d", s, r)
			}
		}
	})
}

func FuzzCheckBIC(f *testing.F) {
	f.Add("BCITITMM")
	f.Fuzz(func(t *testing.T, s string) {
		if bic, err := CheckBIC(s); err == nil && len(bic) != 8 && len(bic) != 11 {
			t.Fatalf("%q accepted", s)
		}
	})
}

func FuzzCheckCreditorID(f *testing.F) {
	f.Add("DE98ZZZ09999999999")
	f.Fuzz(func(t *testing.T, s string) {
		if ci, err := CheckCreditorID(s); err == nil && len(ci) > 35 {
			t.Fatalf("%q accepted", s)
		}
	})
}

func FuzzCheckRF(f *testing.F) {
	f.Add("RF18539007547034")
	f.Fuzz(func(t *testing.T, s string) {
		if rf, err := CheckRF(s); err == nil && len(rf) > 25 {
			t.Fatalf("%q accepted", s)
		}
	})
}

func FuzzToEPC(f *testing.F) {
	f.Add("Nicolò & Söhne")
	f.Fuzz(func(t *testing.T, s string) {
		if err := CheckEPC(ToEPC(s)); err != nil {
			t.Fatalf("ToEPC(%q) left %v", s, err)
		}
	})
}
