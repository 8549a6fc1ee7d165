package ledger_test

import (
	"encoding/json"
	"settle"
	"settle/ledger"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in    string
		cents int64
		ok    bool
	}{
		{"10", 1000, true}, {"10.5", 1050, true}, {"10.50", 1050, true}, {"0.01", 1, true},
		{"999999999.99", 99999999999, true}, {"-3.20", -320, true},
		{"10.505", 0, false}, {"1e6", 0, false}, {"1,000.00", 0, false}, {"", 0, false}, {"abc", 0, false},
		{"99999999999999999999", 0, false},
	} {
		c, err := ledger.ParseAmount(tc.in)
		if (err == nil) != tc.ok || c != tc.cents {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d ok=%v", tc.in, c, err, tc.cents, tc.ok)
		}
	}
}

func TestMoneyJSONAndFormat(t *testing.T) {
	b, _ := json.Marshal(map[string]settle.Money{"a": settle.MoneyFromCents(100000000), "b": settle.MoneyFromCents(-5)})
	if string(b) != `{"a":1000000.00,"b":-0.05}` {
		t.Fatalf("JSON %s", b)
	}
	if ledger.FormatCents(99999999999) != "999999999.99" {
		t.Fatal(ledger.FormatCents(99999999999))
	}
	if c, err := ledger.ToCents(decimal.RequireFromString("0.1").Add(decimal.RequireFromString("0.2"))); err != nil || c != 30 {
		t.Fatalf("0.1+0.2 = %d cents, %v", c, err)
	}
}

func TestSQLCents(t *testing.T) {
	s := openTest(t)
	for _, c := range []int64{0, 5, -5, 100, -100, 123456, -123456, 99_999_999_999} {
		var got string
		if err := s.R.Get(&got, `SELECT `+ledger.SQLCents("CAST(? AS BIGINT)"), c, c, c, c); err != nil {
			t.Fatal(err)
		}
		if got != ledger.FormatCents(c) {
			t.Errorf("%d: %s, want %s", c, got, ledger.FormatCents(c))
		}
	}
}
