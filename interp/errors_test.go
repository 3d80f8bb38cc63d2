package interp_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/interp"
)

// TestErrorColumns checks the full file:line:col of the errors the chunked
// tests check by line only.
func TestErrorColumns(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // prefix of FormatError's first line
	}{
		{
			name: "wrong decorator",
			src:  "def main(events):\n    @events.ledger.contract_created(1)\n    def h(e):\n        pass\n",
			want: "test.star:2:36: contract_created: for parameter template: got int, want string",
		},
		{
			name: "decorator not callable",
			src:  "x = 1\n\n  \n@x\ndef h():\n    pass\n",
			want: "test.star:4:1: invalid call of non-function (int)",
		},
		{
			name: "undefined name in nested handler",
			src:  "def main(events):\n    @events.ledger.contract_created(\"A\")\n    async def h(event: dict) -> None:\n        await helper(event)\n",
			want: "test.star:4:15: undefined: helper",
		},
		{
			name: "class",
			src:  "x = 1\nif x:\n    class A:\n        pass\n",
			want: "test.star:3:5: class is not supported in Starlark",
		},
		{
			name: "fail in handler",
			src:  "def main(events):\n    @events.ledger.contract_created(\"A\")\n    def h(event):\n        y = 1; fail(\"no\")\n",
			want: "test.star:4:20: fail: no",
		},
		{
			name: "raise in handler",
			src:  "def main(events):\n    @events.ledger.contract_created(\"A\")\n    def h(event):\n        if event: raise ValueError(\"no\")\n",
			want: "test.star:4:19: fail: no",
		},
		{
			name: "error after an f-string keeps its column",
			src:  "x = 1\ny = f\"{x}\u00e9\u00e9\" + undefined\n",
			want: "test.star:2:16: undefined: undefined",
		},
		{
			name: "error inside an f-string field",
			src:  "x = {}\ny = f\"a {x['k']}\"\n",
			want: "test.star:2:11: key \"k\" not in dict",
		},
		{
			name: "unsupported keyword in an f-string field",
			src:  "x = 1\ny = f\"a {x is None}\"\n",
			want: "test.star:2:12: is is not supported in Starlark",
		},
		{
			name: "annotation dropped before an error",
			src:  "def f(a: int, b: str) -> int:\n    return a + b\nf(1, \"x\")\n",
			want: "test.star:2:14: unknown binary op: int + string",
		},
		{
			name: "await at the start of a line",
			src:  "def f():\n    await undefined_call()\n",
			want: "test.star:2:11: undefined: undefined_call",
		},
	}
	in := interp.New(testOptions())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runChunk(in, tt.src)
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.SplitN(interp.FormatError(err), "\n", 2)[0]
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestFormatErrorBacktrace checks that a run-time error shows the script
// frames, including those of a sibling file that the error came from.
func TestFormatErrorBacktrace(t *testing.T) {
	in := interp.New(testOptions())
	src := "from .helpers import broken\n\ndef main(events):\n    broken()\n"
	fsys := testFS(map[string]string{"test.star": src})
	globals, err := in.LoadFile(context.Background(), fsys, "test.star")
	if err != nil {
		t.Fatal(interp.FormatError(err))
	}
	_, err = in.Call(context.Background(), globals["main"], starlark.Tuple{starlark.None}, nil, nil)
	if err == nil {
		t.Fatal("no error")
	}
	got := interp.FormatError(err)
	want := "helpers.star:6:9: fail: broken helper\n" +
		"Traceback (most recent call last):\n" +
		"  test.star:4:11: in main\n" +
		"  helpers.star:6:9: in broken\n" +
		"  <builtin>: in fail"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestFormatErrorLoadedFile checks an error in the top level of a loaded
// file: the backtrace goes through the import line.
func TestFormatErrorLoadedFile(t *testing.T) {
	in := interp.New(testOptions())
	fsys := testFS(map[string]string{
		"test.star": "x = 1\nfrom .bad import value\n",
		"bad.star":  "value = 1 // 0\n",
	})
	_, err := in.LoadFile(context.Background(), fsys, "test.star")
	if err == nil {
		t.Fatal("no error")
	}
	got := interp.FormatError(err)
	for _, want := range []string{
		"bad.star:1:11: cannot load .bad: floored division by zero",
		"  test.star:2:1: in <toplevel>",
		"  bad.star:1:11: in <toplevel>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("FormatError output lacks %q:\n%s", want, got)
		}
	}
}

// TestCompileErrorLists checks that every front-end problem is listed, in
// source order, and that errors.As finds the CompileError.
func TestCompileErrorLists(t *testing.T) {
	in := interp.New(testOptions())
	src := "def f():\n    del x\nclass A:\n    pass\nimport aiohttp\n"
	_, err := in.LoadFile(context.Background(), testFS(map[string]string{"test.star": src}), "test.star")
	var compile *interp.CompileError
	if !errors.As(err, &compile) {
		t.Fatalf("got %v, want a *CompileError", err)
	}
	var got []string
	for _, d := range compile.Diagnostics {
		got = append(got, d.Pos.String())
	}
	want := []string{"test.star:2:5", "test.star:3:1", "test.star:5:8"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("positions %v, want %v", got, want)
	}
	if text := interp.FormatError(err); strings.Count(text, "\n") != 2 {
		t.Errorf("FormatError has %d lines, want 3:\n%s", strings.Count(text, "\n")+1, text)
	}
}

func TestLoadFileImportCycle(t *testing.T) {
	in := interp.New(testOptions())
	fsys := testFS(map[string]string{
		"test.star": "from .a import x\n",
		"a.star":    "from .b import y\nx = 1\n",
		"b.star":    "from .a import x\ny = 2\n",
	})
	_, err := in.LoadFile(context.Background(), fsys, "test.star")
	if err == nil {
		t.Fatal("no error")
	}
	if want := "import cycle: test.star imports a.star imports b.star imports a.star"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
}

func TestLoadFileMissing(t *testing.T) {
	in := interp.New(testOptions())
	_, err := in.LoadFile(context.Background(), testFS(nil), "nothere.star")
	if err == nil || !strings.Contains(err.Error(), "read script: open nothere.star") {
		t.Errorf("got %v, want the read error naming the file", err)
	}
}

func TestLoadFileFreezesGlobals(t *testing.T) {
	in := interp.New(testOptions())
	fsys := testFS(map[string]string{"test.star": "state = {}\n\ndef put(k):\n    state[k] = 1\n"})
	globals, err := in.LoadFile(context.Background(), fsys, "test.star")
	if err != nil {
		t.Fatal(err)
	}
	_, err = in.Call(context.Background(), globals["put"], starlark.Tuple{starlark.String("k")}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "frozen") {
		t.Errorf("got %v, want an error about the frozen dict", err)
	}
}

// TestFormatErrorImportedCompileError checks that a compile error of an
// imported file names that file and the import line.
func TestFormatErrorImportedCompileError(t *testing.T) {
	in := interp.New(testOptions())
	fsys := testFS(map[string]string{"test.star": "x = 1\nfrom .bad import f\n", "bad.star": "def f(:\n"})
	_, err := in.LoadFile(context.Background(), fsys, "test.star")
	var compile *interp.CompileError
	if !errors.As(err, &compile) {
		t.Fatalf("got %v, want a *CompileError", err)
	}
	want := "bad.star:1:8: got ':', want ')'\n" +
		"Traceback (most recent call last):\n" +
		"  test.star:2:1: in <toplevel>"
	if got := interp.FormatError(err); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
