package frontend

import (
	"errors"

	"go.starlark.net/syntax"
)

// editFile restores in the syntax tree what the pre-scan took out of the
// text.
func (p *prescan) editFile(f *syntax.File) {
	f.Stmts = p.stmts(f.Stmts, true)
	if len(p.hoisted) > 0 {
		stmts := make([]syntax.Stmt, 0, len(p.hoisted)+len(f.Stmts))
		for _, l := range p.hoisted {
			stmts = append(stmts, l)
		}
		f.Stmts = append(stmts, f.Stmts...)
	}
}

// stmts edits a statement list. Load statements may only be at the top
// level of a file, so imports anywhere else are hoisted there.
func (p *prescan) stmts(list []syntax.Stmt, top bool) []syntax.Stmt {
	if list == nil {
		return nil // IfStmt.Span treats only a nil else block as absent
	}
	out := make([]syntax.Stmt, 0, len(list))
	for _, stmt := range list {
		switch s := stmt.(type) {
		case *syntax.DefStmt:
			p.params(s.Params)
			s.Body = p.stmts(s.Body, false)
			out = append(out, s)
			if decos, ok := p.decorators[placeOf(s.Def)]; ok {
				if assign := p.decorate(s, decos); assign != nil {
					out = append(out, assign)
				}
			}
			continue
		case *syntax.BranchStmt:
			if loads, ok := p.imports[placeOf(s.TokenPos)]; ok && s.Token == syntax.PASS {
				for _, l := range loads {
					if top {
						out = append(out, l.statement(p))
					} else {
						p.hoisted = append(p.hoisted, l.statement(p))
					}
				}
				if top {
					continue
				}
			}
		case *syntax.ExprStmt:
			s.X = p.exprStmt(s.X)
			s.X = p.expr(s.X)
		case *syntax.AssignStmt:
			s.LHS = p.expr(s.LHS)
			s.RHS = p.expr(s.RHS)
		case *syntax.IfStmt:
			s.Cond = p.expr(s.Cond)
			s.True = p.stmts(s.True, false)
			s.False = p.stmts(s.False, false)
		case *syntax.ForStmt:
			s.Vars = p.expr(s.Vars)
			s.X = p.expr(s.X)
			s.Body = p.stmts(s.Body, false)
		case *syntax.WhileStmt:
			s.Cond = p.expr(s.Cond)
			s.Body = p.stmts(s.Body, false)
		case *syntax.ReturnStmt:
			if s.Result != nil {
				s.Result = p.expr(s.Result)
			}
		}
		out = append(out, stmt)
	}
	return out
}

// exprStmt undoes the statement-level rewrites of await and raise.
func (p *prescan) exprStmt(x syntax.Expr) syntax.Expr {
	start, _ := x.Span()
	at := placeOf(start)
	if p.awaits[at] {
		return stripLeadingOr(x, at)
	}
	edit, ok := p.raises[at]
	if !ok {
		return x
	}
	if edit.value {
		fail := &syntax.Ident{Name: "fail", NamePos: start}
		return &syntax.CallExpr{Fn: fail, Lparen: start, Args: []syntax.Expr{stripLeadingOr(x, at)}, Rparen: start}
	}
	msg := &syntax.Literal{Token: syntax.STRING, TokenPos: start, Raw: syntax.Quote(edit.name, false), Value: edit.name}
	switch x := x.(type) {
	case *syntax.Ident: // raise Name
		return &syntax.CallExpr{Fn: x, Lparen: start, Args: []syntax.Expr{msg}, Rparen: start}
	case *syntax.CallExpr: // raise Name(args)
		// The call's position is where errors are reported: the raise.
		x.Lparen = start
		if edit.bare && len(x.Args) == 0 {
			x.Args = []syntax.Expr{msg}
		}
	}
	return x
}

// stripLeadingOr removes the "0 or" that the pre-scan put at at.
func stripLeadingOr(x syntax.Expr, at place) syntax.Expr {
	switch e := x.(type) {
	case *syntax.BinaryExpr:
		if lit, ok := e.X.(*syntax.Literal); ok && e.Op == syntax.OR && placeOf(lit.TokenPos) == at {
			return e.Y
		}
		e.X = stripLeadingOr(e.X, at)
	case *syntax.TupleExpr:
		if len(e.List) > 0 {
			e.List[0] = stripLeadingOr(e.List[0], at)
		}
	case *syntax.CondExpr:
		e.True = stripLeadingOr(e.True, at)
	}
	return x
}

// decorate builds "name = outer(inner(name))" for the decorators of def,
// so that the innermost decorator is applied first, as in Python. Each
// call's position is its @ sign, so an error in a decorator is reported on
// its line.
func (p *prescan) decorate(def *syntax.DefStmt, decos []decorator) syntax.Stmt {
	var value syntax.Expr = &syntax.Ident{Name: def.Name.Name, NamePos: def.Name.NamePos}
	for i := len(decos) - 1; i >= 0; i-- {
		d := decos[i]
		fn, err := p.cfg.Options.ParseExpr(*p.filename, syntax.FilePortion{
			Content: []byte(d.text), FirstLine: d.line, FirstCol: d.col,
		}, 0)
		if err != nil {
			var serr syntax.Error
			if errors.As(err, &serr) {
				p.errs = append(p.errs, Error{Pos: p.position(serr.Pos.Line, serr.Pos.Col), Msg: "invalid decorator: " + serr.Msg})
			} else {
				p.errorf(d.at.line, d.at.col, "invalid decorator: %v", err)
			}
			return nil
		}
		at := p.position(d.at.line, d.at.col)
		value = &syntax.CallExpr{Fn: p.expr(fn), Lparen: at, Args: []syntax.Expr{value}, Rparen: at}
	}
	at := p.position(decos[0].at.line, decos[0].at.col)
	return &syntax.AssignStmt{
		OpPos: at,
		Op:    syntax.EQ,
		LHS:   &syntax.Ident{Name: def.Name.Name, NamePos: def.Name.NamePos},
		RHS:   value,
	}
}

func (p *prescan) params(params []syntax.Expr) {
	for i, param := range params {
		params[i] = p.expr(param)
	}
}

func (p *prescan) exprs(list []syntax.Expr) {
	for i, e := range list {
		list[i] = p.expr(e)
	}
}

// expr replaces f-string placeholders anywhere inside x.
func (p *prescan) expr(x syntax.Expr) syntax.Expr {
	if x == nil || len(p.fstrings) == 0 {
		return x
	}
	switch e := x.(type) {
	case *syntax.Literal:
		if e.Token == syntax.STRING {
			if repl, ok := p.fstrings[placeOf(e.TokenPos)]; ok {
				return repl
			}
		}
	case *syntax.BinaryExpr:
		e.X = p.expr(e.X)
		e.Y = p.expr(e.Y)
	case *syntax.UnaryExpr:
		e.X = p.expr(e.X)
	case *syntax.CallExpr:
		e.Fn = p.expr(e.Fn)
		p.exprs(e.Args)
	case *syntax.DotExpr:
		e.X = p.expr(e.X)
	case *syntax.IndexExpr:
		e.X = p.expr(e.X)
		e.Y = p.expr(e.Y)
	case *syntax.SliceExpr:
		e.X = p.expr(e.X)
		e.Lo = p.expr(e.Lo)
		e.Hi = p.expr(e.Hi)
		e.Step = p.expr(e.Step)
	case *syntax.ParenExpr:
		e.X = p.expr(e.X)
	case *syntax.TupleExpr:
		p.exprs(e.List)
	case *syntax.ListExpr:
		p.exprs(e.List)
	case *syntax.DictExpr:
		p.exprs(e.List)
	case *syntax.DictEntry:
		e.Key = p.expr(e.Key)
		e.Value = p.expr(e.Value)
	case *syntax.CondExpr:
		e.Cond = p.expr(e.Cond)
		e.True = p.expr(e.True)
		e.False = p.expr(e.False)
	case *syntax.LambdaExpr:
		p.params(e.Params)
		e.Body = p.expr(e.Body)
	case *syntax.Comprehension:
		e.Body = p.expr(e.Body)
		for _, clause := range e.Clauses {
			switch c := clause.(type) {
			case *syntax.ForClause:
				c.Vars = p.expr(c.Vars)
				c.X = p.expr(c.X)
			case *syntax.IfClause:
				c.Cond = p.expr(c.Cond)
			}
		}
	}
	return x
}
