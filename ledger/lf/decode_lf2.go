package lf

import (
	"fmt"

	lf2 "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive/daml_lf_2"
)

// lf2Decoder converts a Daml-LF 2.x package. LF 2 interns every string,
// dotted name and type. From LF 2.2 expressions are interned too, and a
// module reference may name a package through the package's import table.
type lf2Decoder struct {
	internTable
	id        string
	pkg       *lf2.Package
	typeCache map[int32]*Type
	sizes     typeSizes
	depth     int
	keyBudget int // expressions left for the key being analysed
}

func decodeLF2(id string, p *lf2.Package) (*Package, error) {
	d := &lf2Decoder{id: id, pkg: p, typeCache: map[int32]*Type{}, sizes: typeSizes{}}
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

func (d *lf2Decoder) module(m *lf2.Module) (*Module, error) {
	mod := newModule(d.dotted(m.GetNameInternedDname()))
	self := TemplateID{PackageID: d.id, Module: mod.Name}
	for _, dt := range m.GetDataTypes() {
		name := d.dotted(dt.GetNameInternedDname())
		def := &DataType{ID: self, Serializable: dt.GetSerializable()}
		def.ID.Entity = name
		for _, p := range dt.GetParams() {
			def.Params = append(def.Params, d.str(p.GetVarInternedStr()))
		}
		switch dt.GetDataCons().(type) {
		case *lf2.DefDataType_Record:
			def.Kind = RecordType
			def.Fields = d.fields(dt.GetRecord().GetFields())
		case *lf2.DefDataType_Variant:
			def.Kind = VariantType
			def.Fields = d.fields(dt.GetVariant().GetFields())
		case *lf2.DefDataType_Enum:
			def.Kind = EnumType
			for _, i := range dt.GetEnum().GetConstructorsInternedStr() {
				def.Constructors = append(def.Constructors, d.name(i))
			}
		case *lf2.DefDataType_Interface:
			def.Kind = InterfaceType
		default:
			return nil, fmt.Errorf("module %s: data type %s has no definition", mod.Name, name)
		}
		mod.DataTypes[name] = def
	}
	for _, s := range m.GetSynonyms() {
		syn := &TypeSynonym{ID: self, Type: d.typ(s.GetType())}
		syn.ID.Entity = d.dotted(s.GetNameInternedDname())
		for _, p := range s.GetParams() {
			syn.Params = append(syn.Params, d.str(p.GetVarInternedStr()))
		}
		mod.Synonyms[syn.ID.Entity] = syn
	}
	for _, t := range m.GetTemplates() {
		tmpl := &Template{ID: self, Choices: map[string]*Choice{}}
		tmpl.ID.Entity = d.dotted(t.GetTyconInternedDname())
		for _, c := range t.GetChoices() {
			ch := d.choice(c)
			tmpl.Choices[ch.Name] = ch
		}
		if k := t.GetKey(); k != nil {
			tmpl.Key = d.typ(k.GetType())
			d.keyBudget = maxKeySteps
			tmpl.KeyExpr = d.keyExpr(k.GetKeyExpr(), keyEnv{d.str(t.GetParamInternedStr()): &KeyExpr{}}, 0)
		}
		for _, i := range t.GetImplements() {
			tmpl.Implements = append(tmpl.Implements, d.typeConID(i.GetInterface()))
		}
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
			iface.Requires = append(iface.Requires, d.typeConID(r))
		}
		mod.Interfaces[iface.ID.Entity] = iface
	}
	return mod, d.err
}

func (d *lf2Decoder) choice(c *lf2.TemplateChoice) *Choice {
	return &Choice{
		Name:       d.name(c.GetNameInternedStr()),
		Consuming:  c.GetConsuming(),
		ArgType:    d.typ(c.GetArgBinder().GetType()),
		ReturnType: d.typ(c.GetRetType()),
	}
}

func (d *lf2Decoder) fields(fs []*lf2.FieldWithType) []Field {
	out := make([]Field, 0, len(fs))
	for _, f := range fs {
		out = append(out, Field{Name: d.name(f.GetFieldInternedStr()), Type: d.typ(f.GetType())})
	}
	return out
}

func (d *lf2Decoder) packageID(r *lf2.SelfOrImportedPackageId) string {
	switch s := r.GetSum().(type) {
	case *lf2.SelfOrImportedPackageId_ImportedPackageIdInternedStr:
		return d.str(s.ImportedPackageIdInternedStr)
	case *lf2.SelfOrImportedPackageId_PackageImportId:
		imports := d.pkg.GetPackageImports().GetImportedPackages()
		if s.PackageImportId < 0 || int(s.PackageImportId) >= len(imports) {
			d.fail("package import %d out of range (table has %d)", s.PackageImportId, len(imports))
			return ""
		}
		return imports[s.PackageImportId]
	}
	return d.id
}

func (d *lf2Decoder) moduleID(m *lf2.ModuleId) TemplateID {
	return TemplateID{PackageID: d.packageID(m.GetPackageId()), Module: d.dotted(m.GetModuleNameInternedDname())}
}

func (d *lf2Decoder) typeConID(n *lf2.TypeConId) TemplateID {
	id := d.moduleID(n.GetModule())
	id.Entity = d.dotted(n.GetNameInternedDname())
	return id
}

var lf2Builtins = map[lf2.BuiltinType]TypeKind{
	lf2.BuiltinType_UNIT: TypeUnit, lf2.BuiltinType_BOOL: TypeBool, lf2.BuiltinType_INT64: TypeInt64,
	lf2.BuiltinType_NUMERIC: TypeNumeric, lf2.BuiltinType_TEXT: TypeText, lf2.BuiltinType_PARTY: TypeParty,
	lf2.BuiltinType_CONTRACT_ID: TypeContractID, lf2.BuiltinType_DATE: TypeDate,
	lf2.BuiltinType_TIMESTAMP: TypeTimestamp, lf2.BuiltinType_OPTIONAL: TypeOptional,
	lf2.BuiltinType_LIST: TypeList, lf2.BuiltinType_TEXTMAP: TypeTextMap, lf2.BuiltinType_GENMAP: TypeGenMap,
}

func (d *lf2Decoder) typ(t *lf2.Type) *Type {
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
func (d *lf2Decoder) typeNode(t *lf2.Type) *Type {
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
	case *lf2.Type_Var_:
		return &Type{Kind: TypeVar, Name: d.str(s.Var.GetVarInternedStr()), Args: d.types(s.Var.GetArgs())}
	case *lf2.Type_Con_:
		return &Type{Kind: TypeCon, Con: d.typeConID(s.Con.GetTycon()), Args: d.types(s.Con.GetArgs())}
	case *lf2.Type_Syn_:
		n := s.Syn.GetTysyn()
		id := d.moduleID(n.GetModule())
		id.Entity = d.dotted(n.GetNameInternedDname())
		return &Type{Kind: TypeSyn, Con: id, Args: d.types(s.Syn.GetArgs())}
	case *lf2.Type_Builtin_:
		args := d.types(s.Builtin.GetArgs())
		if kind, ok := lf2Builtins[s.Builtin.GetBuiltin()]; ok {
			return &Type{Kind: kind, Args: args}
		}
		return &Type{Kind: TypeOther, Name: s.Builtin.GetBuiltin().String(), Args: args}
	case *lf2.Type_Nat:
		return &Type{Kind: TypeNat, Nat: int(s.Nat)}
	case *lf2.Type_InternedType:
		if cached, ok := d.typeCache[s.InternedType]; ok {
			return cached
		}
		all := d.pkg.GetInternedTypes()
		if s.InternedType < 0 || int(s.InternedType) >= len(all) {
			d.fail("interned type %d out of range (table has %d)", s.InternedType, len(all))
			return &Type{Kind: TypeOther, Name: "invalid"}
		}
		out := d.typ(all[s.InternedType])
		d.typeCache[s.InternedType] = out
		return out
	case *lf2.Type_Tapp:
		// A type application adds one argument to the type on its left.
		lhs := d.typ(s.Tapp.GetLhs())
		if lhs == nil {
			d.fail("type application without a type on its left")
			return &Type{Kind: TypeOther, Name: "invalid"}
		}
		head := *lhs
		head.Args = append(append([]*Type(nil), head.Args...), d.typ(s.Tapp.GetRhs()))
		return &head
	case *lf2.Type_Forall_:
		return &Type{Kind: TypeOther, Name: "forall"}
	case *lf2.Type_Struct_:
		return &Type{Kind: TypeOther, Name: "struct"}
	}
	return &Type{Kind: TypeOther, Name: "unknown"}
}

func (d *lf2Decoder) types(ts []*lf2.Type) []*Type {
	if len(ts) == 0 {
		return nil
	}
	out := make([]*Type, len(ts))
	for i, t := range ts {
		out[i] = d.typ(t)
	}
	return out
}
