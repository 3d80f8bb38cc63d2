package lf

import (
	"strconv"
	"strings"
)

// TypeKind identifies the form of a Daml-LF type.
type TypeKind int

// Type forms. The serializable built-in types come first. Var, Con, Syn and
// Nat are the other forms that serializable types are built from, and Other
// covers every type that cannot appear in a ledger value (functions, Update,
// Any, structs, Forall and the like).
const (
	TypeUnit TypeKind = iota
	TypeBool
	TypeInt64
	TypeNumeric // Args[0] is the scale, a Nat type or a variable bound to one
	TypeText
	TypeParty
	TypeContractID // Args[0] is the template or interface type
	TypeDate
	TypeTimestamp
	TypeOptional // Args[0] is the element type
	TypeList     // Args[0] is the element type
	TypeTextMap  // Args[0] is the value type
	TypeGenMap   // Args[0] is the key type, Args[1] the value type
	TypeVar      // a type variable, named by Name
	TypeCon      // a data type, named by Con and applied to Args
	TypeSyn      // a type synonym, named by Con and applied to Args
	TypeNat      // a type-level natural number, the scale of a Numeric
	TypeOther    // not serializable, described by Name
)

var typeKindNames = [...]string{
	TypeUnit: "Unit", TypeBool: "Bool", TypeInt64: "Int64", TypeNumeric: "Numeric", TypeText: "Text",
	TypeParty: "Party", TypeContractID: "ContractId", TypeDate: "Date", TypeTimestamp: "Timestamp",
	TypeOptional: "Optional", TypeList: "List", TypeTextMap: "TextMap", TypeGenMap: "GenMap",
	TypeVar: "Var", TypeCon: "Con", TypeSyn: "Syn", TypeNat: "Nat", TypeOther: "Other",
}

func (k TypeKind) String() string {
	if k >= 0 && int(k) < len(typeKindNames) {
		return typeKindNames[k]
	}
	return "TypeKind(" + strconv.Itoa(int(k)) + ")"
}

// Type is a Daml-LF type.
type Type struct {
	Kind TypeKind
	Con  TemplateID // the data type or synonym name for TypeCon and TypeSyn
	Name string     // the variable name for TypeVar, or a description for TypeOther
	Nat  int        // the number for TypeNat
	Args []*Type
}

// Prim returns a built-in type applied to args.
func Prim(kind TypeKind, args ...*Type) *Type { return &Type{Kind: kind, Args: args} }

// NumericType returns the type Numeric with the given scale.
func NumericType(scale int) *Type {
	return &Type{Kind: TypeNumeric, Args: []*Type{{Kind: TypeNat, Nat: scale}}}
}

// ConType returns the data type id applied to args.
func ConType(id TemplateID, args ...*Type) *Type { return &Type{Kind: TypeCon, Con: id, Args: args} }

// Scale returns the scale of a Numeric type whose scale is a number.
func (t *Type) Scale() (int, bool) {
	if t == nil || t.Kind != TypeNumeric || len(t.Args) != 1 || t.Args[0].Kind != TypeNat {
		return 0, false
	}
	return t.Args[0].Nat, true
}

// String returns the type in Daml syntax, with data types by module and name:
// "Optional (Numeric 10)", "Main:Asset", "ContractId Main:Asset".
func (t *Type) String() string {
	if t == nil {
		return "<nil>"
	}
	var b strings.Builder
	t.write(&b, false)
	return b.String()
}

func (t *Type) write(b *strings.Builder, nested bool) {
	var head string
	switch t.Kind {
	case TypeVar:
		head = t.Name
	case TypeCon, TypeSyn:
		head = t.Con.Module + ":" + t.Con.Entity
	case TypeNat:
		b.WriteString(strconv.Itoa(t.Nat))
		return
	case TypeOther:
		head = t.Name
	default:
		head = t.Kind.String()
	}
	if len(t.Args) == 0 {
		b.WriteString(head)
		return
	}
	if nested {
		b.WriteByte('(')
	}
	b.WriteString(head)
	for _, a := range t.Args {
		b.WriteByte(' ')
		a.write(b, true)
	}
	if nested {
		b.WriteByte(')')
	}
}

// substitute replaces type variables by the types bound to them.
func (t *Type) substitute(env map[string]*Type) *Type {
	if t == nil || len(env) == 0 {
		return t
	}
	if t.Kind == TypeVar {
		if bound, ok := env[t.Name]; ok {
			if len(t.Args) == 0 {
				return bound
			}
			// A higher-kinded variable applied to arguments.
			applied := *bound
			applied.Args = append(append([]*Type(nil), bound.Args...), substituteAll(t.Args, env)...)
			return &applied
		}
		return t
	}
	if len(t.Args) == 0 {
		return t
	}
	out := *t
	out.Args = substituteAll(t.Args, env)
	return &out
}

func substituteAll(ts []*Type, env map[string]*Type) []*Type {
	out := make([]*Type, len(ts))
	for i, a := range ts {
		out[i] = a.substitute(env)
	}
	return out
}
