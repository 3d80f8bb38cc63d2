package builtins

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"
	"go.starlark.net/syntax"

	"github.com/ditstar/ditstar/internal/clock"
)

// testStart is the virtual clock's reading in every script test.
var testStart = time.Date(2024, 3, 5, 14, 30, 15, 123456789, time.UTC)

// testHost returns a Host on a virtual clock with a fixed random source.
func testHost(t *testing.T) (*Host, *clock.Virtual) {
	t.Helper()
	vc := clock.NewVirtual(testStart)
	return &Host{
		Clock:  vc,
		Rand:   bytes.NewReader(bytes.Repeat([]byte{0xab, 0x01, 0x23, 0x45}, 64)),
		Logger: slog.New(slog.DiscardHandler),
	}, vc
}

var scriptOptions = &syntax.FileOptions{While: true, Set: true, TopLevelControl: true, GlobalReassign: true}

// scriptGlobals returns the predeclared names plus assert and the members
// of the datetime module bound as `from datetime import ...` would bind them.
func scriptGlobals(t *testing.T, h *Host) starlark.StringDict {
	t.Helper()
	assertModule, err := starlarktest.LoadAssertModule()
	if err != nil {
		t.Fatal(err)
	}
	pre := starlark.StringDict{}
	for k, v := range Predeclared(h) {
		pre[k] = v
	}
	pre["assert"] = assertModule["assert"]
	mods := Modules(h)
	pre["Decimal"] = mods["decimal"]["Decimal"]
	for _, name := range []string{"timedelta", "timezone", "date"} {
		pre[name] = mods["datetime"][name]
	}
	pre["dt"] = mods["datetime"]["datetime"]
	return pre
}

// runChunks runs each chunk of a .star test file (chunks are separated by
// lines of "---") on a fresh thread; assertion failures report the line.
func runChunks(t *testing.T, h *Host, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	predeclared := scriptGlobals(t, h)
	lines := 0
	for i, chunk := range strings.Split(string(data), "\n---\n") {
		// Pad with blank lines so reported line numbers match the file.
		src := strings.Repeat("\n", lines) + chunk
		lines += strings.Count(chunk, "\n") + 2
		thread := &starlark.Thread{Name: file}
		starlarktest.SetReporter(thread, t)
		if _, err := starlark.ExecFileOptions(scriptOptions, thread, filepath.Base(file), src, predeclared); err != nil {
			if evalErr, ok := err.(*starlark.EvalError); ok {
				t.Errorf("chunk %d: %s", i+1, evalErr.Backtrace())
			} else {
				t.Errorf("chunk %d: %v", i+1, err)
			}
		}
	}
}

func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.star")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.star files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".star"), func(t *testing.T) {
			h, _ := testHost(t)
			runChunks(t, h, file)
		})
	}
}

// eval runs one expression with the predeclared names.
func eval(t *testing.T, h *Host, expr string) (starlark.Value, error) {
	t.Helper()
	thread := &starlark.Thread{Name: "eval"}
	return starlark.EvalOptions(scriptOptions, thread, "eval.star", expr, scriptGlobals(t, h))
}

func mustEval(t *testing.T, h *Host, expr string) starlark.Value {
	t.Helper()
	v, err := eval(t, h, expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}
