// Package settle holds the vocabulary every layer of settle shares: the business
// day, the clock. It imports no other package of the project.
package settle

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Day is a civil date: a business day, with no time and no zone. The zero Day is
// "no day" (IsZero); it prints as "" and is NULL in SQL and null in JSON.
//
// Days are parsed once at the edge (flags, feeds, bank files) with ParseDay, and
// compared with Before, After, Compare or ==.
type Day struct {
	t time.Time // midnight UTC of the day; the zero time for the zero Day
}

// DayLayout is how a Day is written: ISO 8601, YYYY-MM-DD.
const DayLayout = time.DateOnly

// NewDay returns the day y-m-d; out-of-range values normalise as time.Date does.
func NewDay(y int, m time.Month, d int) Day {
	return Day{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDay parses YYYY-MM-DD strictly: "2026-13-45", "2026-1-5" and "" are errors.
func ParseDay(s string) (Day, error) {
	if len(s) != len(DayLayout) || s[4] != '-' || s[7] != '-' {
		return Day{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	t, err := time.Parse(DayLayout, s)
	if err != nil {
		return Day{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return Day{t}, nil
}

// MustParseDay is ParseDay for constants and tests; it panics on a bad value.
func MustParseDay(s string) Day {
	d, err := ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DayOf returns the civil date of t in loc (t's own location when loc is nil).
func DayOf(t time.Time, loc *time.Location) Day {
	if loc != nil {
		t = t.In(loc)
	}
	return NewDay(t.Year(), t.Month(), t.Day())
}

// Today is the day it is now on clock c in loc.
func Today(c Clock, loc *time.Location) Day { return DayOf(c.Now(), loc) }

// Yesterday is the day before Today: the default day of date-based jobs.
func Yesterday(c Clock, loc *time.Location) Day { return Today(c, loc).AddDays(-1) }

// IsZero tells whether d is the zero Day (no day).
func (d Day) IsZero() bool { return d.t.IsZero() }

// String formats d as YYYY-MM-DD, or "" for the zero Day.
func (d Day) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(DayLayout)
}

// Compact formats d as YYYYMMDD (for message ids and file names).
func (d Day) Compact() string { return d.t.Format("20060102") }

// Date returns the year, month and day of the month.
func (d Day) Date() (int, time.Month, int) { return d.t.Date() }

// Weekday is the day of the week.
func (d Day) Weekday() time.Weekday { return d.t.Weekday() }

// AddDays returns the day n calendar days after d (before, for n < 0).
func (d Day) AddDays(n int) Day { return Day{d.t.AddDate(0, 0, n)} }

// AddMonths returns d n months later, normalised as time.AddDate does (31 Jan + 1 = 3 Mar).
func (d Day) AddMonths(n int) Day { return Day{d.t.AddDate(0, n, 0)} }

// Sub returns the number of calendar days from e to d (d - e).
func (d Day) Sub(e Day) int { return int(d.t.Sub(e.t).Hours() / 24) }

// Before tells whether d is before e.
func (d Day) Before(e Day) bool { return d.t.Before(e.t) }

// After tells whether d is after e.
func (d Day) After(e Day) bool { return d.t.After(e.t) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Day) Compare(e Day) int { return d.t.Compare(e.t) }

// Start is the first instant of d in loc (midnight, or the first instant after a
// daylight-saving gap at midnight).
func (d Day) Start(loc *time.Location) time.Time {
	y, m, dd := d.t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// MaxDay returns the later of a and b.
func MaxDay(a, b Day) Day {
	if a.After(b) {
		return a
	}
	return b
}

// MarshalText writes YYYY-MM-DD (empty for the zero Day).
func (d Day) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses YYYY-MM-DD; empty text is the zero Day. With flag.TextVar a
// bad value is a usage error naming the flag.
func (d *Day) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Day{}
		return nil
	}
	v, err := ParseDay(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Day.
func (d Day) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Day) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Day{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string YYYY-MM-DD: %w", err)
	}
	return d.UnmarshalText([]byte(s))
}

// Value stores d as TEXT YYYY-MM-DD, and the zero Day as NULL.
func (d Day) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a day from TEXT YYYY-MM-DD (a longer timestamp keeps its date part),
// a time, or NULL (the zero Day).
func (d *Day) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Day{}
		return nil
	case time.Time:
		*d = DayOf(v, nil)
		return nil
	case []byte:
		return d.scanText(string(v))
	case string:
		return d.scanText(v)
	}
	return fmt.Errorf("cannot read a date from %T", src)
}

func (d *Day) scanText(s string) error {
	if s == "" {
		*d = Day{}
		return nil
	}
	if len(s) > len(DayLayout) {
		s = s[:len(DayLayout)]
	}
	v, err := ParseDay(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
