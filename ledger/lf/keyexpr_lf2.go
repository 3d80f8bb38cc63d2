package lf

import (
	lf2 "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive/daml_lf_2"
)

// keyExpr converts a key expression as lf1Decoder.keyExpr does. LF 2.x
// packages may also intern expressions.
func (d *lf2Decoder) keyExpr(e *lf2.Expr, env keyEnv, depth int) *KeyExpr {
	if e == nil || depth > maxKeyDepth || d.keyBudget <= 0 {
		return nil
	}
	d.keyBudget--
	switch s := e.GetSum().(type) {
	case *lf2.Expr_InternedExpr:
		all := d.pkg.GetInternedExprs()
		if s.InternedExpr < 0 || int(s.InternedExpr) >= len(all) {
			return nil
		}
		return d.keyExpr(all[s.InternedExpr], env, depth+1)
	case *lf2.Expr_VarInternedStr:
		return env[d.str(s.VarInternedStr)]
	case *lf2.Expr_RecProj_:
		inner := d.keyExpr(s.RecProj.GetRecord(), env, depth+1)
		if inner == nil || inner.Record != nil {
			return nil
		}
		return &KeyExpr{Path: append(append([]string(nil), inner.Path...), d.name(s.RecProj.GetFieldInternedStr()))}
	case *lf2.Expr_RecCon_:
		id := d.typeConID(s.RecCon.GetTycon().GetTycon())
		out := &KeyExpr{Record: &id}
		for _, f := range s.RecCon.GetFields() {
			inner := d.keyExpr(f.GetExpr(), env, depth+1)
			if inner == nil {
				return nil
			}
			out.Fields = append(out.Fields, KeyField{Name: d.name(f.GetFieldInternedStr()), Expr: inner})
		}
		return out
	case *lf2.Expr_Let:
		for _, b := range s.Let.GetBindings() {
			bound := d.keyExpr(b.GetBound(), env, depth+1)
			if bound == nil {
				return nil
			}
			env = env.with(d.str(b.GetBinder().GetVarInternedStr()), bound)
		}
		return d.keyExpr(s.Let.GetBody(), env, depth+1)
	case *lf2.Expr_App_:
		fun := d.resolveExpr(s.App.GetFun())
		if v := fun.GetVal(); v != nil {
			fun = d.resolveExpr(d.value(v))
		}
		abs := fun.GetAbs()
		if abs == nil || len(abs.GetParam()) != len(s.App.GetArgs()) {
			return nil
		}
		inner := env
		for i, p := range abs.GetParam() {
			arg := d.keyExpr(s.App.GetArgs()[i], env, depth+1)
			if arg == nil {
				return nil
			}
			inner = inner.with(d.str(p.GetVarInternedStr()), arg)
		}
		return d.keyExpr(abs.GetBody(), inner, depth+1)
	}
	return nil
}

// resolveExpr follows an interned expression to its definition.
func (d *lf2Decoder) resolveExpr(e *lf2.Expr) *lf2.Expr {
	for range maxKeyDepth {
		i, ok := e.GetSum().(*lf2.Expr_InternedExpr)
		if !ok {
			return e
		}
		all := d.pkg.GetInternedExprs()
		if i.InternedExpr < 0 || int(i.InternedExpr) >= len(all) {
			return nil
		}
		e = all[i.InternedExpr]
	}
	return nil
}

// value returns the definition of a value of this package, or nil.
func (d *lf2Decoder) value(v *lf2.ValueId) *lf2.Expr {
	ref := d.moduleID(v.GetModule())
	if ref.PackageID != d.id {
		return nil
	}
	name := d.dotted(v.GetNameInternedDname())
	for _, m := range d.pkg.GetModules() {
		if d.dotted(m.GetNameInternedDname()) != ref.Module {
			continue
		}
		for _, def := range m.GetValues() {
			if d.dotted(def.GetNameWithType().GetNameInternedDname()) == name {
				return def.GetExpr()
			}
		}
	}
	return nil
}
