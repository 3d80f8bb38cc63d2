package lf

import (
	lf1 "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive/daml_lf_1"
)

// keyEnv binds the variables in scope of a key expression to what they
// project from the contract argument.
type keyEnv map[string]*KeyExpr

func (env keyEnv) with(name string, k *KeyExpr) keyEnv {
	out := make(keyEnv, len(env)+1)
	for n, v := range env {
		out[n] = v
	}
	out[name] = k
	return out
}

// maxKeyDepth bounds the expression nesting that key analysis follows, and
// maxKeySteps the expressions it visits for one key, so that a corrupt
// package cannot make it run for long.
const (
	maxKeyDepth = 64
	maxKeySteps = 10000
)

// keyExpr converts a key expression when it only builds records from
// projections of the template parameter, and returns nil otherwise. The
// Daml compiler writes a key as a call of a generated function on the
// contract argument. That function binds projections with let and builds a
// tuple, so the analysis follows let bindings, lambdas and calls of values
// of this package.
func (d *lf1Decoder) keyExpr(e *lf1.Expr, env keyEnv, depth int) *KeyExpr {
	if e == nil || depth > maxKeyDepth || d.keyBudget <= 0 {
		return nil
	}
	d.keyBudget--
	switch s := e.GetSum().(type) {
	case *lf1.Expr_VarStr:
		return env[s.VarStr]
	case *lf1.Expr_VarInternedStr:
		return env[d.str(s.VarInternedStr)]
	case *lf1.Expr_RecProj_:
		inner := d.keyExpr(s.RecProj.GetRecord(), env, depth+1)
		if inner == nil || inner.Record != nil {
			return nil
		}
		name := s.RecProj.GetFieldStr()
		if _, ok := s.RecProj.GetField().(*lf1.Expr_RecProj_FieldInternedStr); ok {
			name = d.str(s.RecProj.GetFieldInternedStr())
		}
		return &KeyExpr{Path: append(append([]string(nil), inner.Path...), unmangle(name))}
	case *lf1.Expr_RecCon_:
		id := d.typeConName(s.RecCon.GetTycon().GetTycon())
		out := &KeyExpr{Record: &id}
		for _, f := range s.RecCon.GetFields() {
			name := f.GetFieldStr()
			if _, ok := f.GetField().(*lf1.FieldWithExpr_FieldInternedStr); ok {
				name = d.str(f.GetFieldInternedStr())
			}
			inner := d.keyExpr(f.GetExpr(), env, depth+1)
			if inner == nil {
				return nil
			}
			out.Fields = append(out.Fields, KeyField{Name: unmangle(name), Expr: inner})
		}
		return out
	case *lf1.Expr_Let:
		for _, b := range s.Let.GetBindings() {
			bound := d.keyExpr(b.GetBound(), env, depth+1)
			if bound == nil {
				return nil
			}
			env = env.with(d.varName(b.GetBinder()), bound)
		}
		return d.keyExpr(s.Let.GetBody(), env, depth+1)
	case *lf1.Expr_App_:
		fun := s.App.GetFun()
		if v := fun.GetVal(); v != nil {
			fun = d.value(v)
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
			inner = inner.with(d.varName(p), arg)
		}
		return d.keyExpr(abs.GetBody(), inner, depth+1)
	}
	return nil
}

func (d *lf1Decoder) varName(v *lf1.VarWithType) string {
	if _, ok := v.GetVar().(*lf1.VarWithType_VarInternedStr); ok {
		return d.str(v.GetVarInternedStr())
	}
	return v.GetVarStr()
}

// value returns the definition of a value of this package, or nil.
func (d *lf1Decoder) value(v *lf1.ValName) *lf1.Expr {
	ref := d.moduleRef(v.GetModule())
	if ref.PackageID != d.id {
		return nil
	}
	name := d.dotted(v.GetNameInternedDname())
	if len(v.GetNameDname()) > 0 {
		name = unmangleDotted(v.GetNameDname())
	}
	for _, m := range d.pkg.GetModules() {
		_, inline := m.GetName().(*lf1.Module_NameDname)
		if d.dottedName(m.GetNameDname(), m.GetNameInternedDname(), inline) != ref.Module {
			continue
		}
		for _, def := range m.GetValues() {
			nt := def.GetNameWithType()
			defName := ""
			if len(nt.GetNameDname()) > 0 {
				defName = unmangleDotted(nt.GetNameDname())
			} else {
				defName = d.dotted(nt.GetNameInternedDname())
			}
			if defName == name {
				return def.GetExpr()
			}
		}
	}
	return nil
}
