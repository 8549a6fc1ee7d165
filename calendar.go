package settle

import "time"

// IsTARGET2 tells whether d is a TARGET2 business day: not a Saturday or Sunday,
// New Year's Day, Good Friday, Easter Monday, 1 May, 25 or 26 December.
func (d Day) IsTARGET2() bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	_, m, day := d.Date()
	switch {
	case m == time.January && day == 1, m == time.May && day == 1,
		m == time.December && (day == 25 || day == 26):
		return false
	}
	y, _, _ := d.Date()
	easter := Easter(y)
	return d != easter.AddDays(-2) && d != easter.AddDays(1)
}

// AddTARGET2 returns the day n TARGET2 business days after d (n >= 0); with n = 0,
// d itself when it is a business day, else the next one.
func (d Day) AddTARGET2(n int) Day {
	for !d.IsTARGET2() {
		d = d.AddDays(1)
	}
	for ; n > 0; n-- {
		d = d.AddDays(1)
		for !d.IsTARGET2() {
			d = d.AddDays(1)
		}
	}
	return d
}

// SubTARGET2 returns the day n TARGET2 business days before d (n >= 0); with n = 0,
// d itself when it is a business day, else the business day before it.
func (d Day) SubTARGET2(n int) Day {
	for !d.IsTARGET2() {
		d = d.AddDays(-1)
	}
	for ; n > 0; n-- {
		d = d.AddDays(-1)
		for !d.IsTARGET2() {
			d = d.AddDays(-1)
		}
	}
	return d
}

// Easter returns Easter Sunday of the Gregorian year y (the anonymous Gregorian
// algorithm, "Meeus/Jones/Butcher").
func Easter(y int) Day {
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
	return NewDay(y, time.Month(month), day)
}
