package lf

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Decimal is an exact decimal number: an integer coefficient and a scale, the
// number of digits after the point. Its value is coefficient × 10^-scale.
// The zero value is 0. Operations return new values and never round, except
// Quo and Round, which round half to even as Daml's division does.
type Decimal struct {
	coef  *big.Int // nil means 0
	scale int
}

// DecimalFromInt64 returns n as a Decimal with scale 0.
func DecimalFromInt64(n int64) Decimal { return Decimal{coef: big.NewInt(n)} }

// ParseDecimal parses a decimal number: an optional sign, digits with an
// optional fraction, and an optional exponent ("-12.50", "1e-3", ".5").
// The scale is the number of fraction digits written, less the exponent.
func ParseDecimal(s string) (Decimal, error) {
	text := s
	exp := 0
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		e, err := strconv.Atoi(text[i+1:])
		if err != nil || e > 1000 || e < -1000 {
			return Decimal{}, fmt.Errorf("invalid decimal %q", s)
		}
		exp = e
		text = text[:i]
	}
	sign := ""
	if text != "" && (text[0] == '+' || text[0] == '-') {
		sign, text = text[:1], text[1:]
	}
	intPart, frac, hasPoint := strings.Cut(text, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) || (hasPoint && intPart == "" && frac == "") {
		return Decimal{}, fmt.Errorf("invalid decimal %q", s)
	}
	coef, ok := new(big.Int).SetString(sign+intPart+frac+"0", 10)
	if !ok {
		return Decimal{}, fmt.Errorf("invalid decimal %q", s)
	}
	coef.Quo(coef, big.NewInt(10)) // drop the "0" that made an empty string parse
	scale := len(frac) - exp
	if scale < 0 {
		coef.Mul(coef, pow10(-scale))
		scale = 0
	}
	return Decimal{coef: coef, scale: scale}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

func (d Decimal) coefficient() *big.Int {
	if d.coef == nil {
		return new(big.Int)
	}
	return d.coef
}

// Scale returns the number of digits after the point.
func (d Decimal) Scale() int { return d.scale }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int { return d.coefficient().Sign() }

// String returns the number with exactly Scale digits after the point, and no
// point when the scale is 0: "12.50", "-3", "0.001".
func (d Decimal) String() string {
	digits := new(big.Int).Abs(d.coefficient()).String()
	sign := ""
	if d.Sign() < 0 {
		sign = "-"
	}
	if d.scale == 0 {
		return sign + digits
	}
	if len(digits) <= d.scale {
		digits = strings.Repeat("0", d.scale-len(digits)+1) + digits
	}
	point := len(digits) - d.scale
	return sign + digits[:point] + "." + digits[point:]
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// Rescale returns d with the given scale. Its second result is false when
// that would drop a non-zero digit.
func (d Decimal) Rescale(scale int) (Decimal, bool) {
	if scale >= d.scale {
		return Decimal{coef: new(big.Int).Mul(d.coefficient(), pow10(scale-d.scale)), scale: scale}, true
	}
	q, r := new(big.Int).QuoRem(d.coefficient(), pow10(d.scale-scale), new(big.Int))
	if r.Sign() != 0 {
		return Decimal{}, false
	}
	return Decimal{coef: q, scale: scale}, true
}

// Round returns d rounded half to even to the given scale.
func (d Decimal) Round(scale int) Decimal {
	if scale >= d.scale {
		r, _ := d.Rescale(scale)
		return r
	}
	return Decimal{coef: divRoundHalfEven(d.coefficient(), pow10(d.scale-scale)), scale: scale}
}

// IntegerDigits returns the number of digits before the point, not counting
// leading zeros.
func (d Decimal) IntegerDigits() int {
	q := new(big.Int).Quo(new(big.Int).Abs(d.coefficient()), pow10(d.scale))
	if q.Sign() == 0 {
		return 0
	}
	return len(q.String())
}

// TrimScale returns d with trailing zero fraction digits removed, down to
// at least minScale.
func (d Decimal) TrimScale(minScale int) Decimal {
	for d.scale > minScale {
		r, ok := d.Rescale(d.scale - 1)
		if !ok {
			break
		}
		d = r
	}
	return d
}

func align(x, y Decimal) (*big.Int, *big.Int, int) {
	scale := max(x.scale, y.scale)
	a, _ := x.Rescale(scale)
	b, _ := y.Rescale(scale)
	return a.coefficient(), b.coefficient(), scale
}

// Add returns d + y with the larger of the two scales.
func (d Decimal) Add(y Decimal) Decimal {
	a, b, scale := align(d, y)
	return Decimal{coef: new(big.Int).Add(a, b), scale: scale}
}

// Sub returns d - y with the larger of the two scales.
func (d Decimal) Sub(y Decimal) Decimal {
	a, b, scale := align(d, y)
	return Decimal{coef: new(big.Int).Sub(a, b), scale: scale}
}

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	return Decimal{coef: new(big.Int).Neg(d.coefficient()), scale: d.scale}
}

// Mul returns d × y exactly, with the sum of the two scales.
func (d Decimal) Mul(y Decimal) Decimal {
	return Decimal{coef: new(big.Int).Mul(d.coefficient(), y.coefficient()), scale: d.scale + y.scale}
}

// ErrDivisionByZero is returned by Quo when the divisor is zero.
var ErrDivisionByZero = errors.New("decimal division by zero")

// Quo returns d ÷ y rounded half to even to the given scale.
func (d Decimal) Quo(y Decimal, scale int) (Decimal, error) {
	if y.Sign() == 0 {
		return Decimal{}, ErrDivisionByZero
	}
	if scale < 0 {
		return Decimal{}, fmt.Errorf("decimal division: invalid scale %d, want 0 or more", scale)
	}
	// d/y = (cd / 10^sd) / (cy / 10^sy); scaled by 10^scale this is
	// cd × 10^(scale + sy) / (cy × 10^sd).
	num := new(big.Int).Mul(d.coefficient(), pow10(scale+y.scale))
	den := new(big.Int).Mul(y.coefficient(), pow10(d.scale))
	return Decimal{coef: divRoundHalfEven(num, den), scale: scale}, nil
}

// Cmp returns -1, 0 or +1 as d is less than, equal to or greater than y.
func (d Decimal) Cmp(y Decimal) int {
	a, b, _ := align(d, y)
	return a.Cmp(b)
}

// divRoundHalfEven returns num / den rounded half to even.
func divRoundHalfEven(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	c := twice.Cmp(new(big.Int).Abs(den))
	if c > 0 || (c == 0 && q.Bit(0) == 1) {
		if (num.Sign() < 0) != (den.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}
