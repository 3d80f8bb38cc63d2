package builtins

import (
	"fmt"
	"strings"

	"go.starlark.net/starlark"
)

// pyFormat implements Python's printf-style `format % args` for the
// logger, which, unlike Starlark's % operator, must accept the flags, width
// and precision that Python logging calls use ("%-10s", "%.2f", "%05d",
// "%*d"). args is a tuple, or a dict for %(name)s references. %r and %a
// use Starlark's repr, so strings show in double quotes.
func pyFormat(format string, args starlark.Value) (string, error) {
	var b strings.Builder
	tuple, isTuple := args.(starlark.Tuple)
	mapping, _ := args.(starlark.Mapping)
	next := 0
	nextArg := func() (starlark.Value, error) {
		if !isTuple {
			if next > 0 {
				return nil, fmt.Errorf("not enough arguments for format string")
			}
			next++
			return args, nil
		}
		if next >= len(tuple) {
			return nil, fmt.Errorf("not enough arguments for format string")
		}
		v := tuple[next]
		next++
		return v, nil
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return "", fmt.Errorf("incomplete format")
		}
		if format[i] == '%' {
			b.WriteByte('%')
			continue
		}
		var arg starlark.Value
		if format[i] == '(' {
			end := strings.IndexByte(format[i:], ')')
			if end < 0 {
				return "", fmt.Errorf("incomplete format key")
			}
			if mapping == nil {
				return "", fmt.Errorf("format requires a mapping")
			}
			key := format[i+1 : i+end]
			v, found, err := mapping.Get(starlark.String(key))
			if err != nil {
				return "", err
			}
			if !found {
				return "", fmt.Errorf("key %q not found in the mapping", key)
			}
			arg = v
			i += end + 1
		}
		spec := "%"
		for i < len(format) && strings.IndexByte("-+ #0", format[i]) >= 0 {
			spec += string(format[i])
			i++
		}
		for _, part := range []string{"width", "precision"} {
			if part == "precision" {
				if i >= len(format) || format[i] != '.' {
					break
				}
				spec += "."
				i++
			}
			if i < len(format) && format[i] == '*' {
				v, err := nextArg()
				if err != nil {
					return "", err
				}
				n, err := starlark.AsInt32(v)
				if err != nil {
					return "", fmt.Errorf("* wants int")
				}
				spec += fmt.Sprint(n)
				i++
				continue
			}
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				spec += string(format[i])
				i++
			}
		}
		for i < len(format) && strings.IndexByte("hlL", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			return "", fmt.Errorf("incomplete format")
		}
		if arg == nil {
			v, err := nextArg()
			if err != nil {
				return "", err
			}
			arg = v
		}
		s, err := formatOne(spec, format[i], arg)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	if isTuple && next < len(tuple) {
		return "", fmt.Errorf("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

func formatOne(spec string, verb byte, arg starlark.Value) (string, error) {
	switch verb {
	case 's':
		s, ok := starlark.AsString(arg)
		if !ok {
			s = arg.String()
		}
		return fmt.Sprintf(spec+"s", s), nil
	case 'r', 'a':
		return fmt.Sprintf(spec+"s", arg.String()), nil
	case 'd', 'i', 'u', 'x', 'X', 'o':
		n, err := formatInt(arg)
		if err != nil {
			return "", fmt.Errorf("%%%c format: got %s, want a number", verb, arg.Type())
		}
		goVerb := verb
		if verb == 'i' || verb == 'u' {
			goVerb = 'd'
		}
		return fmt.Sprintf(spec+string(goVerb), n.BigInt()), nil
	case 'e', 'E', 'f', 'F', 'g', 'G':
		var f float64
		switch v := arg.(type) {
		case Decimal:
			f = v.D.Float64()
		default:
			var ok bool
			if f, ok = starlark.AsFloat(arg); !ok {
				return "", fmt.Errorf("%%%c format: got %s, want a number", verb, arg.Type())
			}
		}
		goVerb := verb
		if verb == 'F' {
			goVerb = 'f'
		}
		return fmt.Sprintf(spec+string(goVerb), f), nil
	case 'c':
		if s, ok := arg.(starlark.String); ok && len([]rune(string(s))) == 1 {
			return fmt.Sprintf(spec+"s", string(s)), nil
		}
		n, err := starlark.AsInt32(arg)
		if err != nil {
			return "", fmt.Errorf("%%c format: got %s, want int or a single character", arg.Type())
		}
		return fmt.Sprintf(spec+"c", rune(n)), nil
	}
	return "", fmt.Errorf("unsupported format character %q", verb)
}

func formatInt(arg starlark.Value) (starlark.Int, error) {
	switch v := arg.(type) {
	case starlark.Int:
		return v, nil
	case starlark.Bool:
		if v {
			return starlark.MakeInt(1), nil
		}
		return starlark.MakeInt(0), nil
	case starlark.Float:
		return starlark.NumberToInt(v)
	case Decimal:
		return starlark.NumberToInt(starlark.Float(v.D.Float64()))
	}
	return starlark.Int{}, fmt.Errorf("got %s", arg.Type())
}
