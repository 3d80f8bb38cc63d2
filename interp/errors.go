package interp

import (
	"errors"
	"fmt"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/ditstar/ditstar/interp/internal/frontend"
)

// A Diagnostic is one problem in a script, found before it runs.
type Diagnostic struct {
	Pos syntax.Position
	Msg string
}

// String formats d as "file:line:col: message".
func (d Diagnostic) String() string { return fmt.Sprintf("%s: %s", d.Pos, d.Msg) }

// A CompileError lists every problem that the front end, the parser or the
// resolver found in one file.
type CompileError struct {
	Diagnostics []Diagnostic
}

func (e *CompileError) Error() string {
	lines := make([]string, len(e.Diagnostics))
	for i, d := range e.Diagnostics {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// newCompileError converts the errors of frontend.Translate and
// starlark.FileProgram.
func newCompileError(err error) *CompileError {
	var out []Diagnostic
	var (
		front frontend.ErrorList
		parse syntax.Error
		list  resolve.ErrorList
	)
	switch {
	case errors.As(err, &front):
		for _, e := range front {
			out = append(out, Diagnostic{Pos: e.Pos, Msg: e.Msg})
		}
	case errors.As(err, &parse):
		out = append(out, Diagnostic{Pos: parse.Pos, Msg: parse.Msg})
	case errors.As(err, &list):
		for _, e := range list {
			out = append(out, Diagnostic{Pos: e.Pos, Msg: e.Msg})
		}
	default:
		out = append(out, Diagnostic{Msg: err.Error()})
	}
	return &CompileError{Diagnostics: out}
}

// FormatError formats an error of LoadFile or Call for a person: each
// problem as "file:line:col: message", and for run-time errors the
// Starlark backtrace after the first line.
func FormatError(err error) string {
	if err == nil {
		return ""
	}
	var compile *CompileError
	if errors.As(err, &compile) {
		// A file that does not compile may be one that a load statement
		// requested. The backtrace then shows where.
		text := compile.Error()
		if chain := evalErrors(err); len(chain) > 0 {
			text += "\n" + strings.TrimRight(backtrace(chain).String(), "\n")
		}
		return text
	}

	chain := evalErrors(err)
	if len(chain) == 0 {
		return err.Error()
	}
	msg := chain[0].Msg
	var limit *LimitError
	if errors.As(err, &limit) {
		msg = limit.Error()
	}

	stack := backtrace(chain)
	var b strings.Builder
	if pos, ok := scriptPosition(stack); ok {
		fmt.Fprintf(&b, "%s: %s\n", pos, msg)
	} else {
		fmt.Fprintf(&b, "%s\n", msg)
	}
	b.WriteString(stack.String())
	return strings.TrimRight(b.String(), "\n")
}

// evalErrors returns the Starlark errors wrapped in err, outermost first.
func evalErrors(err error) []*starlark.EvalError {
	var chain []*starlark.EvalError
	for err != nil {
		var e *starlark.EvalError
		if !errors.As(err, &e) {
			break
		}
		chain = append(chain, e)
		err = e.Unwrap()
	}
	return chain
}

// backtrace joins the call stacks of a chain of errors. An error raised on
// the same thread repeats its caller's frames, and then only the innermost
// stack is kept. An error of a loaded file ran on another thread, and its
// frames follow those of the load statement.
func backtrace(chain []*starlark.EvalError) starlark.CallStack {
	var stack starlark.CallStack
	for _, e := range chain {
		if hasPrefix(e.CallStack, stack) {
			stack = append(starlark.CallStack(nil), e.CallStack...)
		} else {
			stack = append(stack, e.CallStack...)
		}
	}
	return stack
}

func hasPrefix(stack, prefix starlark.CallStack) bool {
	if len(prefix) > len(stack) {
		return false
	}
	for i := range prefix {
		if prefix[i] != stack[i] {
			return false
		}
	}
	return true
}

// scriptPosition returns the position of the innermost frame of script
// code, skipping built-in functions.
func scriptPosition(stack starlark.CallStack) (syntax.Position, bool) {
	for i := len(stack) - 1; i >= 0; i-- {
		if pos := stack[i].Pos; pos.Filename() != "<builtin>" && pos.IsValid() {
			return pos, true
		}
	}
	return syntax.Position{}, false
}
