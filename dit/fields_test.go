package dit

import (
	"errors"
	"strings"
	"testing"

	"github.com/ditstar/ditstar/ledger/lf"
)

func TestResolveFieldsTyped(t *testing.T) {
	typ := readTimerMeta(t).IntegrationTypes[0]
	got, err := typ.ResolveFields(map[string]string{
		"interval":     " 45 ",
		"templateName": "Main:Tick",
		"enabled":      "true",
		"price":        "0.10000000000000000001",
		"label":        "  hello  ",
		"owner":        "Alice::1220",
		"runAs":        "Alice::1220",
	})
	if err != nil {
		t.Fatalf("ResolveFields: %v", err)
	}
	want := map[string]any{
		"interval":     int64(45),
		"templateName": "Main:Tick",
		"choiceName":   "",
		"mode":         "slow",
		"enabled":      true,
		"label":        "hello",
		"owner":        "Alice::1220",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %#v, want %#v", k, got[k], w)
		}
	}
	if d, ok := got["price"].(lf.Decimal); !ok || d.String() != "0.10000000000000000001" {
		t.Errorf("price = %#v, want lf.Decimal 0.10000000000000000001", got["price"])
	}
	if _, ok := got["runAs"]; ok {
		t.Errorf("runAs is not a field but was resolved")
	}
	if len(got) != len(want)+1 {
		t.Errorf("got %d values, want %d: %v", len(got), len(want), got)
	}
}

func TestResolveFieldsOptionalZero(t *testing.T) {
	typ := readTimerMeta(t).IntegrationTypes[0]
	got, err := typ.ResolveFields(map[string]string{"templateName": "T", "owner": "p"})
	if err != nil {
		t.Fatal(err)
	}
	if got["enabled"] != nil || got["price"] != nil {
		t.Errorf("optional bool/number = %v/%v, want nil", got["enabled"], got["price"])
	}
	if got["interval"] != int64(30) {
		t.Errorf("interval default = %#v, want 30", got["interval"])
	}
}

func TestResolveFieldsAllProblems(t *testing.T) {
	typ := readTimerMeta(t).IntegrationTypes[0]
	_, err := typ.ResolveFields(map[string]string{
		"interval": "1.5",
		"mode":     "medium",
		"enabled":  "yes",
		"price":    "ten",
		"owner":    "Alice Smith",
	})
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ConfigError", err)
	}
	want := []string{
		`field interval: got "1.5", want integer`,
		`field templateName: missing value for required contract_template field`,
		`field mode: got "medium", want one of "fast", "slow"`,
		`field enabled: got "yes", want true or false`,
		`field price: got "ten", want number`,
		`field owner: got "Alice Smith", want a party id without spaces`,
	}
	if len(ce.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(ce.Problems), len(want), strings.Join(ce.Problems, "\n"))
	}
	all := strings.Join(ce.Problems, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q; got:\n%s", w, all)
		}
	}
	if !strings.HasPrefix(err.Error(), "invalid configuration: 6 problems:") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestParseNumber(t *testing.T) {
	cases := map[string]string{"1": "1", " -2.50 ": "-2.50", "1e3": "1000", "1e-3": "0.001"}
	for in, want := range cases {
		got, err := parseNumber(in)
		if err != nil {
			t.Errorf("parseNumber(%q): %v", in, err)
			continue
		}
		if d, ok := got.(lf.Decimal); !ok || d.String() != want {
			t.Errorf("parseNumber(%q) = %#v, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "NaN", "inf", "1,5", "0x10"} {
		if _, err := parseNumber(bad); err == nil {
			t.Errorf("parseNumber(%q) succeeded, want error", bad)
		}
	}
}

func TestParseFieldType(t *testing.T) {
	for _, ok := range []string{"", "text", "clob", "integer", "number", "party", "contract_template",
		"contract_choice", `contract_choice:{"templateNameField": "t"}`, `enum:["a"]`, "bool", "true|false"} {
		if _, err := parseFieldType(ok); err != nil {
			t.Errorf("parseFieldType(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"int", "enum:[]", "enum:a,b", `contract_choice:{}`, "contract_choice:x"} {
		if _, err := parseFieldType(bad); err == nil {
			t.Errorf("parseFieldType(%q) succeeded, want error", bad)
		}
	}
}

func TestSampleFields(t *testing.T) {
	typ := readTimerMeta(t).IntegrationTypes[0]
	got := typ.SampleFields()
	want := map[string]any{
		"interval":     int64(30),
		"templateName": "",
		"choiceName":   "",
		"mode":         "slow",
		"enabled":      false,
		"label":        "",
		"owner":        "",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %#v, want %#v", k, got[k], w)
		}
	}
	if d, ok := got["price"].(lf.Decimal); !ok || d.String() != "1" {
		t.Errorf("price = %#v, want lf.Decimal 1", got["price"])
	}
	noDefault := IntegrationType{Fields: []Field{{ID: "n", FieldType: "integer"}}}
	if v := noDefault.SampleFields()["n"]; v != int64(1) {
		t.Errorf("integer sample = %#v, want 1", v)
	}
	enumOnly := IntegrationType{Fields: []Field{{ID: "e", FieldType: `enum:["b", "a"]`}}}
	if v := enumOnly.SampleFields()["e"]; v != "b" {
		t.Errorf("enum sample = %#v, want the first choice b", v)
	}
}
