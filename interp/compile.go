package interp

import (
	"crypto/sha256"
	"fmt"
	"io/fs"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/ditstar/ditstar/internal/fsutil"
	"github.com/ditstar/ditstar/interp/internal/frontend"
)

// A cacheKey identifies a compiled program: the SHA-256 of the file name,
// the source, the dialect, the compiler version, and the predeclared and
// module names, so that a change to any of them compiles again.
type cacheKey [sha256.Size]byte

// compiled is a cached compilation result. Programs are immutable, so one
// program serves every LoadFile of an unchanged file.
type compiled struct {
	prog    *starlark.Program
	globals map[string]bool // names bound at the top level, for Check
	loads   []loadRef
}

// loadRef is a load statement of a compiled file.
type loadRef struct {
	module string
	pos    syntax.Position
	names  []*syntax.Ident // names taken from the module
}

// namesDigest hashes the sorted predeclared names and module members.
func namesDigest(predeclared starlark.StringDict, modules map[string][]string) []byte {
	h := sha256.New()
	for _, name := range predeclared.Keys() {
		fmt.Fprintf(h, "predeclared %q\n", name)
	}
	for _, module := range sortedKeys(modules) {
		fmt.Fprintf(h, "module %q %q\n", module, modules[module])
	}
	return h.Sum(nil)
}

func (in *Interp) key(file string, src []byte) cacheKey {
	h := sha256.New()
	fmt.Fprintf(h, "compiler %d\ndialect %+v\nfile %q\n", starlark.CompilerVersion, dialect, file)
	h.Write(in.namesDigest)
	fmt.Fprintf(h, "source %d\n", len(src))
	h.Write(src)
	var key cacheKey
	h.Sum(key[:0])
	return key
}

// compileFile reads file from fsys and compiles it, or returns the cached
// program of the same source.
func (in *Interp) compileFile(fsys fs.FS, file string) (*starlark.Program, error) {
	c, err := in.compileCached(fsys, file)
	if err != nil {
		return nil, err
	}
	return c.prog, nil
}

// maxScriptBytes bounds one script file. Integration scripts are a few
// kilobytes; the cap keeps a wrong path (a device, a huge log) from being
// read into memory.
const maxScriptBytes = 16 << 20

func (in *Interp) compileCached(fsys fs.FS, file string) (*compiled, error) {
	src, err := fsutil.ReadFileFS(fsys, file, maxScriptBytes)
	if err != nil {
		return nil, fmt.Errorf("read script: %w", err)
	}
	key := in.key(file, src)
	if c, ok := in.cache.Get(key); ok {
		return c, nil
	}
	c, err := in.compileSource(file, src)
	if err != nil {
		return nil, err
	}
	in.cache.Add(key, c)
	return c, nil
}

// compileSource translates, resolves and compiles one file. Errors are a
// *CompileError listing every problem found.
func (in *Interp) compileSource(file string, src []byte) (*compiled, error) {
	in.compiles.Add(1)
	f, err := frontend.Translate(file, src, in.config)
	if err != nil {
		return nil, newCompileError(err)
	}
	prog, err := starlark.FileProgram(f, in.predeclared.Has)
	if err != nil {
		return nil, newCompileError(err)
	}
	c := &compiled{prog: prog, globals: make(map[string]bool)}
	if module, ok := f.Module.(*resolve.Module); ok {
		for _, b := range module.Globals {
			c.globals[b.First.Name] = true
		}
	}
	for _, stmt := range f.Stmts {
		if load, ok := stmt.(*syntax.LoadStmt); ok {
			c.loads = append(c.loads, loadRef{module: load.ModuleName(), pos: load.Load, names: load.From})
		}
	}
	return c, nil
}
