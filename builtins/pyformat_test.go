package builtins

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

func TestPyFormat(t *testing.T) {
	d, _ := NewDecimal("2.675")
	cases := []struct {
		format string
		args   starlark.Value
		want   string
	}{
		{"%s and %s", starlark.Tuple{starlark.String("a"), starlark.MakeInt(1)}, "a and 1"},
		{"[%-6s][%6s]", starlark.Tuple{starlark.String("ab"), starlark.String("cd")}, "[ab    ][    cd]"},
		{"%.2s", starlark.Tuple{starlark.String("abcdef")}, "ab"},
		{"%05d|%+d|%i|%u", starlark.Tuple{starlark.MakeInt(42), starlark.MakeInt(7), starlark.Float(3.9), starlark.True}, "00042|+7|3|1"},
		{"%x %X %#x %o", starlark.Tuple{starlark.MakeInt(255), starlark.MakeInt(255), starlark.MakeInt(255), starlark.MakeInt(8)}, "ff FF 0xff 10"},
		{"%.2f %e %g %.3G", starlark.Tuple{starlark.Float(2.5), starlark.MakeInt(1), starlark.Float(0.00001), starlark.Float(1234.5)}, "2.50 1.000000e+00 1e-05 1.23E+03"},
		{"%.2f", starlark.Tuple{d}, "2.67"},
		{"%*d|%-*d|%.*f", starlark.Tuple{starlark.MakeInt(4), starlark.MakeInt(1), starlark.MakeInt(3), starlark.MakeInt(2), starlark.MakeInt(1), starlark.Float(1.25)}, "   1|2  |1.2"},
		{"%r %a", starlark.Tuple{starlark.String("x"), starlark.NewList([]starlark.Value{starlark.MakeInt(1)})}, `"x" [1]`},
		{"%c%c", starlark.Tuple{starlark.MakeInt(65), starlark.String("é")}, "Aé"},
		{"100%% %ld", starlark.Tuple{starlark.MakeInt(5)}, "100% 5"},
		{"%d", starlark.MakeInt(9), "9"},
	}
	for _, c := range cases {
		got, err := pyFormat(c.format, c.args)
		if err != nil {
			t.Errorf("%q: %v", c.format, err)
			continue
		}
		if got != c.want {
			t.Errorf("%q: got %q, want %q", c.format, got, c.want)
		}
	}
	dict := starlark.NewDict(1)
	_ = dict.SetKey(starlark.String("name"), starlark.String("Alice"))
	got, err := pyFormat("%(name)-7s|%(name)r", dict)
	if err != nil || got != `Alice  |"Alice"` {
		t.Errorf("mapping: got %q, %v", got, err)
	}
}

func TestPyFormatErrors(t *testing.T) {
	one := starlark.Tuple{starlark.MakeInt(1)}
	cases := []struct {
		format string
		args   starlark.Value
		want   string
	}{
		{"%s %s", one, "not enough arguments"},
		{"%s", starlark.Tuple{starlark.MakeInt(1), starlark.MakeInt(2)}, "not all arguments converted"},
		{"%d", starlark.Tuple{starlark.String("x")}, "%d format: got string, want a number"},
		{"%(a)s", one, "format requires a mapping"},
		{"%(a", starlark.NewDict(0), "incomplete format key"},
		{"%(a)s", starlark.NewDict(0), `key "a" not found`},
		{"%k", one, "unsupported format character 'k'"},
		{"%", one, "incomplete format"},
		{"%5", one, "incomplete format"},
	}
	for _, c := range cases {
		_, err := pyFormat(c.format, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.format, err, c.want)
		}
	}
}
