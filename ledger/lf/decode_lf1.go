package lf

import (
	"fmt"

	lf1 "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive/daml_lf_1"
)

// lf1Decoder converts a Daml-LF 1.x package. Before LF 1.7 every name is
// written inline. From 1.7 strings and dotted names may be interned in the
// package's tables, and from 1.11 types may be too, so every name field is
// a oneof of the two forms.
type lf1Decoder struct {
	internTable
	id        string
	pkg       *lf1.Package
	typeCache map[int32]*Type // interned types decoded so far
	sizes     typeSizes
	depth     int
	keyBudget int // expressions left for the key being analysed
}

// maxTypeDepth bounds the nesting of types, so that a corrupt archive whose
// interned types refer to each other cannot recurse without end.
const maxTypeDepth = 200

func decodeLF1(id string, p *lf1.Package) (*Package, error) {
	d := &lf1Decoder{id: id, pkg: p, typeCache: map[int32]*Type{}, sizes: typeSizes{}}
	d.strs = p.GetInternedStrings()
	for _, n := range p.GetInternedDottedNames() {
		d.dottedNames = append(d.dottedNames, n.GetSegmentsInternedStr())
	}
	pkg := &Package{}
	if md := p.GetMetadata(); md != nil {
		pkg.Name = d.str(md.GetNameInternedStr())
		pkg.Version = d.str(md.GetVersionInternedStr())
	}
	for _, m := range p.GetModules() {
		mod, err := d.module(m)
		if err != nil {
			return nil, err
		}
		pkg.Modules = append(pkg.Modules, mod)
	}
	if d.err != nil {
		return nil, d.err
	}
	if err := finishPackage(pkg); err != nil {
		return nil, err
	}
	return pkg, nil
}

func (d *lf1Decoder) dottedName(inline *lf1.DottedName, interned int32, isInline bool) string {
	if isInline {
		return unmangleDotted(inline.GetSegments())
	}
	return d.dotted(interned)
}

func (d *lf1Decoder) module(m *lf1.Module) (*Module, error) {
	_, inline := m.GetName().(*lf1.Module_NameDname)
	mod := newModule(d.dottedName(m.GetNameDname(), m.GetNameInternedDname(), inline))
	self := TemplateID{PackageID: d.id, Module: mod.Name}
	for _, dt := range m.GetDataTypes() {
		_, inline := dt.GetName().(*lf1.DefDataType_NameDname)
		name := d.dottedName(dt.GetNameDname(), dt.GetNameInternedDname(), inline)
		def := &DataType{ID: self, Serializable: dt.GetSerializable()}
		def.ID.Entity = name
		for _, p := range dt.GetParams() {
			def.Params = append(def.Params, d.typeVarName(p))
		}
		switch dt.GetDataCons().(type) {
		case *lf1.DefDataType_Record:
			def.Kind = RecordType
			def.Fields = d.fields(dt.GetRecord().GetFields())
		case *lf1.DefDataType_Variant:
			def.Kind = VariantType
			def.Fields = d.fields(dt.GetVariant().GetFields())
		case *lf1.DefDataType_Enum:
			def.Kind = EnumType
			enum := dt.GetEnum()
			for _, s := range enum.GetConstructorsStr() {
				def.Constructors = append(def.Constructors, unmangle(s))
			}
			for _, i := range enum.GetConstructorsInternedStr() {
				def.Constructors = append(def.Constructors, d.name(i))
			}
		case *lf1.DefDataType_Interface:
			def.Kind = InterfaceType
		default:
			return nil, fmt.Errorf("module %s: data type %s has no definition", mod.Name, name)
		}
		mod.DataTypes[name] = def
	}
	for _, s := range m.GetSynonyms() {
		_, inline := s.GetName().(*lf1.DefTypeSyn_NameDname)
		syn := &TypeSynonym{ID: self, Type: d.typ(s.GetType())}
		syn.ID.Entity = d.dottedName(s.GetNameDname(), s.GetNameInternedDname(), inline)
		for _, p := range s.GetParams() {
			syn.Params = append(syn.Params, d.typeVarName(p))
		}
		mod.Synonyms[syn.ID.Entity] = syn
	}
	for _, t := range m.GetTemplates() {
		tmpl := d.template(self, t)
		mod.Templates[tmpl.ID.Entity] = tmpl
	}
	for _, i := range m.GetInterfaces() {
		iface := &Interface{ID: self, Choices: map[string]*Choice{}, View: d.typ(i.GetView())}
		iface.ID.Entity = d.dotted(i.GetTyconInternedDname())
		for _, c := range i.GetChoices() {
			ch := d.choice(c)
			iface.Choices[ch.Name] = ch
		}
		for _, r := range i.GetRequires() {
			iface.Requires = append(iface.Requires, d.typeConName(r))
		}
		mod.Interfaces[iface.ID.Entity] = iface
	}
	return mod, d.err
}

func (d *lf1Decoder) template(self TemplateID, t *lf1.DefTemplate) *Template {
	_, inline := t.GetTycon().(*lf1.DefTemplate_TyconDname)
	tmpl := &Template{ID: self, Choices: map[string]*Choice{}}
	tmpl.ID.Entity = d.dottedName(t.GetTyconDname(), t.GetTyconInternedDname(), inline)
	param := t.GetParamStr()
	if _, ok := t.GetParam().(*lf1.DefTemplate_ParamInternedStr); ok {
		param = d.str(t.GetParamInternedStr())
	}
	for _, c := range t.GetChoices() {
		ch := d.choice(c)
		tmpl.Choices[ch.Name] = ch
	}
	if k := t.GetKey(); k != nil {
		tmpl.Key = d.typ(k.GetType())
		d.keyBudget = maxKeySteps
		switch k.GetKeyExpr().(type) {
		case *lf1.DefTemplate_DefKey_Key:
			tmpl.KeyExpr = d.simpleKey(k.GetKey())
		case *lf1.DefTemplate_DefKey_ComplexKey:
			tmpl.KeyExpr = d.keyExpr(k.GetComplexKey(), keyEnv{param: &KeyExpr{}}, 0)
		}
	}
	for _, i := range t.GetImplements() {
		tmpl.Implements = append(tmpl.Implements, d.typeConName(i.GetInterface()))
	}
	return tmpl
}

func (d *lf1Decoder) choice(c *lf1.TemplateChoice) *Choice {
	name := c.GetNameStr()
	if _, ok := c.GetName().(*lf1.TemplateChoice_NameInternedStr); ok {
		name = d.str(c.GetNameInternedStr())
	}
	return &Choice{
		Name:       unmangle(name),
		Consuming:  c.GetConsuming(),
		ArgType:    d.typ(c.GetArgBinder().GetType()),
		ReturnType: d.typ(c.GetRetType()),
	}
}

func (d *lf1Decoder) fields(fs []*lf1.FieldWithType) []Field {
	out := make([]Field, 0, len(fs))
	for _, f := range fs {
		name := f.GetFieldStr()
		if _, ok := f.GetField().(*lf1.FieldWithType_FieldInternedStr); ok {
			name = d.str(f.GetFieldInternedStr())
		}
		out = append(out, Field{Name: unmangle(name), Type: d.typ(f.GetType())})
	}
	return out
}

func (d *lf1Decoder) typeVarName(v *lf1.TypeVarWithKind) string {
	if _, ok := v.GetVar().(*lf1.TypeVarWithKind_VarInternedStr); ok {
		return d.str(v.GetVarInternedStr())
	}
	return v.GetVarStr()
}

func (d *lf1Decoder) packageID(r *lf1.PackageRef) string {
	switch r.GetSum().(type) {
	case *lf1.PackageRef_PackageIdStr:
		return r.GetPackageIdStr()
	case *lf1.PackageRef_PackageIdInternedStr:
		return d.str(r.GetPackageIdInternedStr())
	}
	return d.id
}

func (d *lf1Decoder) moduleRef(r *lf1.ModuleRef) TemplateID {
	_, inline := r.GetModuleName().(*lf1.ModuleRef_ModuleNameDname)
	return TemplateID{
		PackageID: d.packageID(r.GetPackageRef()),
		Module:    d.dottedName(r.GetModuleNameDname(), r.GetModuleNameInternedDname(), inline),
	}
}

func (d *lf1Decoder) typeConName(n *lf1.TypeConName) TemplateID {
	id := d.moduleRef(n.GetModule())
	_, inline := n.GetName().(*lf1.TypeConName_NameDname)
	id.Entity = d.dottedName(n.GetNameDname(), n.GetNameInternedDname(), inline)
	return id
}

var lf1Prims = map[lf1.PrimType]TypeKind{
	lf1.PrimType_UNIT: TypeUnit, lf1.PrimType_BOOL: TypeBool, lf1.PrimType_INT64: TypeInt64,
	lf1.PrimType_NUMERIC: TypeNumeric, lf1.PrimType_TEXT: TypeText, lf1.PrimType_PARTY: TypeParty,
	lf1.PrimType_CONTRACT_ID: TypeContractID, lf1.PrimType_DATE: TypeDate,
	lf1.PrimType_TIMESTAMP: TypeTimestamp, lf1.PrimType_OPTIONAL: TypeOptional,
	lf1.PrimType_LIST: TypeList, lf1.PrimType_TEXTMAP: TypeTextMap, lf1.PrimType_GENMAP: TypeGenMap,
}

// typ converts a type. Synonyms stay unexpanded, because they may refer to
// other packages; the catalog expands them.
func (d *lf1Decoder) typ(t *lf1.Type) *Type {
	out := d.typeNode(t)
	if d.depth == 0 {
		if err := d.sizes.check(out); err != nil {
			d.fail("%v", err)
		}
	}
	return out
}

// typeNode converts one type node and its parts. Only typ calls it, so
// that every type, nested or not, counts towards maxTypeDepth.
func (d *lf1Decoder) typeNode(t *lf1.Type) *Type {
	if t == nil {
		return nil
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxTypeDepth {
		d.fail("type nested more than %d levels", maxTypeDepth)
		return &Type{Kind: TypeOther, Name: "invalid"}
	}
	switch s := t.GetSum().(type) {
	case *lf1.Type_Var_:
		name := s.Var.GetVarStr()
		if _, ok := s.Var.GetVar().(*lf1.Type_Var_VarInternedStr); ok {
			name = d.str(s.Var.GetVarInternedStr())
		}
		return &Type{Kind: TypeVar, Name: name, Args: d.types(s.Var.GetArgs())}
	case *lf1.Type_Con_:
		return &Type{Kind: TypeCon, Con: d.typeConName(s.Con.GetTycon()), Args: d.types(s.Con.GetArgs())}
	case *lf1.Type_Syn_:
		n := s.Syn.GetTysyn()
		id := d.moduleRef(n.GetModule())
		_, inline := n.GetName().(*lf1.TypeSynName_NameDname)
		id.Entity = d.dottedName(n.GetNameDname(), n.GetNameInternedDname(), inline)
		return &Type{Kind: TypeSyn, Con: id, Args: d.types(s.Syn.GetArgs())}
	case *lf1.Type_Prim_:
		args := d.types(s.Prim.GetArgs())
		if s.Prim.GetPrim() == lf1.PrimType_DECIMAL {
			// Decimal, before LF 1.7, is Numeric with scale 10.
			return NumericType(10)
		}
		if kind, ok := lf1Prims[s.Prim.GetPrim()]; ok {
			return &Type{Kind: kind, Args: args}
		}
		return &Type{Kind: TypeOther, Name: s.Prim.GetPrim().String(), Args: args}
	case *lf1.Type_Nat:
		return &Type{Kind: TypeNat, Nat: int(s.Nat)}
	case *lf1.Type_Interned:
		if cached, ok := d.typeCache[s.Interned]; ok {
			return cached
		}
		all := d.pkg.GetInternedTypes()
		if s.Interned < 0 || int(s.Interned) >= len(all) {
			d.fail("interned type %d out of range (table has %d)", s.Interned, len(all))
			return &Type{Kind: TypeOther, Name: "invalid"}
		}
		out := d.typ(all[s.Interned])
		d.typeCache[s.Interned] = out
		return out
	case *lf1.Type_Forall_:
		return &Type{Kind: TypeOther, Name: "forall"}
	case *lf1.Type_Struct_:
		return &Type{Kind: TypeOther, Name: "struct"}
	}
	return &Type{Kind: TypeOther, Name: "unknown"}
}

func (d *lf1Decoder) types(ts []*lf1.Type) []*Type {
	if len(ts) == 0 {
		return nil
	}
	out := make([]*Type, len(ts))
	for i, t := range ts {
		out[i] = d.typ(t)
	}
	return out
}

// simpleKey converts the key form of LF 1.3 and earlier, which is already
// limited to records and projections.
func (d *lf1Decoder) simpleKey(k *lf1.KeyExpr) *KeyExpr {
	switch s := k.GetSum().(type) {
	case *lf1.KeyExpr_Projections_:
		out := &KeyExpr{}
		for _, p := range s.Projections.GetProjections() {
			name := p.GetFieldStr()
			if _, ok := p.GetField().(*lf1.KeyExpr_Projection_FieldInternedStr); ok {
				name = d.str(p.GetFieldInternedStr())
			}
			out.Path = append(out.Path, unmangle(name))
		}
		return out
	case *lf1.KeyExpr_Record_:
		id := d.typeConName(s.Record.GetTycon().GetTycon())
		out := &KeyExpr{Record: &id}
		for _, f := range s.Record.GetFields() {
			name := f.GetFieldStr()
			if _, ok := f.GetField().(*lf1.KeyExpr_RecordField_FieldInternedStr); ok {
				name = d.str(f.GetFieldInternedStr())
			}
			inner := d.simpleKey(f.GetExpr())
			if inner == nil {
				return nil
			}
			out.Fields = append(out.Fields, KeyField{Name: unmangle(name), Expr: inner})
		}
		return out
	}
	return nil
}
