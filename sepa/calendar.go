package sepa

import "time"

// IsTARGET2Day tells whether d is a TARGET2 business day: not a Saturday or Sunday,
// New Year's Day, Good Friday, Easter Monday, 1 May, 25 or 26 December.
func IsTARGET2Day(d time.Time) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	m, day := d.Month(), d.Day()
	switch {
	case m == time.January && day == 1, m == time.May && day == 1,
		m == time.December && (day == 25 || day == 26):
		return false
	}
	easter := Easter(d.Year())
	if sameDay(d, easter.AddDate(0, 0, -2)) || sameDay(d, easter.AddDate(0, 0, 1)) {
		return false
	}
	return true
}

// AddTARGET2Days returns the date n TARGET2 business days after d (n >= 0); with
// n = 0, d itself when it is a business day, else the next one.
func AddTARGET2Days(d time.Time, n int) time.Time {
	for !IsTARGET2Day(d) {
		d = d.AddDate(0, 0, 1)
	}
	for ; n > 0; n-- {
		d = d.AddDate(0, 0, 1)
		for !IsTARGET2Day(d) {
			d = d.AddDate(0, 0, 1)
		}
	}
	return d
}

// Easter returns Easter Sunday of the Gregorian year y (the anonymous Gregorian
// algorithm, "Meeus/Jones/Butcher"), at midnight UTC.
func Easter(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.Month() == b.Month() && a.Day() == b.Day()
}

// SubTARGET2Days returns the date n TARGET2 business days before d (n >= 0); with
// n = 0, d itself when it is a business day, else the business day before it.
func SubTARGET2Days(d time.Time, n int) time.Time {
	for !IsTARGET2Day(d) {
		d = d.AddDate(0, 0, -1)
	}
	for ; n > 0; n-- {
		d = d.AddDate(0, 0, -1)
		for !IsTARGET2Day(d) {
			d = d.AddDate(0, 0, -1)
		}
	}
	return d
}
