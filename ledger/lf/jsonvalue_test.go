package lf

import (
	"encoding/json"
	"testing"
)

func TestParseJSONValueOrderAndDigits(t *testing.T) {
	v, err := ParseJSONValue(`{"b": 1, "a": 0.10000000000000000001, "c": [true, null, "s"]}`)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(*Map)
	if !ok {
		t.Fatalf("got %T, want *Map", v)
	}
	if len(m.Keys) != 3 || m.Keys[0] != "b" || m.Keys[1] != "a" || m.Keys[2] != "c" {
		t.Errorf("keys = %v, want b, a, c in written order", m.Keys)
	}
	if n, _ := m.Get("b"); n != int64(1) {
		t.Errorf("b = %#v, want int64 1", n)
	}
	d, _ := m.Get("a")
	if dec, ok := d.(Decimal); !ok || dec.String() != "0.10000000000000000001" {
		t.Errorf("a = %v, want the decimal with every digit", d)
	}

	c, _ := m.Get("c")
	list, ok := c.([]any)
	if !ok || len(list) != 3 {
		t.Fatalf("c = %#v, want a list of 3", c)
	}
	if list[0] != true {
		t.Errorf("c[0] = %#v, want true", list[0])
	}
	if list[1] != nil {
		t.Errorf("c[1] = %#v, want nil", list[1])
	}
	if list[2] != "s" {
		t.Errorf("c[2] = %#v, want \"s\"", list[2])
	}
}

func TestParseJSONValueLargeInteger(t *testing.T) {
	v, err := ParseJSONValue(`9223372036854775808`)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := v.(Decimal)
	if !ok {
		t.Fatalf("got %T, want Decimal for an integer over int64", v)
	}
	if d.String() != "9223372036854775808" {
		t.Errorf("value = %s, want 9223372036854775808", d)
	}
}

func TestParseJSONValueErrors(t *testing.T) {
	for _, bad := range []string{`{"a": }`, `[1, 2] extra`, `{"a": 1e999999999999}`, ``, `]`} {
		if _, err := ParseJSONValue(bad); err == nil {
			t.Errorf("ParseJSONValue(%q) succeeded, want an error", bad)
		}
	}
}

func FuzzParseJSONValue(f *testing.F) {
	for _, s := range []string{`{}`, `{"a": 1, "b": [1.5, "x", null, true]}`, `[`, `{"a":}`, `1e400`, `{} {}`, `"s"`, `-0.0000000001`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := ParseJSONValue(text); err == nil && !json.Valid([]byte(text)) {
			t.Fatalf("ParseJSONValue accepted invalid JSON %q", text)
		}
	})
}

func TestJSONKind(t *testing.T) {
	tests := map[string]string{
		`null`:     "null",
		`true`:     "boolean",
		`"s"`:      "string",
		`[1]`:      "array",
		`{"a": 1}`: "object",
		`1`:        "number",
		`1.5`:      "number",
	}
	for text, want := range tests {
		v, err := ParseJSONValue(text)
		if err != nil {
			t.Fatalf("ParseJSONValue(%q): %v", text, err)
		}
		if got := JSONKind(v); got != want {
			t.Errorf("JSONKind(%s) = %q, want %q", text, got, want)
		}
	}
}
