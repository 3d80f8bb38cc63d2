package interp

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"

	"github.com/ditstar/ditstar/interp/internal/frontend"
)

// Options configures an Interp.
type Options struct {
	// Predeclared contains the names that every file can use without
	// importing them.
	Predeclared starlark.StringDict
	// Modules maps each importable Python module path ("json", "datetime",
	// "daml_dit_if.api", "daml_dit_if.main.web", "dazl", ...) to its
	// members. "import json" binds the whole module as a struct, and
	// "from dazl import create" binds one member. load() accepts the same
	// paths.
	Modules map[string]starlark.StringDict
	// ImportHints maps a module that cannot be imported to what to use
	// instead, for the error message: "aiohttp": "the http module".
	ImportHints map[string]string
	// Limits bounds every call. Zero fields take the DefaultLimits values.
	Limits Limits
	// CacheSize is the number of compiled programs kept. Zero means 256.
	CacheSize int
	// Print receives the output of print(). Nil means standard error.
	Print func(thread *starlark.Thread, msg string)
}

// An Interp loads and runs Starlark files in the ditstar dialect. It is
// safe for concurrent use, but Starlark values it returns are not: callers
// must not use one module's values from two goroutines at once.
type Interp struct {
	predeclared starlark.StringDict // Options.Predeclared plus the f-string formatter
	modules     map[string]starlark.StringDict
	moduleValue map[string]*starlarkstruct.Module
	config      *frontend.Config
	limits      Limits
	print       func(thread *starlark.Thread, msg string)
	cache       *lru.Cache[cacheKey, *compiled]
	namesDigest []byte // digest of predeclared and module names, part of every cache key
	compiles    atomic.Uint64
}

// formatFuncName is the predeclared name of the f-string spec formatter.
// It contains a space, so no script can spell or shadow it.
const formatFuncName = "f-string format"

// dialect is the Starlark dialect every file is compiled with.
var dialect = syntax.FileOptions{
	Set:             true, // set() is common in Python code
	While:           true, // while loops, bounded by the step budget
	TopLevelControl: true, // if and for at the top level of a file
	GlobalReassign:  true, // "f = decorator(f)" after a top-level def, and Python-style rebinding
	Recursion:       true, // recursion, bounded by the step budget
}

// New returns an Interp with the given options.
func New(opts Options) *Interp {
	in := &Interp{
		predeclared: make(starlark.StringDict, len(opts.Predeclared)+1),
		modules:     opts.Modules,
		moduleValue: make(map[string]*starlarkstruct.Module, len(opts.Modules)),
		limits:      opts.Limits,
		print:       opts.Print,
	}
	defaults := DefaultLimits()
	if in.limits.MaxSteps == 0 {
		in.limits.MaxSteps = defaults.MaxSteps
	}
	if in.limits.Timeout <= 0 {
		in.limits.Timeout = defaults.Timeout
	}
	for name, v := range opts.Predeclared {
		in.predeclared[name] = v
	}
	in.predeclared[formatFuncName] = starlark.NewBuiltin("format", formatSpecBuiltin)

	members := make(map[string][]string, len(opts.Modules))
	for name, dict := range opts.Modules {
		members[name] = dict.Keys()
		in.moduleValue[name] = &starlarkstruct.Module{Name: name, Members: dict}
	}
	in.config = &frontend.Config{
		Options:    &dialect,
		Modules:    members,
		Hints:      opts.ImportHints,
		FormatFunc: formatFuncName,
	}
	in.namesDigest = namesDigest(in.predeclared, members)

	size := opts.CacheSize
	if size <= 0 {
		size = 256
	}
	in.cache, _ = lru.New[cacheKey, *compiled](size) // fails only for a size below 1
	return in
}

// LoadFile compiles path from fsys through the front end (or takes it from
// the cache), runs its top level under the limits and returns its frozen
// globals, or an error and no globals. Imports of sibling files ("from .helpers import f") and load()
// statements read other files of fsys, relative to path's directory.
func (in *Interp) LoadFile(ctx context.Context, fsys fs.FS, path string) (starlark.StringDict, error) {
	s := in.newSession(ctx)
	defer s.cancel()
	l := &loader{in: in, fsys: fsys, session: s, files: make(map[string]*loadedFile)}
	globals, err := l.loadFile(cleanPath(path), s.maxSteps, nil)
	if err != nil {
		return nil, err
	}
	return globals, nil
}

// A loader runs the files of one LoadFile call. Each file runs once, and a
// file loaded twice returns the same globals.
type loader struct {
	in      *Interp
	fsys    fs.FS
	session *session
	files   map[string]*loadedFile
	stack   []string // files whose top level is running, for cycle errors
}

type loadedFile struct {
	globals starlark.StringDict
	err     error
	done    bool
}

// loadFile runs the top level of file with a budget of steps. The caller
// is the thread whose load statement requested it, or nil.
func (l *loader) loadFile(file string, budget uint64, caller *starlark.Thread) (starlark.StringDict, error) {
	if entry, ok := l.files[file]; ok {
		if !entry.done {
			cycle := append(append([]string(nil), l.stack...), file)
			return nil, fmt.Errorf("import cycle: %s. Move the shared code to a file that imports neither", strings.Join(cycle, " imports "))
		}
		return entry.globals, entry.err
	}
	entry := &loadedFile{}
	l.files[file] = entry
	l.stack = append(l.stack, file)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()

	prog, err := l.in.compileFile(l.fsys, file)
	if err != nil {
		entry.err, entry.done = err, true
		return nil, err
	}
	thread, stop := l.session.newThread(file, budget)
	thread.Load = func(thread *starlark.Thread, module string) (starlark.StringDict, error) {
		return l.load(thread, file, module)
	}
	globals, err := prog.Init(thread, l.in.predeclared)
	stop()
	if caller != nil {
		// The loaded file's steps count against the caller's budget too.
		caller.Steps += thread.ExecutionSteps()
	}
	globals.Freeze()
	entry.globals, entry.err, entry.done = globals, l.session.classify(err), true
	return entry.globals, entry.err
}

// pythonRelative matches the module of a relative Python import, such as
// ".helpers" or "..common.util".
var pythonRelative = regexp.MustCompile(`^\.+[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// load resolves a load statement of file to a host module or to the
// globals of another file.
func (l *loader) load(thread *starlark.Thread, file, module string) (starlark.StringDict, error) {
	if members, ok := l.in.modules[module]; ok {
		dict := make(starlark.StringDict, len(members)+1)
		for name, v := range members {
			dict[name] = v
		}
		dict[frontend.WholeModule] = l.in.moduleValue[module]
		return dict, nil
	}
	target, err := resolveModule(l.fsys, file, module)
	if err != nil {
		return nil, err
	}
	globals, err := l.loadFile(target, remaining(thread), thread)
	if err != nil {
		return nil, err
	}
	// "from . import helpers" binds the whole file as a module.
	dict := make(starlark.StringDict, len(globals)+1)
	for name, v := range globals {
		dict[name] = v
	}
	dict[frontend.WholeModule] = &starlarkstruct.Module{Name: strings.TrimLeft(module, "."), Members: globals}
	return dict, nil
}

// resolveModule returns the file that module names when file loads it.
// A relative Python module ".a.b" is a/b.star (or a/b.py) beside file,
// and each further leading dot goes one directory up. Any other module is
// a path relative to file's directory, or to the root of fsys when it
// starts with a slash.
func resolveModule(fsys fs.FS, file, module string) (string, error) {
	dir := path.Dir(file)
	if pythonRelative.MatchString(module) {
		rest := strings.TrimLeft(module, ".")
		for range len(module) - len(rest) - 1 {
			if dir == "." {
				return "", fmt.Errorf("module %s is outside the package, because %s is at its top. Import files inside the package only", module, file)
			}
			dir = path.Dir(dir)
		}
		base := path.Join(dir, strings.ReplaceAll(rest, ".", "/"))
		for _, ext := range []string{".star", ".py"} {
			if _, err := fs.Stat(fsys, base+ext); err == nil {
				return base + ext, nil
			}
		}
		return "", fmt.Errorf("module %s not found: neither %s.star nor %s.py exists", module, base, base)
	}
	var target string
	if strings.HasPrefix(module, "/") {
		target = path.Clean(strings.TrimLeft(module, "/"))
	} else {
		target = path.Join(dir, module)
	}
	if !fs.ValidPath(target) {
		return "", fmt.Errorf("module %s is outside the package. Load files inside the package only", module)
	}
	if _, err := fs.Stat(fsys, target); err != nil {
		return "", fmt.Errorf("module %s not found: %w", module, err)
	}
	return target, nil
}

// cleanPath turns "./main.star" and "/main.star" into the "main.star" form
// that io/fs requires.
func cleanPath(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
