package builtins

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.starlark.net/starlark"
)

// strftime formats t with Python's directives in the C locale. tz is nil
// for naive values, which format %z and %Z as empty strings. A "-" after
// the "%" drops leading zeros, as glibc does. Unknown directives are copied
// unchanged.
func strftime(format string, t time.Time, tz *Timezone) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		noPad := false
		if format[i] == '-' && i+1 < len(format) {
			noPad = true
			i++
		}
		field, ok := strftimeField(format[i], t, tz)
		if !ok {
			b.WriteString(format[i-1 : i+1])
			continue
		}
		if noPad {
			if trimmed := strings.TrimLeft(field, "0 "); trimmed != "" {
				field = trimmed
			} else if field != "" {
				field = "0"
			}
		}
		b.WriteString(field)
	}
	return b.String()
}

func strftimeField(c byte, t time.Time, tz *Timezone) (string, bool) {
	switch c {
	case 'a':
		return t.Format("Mon"), true
	case 'A':
		return t.Format("Monday"), true
	case 'w':
		return strconv.Itoa(int(t.Weekday())), true
	case 'u':
		return strconv.Itoa((int(t.Weekday())+6)%7 + 1), true
	case 'd':
		return fmt.Sprintf("%02d", t.Day()), true
	case 'e':
		return fmt.Sprintf("%2d", t.Day()), true
	case 'b', 'h':
		return t.Format("Jan"), true
	case 'B':
		return t.Format("January"), true
	case 'm':
		return fmt.Sprintf("%02d", int(t.Month())), true
	case 'y':
		return fmt.Sprintf("%02d", t.Year()%100), true
	case 'Y':
		return fmt.Sprintf("%04d", t.Year()), true
	case 'H':
		return fmt.Sprintf("%02d", t.Hour()), true
	case 'I':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return fmt.Sprintf("%02d", h), true
	case 'p':
		if t.Hour() < 12 {
			return "AM", true
		}
		return "PM", true
	case 'M':
		return fmt.Sprintf("%02d", t.Minute()), true
	case 'S':
		return fmt.Sprintf("%02d", t.Second()), true
	case 'f':
		return fmt.Sprintf("%06d", t.Nanosecond()/1000), true
	case 'z':
		if tz == nil {
			return "", true
		}
		return formatOffset(tz.offset, ""), true
	case 'Z':
		if tz == nil {
			return "", true
		}
		return tz.String(), true
	case 'j':
		return fmt.Sprintf("%03d", t.YearDay()), true
	case 'U':
		return fmt.Sprintf("%02d", (t.YearDay()+6-int(t.Weekday()))/7), true
	case 'W':
		return fmt.Sprintf("%02d", (t.YearDay()+6-(int(t.Weekday())+6)%7)/7), true
	case 'G':
		y, _ := t.ISOWeek()
		return fmt.Sprintf("%04d", y), true
	case 'V':
		_, w := t.ISOWeek()
		return fmt.Sprintf("%02d", w), true
	case 'c':
		return t.Format("Mon Jan _2 15:04:05 2006"), true
	case 'x':
		return t.Format("01/02/06"), true
	case 'X':
		return t.Format("15:04:05"), true
	case 'D':
		return t.Format("01/02/06"), true
	case 'F':
		return fmt.Sprintf("%04d-%02d-%02d", t.Year(), int(t.Month()), t.Day()), true
	case 'T':
		return t.Format("15:04:05"), true
	case '%':
		return "%", true
	}
	return "", false
}

// strptime parses s with Python's directives %Y %m %d %H %M %S %f %y %b %B
// %a %A %p %I %j %z %Z %%; whitespace in the format matches any run of
// whitespace. The result is aware only when the format has %z or %Z.
func strptime(s, format string) (starlark.Value, error) {
	fail := func() error {
		return fmt.Errorf("strptime: time data %s does not match format %s", quoteInput(s), quoteInput(format))
	}
	year, month, day, hour, minute, second, micro := 1900, 1, 1, 0, 0, 0, 0
	yearDay := 0
	pm, hour12 := -1, false
	var tz *Timezone
	pos := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == ' ' || c == '\t' || c == '\n' {
			for pos < len(s) && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n') {
				pos++
			}
			continue
		}
		if c != '%' || i+1 == len(format) {
			if pos >= len(s) || s[pos] != c {
				return nil, fail()
			}
			pos++
			continue
		}
		i++
		var ok bool
		switch format[i] {
		case 'Y':
			year, pos, ok = readNumber(s, pos, 4, 4)
		case 'y':
			year, pos, ok = readNumber(s, pos, 2, 2)
			// POSIX: 69 to 99 are 1969 to 1999, 0 to 68 are 2000 to 2068.
			if year < 69 {
				year += 2000
			} else {
				year += 1900
			}
		case 'm':
			month, pos, ok = readNumber(s, pos, 1, 2)
		case 'd':
			day, pos, ok = readNumber(s, pos, 1, 2)
		case 'H':
			hour, pos, ok = readNumber(s, pos, 1, 2)
		case 'I':
			hour, pos, ok = readNumber(s, pos, 1, 2)
			hour12 = true
		case 'M':
			minute, pos, ok = readNumber(s, pos, 1, 2)
		case 'S':
			second, pos, ok = readNumber(s, pos, 1, 2)
		case 'j':
			yearDay, pos, ok = readNumber(s, pos, 1, 3)
		case 'f':
			start := pos
			micro, pos, ok = readNumber(s, pos, 1, 6)
			for n := pos - start; n < 6; n++ {
				micro *= 10
			}
		case 'b', 'h':
			month, pos, ok = readName(s, pos, monthNames, 3)
		case 'B':
			month, pos, ok = readName(s, pos, monthNames, 0)
		case 'a':
			_, pos, ok = readName(s, pos, dayNames, 3)
		case 'A':
			_, pos, ok = readName(s, pos, dayNames, 0)
		case 'p':
			pm, pos, ok = readName(s, pos, []string{"AM", "PM"}, 0)
		case 'z':
			var offset time.Duration
			offset, pos, ok = readOffset(s, pos)
			tz = &Timezone{offset: offset}
			if offset == 0 {
				tz = utcTimezone
			}
		case 'Z':
			for _, name := range []string{"UTC", "GMT"} {
				if strings.HasPrefix(s[pos:], name) {
					pos += len(name)
					ok = true
					tz = utcTimezone
					break
				}
			}
		case '%':
			ok = pos < len(s) && s[pos] == '%'
			pos++
		default:
			return nil, fmt.Errorf("strptime: format %q: unsupported directive %%%c", format, format[i])
		}
		if !ok {
			return nil, fail()
		}
	}
	if pos != len(s) {
		return nil, fmt.Errorf("strptime: unconverted data remains: %s", quoteInput(s[pos:]))
	}
	if hour12 {
		if hour < 1 || hour > 12 {
			return nil, fail()
		}
		hour %= 12
		if pm == 1 {
			hour += 12
		}
	}
	if yearDay > 0 {
		t := time.Date(year, 1, yearDay, 0, 0, 0, 0, time.UTC)
		month, day = int(t.Month()), t.Day()
	}
	return makeDateTime("strptime", year, month, day, hour, minute, second, micro, tz)
}

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

var dayNames = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// readNumber reads between minDigits and maxDigits decimal digits.
func readNumber(s string, pos, minDigits, maxDigits int) (int, int, bool) {
	end := pos
	for end < len(s) && end-pos < maxDigits && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end-pos < minDigits {
		return 0, pos, false
	}
	n, _ := strconv.Atoi(s[pos:end])
	return n, end, true
}

// readName matches one of names, case-insensitively, in full or (when
// abbrev > 0) by its first abbrev letters; the result counts from 1 for
// month names and from 0 otherwise.
func readName(s string, pos int, names []string, abbrev int) (int, int, bool) {
	rest := strings.ToLower(s[pos:])
	for i, name := range names {
		candidate := strings.ToLower(name)
		if abbrev > 0 {
			candidate = candidate[:abbrev]
		}
		if strings.HasPrefix(rest, candidate) {
			index := i
			if len(names) == 12 {
				index++
			}
			return index, pos + len(candidate), true
		}
	}
	return 0, pos, false
}

// readOffset reads Z, ±HH, ±HHMM, ±HH:MM or ±HH:MM:SS.
func readOffset(s string, pos int) (time.Duration, int, bool) {
	if pos < len(s) && s[pos] == 'Z' {
		return 0, pos + 1, true
	}
	if pos >= len(s) || (s[pos] != '+' && s[pos] != '-') {
		return 0, pos, false
	}
	sign := time.Duration(1)
	if s[pos] == '-' {
		sign = -1
	}
	pos++
	var parts [3]int
	n := 0
	for n < 3 {
		if n > 0 && pos < len(s) && s[pos] == ':' {
			pos++
		}
		v, next, ok := readNumber(s, pos, 2, 2)
		if !ok {
			break
		}
		parts[n] = v
		pos = next
		n++
	}
	if n == 0 || parts[0] > 23 || parts[1] > 59 || parts[2] > 59 {
		return 0, pos, false
	}
	d := time.Duration(parts[0])*time.Hour + time.Duration(parts[1])*time.Minute + time.Duration(parts[2])*time.Second
	return sign * d, pos, true
}

// parseISODate reads YYYY-MM-DD or YYYYMMDD at the start of s.
func parseISODate(s string) (year, month, day int, rest string, ok bool) {
	digits := func(str string) (int, bool) {
		for _, r := range str {
			if r < '0' || r > '9' {
				return 0, false
			}
		}
		n, err := strconv.Atoi(str)
		return n, err == nil
	}
	var ys, ms, ds string
	switch {
	case len(s) >= 10 && s[4] == '-' && s[7] == '-':
		ys, ms, ds, rest = s[:4], s[5:7], s[8:10], s[10:]
	case len(s) >= 8:
		ys, ms, ds, rest = s[:4], s[4:6], s[6:8], s[8:]
	default:
		return 0, 0, 0, "", false
	}
	var ok1, ok2, ok3 bool
	year, ok1 = digits(ys)
	month, ok2 = digits(ms)
	day, ok3 = digits(ds)
	return year, month, day, rest, ok1 && ok2 && ok3
}

// parseISODateTime implements datetime.fromisoformat for the extended
// forms that Python 3.11 accepts: a date, optionally followed by any one
// separator character and a time HH[:MM[:SS[.fff…]]] and an offset Z or
// ±HH[:MM[:SS]]. Fraction digits past the sixth are dropped.
// NOTE: Python 3.11 also reads basic-format times (T140530) and ISO week
// dates (2024-W10-2); this does not.
func parseISODateTime(s string) (starlark.Value, error) {
	invalid := fmt.Errorf("fromisoformat: invalid isoformat string %s, want YYYY-MM-DD[THH:MM[:SS[.ffffff]]][+HH:MM]", quoteInput(s))
	year, month, day, rest, ok := parseISODate(s)
	if !ok {
		return nil, invalid
	}
	hour, minute, second, micro := 0, 0, 0, 0
	var tz *Timezone
	if rest != "" {
		rest = rest[1:]
		pos := 0
		var ok bool
		if hour, pos, ok = readNumber(rest, pos, 2, 2); !ok {
			return nil, invalid
		}
		if pos < len(rest) && rest[pos] == ':' {
			if minute, pos, ok = readNumber(rest, pos+1, 2, 2); !ok {
				return nil, invalid
			}
			if pos < len(rest) && rest[pos] == ':' {
				if second, pos, ok = readNumber(rest, pos+1, 2, 2); !ok {
					return nil, invalid
				}
				if pos < len(rest) && (rest[pos] == '.' || rest[pos] == ',') {
					start := pos + 1
					end := start
					for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
						end++
					}
					if end == start {
						return nil, invalid
					}
					frac := rest[start:end]
					if len(frac) > 6 {
						frac = frac[:6]
					}
					micro, _ = strconv.Atoi(frac + strings.Repeat("0", 6-len(frac)))
					pos = end
				}
			}
		}
		if pos < len(rest) {
			offset, next, ok := readOffset(rest, pos)
			if !ok || next != len(rest) {
				return nil, invalid
			}
			tz = &Timezone{offset: offset}
			if offset == 0 {
				tz = utcTimezone
			}
		}
	}
	dt, err := makeDateTime("fromisoformat", year, month, day, hour, minute, second, micro, tz)
	if err != nil {
		return nil, err
	}
	return dt, nil
}
