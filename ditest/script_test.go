package ditest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"code 200", []string{"code", "200"}},
		{"  webhook\tPOST  /x  ", []string{"webhook", "POST", "/x"}},
		{`body '"a": 1'`, []string{"body", `"a": 1`}},
		{`log 'it''s'`, []string{"log", "it's"}},
		{`x ''`, []string{"x", ""}},
		{`x a'b c'd`, []string{"x", "ab cd"}},
	}
	for _, tt := range tests {
		got, err := splitWords(tt.text)
		if err != nil {
			t.Errorf("splitWords(%q): %v", tt.text, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitWords(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestSplitWordsUnterminatedQuote(t *testing.T) {
	_, err := splitWords(`body 'open`)
	if err == nil || !strings.Contains(err.Error(), "unterminated") {
		t.Fatalf("got %v, want an unterminated quote error", err)
	}
}

func TestExpand(t *testing.T) {
	vars := map[string]string{"alice": "alice::1220ab", "s1": "00ff", "DARS": "/dars"}
	tests := []struct{ in, want string }{
		{"$alice", "alice::1220ab"},
		{"${alice}x", "alice::1220abx"},
		{`{"owner": "$alice", "c": "$s1"}`, `{"owner": "alice::1220ab", "c": "00ff"}`},
		{"$DARS/core.dar", "/dars/core.dar"},
		{"ok$", "ok$"},
		{"^a$|b", "^a$|b"},
		{"cost $5", "cost $5"},
		{"$$alice", "$alice"},
		{"no dollar", "no dollar"},
	}
	for _, tt := range tests {
		got, err := expand(tt.in, mapLookup(vars))
		if err != nil {
			t.Errorf("expand(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func mapLookup(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestExpandErrors(t *testing.T) {
	for _, in := range []string{"$bob", "${bob}", "${open", "${1x}"} {
		if _, err := expand(in, mapLookup(nil)); err == nil {
			t.Errorf("expand(%q) succeeded, want an error", in)
		}
	}
	_, err := expand("$DARS/x.dar", mapLookup(nil))
	var unknown *unknownVariableError
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "DITSTAR_DARS") {
		t.Errorf("expand($DARS) error = %v, want a hint to set DITSTAR_DARS", err)
	}
}

func TestParseScriptLineNumbers(t *testing.T) {
	comment := "# a comment\n\nstart\n! code 200\n  body 'x y'\n"
	lines, err := parseScript(comment)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3: %+v", len(lines), lines)
	}
	want := []struct {
		number int
		negate bool
		name   string
		args   []string
	}{
		{3, false, "start", []string{}},
		{4, true, "code", []string{"200"}},
		{5, false, "body", []string{"x y"}},
	}
	for i, w := range want {
		l := lines[i]
		if l.number != w.number || l.negate != w.negate || l.name != w.name || len(l.args) != len(w.args) {
			t.Errorf("line %d = %+v, want %+v", i, l, w)
			continue
		}
		for j := range w.args {
			if l.args[j] != w.args[j] {
				t.Errorf("line %d arg %d = %q, want %q", i, j, l.args[j], w.args[j])
			}
		}
	}
}

func TestParseScriptErrors(t *testing.T) {
	for _, comment := range []string{"start\nbody 'open\n", "start\n!\n"} {
		_, err := parseScript(comment)
		var se *scriptError
		if !errors.As(err, &se) {
			t.Errorf("parseScript(%q) error = %v, want a script error", comment, err)
			continue
		}
		if se.line != 2 {
			t.Errorf("parseScript(%q) error on line %d, want 2", comment, se.line)
		}
	}
}

func FuzzParseScript(f *testing.F) {
	f.Add("start\nwebhook -as alice POST /x '{\"a\": 1}'\n! code 500\n")
	f.Add("# c\n\n'a''b' $x ${y}\n")
	f.Add("!\n")
	f.Fuzz(func(t *testing.T, comment string) {
		lines, err := parseScript(comment)
		if err != nil {
			var se *scriptError
			if !errors.As(err, &se) || se.line < 1 {
				t.Fatalf("error %v is not a script error with a line", err)
			}
			return
		}
		total := strings.Count(comment, "\n") + 1
		previous := 0
		for _, l := range lines {
			if l.number <= previous || l.number > total {
				t.Fatalf("line number %d out of order or range (previous %d, total %d)", l.number, previous, total)
			}
			previous = l.number
			if l.name == "" && len(l.args) > 0 {
				t.Fatalf("line %d has arguments but no command", l.number)
			}
		}
	})
}

func FuzzExpand(f *testing.F) {
	f.Add("$a ${b} $$ $5 ${")
	f.Fuzz(func(t *testing.T, s string) {
		out, err := expand(s, mapLookup(map[string]string{"a": "A", "b": "B"}))
		if err == nil && !strings.Contains(s, "$") && out != s {
			t.Fatalf("expand changed %q without a $ to %q", s, out)
		}
	})
}
