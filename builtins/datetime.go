package builtins

import (
	"fmt"
	"math"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// The datetime module mirrors Python's: the classes datetime, date,
// timedelta and timezone, with the constructors, class methods, attributes,
// arithmetic and comparisons that integrations use. The host's clock is the
// only source of the current time, and it is UTC, so a naive datetime
// (one without tzinfo) is read as UTC wherever Python would use local time.

// Python's datetime range.
const (
	minYear = 1
	maxYear = 9999
)

func datetimeMembers(h *Host) starlark.StringDict {
	return starlark.StringDict{
		"datetime":  datetimeClass(h),
		"date":      dateClass(h),
		"timedelta": timedeltaClass(),
		"timezone":  timezoneClass(),
		"MINYEAR":   starlark.MakeInt(minYear),
		"MAXYEAR":   starlark.MakeInt(maxYear),
	}
}

// weekdayMethod returns weekday() (Monday is 0) or isoweekday() (Monday
// is 1) of t, the methods that datetime and date share.
func weekdayMethod(recv starlark.Value, name string, t time.Time) *starlark.Builtin {
	day := (int(t.Weekday()) + 6) % 7
	if name == "isoweekday" {
		day++
	}
	return noArgMethod(recv, name, func() (starlark.Value, error) { return starlark.MakeInt(day), nil })
}

// DateTime is the Starlark value of a Python datetime.datetime. A naive
// value (tz nil) stores its wall time in UTC; an aware one stores the
// instant in its timezone's fixed offset.
type DateTime struct {
	t  time.Time
	tz *Timezone
}

var (
	_ starlark.HasBinary  = (*DateTime)(nil)
	_ starlark.Comparable = (*DateTime)(nil)
	_ starlark.HasAttrs   = (*DateTime)(nil)
)

// NewDateTime returns an aware datetime in UTC for t.
func NewDateTime(t time.Time) *DateTime { return newAwareUTC(t) }

func newAwareUTC(t time.Time) *DateTime {
	return &DateTime{t: t.UTC(), tz: utcTimezone}
}

func newNaive(t time.Time) *DateTime {
	return &DateTime{t: t.UTC()}
}

func newInZone(t time.Time, tz *Timezone) *DateTime {
	if tz == nil {
		return newNaive(t)
	}
	return &DateTime{t: t.In(tz.location()), tz: tz}
}

// Time returns the instant in UTC; a naive value is read as UTC.
func (d *DateTime) Time() time.Time { return d.t.UTC() }

// Aware reports whether the value has a timezone.
func (d *DateTime) Aware() bool { return d.tz != nil }

// String returns isoformat(sep=" "), as Python's str() does.
func (d *DateTime) String() string { return d.isoformat(" ", "auto") }

// Type returns "datetime".
func (d *DateTime) Type() string { return "datetime" }

// Freeze does nothing: a datetime is immutable.
func (d *DateTime) Freeze() {}

// Truth returns True.
func (d *DateTime) Truth() starlark.Bool { return true }

// Hash hashes the instant in microseconds.
func (d *DateTime) Hash() (uint32, error) {
	return starlark.MakeInt64(d.t.UnixMicro()).Hash()
}

// CompareSameType compares two datetimes. As in Python, naive and aware
// values are unequal, and ordering them is an error.
func (d *DateTime) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	other := y.(*DateTime)
	if d.Aware() != other.Aware() {
		switch op {
		case syntax.EQL:
			return false, nil
		case syntax.NEQ:
			return true, nil
		}
		return false, fmt.Errorf("can't compare offset-naive and offset-aware datetimes")
	}
	return compareInts(op, d.t.UnixMicro(), other.t.UnixMicro()), nil
}

func compareInts(op syntax.Token, x, y int64) bool {
	switch op {
	case syntax.EQL:
		return x == y
	case syntax.NEQ:
		return x != y
	case syntax.LT:
		return x < y
	case syntax.LE:
		return x <= y
	case syntax.GT:
		return x > y
	case syntax.GE:
		return x >= y
	}
	return false
}

// Binary implements datetime ± timedelta and datetime - datetime.
func (d *DateTime) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	switch y := y.(type) {
	case Timedelta:
		if op == syntax.PLUS || (op == syntax.MINUS && side == starlark.Left) {
			delta := time.Duration(y) * time.Microsecond
			if op == syntax.MINUS {
				delta = -delta
			}
			t := d.t.Add(delta)
			if t.Year() < minYear || t.Year() > maxYear {
				return nil, fmt.Errorf("date value out of range")
			}
			return &DateTime{t: t, tz: d.tz}, nil
		}
	case *DateTime:
		if op == syntax.MINUS && side == starlark.Left {
			if d.Aware() != y.Aware() {
				return nil, fmt.Errorf("can't subtract offset-naive and offset-aware datetimes")
			}
			return Timedelta(d.t.UnixMicro() - y.t.UnixMicro()), nil
		}
	}
	return nil, nil
}

// Attr returns the fields and methods of Python's datetime.
func (d *DateTime) Attr(name string) (starlark.Value, error) {
	switch name {
	case "year":
		return starlark.MakeInt(d.t.Year()), nil
	case "month":
		return starlark.MakeInt(int(d.t.Month())), nil
	case "day":
		return starlark.MakeInt(d.t.Day()), nil
	case "hour":
		return starlark.MakeInt(d.t.Hour()), nil
	case "minute":
		return starlark.MakeInt(d.t.Minute()), nil
	case "second":
		return starlark.MakeInt(d.t.Second()), nil
	case "microsecond":
		return starlark.MakeInt(d.t.Nanosecond() / 1000), nil
	case "tzinfo":
		if d.tz == nil {
			return starlark.None, nil
		}
		return d.tz, nil
	case "isoformat":
		return method(d, name, func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			sep, timespec := "T", "auto"
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "sep?", &sep, "timespec?", &timespec); err != nil {
				return nil, err
			}
			if _, ok := timespecs[timespec]; !ok {
				return nil, fmt.Errorf("isoformat: timespec: got %q, want auto, hours, minutes, seconds, milliseconds or microseconds", timespec)
			}
			return starlark.String(d.isoformat(sep, timespec)), nil
		}), nil
	case "strftime":
		return method(d, name, func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var format string
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "format", &format); err != nil {
				return nil, err
			}
			return starlark.String(strftime(format, d.t, d.tz)), nil
		}), nil
	case "timestamp":
		return noArgMethod(d, name, func() (starlark.Value, error) {
			return starlark.Float(float64(d.t.UnixMicro()) / 1e6), nil
		}), nil
	case "date":
		return noArgMethod(d, name, func() (starlark.Value, error) {
			return newDate(d.t), nil
		}), nil
	case "replace":
		return method(d, name, d.replace), nil
	case "astimezone":
		return method(d, name, func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var tz starlark.Value = starlark.None
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "tz?", &tz); err != nil {
				return nil, err
			}
			zone, err := unpackTimezone(b.Name(), "tz", tz)
			if err != nil {
				return nil, err
			}
			if zone == nil {
				zone = utcTimezone
			}
			return newInZone(d.t, zone), nil
		}), nil
	case "utcoffset":
		return noArgMethod(d, name, func() (starlark.Value, error) {
			if d.tz == nil {
				return starlark.None, nil
			}
			return Timedelta(d.tz.offset.Microseconds()), nil
		}), nil
	case "tzname":
		return noArgMethod(d, name, func() (starlark.Value, error) {
			if d.tz == nil {
				return starlark.None, nil
			}
			return starlark.String(d.tz.String()), nil
		}), nil
	case "weekday", "isoweekday":
		return weekdayMethod(d, name, d.t), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (d *DateTime) AttrNames() []string {
	return []string{"astimezone", "date", "day", "hour", "isoformat", "isoweekday", "microsecond", "minute",
		"month", "replace", "second", "strftime", "timestamp", "tzinfo", "tzname", "utcoffset", "weekday", "year"}
}

var timespecs = map[string]bool{"auto": true, "hours": true, "minutes": true, "seconds": true, "milliseconds": true, "microseconds": true}

func (d *DateTime) isoformat(sep, timespec string) string {
	t := d.t
	s := fmt.Sprintf("%04d-%02d-%02d%s", t.Year(), int(t.Month()), t.Day(), sep)
	micro := t.Nanosecond() / 1000
	switch timespec {
	case "hours":
		s += fmt.Sprintf("%02d", t.Hour())
	case "minutes":
		s += fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute())
	case "seconds":
		s += fmt.Sprintf("%02d:%02d:%02d", t.Hour(), t.Minute(), t.Second())
	case "milliseconds":
		s += fmt.Sprintf("%02d:%02d:%02d.%03d", t.Hour(), t.Minute(), t.Second(), micro/1000)
	case "microseconds":
		s += fmt.Sprintf("%02d:%02d:%02d.%06d", t.Hour(), t.Minute(), t.Second(), micro)
	default:
		s += fmt.Sprintf("%02d:%02d:%02d", t.Hour(), t.Minute(), t.Second())
		if micro != 0 {
			s += fmt.Sprintf(".%06d", micro)
		}
	}
	if d.tz != nil {
		s += formatOffset(d.tz.offset, ":")
	}
	return s
}

// formatOffset writes +HH:MM (with seconds when not whole minutes).
func formatOffset(offset time.Duration, sep string) string {
	sign := "+"
	if offset < 0 {
		sign = "-"
		offset = -offset
	}
	h := int(offset / time.Hour)
	m := int(offset % time.Hour / time.Minute)
	s := int(offset % time.Minute / time.Second)
	out := fmt.Sprintf("%s%02d%s%02d", sign, h, sep, m)
	if s != 0 {
		out += fmt.Sprintf("%s%02d", sep, s)
	}
	return out
}

// JSONString returns the ISO 8601 UTC form that JSON encoding uses, ending
// in Z, with microseconds only when non-zero.
func (d *DateTime) JSONString() string {
	t := d.t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000000Z")
}

func (d *DateTime) replace(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	t := d.t
	year, month, day := t.Year(), int(t.Month()), t.Day()
	hour, minute, second, micro := t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1000
	var tzinfo starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "year?", &year, "month?", &month, "day?", &day,
		"hour?", &hour, "minute?", &minute, "second?", &second, "microsecond?", &micro, "tzinfo?", &tzinfo); err != nil {
		return nil, err
	}
	tz := d.tz
	if tzinfo != nil {
		var err error
		if tz, err = unpackTimezone(b.Name(), "tzinfo", tzinfo); err != nil {
			return nil, err
		}
	}
	return makeDateTime(b.Name(), year, month, day, hour, minute, second, micro, tz)
}

// makeDateTime checks the fields as Python's constructor does.
func makeDateTime(fn string, year, month, day, hour, minute, second, micro int, tz *Timezone) (*DateTime, error) {
	if err := checkDate(fn, year, month, day); err != nil {
		return nil, err
	}
	checks := []struct {
		name       string
		value, max int
	}{{"hour", hour, 23}, {"minute", minute, 59}, {"second", second, 59}, {"microsecond", micro, 999999}}
	for _, c := range checks {
		if c.value < 0 || c.value > c.max {
			return nil, fmt.Errorf("%s: %s: got %d, want 0 to %d", fn, c.name, c.value, c.max)
		}
	}
	loc := time.UTC
	if tz != nil {
		loc = tz.location()
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, micro*1000, loc)
	return &DateTime{t: t, tz: tz}, nil
}

func checkDate(fn string, year, month, day int) error {
	if year < minYear || year > maxYear {
		return fmt.Errorf("%s: year: got %d, want %d to %d", fn, year, minYear, maxYear)
	}
	if month < 1 || month > 12 {
		return fmt.Errorf("%s: month: got %d, want 1 to 12", fn, month)
	}
	last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if day < 1 || day > last {
		return fmt.Errorf("%s: day: got %d, want 1 to %d for %04d-%02d", fn, day, last, year, month)
	}
	return nil
}

func datetimeClass(h *Host) *pyClass {
	c := &pyClass{name: "datetime", call: newDateTimeBuiltin}
	c.members = starlark.StringDict{
		"utcnow": starlark.NewBuiltin("utcnow", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			return newNaive(h.now().Truncate(time.Microsecond)), nil
		}),
		"now": starlark.NewBuiltin("now", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var tz starlark.Value = starlark.None
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "tz?", &tz); err != nil {
				return nil, err
			}
			zone, err := unpackTimezone(b.Name(), "tz", tz)
			if err != nil {
				return nil, err
			}
			return newInZone(h.now().Truncate(time.Microsecond), zone), nil
		}),
		"today": starlark.NewBuiltin("today", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			return newNaive(h.now().Truncate(time.Microsecond)), nil
		}),
		"fromisoformat": starlark.NewBuiltin("fromisoformat", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "date_string", &s); err != nil {
				return nil, err
			}
			return parseISODateTime(s)
		}),
		"fromtimestamp": starlark.NewBuiltin("fromtimestamp", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var ts starlark.Value
			var tz starlark.Value = starlark.None
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "timestamp", &ts, "tz?", &tz); err != nil {
				return nil, err
			}
			t, err := timeFromTimestamp(b.Name(), ts)
			if err != nil {
				return nil, err
			}
			zone, err := unpackTimezone(b.Name(), "tz", tz)
			if err != nil {
				return nil, err
			}
			return newInZone(t, zone), nil
		}),
		"utcfromtimestamp": starlark.NewBuiltin("utcfromtimestamp", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var ts starlark.Value
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "timestamp", &ts); err != nil {
				return nil, err
			}
			t, err := timeFromTimestamp(b.Name(), ts)
			if err != nil {
				return nil, err
			}
			return newNaive(t), nil
		}),
		"strptime": starlark.NewBuiltin("strptime", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s, format string
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "date_string", &s, "format", &format); err != nil {
				return nil, err
			}
			return strptime(s, format)
		}),
		"combine": starlark.NewBuiltin("combine", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var date *Date
			var tz starlark.Value = starlark.None
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "date", &date, "tzinfo?", &tz); err != nil {
				return nil, err
			}
			zone, err := unpackTimezone(b.Name(), "tzinfo", tz)
			if err != nil {
				return nil, err
			}
			return makeDateTime(b.Name(), date.t.Year(), int(date.t.Month()), date.t.Day(), 0, 0, 0, 0, zone)
		}),
	}
	return c
}

func newDateTimeBuiltin(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var year, month, day, hour, minute, second, micro int
	var tzinfo starlark.Value = starlark.None
	if err := starlark.UnpackArgs("datetime", args, kwargs, "year", &year, "month", &month, "day", &day,
		"hour?", &hour, "minute?", &minute, "second?", &second, "microsecond?", &micro, "tzinfo?", &tzinfo); err != nil {
		return nil, err
	}
	tz, err := unpackTimezone("datetime", "tzinfo", tzinfo)
	if err != nil {
		return nil, err
	}
	return makeDateTime("datetime", year, month, day, hour, minute, second, micro, tz)
}

func timeFromTimestamp(fn string, v starlark.Value) (time.Time, error) {
	f, ok := starlark.AsFloat(v)
	if !ok {
		return time.Time{}, fmt.Errorf("%s: timestamp: got %s, want int or float seconds", fn, v.Type())
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 253402300800 {
		return time.Time{}, fmt.Errorf("%s: timestamp: %v is out of range for a datetime", fn, f)
	}
	micro := int64(math.Round(f * 1e6))
	return time.UnixMicro(micro).UTC(), nil
}
