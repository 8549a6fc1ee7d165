package settle

import (
	"encoding/json"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseDay(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"2026-12-01", true},
		{"2028-02-29", true},
		{"2027-02-29", false},
		{"2026-13-45", false},
		{"2026-1-05", false},
		{"foo", false},
		{"", false},
		{" 2026-12-01", false},
		{"2026-12-01T00:00:00Z", false},
	} {
		d, err := ParseDay(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseDay(%q) error = %v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if c.ok && d.String() != c.in {
			t.Errorf("ParseDay(%q).String() = %q", c.in, d)
		}
		if !c.ok && !strings.Contains(err.Error(), "YYYY-MM-DD") {
			t.Errorf("ParseDay(%q) error %q does not say the format", c.in, err)
		}
	}
}

func TestDayArithmetic(t *testing.T) {
	d := MustParseDay("2026-12-31")
	if got := d.AddDays(1).String(); got != "2027-01-01" {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := d.AddDays(400).Sub(d); got != 400 {
		t.Errorf("Sub = %d, want 400", got)
	}
	// Sub counts calendar days, not 24-hour periods, across daylight saving.
	if got := MustParseDay("2027-03-29").Sub(MustParseDay("2027-03-27")); got != 2 {
		t.Errorf("Sub across spring-forward = %d, want 2", got)
	}
	if !d.After(d.AddDays(-1)) || !d.Before(d.AddDays(1)) || d.Compare(MustParseDay("2026-12-31")) != 0 {
		t.Error("comparisons disagree")
	}
	if d != MustParseDay("2026-12-31") {
		t.Error("equal days are not ==")
	}
	if got := MustParseDay("2026-01-31").AddMonths(1).String(); got != "2026-03-03" {
		t.Errorf("AddMonths = %s", got)
	}
	if d.Compact() != "20261231" {
		t.Errorf("Compact = %s", d.Compact())
	}
}

func TestDayOfAndToday(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	// 23:30 UTC on 30 November is already 1 December in Rome.
	clock := NewFakeClock(time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC))
	if got := Today(clock, rome).String(); got != "2026-12-01" {
		t.Errorf("Today in Rome = %s", got)
	}
	if got := Yesterday(clock, rome).String(); got != "2026-11-30" {
		t.Errorf("Yesterday in Rome = %s", got)
	}
	if got := Today(clock, time.UTC).String(); got != "2026-11-30" {
		t.Errorf("Today in UTC = %s", got)
	}
	if got := MustParseDay("2027-03-28").Start(rome); !got.Equal(time.Date(2027, 3, 27, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("Start = %s", got)
	}
}

func TestDayEncodings(t *testing.T) {
	d := MustParseDay("2026-11-20")
	b, _ := json.Marshal(struct {
		A Day `json:"a"`
		B Day `json:"b"`
	}{A: d})
	if string(b) != `{"a":"2026-11-20","b":null}` {
		t.Errorf("JSON = %s", b)
	}
	var back struct{ A, B Day }
	if err := json.Unmarshal(b, &back); err != nil || back.A != d || !back.B.IsZero() {
		t.Errorf("JSON round trip = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"A":"2026-02-30"}`), &back); err == nil {
		t.Error("JSON accepted 2026-02-30")
	}
	v, _ := d.Value()
	if v != "2026-11-20" {
		t.Errorf("Value = %v", v)
	}
	if v, _ := (Day{}).Value(); v != nil {
		t.Errorf("zero Value = %v, want NULL", v)
	}
	for _, src := range []any{"2026-11-20", []byte("2026-11-20"), "2026-11-20T10:00:00Z", time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC)} {
		var got Day
		if err := got.Scan(src); err != nil || got != d {
			t.Errorf("Scan(%v) = %s, %v", src, got, err)
		}
	}
	var got Day
	if err := got.Scan(nil); err != nil || !got.IsZero() {
		t.Errorf("Scan(nil) = %s, %v", got, err)
	}
	if err := got.Scan("20261120"); err == nil {
		t.Error("Scan accepted 20261120")
	}
}

func TestDayFlag(t *testing.T) {
	var d Day
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.TextVar(&d, "date", Day{}, "the day")
	if err := fs.Parse([]string{"--date", "2026-11-20"}); err != nil || d.String() != "2026-11-20" {
		t.Fatalf("--date 2026-11-20: %s, %v", d, err)
	}
	err := fs.Parse([]string{"--date", "2026-13-45"})
	if err == nil || !strings.Contains(err.Error(), "-date") || !strings.Contains(err.Error(), "2026-13-45") {
		t.Errorf("--date 2026-13-45: error %v does not name the flag and the value", err)
	}
}

func TestEaster(t *testing.T) {
	for y, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25"} {
		if got := Easter(y).String(); got != want {
			t.Errorf("Easter %d = %s, want %s", y, got, want)
		}
	}
}

func TestTARGET2Days(t *testing.T) {
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
		if got := MustParseDay(c.from).AddTARGET2(c.n).String(); got != c.want {
			t.Errorf("%s + %d TARGET2 days = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestSubTARGET2Days(t *testing.T) {
	for from, want := range map[string]string{"2026-11-27": "2026-11-20", "2026-11-23": "2026-11-16", "2026-04-07": "2026-03-27", "2026-11-22": "2026-11-13"} {
		if got := MustParseDay(from).SubTARGET2(5).String(); got != want {
			t.Errorf("%s - 5 TARGET2 days = %s, want %s", from, got, want)
		}
	}
}
