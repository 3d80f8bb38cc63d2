package interp

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"go.starlark.net/syntax"
)

// Check compiles path from fsys through the front end and the resolver
// without running it, and returns every problem found, in source order. It
// also reports imports of sibling files that do not exist, that do not
// compile, or that lack an imported name. A file without problems returns
// nil.
func (in *Interp) Check(fsys fs.FS, path string) []Diagnostic {
	path = cleanPath(path)
	c, err := in.compileCached(fsys, path)
	if err != nil {
		var compile *CompileError
		if errors.As(err, &compile) {
			return compile.Diagnostics
		}
		file := path
		return []Diagnostic{{Pos: syntax.MakePosition(&file, 0, 0), Msg: err.Error()}}
	}
	var out []Diagnostic
	for _, load := range c.loads {
		if _, ok := in.modules[load.module]; ok {
			continue
		}
		target, err := resolveModule(fsys, path, load.module)
		if err != nil {
			out = append(out, Diagnostic{Pos: load.pos, Msg: err.Error()})
			continue
		}
		sibling, err := in.compileCached(fsys, target)
		if err != nil {
			out = append(out, Diagnostic{Pos: load.pos, Msg: fmt.Sprintf("module %s does not compile. Check %s", load.module, target)})
			continue
		}
		globals := sibling.globals
		for _, name := range load.names {
			if name.Name != "*" && !globals[name.Name] {
				out = append(out, Diagnostic{Pos: name.NamePos, Msg: fmt.Sprintf("module %s (%s) has no global %s", load.module, target, name.Name)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return out
}
