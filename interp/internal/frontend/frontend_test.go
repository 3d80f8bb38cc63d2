package frontend

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/syntax"
)

func testConfig() *Config {
	return &Config{
		Options:    &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true, Recursion: true},
		Modules:    map[string][]string{"json": {"decode", "encode"}, "dazl": {"create", "exercise"}},
		Hints:      map[string]string{"aiohttp": "the http module"},
		FormatFunc: "f-string format",
	}
}

// checkLayout fails unless every line break of src is where it was, which
// is what keeps the positions of the rewritten source exact.
func checkLayout(t *testing.T, src string) {
	t.Helper()
	p := newPrescan("test.star", []byte(src), testConfig())
	p.run()
	if len(p.out) != len(p.src) {
		t.Fatalf("rewrite changed the length from %d to %d runes", len(p.src), len(p.out))
	}
	for i, r := range p.src {
		if (r == '\n') != (p.out[i] == '\n') {
			t.Fatalf("rewrite moved a line break at rune %d:\n%s\n---\n%s", i, string(p.src), string(p.out))
		}
	}
}

func TestRewriteKeepsLayout(t *testing.T) {
	src := `from dazl import (
    create,
)
import json

@events.ledger.contract_created(
    "A:B",
    label = f"created {x!r:>5}",
)
async def on_created(event: dict, *args: "x", **kw: int) -> None:
    await create("T", {"a": u"caf\u00e9"})
    total: int = 0
    if event: raise ValueError(f"""bad
    {event}""") from None
`
	checkLayout(t, src)
	f, err := Translate("test.star", []byte(src), testConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stmts) != 4 {
		t.Errorf("got %d top-level statements, want the two loads, the def and the decorator assignment", len(f.Stmts))
	}
}

func TestRewriteOutput(t *testing.T) {
	tests := []struct{ in, want string }{
		{"async def f(x: int) -> int:\n    pass\n", "def       f(x     )       :\n    pass\n"},
		{"    await g()\n", "    0 or  g()\n"},
		{"x = await g()\n", "x =       g()\n"},
		{"raise ValueError(msg)\n", "fail            (msg)\n"},
		{"raise Stop\n", "fail      \n"},
		{"raise err\n", "0 or  err\n"},
		{"import json\n", "pass       \n"},
		{"@deco\ndef f(): pass\n", "     \ndef f(): pass\n"},
		{"s = f\"a{x}\"\n", "s = \"     \"\n"},
		{"s = u\"a\"\n", "s = \"  \"\n"},
		{"y: int = 1\n", "y      = 1\n"},
	}
	for _, tt := range tests {
		p := newPrescan("test.star", []byte(tt.in), testConfig())
		p.run()
		if got := string(p.out); got != tt.want {
			t.Errorf("rewrite of %q\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestTranslateErrorsSorted(t *testing.T) {
	src := "import aiohttp\ndel x\nclass A:\n    pass\n"
	_, err := Translate("test.star", []byte(src), testConfig())
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v, want an ErrorList", err)
	}
	if len(list) != 3 {
		t.Fatalf("got %d errors, want 3: %v", len(list), list)
	}
	for i := 1; i < len(list); i++ {
		if list[i].Pos.Line < list[i-1].Pos.Line {
			t.Errorf("errors out of order: %v", list)
		}
	}
}

func TestParseSpec(t *testing.T) {
	good := map[string]Spec{
		".2f":    {Fill: ' ', Precision: 2, Type: 'f'},
		"*>10,d": {Fill: '*', Align: '>', Width: 10, Grouping: ',', Precision: -1, Type: 'd'},
		"+#010x": {Fill: '0', Align: '=', Sign: '+', Alternate: true, Width: 10, Precision: -1, Type: 'x'},
		"^5":     {Fill: ' ', Align: '^', Width: 5, Precision: -1},
		"":       {Fill: ' ', Precision: -1},
	}
	for text, want := range good {
		got, err := ParseSpec(text)
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", text, err)
			continue
		}
		if got != want {
			t.Errorf("ParseSpec(%q) = %+v, want %+v", text, got, want)
		}
	}
	for _, text := range []string{"q", ".f", "z.2f", "10.2fx", "99999d", ".999f"} {
		if _, err := ParseSpec(text); err == nil {
			t.Errorf("ParseSpec(%q) succeeded, want an error", text)
		}
	}
}

func TestDecodeEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a\nb`, "a\nb"},
		{`\t\\\'\"`, "\t\\'\""},
		{`\x41\u00e9\U0001F600\101`, "Aé😀A"},
		{`\q`, `\q`},
		{"a\\\nb", "ab"},
	}
	for _, tt := range tests {
		got, err := decodeEscapes(tt.in, false)
		if err != nil || got != tt.want {
			t.Errorf("decodeEscapes(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{`\x4`, `\uZZZZ`, `\N{DASH}`} {
		if _, err := decodeEscapes(in, false); err == nil {
			t.Errorf("decodeEscapes(%q) succeeded, want an error", in)
		}
	}
	if got, _ := decodeEscapes(`a\n`, true); got != `a\n` {
		t.Errorf("raw text changed: %q", got)
	}
}

// FuzzTranslate checks that no input panics the front end or moves a line
// break. Run it bounded: go test -fuzz=FuzzTranslate -fuzztime=20s.
func FuzzTranslate(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/*.star")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, chunk := range strings.Split(string(data), "\n---\n") {
			f.Add(chunk)
		}
	}
	for _, seed := range []string{
		"@", "@x\n", "async", "raise", "from", "import", "f'{", "f'}'", "f'{x!'", "f'{x:'",
		"def f(:", "def f(x: int", "def f() ->", "x:", "from . import", "from .. import (a,",
		"rf'''\n{x}\n'''", "u'", "await", "    await\n", "f'{\\N{x}}'", "\\\n", "'\\",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkLayout(t, src)
		_, _ = Translate("fuzz.star", []byte(src), testConfig())
	})
}
