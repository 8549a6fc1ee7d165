package reports

import (
	"bytes"
	"testing"
)

func TestSafeTextDefusesFormulas(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+39.3331234567", "'+39.3331234567"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"Rossi", "Rossi"},
		{"D'Amico", "D'Amico"},
		{"", ""},
	} {
		if got := SafeText(tc.in); got != tc.want {
			t.Errorf("SafeText(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVKeepsAmountsPlain(t *testing.T) {
	var b bytes.Buffer
	c, _ := NewCSV(&b, Format{}, "name", "amount")
	c.Text("=cmd|' /C calc'!A0").Number("-12.30")
	c.End()
	c.Flush()
	want := "name,amount\n'=cmd|' /C calc'!A0,-12.30\n"
	if b.String() != want {
		t.Fatalf("got %q; want %q", b.String(), want)
	}
}
