package frontend

import (
	"sort"
	"strconv"
	"strings"

	"go.starlark.net/syntax"
)

// A load is one module that an import line binds names from.
type load struct {
	at       place  // the import or from keyword
	module   string // "json", "daml_dit_if.api", or ".helpers" for a sibling file
	modAt    place
	bindings []binding
}

// A binding is one name an import binds: member From of the module (or
// WholeModule) under the name To.
type binding struct {
	from, to     string
	fromAt, toAt place
}

// importStatement reads an import line, checks its modules and names, and
// replaces it with "pass" so that an import alone in a block still parses.
func (p *prescan) importStatement(s []token) {
	loads, ok := p.parseImport(s)
	if !ok {
		return
	}
	last := s[len(s)-1]
	p.overwrite(s[0].start, last.end, "pass")
	for _, t := range s {
		p.skip[t.start] = true
	}
	var binding []load
	for i := range loads {
		if p.checkImport(&loads[i]) {
			binding = append(binding, loads[i])
		}
	}
	if len(binding) > 0 {
		p.imports[place{s[0].line, s[0].col}] = binding
	}
}

// parseImport reads "import a.b [as c], ..." or
// "from [.]*a.b import (x [as y], ...)" and reports malformed lines.
func (p *prescan) parseImport(s []token) ([]load, bool) {
	kw := s[0]
	at := place{kw.line, kw.col}
	i := 1
	bad := func() ([]load, bool) {
		t := kw
		if i < len(s) {
			t = s[i]
		}
		p.errorf(t.line, t.col, "invalid %s statement. Write import module, or from module import name, other_name", kw.text)
		return nil, false
	}
	// dotted reads a possibly relative dotted module name.
	dotted := func(relative bool) (string, place, bool) {
		var b strings.Builder
		start := place{}
		if i < len(s) {
			start = place{s[i].line, s[i].col}
		}
		for relative && i < len(s) && (s[i].isOp(".") || s[i].isOp("...")) {
			b.WriteString(s[i].text)
			i++
		}
		if i < len(s) && s[i].kind == tokName && s[i].text != "import" {
			b.WriteString(s[i].text)
			i++
			for i+1 < len(s) && s[i].isOp(".") && s[i+1].kind == tokName {
				b.WriteString("." + s[i+1].text)
				i += 2
			}
		}
		return b.String(), start, b.Len() > 0
	}
	alias := func(name string, nameAt place) (string, place, bool) {
		if i < len(s) && s[i].isName("as") {
			if i+1 >= len(s) || s[i+1].kind != tokName {
				i++
				return "", place{}, false
			}
			t := s[i+1]
			i += 2
			return t.text, place{t.line, t.col}, true
		}
		return name, nameAt, true
	}

	if kw.isName("import") {
		var loads []load
		for {
			module, modAt, ok := dotted(false)
			if !ok {
				return bad()
			}
			to, toAt, ok := alias("", place{})
			if !ok {
				return bad()
			}
			if to == "" {
				if strings.Contains(module, ".") && !ignoredModules[strings.Split(module, ".")[0]] {
					p.errorf(modAt.line, modAt.col,
						"import %s would bind only %s, as in Python. Write from %s import name, or import %s as name",
						module, strings.Split(module, ".")[0], module, module)
					return nil, false
				}
				to, toAt = module, modAt
			}
			loads = append(loads, load{at: at, module: module, modAt: modAt,
				bindings: []binding{{from: WholeModule, to: to, fromAt: modAt, toAt: toAt}}})
			if i == len(s) {
				return loads, true
			}
			if !s[i].isOp(",") {
				return bad()
			}
			i++
		}
	}

	// from module import names
	module, modAt, ok := dotted(true)
	if !ok || i >= len(s) || !s[i].isName("import") {
		return bad()
	}
	i++
	if i < len(s) && s[i].isOp("*") && i+1 == len(s) {
		return []load{{at: at, module: module, modAt: modAt,
			bindings: []binding{{from: "*all*", fromAt: place{s[i].line, s[i].col}}}}}, true
	}
	paren := i < len(s) && s[i].isOp("(")
	if paren {
		i++
	}
	var names []binding
	for i < len(s) && !(paren && s[i].isOp(")")) {
		t := s[i]
		if t.kind != tokName {
			return bad()
		}
		i++
		to, toAt, ok := alias(t.text, place{t.line, t.col})
		if !ok {
			return bad()
		}
		names = append(names, binding{from: t.text, to: to, fromAt: place{t.line, t.col}, toAt: toAt})
		if i < len(s) && s[i].isOp(",") {
			i++
			continue
		}
		break
	}
	if paren {
		if i >= len(s) || !s[i].isOp(")") {
			return bad()
		}
		i++
	}
	if i != len(s) || len(names) == 0 {
		return bad()
	}
	if strings.Trim(module, ".") == "" {
		// from . import helpers: each name is a sibling module.
		var loads []load
		for _, n := range names {
			loads = append(loads, load{at: at, module: module + n.from, modAt: n.fromAt,
				bindings: []binding{{from: WholeModule, to: n.to, fromAt: n.fromAt, toAt: n.toAt}}})
		}
		return loads, true
	}
	return []load{{at: at, module: module, modAt: modAt, bindings: names}}, true
}

// checkImport reports imports of unknown modules and names. It returns
// whether the import binds anything.
func (p *prescan) checkImport(l *load) bool {
	if strings.HasPrefix(l.module, ".") {
		if len(l.bindings) == 1 && l.bindings[0].from == "*all*" {
			at := l.bindings[0].fromAt
			p.errorf(at.line, at.col, "from %s import * is not supported for files. Name each function to import", l.module)
			return false
		}
		return true // the loader checks sibling files
	}
	if ignoredModules[strings.Split(l.module, ".")[0]] {
		return false
	}
	members, ok := p.cfg.Modules[l.module]
	if !ok {
		p.errorf(l.modAt.line, l.modAt.col, "%s", p.unknownModule(l.module))
		return false
	}
	if len(l.bindings) == 1 && l.bindings[0].from == "*all*" {
		at := l.bindings[0].fromAt
		l.bindings = nil
		for _, m := range members {
			l.bindings = append(l.bindings, binding{from: m, to: m, fromAt: at, toAt: at})
		}
		return len(members) > 0
	}
	known := make(map[string]bool, len(members))
	for _, m := range members {
		known[m] = true
	}
	ok = true
	for _, b := range l.bindings {
		if b.from != WholeModule && !known[b.from] {
			p.errorf(b.fromAt.line, b.fromAt.col, "module %s has no name %s. It defines %s", l.module, b.from, strings.Join(members, ", "))
			ok = false
		}
	}
	return ok
}

func (p *prescan) unknownModule(module string) string {
	if hint, ok := p.cfg.Hints[module]; ok {
		return "cannot import module " + module + " in ditstar. Use " + hint + " instead"
	}
	if root := strings.Split(module, ".")[0]; root != module {
		if hint, ok := p.cfg.Hints[root]; ok {
			return "cannot import module " + module + " in ditstar. Use " + hint + " instead"
		}
	}
	names := make([]string, 0, len(p.cfg.Modules))
	for name := range p.cfg.Modules {
		names = append(names, name)
	}
	sort.Strings(names)
	return "cannot import module " + module + " in ditstar. The importable modules are " +
		strings.Join(names, ", ") + ", and sibling files as .name"
}

// statement returns the load statement for l.
func (l load) statement(p *prescan) *syntax.LoadStmt {
	pos := p.position(l.at.line, l.at.col)
	stmt := &syntax.LoadStmt{
		Load:   pos,
		Module: &syntax.Literal{Token: syntax.STRING, TokenPos: p.position(l.modAt.line, l.modAt.col), Raw: strconv.Quote(l.module), Value: l.module},
		Rparen: pos,
	}
	for _, b := range l.bindings {
		stmt.From = append(stmt.From, &syntax.Ident{Name: b.from, NamePos: p.position(b.fromAt.line, b.fromAt.col)})
		stmt.To = append(stmt.To, &syntax.Ident{Name: b.to, NamePos: p.position(b.toAt.line, b.toAt.col)})
	}
	return stmt
}
