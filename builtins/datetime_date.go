package builtins

import (
	"fmt"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Date is the Starlark value of a Python datetime.date; t is midnight UTC.
type Date struct {
	t time.Time
}

var (
	_ starlark.HasBinary      = (*Date)(nil)
	_ starlark.TotallyOrdered = (*Date)(nil)
	_ starlark.HasAttrs       = (*Date)(nil)
)

func newDate(t time.Time) *Date {
	y, m, d := t.Date()
	return &Date{t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// Time returns midnight UTC of the date.
func (d *Date) Time() time.Time { return d.t }

// String returns YYYY-MM-DD.
func (d *Date) String() string { return d.t.Format(time.DateOnly) }

// Type returns "date".
func (d *Date) Type() string { return "date" }

// Freeze does nothing: a date is immutable.
func (d *Date) Freeze() {}

// Truth returns True.
func (d *Date) Truth() starlark.Bool { return true }

// Hash hashes the day number.
func (d *Date) Hash() (uint32, error) { return starlark.MakeInt64(d.t.Unix() / 86400).Hash() }

// Cmp orders dates.
func (d *Date) Cmp(y starlark.Value, depth int) (int, error) {
	return d.t.Compare(y.(*Date).t), nil
}

// Binary implements date ± timedelta (whole days only, as in Python) and
// date - date.
func (d *Date) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	switch y := y.(type) {
	case Timedelta:
		if op == syntax.PLUS || (op == syntax.MINUS && side == starlark.Left) {
			days, _ := y.split()
			if op == syntax.MINUS {
				days = -days
			}
			t := d.t.AddDate(0, 0, int(days))
			if t.Year() < minYear || t.Year() > maxYear {
				return nil, fmt.Errorf("date value out of range")
			}
			return &Date{t: t}, nil
		}
	case *Date:
		if op == syntax.MINUS && side == starlark.Left {
			return Timedelta(d.t.Sub(y.t).Microseconds()), nil
		}
	}
	return nil, nil
}

// Attr returns the fields and methods of Python's date.
func (d *Date) Attr(name string) (starlark.Value, error) {
	switch name {
	case "year":
		return starlark.MakeInt(d.t.Year()), nil
	case "month":
		return starlark.MakeInt(int(d.t.Month())), nil
	case "day":
		return starlark.MakeInt(d.t.Day()), nil
	case "isoformat":
		return noArgMethod(d, name, func() (starlark.Value, error) {
			return starlark.String(d.String()), nil
		}), nil
	case "strftime":
		return method(d, name, func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var format string
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "format", &format); err != nil {
				return nil, err
			}
			return starlark.String(strftime(format, d.t, nil)), nil
		}), nil
	case "weekday", "isoweekday":
		return weekdayMethod(d, name, d.t), nil
	case "replace":
		return method(d, name, func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			year, month, day := d.t.Year(), int(d.t.Month()), d.t.Day()
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "year?", &year, "month?", &month, "day?", &day); err != nil {
				return nil, err
			}
			return makeDate(b.Name(), year, month, day)
		}), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (d *Date) AttrNames() []string {
	return []string{"day", "isoformat", "isoweekday", "month", "replace", "strftime", "weekday", "year"}
}

func makeDate(fn string, year, month, day int) (*Date, error) {
	if err := checkDate(fn, year, month, day); err != nil {
		return nil, err
	}
	return &Date{t: time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)}, nil
}

func dateClass(h *Host) *pyClass {
	c := &pyClass{name: "date", call: func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var year, month, day int
		if err := starlark.UnpackArgs("date", args, kwargs, "year", &year, "month", &month, "day", &day); err != nil {
			return nil, err
		}
		return makeDate("date", year, month, day)
	}}
	c.members = starlark.StringDict{
		"today": starlark.NewBuiltin("today", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			return newDate(h.now()), nil
		}),
		"fromisoformat": starlark.NewBuiltin("fromisoformat", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "date_string", &s); err != nil {
				return nil, err
			}
			y, m, d, rest, ok := parseISODate(s)
			if !ok || rest != "" {
				return nil, fmt.Errorf("fromisoformat: invalid isoformat string %s, want YYYY-MM-DD", quoteInput(s))
			}
			return makeDate("fromisoformat", y, m, d)
		}),
	}
	return c
}

// Timezone is the Starlark value of a Python datetime.timezone: a fixed
// offset from UTC with an optional name.
type Timezone struct {
	offset time.Duration
	name   string
}

var utcTimezone = &Timezone{name: "UTC"}

var _ starlark.HasAttrs = (*Timezone)(nil)

func (z *Timezone) location() *time.Location {
	if z.offset == 0 && z.name == "UTC" {
		return time.UTC
	}
	return time.FixedZone(z.String(), int(z.offset/time.Second))
}

// String returns the name, or UTC±HH:MM as Python's str() does.
func (z *Timezone) String() string {
	if z.name != "" {
		return z.name
	}
	if z.offset == 0 {
		return "UTC"
	}
	return "UTC" + formatOffset(z.offset, ":")
}

// Type returns "timezone".
func (z *Timezone) Type() string { return "timezone" }

// Freeze does nothing: a timezone is immutable.
func (z *Timezone) Freeze() {}

// Truth returns True.
func (z *Timezone) Truth() starlark.Bool { return true }

// Hash hashes the offset.
func (z *Timezone) Hash() (uint32, error) { return starlark.MakeInt64(int64(z.offset)).Hash() }

// CompareSameType reports whether two timezones have the same offset, as
// Python's timezone equality does. Timezones have no order.
func (z *Timezone) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	same := z.offset == y.(*Timezone).offset
	switch op {
	case syntax.EQL:
		return same, nil
	case syntax.NEQ:
		return !same, nil
	}
	return false, fmt.Errorf("timezones have no order")
}

// Attr returns utcoffset(dt) and tzname(dt).
func (z *Timezone) Attr(name string) (starlark.Value, error) {
	switch name {
	case "utcoffset":
		return method(z, name, func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var dt starlark.Value
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "dt?", &dt); err != nil {
				return nil, err
			}
			return Timedelta(z.offset.Microseconds()), nil
		}), nil
	case "tzname":
		return method(z, name, func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var dt starlark.Value
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "dt?", &dt); err != nil {
				return nil, err
			}
			return starlark.String(z.String()), nil
		}), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (z *Timezone) AttrNames() []string { return []string{"tzname", "utcoffset"} }

func unpackTimezone(fn, param string, v starlark.Value) (*Timezone, error) {
	switch v := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case *Timezone:
		return v, nil
	}
	return nil, fmt.Errorf("%s: %s: got %s, want timezone or None", fn, param, v.Type())
}

func timezoneClass() *pyClass {
	c := &pyClass{name: "timezone", call: func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var offset Timedelta
		var name string
		if err := starlark.UnpackArgs("timezone", args, kwargs, "offset", &offset, "name?", &name); err != nil {
			return nil, err
		}
		d := time.Duration(offset) * time.Microsecond
		if d <= -24*time.Hour || d >= 24*time.Hour {
			return nil, fmt.Errorf("timezone: offset: got %s, want strictly between -timedelta(hours=24) and timedelta(hours=24)", offset)
		}
		if d%time.Second != 0 {
			return nil, fmt.Errorf("timezone: offset: got %s, want whole seconds", offset)
		}
		return &Timezone{offset: d, name: name}, nil
	}}
	c.members = starlark.StringDict{"utc": utcTimezone}
	return c
}
