package sepa

import (
	"testing"
	"time"
)

func TestEaster(t *testing.T) {
	for y, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25"} {
		if got := Easter(y).Format(time.DateOnly); got != want {
			t.Errorf("Easter %d = %s, want %s", y, got, want)
		}
	}
}

func TestTARGET2Days(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-20", 0, "2026-11-20"}, // a Friday
		{"2026-11-20", 1, "2026-11-23"}, // over the weekend
		{"2026-11-21", 0, "2026-11-23"}, // Saturday rolls to Monday
		{"2026-12-24", 1, "2026-12-28"}, // 25, 26 (a Saturday) and the Sunday closed
		{"2026-04-02", 1, "2026-04-07"}, // Good Friday 3 April, Easter Monday 6 April
		{"2026-04-30", 1, "2026-05-04"}, // 1 May
		{"2026-12-31", 1, "2027-01-04"}, // New Year's Day, then the weekend
		{"2026-11-20", 5, "2026-11-27"},
	} {
		if got := AddTARGET2Days(day(c.from), c.n).Format(time.DateOnly); got != c.want {
			t.Errorf("%s + %d TARGET2 days = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestSubTARGET2Days(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for from, want := range map[string]string{"2026-11-27": "2026-11-20", "2026-11-23": "2026-11-16", "2026-04-07": "2026-03-27", "2026-11-22": "2026-11-13"} {
		if got := SubTARGET2Days(day(from), 5).Format(time.DateOnly); got != want {
			t.Errorf("%s - 5 TARGET2 days = %s, want %s", from, got, want)
		}
	}
}
