package interp_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.starlark.net/lib/json"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ditstar/ditstar/interp"
)

// A chunk is one case of a chunked test file: cases are separated by
// "---" lines, and a comment ### "regexp" expects an error on its line.
type chunk struct {
	src  string // padded with newlines so that line numbers match the file
	want map[int]*regexp.Regexp
}

func readChunks(t *testing.T, filename string) []chunk {
	t.Helper()
	data, err := os.ReadFile(filename)
	if err != nil {
		t.Fatal(err)
	}
	var chunks []chunk
	line := 1
	for _, text := range strings.Split(string(data), "\n---\n") {
		c := chunk{src: strings.Repeat("\n", line-1) + text, want: make(map[int]*regexp.Regexp)}
		for _, l := range strings.Split(text, "\n") {
			if _, after, ok := strings.Cut(l, "###"); ok {
				pattern, err := strconv.Unquote(strings.TrimSpace(after))
				if err != nil {
					t.Fatalf("%s:%d: not a quoted regexp: %s", filename, line, after)
				}
				c.want[line] = regexp.MustCompile(pattern)
			}
			line++
		}
		chunks = append(chunks, c)
	}
	return chunks
}

// gotError checks an error reported at line against the chunk's
// expectations.
func (c *chunk) gotError(t *testing.T, filename string, line int, msg string) {
	t.Helper()
	rx, ok := c.want[line]
	if !ok {
		t.Errorf("%s:%d: unexpected error: %s", filename, line, msg)
		return
	}
	delete(c.want, line)
	if !rx.MatchString(msg) {
		t.Errorf("%s:%d: error %q does not match %q", filename, line, msg, rx)
	}
}

func (c *chunk) done(t *testing.T, filename string) {
	t.Helper()
	for line, rx := range c.want {
		t.Errorf("%s:%d: expected an error matching %q", filename, line, rx)
	}
}

// firstLine matches the first line of FormatError's output.
var firstLine = regexp.MustCompile(`^([^:\n]+):(\d+):(\d+): (.*)`)

// errorLines returns the line and message of each problem in err, read
// from FormatError's output.
func errorLines(t *testing.T, err error) map[int]string {
	t.Helper()
	out := make(map[int]string)
	text := interp.FormatError(err)
	var compile *interp.CompileError
	lines := strings.Split(text, "\n")
	if !errorsAs(err, &compile) {
		lines = lines[:1]
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "Traceback") {
			break
		}
		m := firstLine.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("error without a file:line:col position: %q", text)
			continue
		}
		if m[1] != "test.star" {
			t.Errorf("error reported in %s, want test.star: %s", m[1], l)
			continue
		}
		n, _ := strconv.Atoi(m[2])
		out[n] = m[4]
	}
	return out
}

// testEvents is a small stand-in for the runtime's events value: its
// decorators record handlers, which the chunk runner then calls.
type testEvents struct {
	handlers []starlark.Callable
}

func (e *testEvents) value() starlark.Value {
	register := func(name string) *starlark.Builtin {
		return starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var template string
			var match starlark.Value = starlark.None
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "template", &template, "match?", &match); err != nil {
				return nil, err
			}
			return starlark.NewBuiltin(name+" decorator", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
				var fn starlark.Callable
				if err := starlark.UnpackPositionalArgs(name, args, kwargs, 1, &fn); err != nil {
					return nil, err
				}
				e.handlers = append(e.handlers, fn)
				return fn, nil
			}), nil
		})
	}
	ledger := starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{
		"contract_created": register("contract_created"),
	})
	return starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{"ledger": ledger})
}

func builtin(name string, fn func(args starlark.Tuple) (starlark.Value, error)) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return fn(args)
	})
}

// assertEq fails unless its two arguments are equal.
var assertEq = starlark.NewBuiltin("assert_eq", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var got, want starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 2, &got, &want); err != nil {
		return nil, err
	}
	if ok, err := starlark.Equal(got, want); err != nil || !ok {
		return nil, fmt.Errorf("assert_eq: got %s, want %s", got, want)
	}
	return starlark.None, nil
})

// sleep waits for the given seconds or until the call's deadline.
var sleep = starlark.NewBuiltin("sleep", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var value starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &value); err != nil {
		return nil, err
	}
	seconds, ok := starlark.AsFloat(value)
	if !ok {
		return nil, fmt.Errorf("sleep: seconds: got %s, want int or float", value.Type())
	}
	ctx := interp.Context(thread)
	timer := time.NewTimer(time.Duration(seconds * float64(time.Second)))
	defer timer.Stop()
	select {
	case <-timer.C:
		return starlark.None, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("sleep: %w", ctx.Err())
	}
})

func testOptions() interp.Options {
	identity := builtin("identity", func(args starlark.Tuple) (starlark.Value, error) {
		if len(args) != 1 {
			return nil, fmt.Errorf("identity: got %d arguments, want 1", len(args))
		}
		return args[0], nil
	})
	command := func(name string) *starlark.Builtin {
		return builtin(name, func(args starlark.Tuple) (starlark.Value, error) {
			return starlark.Tuple(append(starlark.Tuple{starlark.String(name)}, args...)), nil
		})
	}
	return interp.Options{
		Predeclared: starlark.StringDict{
			"assert_eq": assertEq,
			"sleep":     sleep,
			"identity":  identity,
			"struct":    starlark.NewBuiltin("struct", starlarkstruct.Make),
		},
		Modules: map[string]starlark.StringDict{
			"json": json.Module.Members,
			"datetime": {
				"datetime":  command("datetime"),
				"timedelta": command("timedelta"),
				"timezone":  starlark.String("timezone"),
			},
			"dazl": {
				"create":   command("create"),
				"exercise": command("exercise"),
			},
			"daml_dit_if.api": {
				"IntegrationEvents": starlark.String("IntegrationEvents"),
				"ensure_str":        identity,
			},
			"daml_dit_if.main.web": {
				"json_response": command("json_response"),
			},
		},
		ImportHints: map[string]string{
			"aiohttp":  "the http module",
			"requests": "the http module",
			"asyncio":  "plain calls, because handlers run one at a time",
		},
		Limits: interp.Limits{MaxSteps: 1_000_000, Timeout: 5 * time.Second},
	}
}

// runChunk loads src as test.star beside helpers.star, calls main(events)
// when the file defines it, and then calls each registered handler with an
// event. It returns the first error.
func runChunk(in *interp.Interp, src string) error {
	fsys := testFS(map[string]string{"test.star": src})
	ctx := context.Background()
	globals, err := in.LoadFile(ctx, fsys, "test.star")
	if err != nil {
		return err
	}
	main, ok := globals["main"]
	if !ok {
		return nil
	}
	events := &testEvents{}
	if _, err := in.Call(ctx, main, starlark.Tuple{events.value()}, nil, nil); err != nil {
		return err
	}
	event := starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{
		"cid":   starlark.String("#1:0"),
		"cdata": starlark.NewDict(0),
	})
	for _, h := range events.handlers {
		if _, err := in.Call(ctx, h, starlark.Tuple{event}, nil, nil); err != nil {
			return err
		}
	}
	return nil
}
