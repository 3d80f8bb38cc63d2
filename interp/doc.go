// Package interp loads and runs ditstar integration scripts: Starlark
// files written with Python habits.
//
// # Front end
//
// Scripts ported from Python keep most of their syntax. Before parsing,
// the front end (interp/internal/frontend) rewrites what the Starlark
// parser cannot read, keeping every other rune at its line and column, and
// then edits the syntax tree:
//
//   - @decorator lines above a def, stacked, spanning lines, at top level
//     or on defs nested in functions, become "f = outer(inner(f))" after
//     the def, so the innermost decorator is applied first, as in Python.
//   - async def means def, and await x means x.
//   - Annotations of parameters, return values and variables are dropped.
//   - raise Name(args) means fail(args), and raise Name means fail("Name").
//   - Adjacent string literals are joined, and u"x" means "x".
//   - f"a {x} b {y.z!r}" means "a {} b {!r}".format(x, y.z). A field with
//     a format spec, such as {amount:>10,.2f}, is formatted as Python's
//     format() does for str, int and float, or by a value that implements
//     SpecFormatter.
//   - import json, import datetime as dt, from datetime import datetime,
//     and from dazl import create, exercise bind values of
//     Options.Modules. from .helpers import f loads helpers.star (or
//     helpers.py) beside the importing file. Imports of typing and
//     __future__ bind nothing, since annotations are dropped. Any other
//     module is an error that names it and, from Options.ImportHints, what
//     to use instead. Starlark allows load statements only at the top
//     level, so an import inside a function or block is moved there, and
//     its names are bound for the whole file.
//   - class, try, with, yield, global, nonlocal, del, is and assert are
//     errors at their position, each with a hint of what to write instead.
//
// # Dialect
//
// Files compile with these syntax.FileOptions: While (while loops), Set
// (the set builtin), TopLevelControl (if and for at the top level),
// GlobalReassign (rebinding top-level names, which decorators on
// top-level defs need) and Recursion. The step budget bounds loops and
// recursion.
//
// # Limits
//
// Every Call, and every LoadFile with the files it loads, runs on fresh
// threads with an execution-step budget and a wall-clock deadline (see
// DefaultLimits). Exceeding either returns a *LimitError. Builtins that
// block must return when Context(thread) is done.
//
// # Errors
//
// Every error reads "file:line:col: message": a *CompileError lists the
// problems found by the front end, the parser and the resolver, and
// FormatError adds the Starlark backtrace to run-time errors.
//
// # Cache
//
// Compiled programs are kept in an LRU cache. The key is the SHA-256 of the
// file name, the source, the dialect, the compiler version, and the
// predeclared and module names. So a changed file is compiled again, and an
// unchanged one is not.
package interp
