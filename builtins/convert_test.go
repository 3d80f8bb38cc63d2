package builtins

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ditstar/ditstar/ledger/lf"
)

// formatGo prints a value of the lf model compactly, with its Go types
// visible where they matter.
func formatGo(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case *lf.Map:
		parts := make([]string, len(v.Keys))
		for i := range v.Keys {
			parts[i] = fmt.Sprintf("%v: %s", v.Keys[i], formatGo(v.Values[i]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(v))
		for i := range v {
			parts[i] = formatGo(v[i])
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		return fmt.Sprintf("%q", v)
	case lf.Decimal:
		return "Decimal(" + v.String() + ")"
	case lf.Date:
		return "Date(" + v.String() + ")"
	case time.Time:
		return "Time(" + v.Format(time.RFC3339Nano) + ")"
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

func TestToGoValues(t *testing.T) {
	h, _ := testHost(t)
	cases := []struct{ expr, want string }{
		{`None`, "nil"},
		{`True`, "bool(true)"},
		{`-42`, "int64(-42)"},
		{`2.5`, "float64(2.5)"},
		{`"Alice::1220"`, `"Alice::1220"`},
		{`Decimal("1.50")`, "Decimal(1.50)"},
		{`dt(2024, 1, 2, 3, 4, 5, 6)`, "Time(2024-01-02T03:04:05.000006Z)"},
		{`dt.fromisoformat("2024-01-02T05:04:05+02:00")`, "Time(2024-01-02T03:04:05Z)"},
		{`time.now()`, "Time(2024-03-05T14:30:15.123456Z)"},
		{`date(2024, 2, 29)`, "Date(2024-02-29)"},
		{`[1, ("a", None)]`, `[int64(1), ["a", nil]]`},
		{`{"b": 1, "a": {}}`, `{b: int64(1), a: {}}`},
		{`{1: "x"}`, `{1: "x"}`},
		{`{"Some": {"_1": "x", "_2": [Decimal("1")]}}`, `{Some: {_1: "x", _2: [Decimal(1)]}}`},
		{`uuid.UUID("12345678123456781234567812345678")`, `"12345678-1234-5678-1234-567812345678"`},
	}
	for _, c := range cases {
		got, err := ToGo(mustEval(t, h, c.expr))
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if s := formatGo(got); s != c.want {
			t.Errorf("%s: got %s, want %s", c.expr, s, c.want)
		}
	}
}

func TestToGoStruct(t *testing.T) {
	s := starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{
		"b": starlark.MakeInt(1), "a": starlark.String("x"),
	})
	got, err := ToGo(s)
	if err != nil {
		t.Fatal(err)
	}
	if formatGo(got) != `{a: "x", b: int64(1)}` {
		t.Errorf("got %s", formatGo(got))
	}
}

func TestToGoErrors(t *testing.T) {
	h, _ := testHost(t)
	cases := []struct{ expr, want string }{
		{`print`, "got builtin_function_or_method, want None, bool, int, float, string, Decimal, datetime, date, list, tuple or dict"},
		{`{"a": [1, b"x"]}`, "a[1]: got bytes"},
		{`{(1, lambda: 1): 1}`, "[key (1, "},
		{`{"n": 1 << 64}`, "n: int 18446744073709551616 is outside the Int64 range"},
		{`timedelta(1)`, "got timedelta"},
	}
	for _, c := range cases {
		_, err := ToGo(mustEval(t, h, c.expr))
		if err == nil {
			t.Errorf("%s: no error, want %q", c.expr, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to contain %q", c.expr, err, c.want)
		}
	}
	self := starlark.NewList(nil)
	_ = self.Append(self)
	if _, err := ToGo(self); err == nil || !strings.Contains(err.Error(), "nested more than 100 deep") {
		t.Errorf("self-containing list: error %v", err)
	}
}

func TestFromGoValues(t *testing.T) {
	dec, _ := lf.ParseDecimal("-0.0100")
	date, _ := lf.ParseDate("2024-02-29")
	when := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	cases := []struct {
		in   any
		want string
	}{
		{nil, "None"},
		{true, "True"},
		{int64(-5), "-5"},
		{7, "7"},
		{uint64(1 << 63), "9223372036854775808"},
		{1.5, "1.5"},
		{"x", `"x"`},
		{dec, "-0.0100"},
		{date, "2024-02-29"},
		{when, "2024-01-02 03:04:05.000006+00:00"},
		{[]any{int64(1), "a", nil}, `[1, "a", None]`},
		{[]string{"Alice", "Bob"}, `["Alice", "Bob"]`},
		{lf.NewMap("b", int64(1), "a", lf.NewMap()), `{"b": 1, "a": {}}`},
		{map[string]any{"z": 1, "a": 2}, `{"a": 2, "z": 1}`},
		{starlark.String("kept"), `"kept"`},
	}
	for _, c := range cases {
		v, err := FromGo(c.in)
		if err != nil {
			t.Errorf("%v: %v", c.in, err)
			continue
		}
		if v.String() != c.want {
			t.Errorf("%v: got %s, want %s", c.in, v, c.want)
		}
	}
	if _, err := FromGo(struct{}{}); err == nil || !strings.Contains(err.Error(), "cannot convert Go value of type struct {}") {
		t.Errorf("unsupported type: error %v", err)
	}
}

func TestFromGoTypes(t *testing.T) {
	v, err := FromGo(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	dtv, ok := v.(*DateTime)
	if !ok {
		t.Fatalf("time.Time became %s, want datetime", v.Type())
	}
	if !dtv.Aware() {
		t.Error("datetime from a ledger Timestamp is naive, want aware UTC")
	}
	d, _ := lf.ParseDecimal("1.5")
	if v, _ := FromGo(d); v.Type() != "Decimal" {
		t.Errorf("lf.Decimal became %s, want Decimal", v.Type())
	}
}

// TestRoundTrip converts ledger values to Starlark and back and expects
// the same values, as a handler that copies contract data into a command
// does.
func TestRoundTrip(t *testing.T) {
	dec, _ := lf.ParseDecimal("123456789012345678901234567.0123456789")
	date, _ := lf.ParseDate("0001-01-01")
	huge, _ := new(big.Int).SetString("9223372036854775807", 10)
	values := []any{
		nil, true, false, int64(-9223372036854775808), huge.Int64(), 0.25, "", "Alice::1220ab",
		dec, date, time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		[]any{}, []any{nil, []any{int64(1)}},
		lf.NewMap(), lf.NewMap("owner", "Alice", "amount", dec, "tags", []any{"a", "b"}, "Some", lf.NewMap("_1", date)),
		lf.NewMap(int64(1), "one", int64(2), "two"),
	}
	// GenMap keys that are records or lists come back with record fields
	// in name order, because they pass through a Starlark struct.
	values = append(values,
		lf.NewMap(lf.NewMap("a", int64(1), "b", []any{"x"}), "record key", []any{int64(1), int64(2)}, "list key"),
	)
	for _, in := range values {
		sv, err := FromGo(in)
		if err != nil {
			t.Errorf("FromGo(%s): %v", formatGo(in), err)
			continue
		}
		out, err := ToGo(sv)
		if err != nil {
			t.Errorf("ToGo(%s): %v", sv, err)
			continue
		}
		if formatGo(out) != formatGo(in) {
			t.Errorf("round trip: got %s, want %s", formatGo(out), formatGo(in))
		}
	}
}

func TestDecimalHashMatchesEquality(t *testing.T) {
	values := []string{"1.5", "1.50", "1.500", "-0", "0.000"}
	hashes := map[string][]string{}
	for _, s := range values {
		d, err := NewDecimal(s)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := d.Hash()
		hashes[fmt.Sprint(h)] = append(hashes[fmt.Sprint(h)], s)
	}
	var groups []string
	for _, g := range hashes {
		sort.Strings(g)
		groups = append(groups, strings.Join(g, "="))
	}
	sort.Strings(groups)
	if got := strings.Join(groups, " "); got != "-0=0.000 1.5=1.50=1.500" {
		t.Errorf("hash groups %q", got)
	}
}
