package lf

import "sort"

// Package is one decoded Daml-LF package.
type Package struct {
	ID        string // lowercase hex SHA-256 of the archive payload
	Name      string // package metadata name; empty before LF 1.8
	Version   string // package metadata version; empty before LF 1.8
	LFVersion string // "1.14", "2.1", ...
	Archive   []byte // the DALF bytes as read
	Modules   []*Module

	modules map[string]*Module
}

// Module returns the module with the given dotted name.
func (p *Package) Module(name string) (*Module, bool) {
	m, ok := p.modules[name]
	return m, ok
}

// Templates returns every template of the package, sorted by module and name.
func (p *Package) Templates() []*Template {
	var out []*Template
	for _, m := range p.Modules {
		for _, name := range sortedKeys(m.Templates) {
			out = append(out, m.Templates[name])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID.String() < out[j].ID.String() })
	return out
}

// Module is one Daml-LF module. Map keys are the unmangled dotted entity names.
type Module struct {
	Name       string
	DataTypes  map[string]*DataType
	Synonyms   map[string]*TypeSynonym
	Templates  map[string]*Template
	Interfaces map[string]*Interface
}

// DataTypeKind is the form of a Daml-LF data type definition.
type DataTypeKind int

// Data type forms.
const (
	RecordType DataTypeKind = iota
	VariantType
	EnumType
	InterfaceType
)

func (k DataTypeKind) String() string {
	switch k {
	case RecordType:
		return "record"
	case VariantType:
		return "variant"
	case EnumType:
		return "enum"
	case InterfaceType:
		return "interface"
	}
	return "unknown"
}

// DataType is a Daml-LF data type definition.
type DataType struct {
	ID           TemplateID // qualified name, in the same form as a template id
	Kind         DataTypeKind
	Params       []string // type parameter names
	Serializable bool
	// Fields are the record fields or, for a variant, the constructors with
	// their argument types.
	Fields []Field
	// Constructors are the enum constructors.
	Constructors []string
}

// Field is a named, typed record field or variant constructor.
type Field struct {
	Name string
	Type *Type
}

// TypeSynonym is a Daml-LF type synonym definition.
type TypeSynonym struct {
	ID     TemplateID
	Params []string
	Type   *Type
}

// Template is a Daml-LF template with the fields of its record type.
type Template struct {
	ID         TemplateID
	Fields     []Field
	Key        *Type    // the contract key type; nil when the template has no key
	KeyExpr    *KeyExpr // nil unless the key only projects contract fields
	Choices    map[string]*Choice
	Implements []TemplateID // the interfaces the template implements
}

// ChoiceNames returns the names of the template's choices, sorted.
func (t *Template) ChoiceNames() []string { return sortedKeys(t.Choices) }

// Interface is a Daml-LF interface definition (LF 1.15 and later).
type Interface struct {
	ID       TemplateID
	Choices  map[string]*Choice
	View     *Type
	Requires []TemplateID
}

// Choice is a template or interface choice.
type Choice struct {
	Name       string
	Consuming  bool
	ArgType    *Type
	ReturnType *Type
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
