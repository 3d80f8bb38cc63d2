package interp

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/interp/internal/frontend"
)

// A SpecFormatter is a Starlark value that formats itself for an f-string
// field with a format spec, as Python's __format__ does. A decimal type
// implements it to format {amount:.2f} without going through float.
type SpecFormatter interface {
	starlark.Value
	FormatSpec(spec string) (string, error)
}

// formatSpecBuiltin implements f-string fields with a format spec. The
// front end calls it as format(value, spec, conversion).
func formatSpecBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var value starlark.Value
	var specText, conv string
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 3, &value, &specText, &conv); err != nil {
		return nil, err
	}
	switch conv {
	case "r":
		value = starlark.String(value.String())
	case "s":
		if _, ok := value.(starlark.String); !ok {
			value = starlark.String(value.String())
		}
	}
	if f, ok := value.(SpecFormatter); ok {
		s, err := f.FormatSpec(specText)
		if err != nil {
			return nil, fmt.Errorf("format: %s with spec %q: %w", value.Type(), specText, err)
		}
		return starlark.String(s), nil
	}
	spec, err := frontend.ParseSpec(specText)
	if err != nil {
		return nil, fmt.Errorf("format: invalid spec %q: %w", specText, err)
	}
	s, err := applySpec(value, spec)
	if err != nil {
		return nil, fmt.Errorf("format: %s with spec %q: %w", value.Type(), specText, err)
	}
	return starlark.String(s), nil
}

// applySpec formats value as Python's format(value, spec) does for str,
// int and float.
func applySpec(value starlark.Value, spec frontend.Spec) (string, error) {
	var sign, prefix, body string
	numeric := true
	switch v := value.(type) {
	case starlark.Int:
		if strings.ContainsRune("eEfFgG%", rune(spec.Type)) {
			f, _ := starlark.AsFloat(v)
			sign, body = formatFloat(f, spec)
			break
		}
		if spec.Precision >= 0 {
			return "", fmt.Errorf("precision is not allowed for integers")
		}
		n := v.BigInt()
		if n.Sign() < 0 {
			sign = "-"
			n = new(big.Int).Neg(n)
		}
		switch spec.Type {
		case 0, 'd', 'n':
			body = group(n.String(), spec.Grouping)
		case 'b', 'o', 'x', 'X':
			base := map[byte]int{'b': 2, 'o': 8, 'x': 16, 'X': 16}[spec.Type]
			body = n.Text(base)
			if spec.Type == 'X' {
				body = strings.ToUpper(body)
			}
			if spec.Alternate {
				prefix = "0" + string(spec.Type)
			}
		case 'c':
			if !n.IsInt64() || n.Int64() > utf8.MaxRune || sign != "" {
				return "", fmt.Errorf("%s is not a Unicode code point", v)
			}
			body, numeric = string(rune(n.Int64())), false
		default:
			return "", fmt.Errorf("format type %q is not allowed for integers", string(spec.Type))
		}
	case starlark.Float:
		if strings.ContainsRune("bcdoxXn", rune(spec.Type)) {
			return "", fmt.Errorf("format type %q is not allowed for floats", string(spec.Type))
		}
		sign, body = formatFloat(float64(v), spec)
	default:
		if spec.Type != 0 && spec.Type != 's' {
			return "", fmt.Errorf("format type %q needs a number", string(spec.Type))
		}
		if spec.Sign != 0 || spec.Grouping != 0 {
			return "", fmt.Errorf("sign and grouping are allowed only for numbers")
		}
		s, ok := starlark.AsString(value)
		if !ok {
			s = value.String()
		}
		if spec.Precision >= 0 && utf8.RuneCountInString(s) > spec.Precision {
			s = string([]rune(s)[:spec.Precision])
		}
		body, numeric = s, false
	}
	if numeric && sign == "" && (spec.Sign == '+' || spec.Sign == ' ') {
		sign = string(spec.Sign)
	}
	return pad(sign+prefix, body, spec, numeric), nil
}

// formatFloat returns the sign and digits of f under spec.
func formatFloat(f float64, spec frontend.Spec) (string, string) {
	sign := ""
	if math.Signbit(f) && !math.IsNaN(f) {
		sign = "-"
		f = -f
	}
	prec := spec.Precision
	var body string
	switch spec.Type {
	case 'f', 'F':
		body = strconv.FormatFloat(f, 'f', precision(prec, 6), 64)
	case 'e', 'E':
		body = strconv.FormatFloat(f, byte(spec.Type), precision(prec, 6), 64)
	case 'g', 'G':
		body = strconv.FormatFloat(f, byte(spec.Type), max(precision(prec, 6), 1), 64)
	case '%':
		body = strconv.FormatFloat(f*100, 'f', precision(prec, 6), 64) + "%"
	default:
		if prec >= 0 {
			body = strconv.FormatFloat(f, 'g', max(prec, 1), 64)
		} else {
			body = starlark.Float(f).String()
		}
	}
	if math.IsInf(f, 0) {
		body = "inf"
	} else if math.IsNaN(f) {
		body = "nan"
	}
	if spec.Grouping != 0 {
		intPart, rest := body, ""
		if i := strings.IndexAny(body, ".e%"); i >= 0 {
			intPart, rest = body[:i], body[i:]
		}
		body = group(intPart, spec.Grouping) + rest
	}
	return sign, body
}

func precision(p, fallback int) int {
	if p < 0 {
		return fallback
	}
	return p
}

// group inserts sep between groups of three digits.
func group(digits string, sep byte) string {
	if sep == 0 || len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// pad aligns head (sign and prefix) and body within the spec's width.
func pad(head, body string, spec frontend.Spec, numeric bool) string {
	n := spec.Width - utf8.RuneCountInString(head) - utf8.RuneCountInString(body)
	if n <= 0 {
		return head + body
	}
	fill := strings.Repeat(string(spec.Fill), n)
	align := spec.Align
	if align == 0 {
		align = '<'
		if numeric {
			align = '>'
		}
	}
	switch align {
	case '>':
		return fill + head + body
	case '^':
		left := strings.Repeat(string(spec.Fill), n/2)
		right := strings.Repeat(string(spec.Fill), n-n/2)
		return left + head + body + right
	case '=':
		return head + fill + body
	default:
		return head + body + fill
	}
}
