package lf

import (
	"fmt"

	archive "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive"
	lf1 "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive/daml_lf_1"
	lf2 "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive/daml_lf_2"
	"google.golang.org/protobuf/proto"
)

// decodePayload decodes the Daml-LF package of an archive payload.
func decodePayload(id string, payload *archive.ArchivePayload) (*Package, error) {
	var (
		pkg *Package
		err error
	)
	switch sum := payload.GetSum().(type) {
	case *archive.ArchivePayload_DamlLf_1:
		var p lf1.Package
		if err := proto.Unmarshal(sum.DamlLf_1, &p); err != nil {
			return nil, fmt.Errorf("daml-lf 1.%s package: %w", payload.GetMinor(), err)
		}
		pkg, err = decodeLF1(id, &p)
		if err != nil {
			return nil, fmt.Errorf("daml-lf 1.%s package: %w", payload.GetMinor(), err)
		}
		pkg.LFVersion = "1." + payload.GetMinor()
	case *archive.ArchivePayload_DamlLf_2:
		var p lf2.Package
		if err := proto.Unmarshal(sum.DamlLf_2, &p); err != nil {
			return nil, fmt.Errorf("daml-lf 2.%s package: %w", payload.GetMinor(), err)
		}
		pkg, err = decodeLF2(id, &p)
		if err != nil {
			return nil, fmt.Errorf("daml-lf 2.%s package: %w", payload.GetMinor(), err)
		}
		pkg.LFVersion = "2." + payload.GetMinor()
	default:
		return nil, fmt.Errorf("payload contains no daml-lf package")
	}
	pkg.ID = id
	return pkg, nil
}

// finishPackage indexes the modules and gives each template the fields of
// the record type of the same name.
func finishPackage(pkg *Package) error {
	pkg.modules = make(map[string]*Module, len(pkg.Modules))
	for _, m := range pkg.Modules {
		pkg.modules[m.Name] = m
		for name, t := range m.Templates {
			dt, ok := m.DataTypes[name]
			if !ok || dt.Kind != RecordType {
				return fmt.Errorf("module %s: template %s has no record type of the same name", m.Name, name)
			}
			t.Fields = dt.Fields
		}
	}
	return nil
}

func newModule(name string) *Module {
	return &Module{
		Name:       name,
		DataTypes:  map[string]*DataType{},
		Synonyms:   map[string]*TypeSynonym{},
		Templates:  map[string]*Template{},
		Interfaces: map[string]*Interface{},
	}
}

// internTable looks up interned entries and reports an index out of range
// as an error instead of a panic, because the archive may be corrupt.
type internTable struct {
	strs        []string
	dottedNames [][]int32
	err         error
}

func (t *internTable) fail(format string, args ...any) {
	if t.err == nil {
		t.err = fmt.Errorf(format, args...)
	}
}

func (t *internTable) str(i int32) string {
	if i < 0 || int(i) >= len(t.strs) {
		t.fail("interned string %d out of range (table has %d)", i, len(t.strs))
		return ""
	}
	return t.strs[i]
}

// dotted returns an interned dotted name, unmangled and joined with dots.
func (t *internTable) dotted(i int32) string {
	if i < 0 || int(i) >= len(t.dottedNames) {
		t.fail("interned dotted name %d out of range (table has %d)", i, len(t.dottedNames))
		return ""
	}
	segments := make([]string, len(t.dottedNames[i]))
	for k, s := range t.dottedNames[i] {
		segments[k] = t.str(s)
	}
	return unmangleDotted(segments)
}

func (t *internTable) name(i int32) string { return unmangle(t.str(i)) }
