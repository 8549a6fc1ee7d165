package settle

import (
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"
)

func TestMoney(t *testing.T) {
	for _, c := range []struct {
		in         string
		text       string
		cents      int64
		wholeCents bool
	}{
		{"10", "10.00", 1000, true},
		{"-0.05", "-0.05", -5, true},
		{"1234.5", "1234.50", 123450, true},
		{"0.12345", "0.12345", 0, false}, // a bank's five decimals are kept, never rounded
		{"99999999999999999999", "99999999999999999999.00", 0, false},
	} {
		m := Money{decimal.RequireFromString(c.in)}
		if m.Text() != c.text {
			t.Errorf("%s: Text %s", c.in, m.Text())
		}
		if b, _ := json.Marshal(m); string(b) != c.text {
			t.Errorf("%s: JSON %s", c.in, b)
		}
		cents, ok := m.Cents()
		if ok != c.wholeCents || cents != c.cents {
			t.Errorf("%s: Cents %d %v", c.in, cents, ok)
		}
		v, err := m.Value()
		if (err == nil) != c.wholeCents || (err == nil && v != c.cents) {
			t.Errorf("%s: Value %v %v", c.in, v, err)
		}
	}
	var m Money
	if err := m.Scan(int64(-1250)); err != nil || m.Text() != "-12.50" {
		t.Fatalf("Scan: %s %v", m.Text(), err)
	}
	if err := m.Scan("12.50"); err == nil {
		t.Fatal("Scan took text; want integer cents only")
	}
	if err := json.Unmarshal([]byte(`123.45`), &m); err != nil || m.Text() != "123.45" {
		t.Fatalf("UnmarshalJSON: %s %v", m.Text(), err)
	}
	if MoneyFromCents(5).Plus(MoneyFromCents(7)).Text() != "0.12" {
		t.Fatal("Plus")
	}
}
