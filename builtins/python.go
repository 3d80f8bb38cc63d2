package builtins

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// pythonBuiltins returns predeclared functions that make Python code run
// unchanged: float, int and abs extended to accept a Decimal, and Python's
// round and sum, which Starlark lacks.
func pythonBuiltins() starlark.StringDict {
	wrap := func(name string, convert func(Decimal) (starlark.Value, error)) *starlark.Builtin {
		orig := starlark.Universe[name].(*starlark.Builtin)
		return starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(args) == 1 && len(kwargs) == 0 {
				if d, ok := args[0].(Decimal); ok {
					return convert(d)
				}
			}
			return starlark.Call(thread, orig, args, kwargs)
		})
	}
	return starlark.StringDict{
		"float": wrap("float", func(d Decimal) (starlark.Value, error) { return starlark.Float(d.D.Float64()), nil }),
		"int":   limitIntDigits(wrap("int", func(d Decimal) (starlark.Value, error) { return decimalToInt(d) })),
		"abs":   wrap("abs", func(d Decimal) (starlark.Value, error) { return Decimal{absDecimal(d.D)}, nil }),
		"round": starlark.NewBuiltin("round", pythonRound),
		"sum":   starlark.NewBuiltin("sum", pythonSum),
	}
}

// limitIntDigits wraps int so that, as in Python 3.11 and later, a string
// of more than maxNumberDigits digits in a base that is not a power of two
// is rejected: converting it takes time quadratic in its length, and a
// handler's deadline cannot interrupt the conversion.
func limitIntDigits(intBuiltin *starlark.Builtin) *starlark.Builtin {
	return starlark.NewBuiltin("int", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if len(args) > 0 {
			if text, ok := args[0].(starlark.String); ok && quadraticIntBase(string(text), intBase(args, kwargs)) {
				if err := checkAlnum(string(text)); err != nil {
					return nil, fmt.Errorf("int: %w", err)
				}
			}
		}
		return starlark.Call(thread, intBuiltin, args, kwargs)
	})
}

// intBase returns the base argument of an int call, 10 when absent and -1
// when it is not an int, which int itself then rejects.
func intBase(args starlark.Tuple, kwargs []starlark.Tuple) int {
	var base starlark.Value
	if len(args) > 1 {
		base = args[1]
	}
	for _, kv := range kwargs {
		if name, ok := kv[0].(starlark.String); ok && name == "base" {
			base = kv[1]
		}
	}
	if base == nil {
		return 10
	}
	n, err := starlark.AsInt32(base)
	if err != nil {
		return -1
	}
	return n
}

// quadraticIntBase reports whether converting text in base takes time
// quadratic in its length: every base but the powers of two. Base 0 takes
// the base from a 0x, 0o or 0b prefix, and is decimal without one.
func quadraticIntBase(text string, base int) bool {
	switch base {
	case 2, 4, 8, 16, 32:
		return false
	case 0:
		t := strings.ToLower(strings.TrimLeft(strings.TrimSpace(text), "+-"))
		return !strings.HasPrefix(t, "0x") && !strings.HasPrefix(t, "0o") && !strings.HasPrefix(t, "0b")
	}
	return base > 0
}

// checkAlnum is checkDigits for any base up to 36: it counts letters too.
func checkAlnum(s string) error {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20 // lowercase ASCII letters; digits are unchanged
		if (s[i] >= '0' && s[i] <= '9') || (c >= 'a' && c <= 'z') {
			n++
		}
	}
	if n > maxNumberDigits {
		return fmt.Errorf("%w: number of %d digits is over the limit of %d digits", errTooManyDigits, n, maxNumberDigits)
	}
	return nil
}

// decimalToInt truncates toward zero, as Python's int(Decimal) does.
func decimalToInt(d Decimal) (starlark.Value, error) {
	text := d.D.String()
	if i := strings.IndexByte(text, '.'); i >= 0 {
		text = text[:i]
	}
	n, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return nil, fmt.Errorf("int: cannot convert Decimal %s", d)
	}
	return starlark.MakeBigInt(n), nil
}

// pythonRound implements round(number, ndigits=None) as Python does:
// halves round to even, a float rounds by its exact binary value (so
// round(2.675, 2) is 2.67), and without ndigits the result is an int.
func pythonRound(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var number starlark.Value
	var ndigits starlark.Value = starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "number", &number, "ndigits?", &ndigits); err != nil {
		return nil, err
	}
	digits := 0
	if ndigits != starlark.None {
		n, err := starlark.AsInt32(ndigits)
		if err != nil {
			return nil, fmt.Errorf("round: ndigits: got %s, want int or None", ndigits.Type())
		}
		if n < -400 || n > 400 {
			return nil, fmt.Errorf("round: ndigits: got %d, want -400 to 400", n)
		}
		digits = n
	}
	switch x := number.(type) {
	case starlark.Int:
		if digits >= 0 {
			return x, nil
		}
		d, err := NewDecimal(x.String())
		if err != nil {
			return nil, fmt.Errorf("round: number: %w", err)
		}
		return decimalToInt(roundDecimal(d, digits))
	case starlark.Float:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			if ndigits == starlark.None {
				return nil, fmt.Errorf("round: cannot convert %v to an int", f)
			}
			return x, nil
		}
		if ndigits == starlark.None {
			// FormatFloat rounds the exact binary value half to even.
			n, _ := new(big.Int).SetString(strconv.FormatFloat(f, 'f', 0, 64), 10)
			return starlark.MakeBigInt(n), nil
		}
		if digits >= 0 {
			r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', digits, 64), 64)
			return starlark.Float(r), nil
		}
		scale := math.Pow(10, float64(-digits))
		return starlark.Float(math.RoundToEven(f/scale) * scale), nil
	case Decimal:
		r := roundDecimal(x, digits)
		if ndigits == starlark.None {
			return decimalToInt(r)
		}
		return r, nil
	}
	return nil, fmt.Errorf("round: number: got %s, want int, float or Decimal", number.Type())
}

// roundDecimal rounds half to even to digits places after the point,
// or to a multiple of 10^-digits when digits is negative.
func roundDecimal(d Decimal, digits int) Decimal {
	if digits >= 0 {
		return Decimal{d.D.Round(digits)}
	}
	unit := pow10Decimal(-digits)
	q, _ := d.D.Quo(unit, 0)
	return Decimal{q.Mul(unit)}
}

// pythonSum implements sum(iterable, start=0) for ints, floats, Decimals
// and (with a timedelta start, as in Python) timedeltas. It adds with
// Starlark's +, so mixing a float and a Decimal fails as in Python.
func pythonSum(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var iterable starlark.Iterable
	var total starlark.Value = starlark.MakeInt(0)
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "iterable", &iterable, "start?", &total); err != nil {
		return nil, err
	}
	iter := iterable.Iterate()
	defer iter.Done()
	var x starlark.Value
	for i := 0; iter.Next(&x); i++ {
		switch x.(type) {
		case starlark.Int, starlark.Float, Decimal, Timedelta:
		default:
			return nil, fmt.Errorf("sum: element %d: got %s, want int, float, Decimal or timedelta", i, x.Type())
		}
		next, err := starlark.Binary(syntax.PLUS, total, x)
		if err != nil {
			return nil, fmt.Errorf("sum: element %d: %w", i, err)
		}
		total = next
	}
	return total, nil
}
