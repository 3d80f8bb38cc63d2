package lf

import (
	"fmt"
	"time"
)

// Date is a Daml calendar date, a count of days since 1970-01-01. The zero
// value is 1970-01-01.
type Date struct {
	days int32
}

// Range of Daml dates: 0001-01-01 to 9999-12-31.
const (
	minDateDays = -719162
	maxDateDays = 2932896
)

// DateFromDays returns the date the given number of days after 1970-01-01.
func DateFromDays(days int32) Date { return Date{days: days} }

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Date{days: int32(u.Unix() / 86400)}
}

// ParseDate parses an ISO 8601 calendar date, "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	d := DateOf(t)
	if !d.valid() {
		return Date{}, fmt.Errorf("invalid date %q: outside 0001-01-01 to 9999-12-31", s)
	}
	return d, nil
}

// Days returns the number of days since 1970-01-01.
func (d Date) Days() int32 { return d.days }

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time { return time.Unix(int64(d.days)*86400, 0).UTC() }

// String returns the date as "2006-01-02".
func (d Date) String() string { return d.Time().Format(time.DateOnly) }

func (d Date) valid() bool { return d.days >= minDateDays && d.days <= maxDateDays }
