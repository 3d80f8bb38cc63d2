package builtins

import (
	"fmt"
	"math"
	"math/big"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Timedelta is the Starlark value of a Python datetime.timedelta, in
// microseconds. Its range is that of int64 microseconds (about ±292,000
// years), narrower than Python's ±999,999,999 days.
type Timedelta int64

var (
	_ starlark.HasBinary      = Timedelta(0)
	_ starlark.HasUnary       = Timedelta(0)
	_ starlark.TotallyOrdered = Timedelta(0)
	_ starlark.HasAttrs       = Timedelta(0)
)

const microsPerDay = 86400 * 1_000_000

// split returns Python's normalised days and remaining microseconds, with
// 0 <= rest < one day.
func (d Timedelta) split() (days, rest int64) {
	days = int64(d) / microsPerDay
	rest = int64(d) % microsPerDay
	if rest < 0 {
		days--
		rest += microsPerDay
	}
	return days, rest
}

// String formats as Python does: "1 day, 2:03:04.000005" or "-1 day, 23:59:59".
func (d Timedelta) String() string {
	days, rest := d.split()
	seconds := rest / 1_000_000
	micro := rest % 1_000_000
	clock := fmt.Sprintf("%d:%02d:%02d", seconds/3600, seconds%3600/60, seconds%60)
	if micro != 0 {
		clock += fmt.Sprintf(".%06d", micro)
	}
	if days == 0 {
		return clock
	}
	plural := "s"
	if days == 1 || days == -1 {
		plural = ""
	}
	return fmt.Sprintf("%d day%s, %s", days, plural, clock)
}

// Type returns "timedelta".
func (d Timedelta) Type() string { return "timedelta" }

// Freeze does nothing: a timedelta is immutable.
func (d Timedelta) Freeze() {}

// Truth reports whether the duration is non-zero.
func (d Timedelta) Truth() starlark.Bool { return d != 0 }

// Hash hashes the microseconds.
func (d Timedelta) Hash() (uint32, error) { return starlark.MakeInt64(int64(d)).Hash() }

// Cmp orders durations.
func (d Timedelta) Cmp(y starlark.Value, depth int) (int, error) {
	other := y.(Timedelta)
	switch {
	case d < other:
		return -1, nil
	case d > other:
		return 1, nil
	}
	return 0, nil
}

// Unary implements - and +.
func (d Timedelta) Unary(op syntax.Token) (starlark.Value, error) {
	switch op {
	case syntax.MINUS:
		if d == math.MinInt64 {
			return nil, errTimedeltaRange
		}
		return -d, nil
	case syntax.PLUS:
		return d, nil
	}
	return nil, nil
}

var errTimedeltaRange = fmt.Errorf("timedelta out of range: more than about 292,000 years")

// Binary implements timedelta arithmetic as Python does: ± timedelta,
// * and / by int or float (rounded half to even to microseconds), / and //
// and % by timedelta.
func (d Timedelta) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	switch y := y.(type) {
	case Timedelta:
		x, z := int64(d), int64(y)
		if side == starlark.Right {
			x, z = z, x
		}
		switch op {
		case syntax.PLUS:
			s := x + z
			if (s > x) != (z > 0) {
				return nil, errTimedeltaRange
			}
			return Timedelta(s), nil
		case syntax.MINUS:
			s := x - z
			if (s < x) != (z > 0) {
				return nil, errTimedeltaRange
			}
			return Timedelta(s), nil
		case syntax.SLASH:
			if z == 0 {
				return nil, fmt.Errorf("division by zero")
			}
			return starlark.Float(float64(x) / float64(z)), nil
		case syntax.SLASHSLASH:
			if z == 0 {
				return nil, fmt.Errorf("division by zero")
			}
			return starlark.MakeInt64(floorDiv(x, z)), nil
		case syntax.PERCENT:
			if z == 0 {
				return nil, fmt.Errorf("division by zero")
			}
			return Timedelta(x - floorDiv(x, z)*z), nil
		}
	case starlark.Int:
		switch {
		case op == syntax.STAR:
			return scaleTimedelta(d, new(big.Rat).SetInt(y.BigInt()))
		case op == syntax.SLASH && side == starlark.Left, op == syntax.SLASHSLASH && side == starlark.Left:
			if y.Sign() == 0 {
				return nil, fmt.Errorf("division by zero")
			}
			if op == syntax.SLASHSLASH {
				n, ok := y.Int64()
				if !ok {
					return Timedelta(0), nil
				}
				return Timedelta(floorDiv(int64(d), n)), nil
			}
			return scaleTimedelta(d, new(big.Rat).SetFrac(big.NewInt(1), y.BigInt()))
		}
	case starlark.Float:
		f := float64(y)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("timedelta: cannot multiply or divide by %v", f)
		}
		switch {
		case op == syntax.STAR:
			return scaleTimedelta(d, new(big.Rat).SetFloat64(f))
		case op == syntax.SLASH && side == starlark.Left:
			if f == 0 {
				return nil, fmt.Errorf("division by zero")
			}
			return scaleTimedelta(d, new(big.Rat).Inv(new(big.Rat).SetFloat64(f)))
		}
	}
	return nil, nil
}

func floorDiv(x, y int64) int64 {
	q := x / y
	if (x%y != 0) && ((x < 0) != (y < 0)) {
		q--
	}
	return q
}

// scaleTimedelta multiplies by an exact factor and rounds half to even.
func scaleTimedelta(d Timedelta, factor *big.Rat) (starlark.Value, error) {
	r := new(big.Rat).Mul(new(big.Rat).SetInt64(int64(d)), factor)
	return timedeltaFromRat(r)
}

func timedeltaFromRat(r *big.Rat) (Timedelta, error) {
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// Round half to even on the remainder.
	twice := new(big.Int).Abs(m)
	twice.Lsh(twice, 1)
	if c := twice.Cmp(den); c > 0 || (c == 0 && q.Bit(0) == 1) {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return 0, errTimedeltaRange
	}
	return Timedelta(q.Int64()), nil
}

// Attr returns days, seconds, microseconds and total_seconds().
func (d Timedelta) Attr(name string) (starlark.Value, error) {
	days, rest := d.split()
	switch name {
	case "days":
		return starlark.MakeInt64(days), nil
	case "seconds":
		return starlark.MakeInt64(rest / 1_000_000), nil
	case "microseconds":
		return starlark.MakeInt64(rest % 1_000_000), nil
	case "total_seconds":
		return noArgMethod(d, name, func() (starlark.Value, error) {
			return starlark.Float(float64(d) / 1e6), nil
		}), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (d Timedelta) AttrNames() []string {
	return []string{"days", "microseconds", "seconds", "total_seconds"}
}

// timedeltaUnits are the constructor's keywords in Python's positional
// order, with their length in microseconds.
var timedeltaUnits = []struct {
	name   string
	micros int64
}{
	{"days", microsPerDay},
	{"seconds", 1_000_000},
	{"microseconds", 1},
	{"milliseconds", 1000},
	{"minutes", 60_000_000},
	{"hours", 3_600_000_000},
	{"weeks", 7 * microsPerDay},
}

func timedeltaClass() *pyClass {
	c := &pyClass{name: "timedelta", call: newTimedeltaBuiltin}
	c.members = starlark.StringDict{
		"min":        Timedelta(math.MinInt64 + 1),
		"max":        Timedelta(math.MaxInt64),
		"resolution": Timedelta(1),
	}
	return c
}

// newTimedeltaBuiltin implements timedelta(days=0, seconds=0,
// microseconds=0, milliseconds=0, minutes=0, hours=0, weeks=0); each
// argument may be an int or a float, and the sum is rounded half to even
// to whole microseconds.
func newTimedeltaBuiltin(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	values := make([]starlark.Value, len(timedeltaUnits))
	pairs := make([]any, 0, 2*len(timedeltaUnits))
	for i, u := range timedeltaUnits {
		pairs = append(pairs, u.name+"?", &values[i])
	}
	if err := starlark.UnpackArgs("timedelta", args, kwargs, pairs...); err != nil {
		return nil, err
	}
	total := new(big.Rat)
	for i, v := range values {
		if v == nil {
			continue
		}
		var amount *big.Rat
		switch v := v.(type) {
		case starlark.Int:
			amount = new(big.Rat).SetInt(v.BigInt())
		case starlark.Float:
			f := float64(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("timedelta: %s: got %v, want a finite number", timedeltaUnits[i].name, f)
			}
			amount = new(big.Rat).SetFloat64(f)
		default:
			return nil, fmt.Errorf("timedelta: %s: got %s, want int or float", timedeltaUnits[i].name, v.Type())
		}
		total.Add(total, amount.Mul(amount, new(big.Rat).SetInt64(timedeltaUnits[i].micros)))
	}
	d, err := timedeltaFromRat(total)
	if err != nil {
		return nil, fmt.Errorf("timedelta: %w", err)
	}
	return d, nil
}
