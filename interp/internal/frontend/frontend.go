// Package frontend translates integration scripts written with Python
// habits into Starlark syntax trees, without forking the Starlark parser.
//
// Translation runs in three steps. A pre-scan tokenizes the source and
// rewrites, in a copy, what syntax.Parse cannot read: decorator lines,
// async and await, annotations, import lines, raise statements and
// f-strings. Every rewrite keeps the line and column of every other rune,
// so positions in later errors are those of the original file. The copy is
// then parsed with syntax.FileOptions.Parse, and the syntax tree is edited
// to restore what the rewrite removed: decorator calls after each def,
// load statements for imports, fail calls and format calls.
//
// Python constructs that Starlark lacks (class, try, with, yield, global,
// nonlocal, del, is, assert) are reported by the pre-scan at their exact
// position with a hint of what to write instead.
package frontend

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"go.starlark.net/syntax"
)

// WholeModule is the load statement name that binds a whole module rather
// than one of its members, as in "import json". A module loader must
// return the module value under this name. Starlark identifiers cannot contain it,
// so it never collides with a member name.
const WholeModule = "*"

// Config describes the host to translation: its dialect, its modules and
// the hints for modules it lacks.
type Config struct {
	// Options is the Starlark dialect used to parse the rewritten source.
	Options *syntax.FileOptions

	// Modules maps each importable module path, such as "json" or
	// "daml_dit_if.api", to the names it defines.
	Modules map[string][]string

	// Hints maps a module that cannot be imported to what to use instead.
	Hints map[string]string

	// FormatFunc is the predeclared name of the builtin that applies a
	// format spec, called as FormatFunc(value, spec, conversion) for an
	// f-string field such as {x:.2f}. Empty means specs are rejected.
	FormatFunc string
}

// ignoredModules are imported by Python scripts only for type annotations
// or interpreter switches. Annotations are dropped, so their imports bind
// nothing.
var ignoredModules = map[string]bool{
	"__future__":        true,
	"typing":            true,
	"typing_extensions": true,
}

// An Error is one problem found by translation.
type Error struct {
	Pos syntax.Position
	Msg string
}

func (e Error) Error() string { return fmt.Sprintf("%s: %s", e.Pos, e.Msg) }

// An ErrorList holds every problem found by translation, in source order.
type ErrorList []Error

func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Translate rewrites src and parses it into a syntax tree that
// starlark.FileProgram accepts. It returns an ErrorList for problems found
// by the pre-scan or the tree edits, or the syntax.Error of the Starlark
// parser.
func Translate(filename string, src []byte, cfg *Config) (*syntax.File, error) {
	// Python ignores a UTF-8 byte order mark at the start of a source
	// file, and editors on Windows write one.
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	p := newPrescan(filename, src, cfg)
	p.run()
	if len(p.errs) > 0 {
		return nil, p.sortedErrors()
	}
	f, err := cfg.Options.Parse(filename, []byte(string(p.out)), 0)
	if err != nil {
		return nil, err
	}
	p.editFile(f)
	if len(p.errs) > 0 {
		return nil, p.sortedErrors()
	}
	return f, nil
}

func (p *prescan) sortedErrors() ErrorList {
	sort.SliceStable(p.errs, func(i, j int) bool {
		a, b := p.errs[i].Pos, p.errs[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return p.errs
}
