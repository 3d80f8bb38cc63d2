package builtins

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/ditstar/ditstar/ledger/lf"
)

// decimalPrecision is the number of significant digits of an inexact
// quotient, the default precision of Python's decimal module.
const decimalPrecision = 28

// Decimal is the Starlark value of a Daml Numeric: an exact decimal number.
// Addition, subtraction and multiplication are exact. Division gives the
// exact quotient when it has at most 28 significant digits and otherwise
// rounds to 28 significant digits, half to even, as Python's default
// context does. Mixing with int is allowed, with float it is an error, as in
// Python.
type Decimal struct {
	D lf.Decimal
}

var (
	_ starlark.HasBinary      = Decimal{}
	_ starlark.HasUnary       = Decimal{}
	_ starlark.TotallyOrdered = Decimal{}
	_ starlark.HasAttrs       = Decimal{}
)

// String returns the decimal text, keeping trailing zeros ("1.50").
func (d Decimal) String() string { return d.D.String() }

// Type returns "Decimal".
func (d Decimal) Type() string { return "Decimal" }

// Freeze does nothing: a Decimal is immutable.
func (d Decimal) Freeze() {}

// Truth reports whether the number is non-zero.
func (d Decimal) Truth() starlark.Bool { return d.D.Sign() != 0 }

// Hash returns the same hash for equal numbers of different scales.
func (d Decimal) Hash() (uint32, error) {
	return starlark.String(d.D.TrimScale(0).String()).Hash()
}

// Cmp compares with another Decimal. Starlark compares only values of the
// same type, so a Decimal is never equal to an int.
func (d Decimal) Cmp(y starlark.Value, depth int) (int, error) {
	return d.D.Cmp(y.(Decimal).D), nil
}

// asDecimal converts a Decimal or an int operand.
func asDecimal(v starlark.Value) (lf.Decimal, error) {
	switch v := v.(type) {
	case Decimal:
		return v.D, nil
	case starlark.Int:
		return lf.ParseDecimal(v.String())
	}
	return lf.Decimal{}, fmt.Errorf("unsupported operand: got %s, want Decimal or int", v.Type())
}

// Binary implements +, -, *, /, // and % with Decimal or int operands.
func (d Decimal) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	other, err := asDecimal(y)
	if err != nil {
		// Returning nil, nil lets Starlark report the usual
		// "unknown binary op" error naming both types.
		return nil, nil
	}
	x, z := d.D, other
	if side == starlark.Right {
		x, z = z, x
	}
	switch op {
	case syntax.PLUS:
		return Decimal{x.Add(z)}, nil
	case syntax.MINUS:
		return Decimal{x.Sub(z)}, nil
	case syntax.STAR:
		return Decimal{x.Mul(z)}, nil
	case syntax.SLASH:
		q, err := decimalDivide(x, z)
		if err != nil {
			return nil, err
		}
		return Decimal{q}, nil
	case syntax.SLASHSLASH:
		q, _, err := decimalDivMod(x, z)
		if err != nil {
			return nil, err
		}
		return Decimal{q}, nil
	case syntax.PERCENT:
		_, r, err := decimalDivMod(x, z)
		if err != nil {
			return nil, err
		}
		return Decimal{r}, nil
	}
	return nil, nil
}

// Unary implements - and +.
func (d Decimal) Unary(op syntax.Token) (starlark.Value, error) {
	switch op {
	case syntax.MINUS:
		return Decimal{d.D.Neg()}, nil
	case syntax.PLUS:
		return d, nil
	}
	return nil, nil
}

// Attr returns the methods of Python's Decimal that scripts use.
func (d Decimal) Attr(name string) (starlark.Value, error) {
	switch name {
	case "quantize":
		return starlark.NewBuiltin("quantize", d.quantize).BindReceiver(d), nil
	case "normalize":
		return noArgMethod(d, name, func() (starlark.Value, error) {
			return Decimal{d.D.TrimScale(0)}, nil
		}), nil
	case "to_integral_value":
		return noArgMethod(d, name, func() (starlark.Value, error) {
			return Decimal{d.D.Round(0)}, nil
		}), nil
	case "is_zero":
		return noArgMethod(d, name, func() (starlark.Value, error) {
			return starlark.Bool(d.D.Sign() == 0), nil
		}), nil
	}
	return nil, nil
}

// AttrNames lists the methods of Attr.
func (d Decimal) AttrNames() []string {
	return []string{"is_zero", "normalize", "quantize", "to_integral_value"}
}

// quantize rounds half to even to the scale of exp, as
// Decimal("1.005").quantize(Decimal("0.01")) does in Python.
func (d Decimal) quantize(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var exp starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "exp", &exp); err != nil {
		return nil, err
	}
	e, ok := exp.(Decimal)
	if !ok {
		return nil, fmt.Errorf("quantize: exp: got %s, want Decimal", exp.Type())
	}
	return Decimal{d.D.Round(e.D.Scale())}, nil
}

// decimalDivide divides as Python's decimal module does with its default
// context. A quotient that fits in 28 significant digits is exact, with
// trailing zeros trimmed down to the scale x.scale - y.scale. Any other
// quotient is rounded half to even to 28 significant digits.
func decimalDivide(x, y lf.Decimal) (lf.Decimal, error) {
	if y.Sign() == 0 {
		return lf.Decimal{}, fmt.Errorf("decimal division by zero")
	}
	if x.Sign() == 0 {
		return lf.Decimal{}.Round(max(x.Scale()-y.Scale(), 0)), nil
	}
	// The exponent e of the quotient's leading digit: 10^e <= |x/y| < 10^(e+1).
	// With 10^a <= |x| < 10^(a+1) and 10^b <= |y| < 10^(b+1), e is a-b or
	// a-b-1: start low and move up while 10^(e+1) <= |x/y|.
	e := leadingExponent(x) - leadingExponent(y) - 1
	ax, ay := absDecimal(x), absDecimal(y)
	for {
		probe := pow10Decimal(e + 1).Mul(ay)
		if probe.Cmp(ax) > 0 {
			break
		}
		e++
	}
	scale := max(decimalPrecision-1-e, 0)
	q, err := x.Quo(y, scale)
	if err != nil {
		return lf.Decimal{}, err
	}
	if q.Mul(y).Cmp(x) == 0 {
		q = q.TrimScale(max(x.Scale()-y.Scale(), 0))
	}
	return q, nil
}

// leadingExponent returns e with 10^e <= |d| < 10^(e+1) for d != 0.
func leadingExponent(d lf.Decimal) int {
	if n := d.IntegerDigits(); n > 0 {
		return n - 1
	}
	digits := strings.TrimLeft(strings.TrimPrefix(d.String(), "-"), "0.")
	return len(digits) - d.Scale() - 1
}

func absDecimal(d lf.Decimal) lf.Decimal {
	if d.Sign() < 0 {
		return d.Neg()
	}
	return d
}

func pow10Decimal(e int) lf.Decimal {
	if e >= 0 {
		v, _ := lf.ParseDecimal("1" + strings.Repeat("0", e))
		return v
	}
	v, _ := lf.ParseDecimal("0." + strings.Repeat("0", -e-1) + "1")
	return v
}

// decimalDivMod returns the quotient truncated toward zero and the
// remainder with the sign of x, as Python's Decimal // and % do (unlike
// int, which floors).
func decimalDivMod(x, y lf.Decimal) (lf.Decimal, lf.Decimal, error) {
	if y.Sign() == 0 {
		return lf.Decimal{}, lf.Decimal{}, fmt.Errorf("decimal division by zero")
	}
	exact, err := x.Quo(y, max(x.Scale(), y.Scale())+1)
	if err != nil {
		return lf.Decimal{}, lf.Decimal{}, err
	}
	text := exact.String()
	if i := strings.IndexByte(text, '.'); i >= 0 {
		text = text[:i]
	}
	q, err := lf.ParseDecimal(text)
	if err != nil {
		return lf.Decimal{}, lf.Decimal{}, err
	}
	// Quo rounds half to even at one extra digit, which can carry into the
	// integer part, so step back toward zero while the product overshoots.
	for absDecimal(q.Mul(y)).Cmp(absDecimal(x)) > 0 {
		if q.Sign() > 0 {
			q = q.Sub(lf.DecimalFromInt64(1))
		} else {
			q = q.Add(lf.DecimalFromInt64(1))
		}
	}
	return q, x.Sub(q.Mul(y)), nil
}

// NewDecimal parses a decimal string into a Decimal value.
func NewDecimal(s string) (Decimal, error) {
	if err := checkDigits(s); err != nil {
		return Decimal{}, err
	}
	d, err := lf.ParseDecimal(strings.TrimSpace(s))
	if err != nil {
		return Decimal{}, err
	}
	return Decimal{d}, nil
}

func decimalMembers() starlark.StringDict {
	return starlark.StringDict{
		"Decimal": starlark.NewBuiltin("Decimal", newDecimalBuiltin),
	}
}

// newDecimalBuiltin implements Decimal(value="0"). A float converts through
// its shortest repr, so Decimal(0.1) is 0.1.
func newDecimalBuiltin(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value = starlark.String("0")
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "value?", &v); err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case Decimal:
		return v, nil
	case starlark.Int:
		return NewDecimal(v.String())
	case starlark.Float:
		// NOTE: Python's Decimal(0.1) keeps the float's exact binary value
		// of 55 digits. This uses the shortest repr instead, because a Daml
		// Numeric holds at most 38 digits.
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("Decimal: value: got %s, want a finite number", v)
		}
		return NewDecimal(strconv.FormatFloat(f, 'f', -1, 64))
	case starlark.String:
		d, err := NewDecimal(string(v))
		if errors.Is(err, errTooManyDigits) {
			return nil, fmt.Errorf("Decimal: value: %s: %w", quoteInput(string(v)), err)
		}
		if err != nil {
			return nil, fmt.Errorf("Decimal: value: invalid decimal string %s, want digits with an optional sign, point and exponent", quoteInput(string(v)))
		}
		return d, nil
	}
	return nil, fmt.Errorf("Decimal: value: got %s, want string, int, float or Decimal", v.Type())
}
