package builtins

import (
	"testing"

	"go.starlark.net/starlark"
)

// The parsers below read strings that come from outside the script
// (webhook bodies, API responses, configuration), so they must return an
// error on bad input and never panic. Run with
// go test -fuzz=FuzzName -fuzztime=20s ./builtins.

func FuzzFromISOFormat(f *testing.F) {
	for _, s := range []string{"2024-01-02", "2024-01-02T03:04:05.123456+02:00", "20240102 03", "2024-01-02T03:04:05Z", "2024-02-30", "2024-01-02T", "2024-01-02T03:04:05,5-00:30:15"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseISODateTime(s)
		if err == nil && v == nil {
			t.Fatalf("%q: no value and no error", s)
		}
		if err == nil {
			// What fromisoformat reads, isoformat writes back losslessly.
			dt := v.(*DateTime)
			again, err := parseISODateTime(dt.isoformat("T", "auto"))
			if err != nil {
				t.Fatalf("%q: isoformat %q does not parse: %v", s, dt.isoformat("T", "auto"), err)
			}
			if again.(*DateTime).t.UnixMicro() != dt.t.UnixMicro() {
				t.Fatalf("%q: round trip changed the instant", s)
			}
		}
	})
}

func FuzzStrptime(f *testing.F) {
	f.Add("2024-03-05 14:30:15", "%Y-%m-%d %H:%M:%S")
	f.Add("05/Mar/2024:02:30:15 PM +0100", "%d/%b/%Y:%I:%M:%S %p %z")
	f.Add("2024-065", "%Y-%j")
	f.Add("1.5", "%S.%f")
	f.Fuzz(func(t *testing.T, s, format string) {
		_, _ = strptime(s, format)
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, 2.5, null, true, "x"]}`, `12345678901234567890`, `[`, `{"a":1} x`, `"\ud83d"`, `1e999`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := decodeJSON(nil, []byte(s), nil)
		if err != nil {
			return
		}
		// A decoded value encodes again; only floats beyond the range
		// of JSON (none decode that way) could fail.
		if _, err := encodeJSON(v, jsonOptions{sortKeys: true, sep: ",", keySep: ":"}); err != nil {
			t.Fatalf("%q decoded to %s, which does not encode: %v", s, v, err)
		}
	})
}

func FuzzPyFormat(f *testing.F) {
	f.Add("%s %d %.2f %r %-5x %*d %(name)s %%")
	f.Add("%")
	f.Add("%(")
	f.Add("%.*f")
	f.Fuzz(func(t *testing.T, format string) {
		args := starlark.Tuple{starlark.String("a"), starlark.MakeInt(3), starlark.Float(1.5), starlark.MakeInt(-7)}
		_, _ = pyFormat(format, args)
		d := starlark.NewDict(1)
		_ = d.SetKey(starlark.String("name"), starlark.MakeInt(1))
		_, _ = pyFormat(format, d)
	})
}
