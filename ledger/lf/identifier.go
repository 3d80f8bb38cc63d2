package lf

import (
	"fmt"
	"strconv"
	"strings"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
)

// TemplateID is the qualified name of a template, interface or data type.
// PackageID is a package id, or "#name" to refer to a package by name.
type TemplateID struct {
	PackageID string
	Module    string // dotted module name, "Main" or "DA.Types"
	Entity    string // dotted entity name, "Asset" or "Outer.Inner"
}

// String returns "pkg:Module.Sub:Entity", or "Module.Sub:Entity" when the
// package id is empty.
func (id TemplateID) String() string {
	if id.PackageID == "" {
		return id.Module + ":" + id.Entity
	}
	return id.PackageID + ":" + id.Module + ":" + id.Entity
}

// Name returns "Module.Sub:Entity", the id without its package.
func (id TemplateID) Name() string { return id.Module + ":" + id.Entity }

// Identifier returns the Ledger API form of the id.
func (id TemplateID) Identifier() *v2.Identifier {
	return &v2.Identifier{PackageId: id.PackageID, ModuleName: id.Module, EntityName: id.Entity}
}

// TemplateIDFromIdentifier returns the id that a Ledger API identifier names.
// A nil identifier gives the zero TemplateID.
func TemplateIDFromIdentifier(id *v2.Identifier) TemplateID {
	if id == nil {
		return TemplateID{}
	}
	return TemplateID{PackageID: id.GetPackageId(), Module: id.GetModuleName(), Entity: id.GetEntityName()}
}

// ParseTemplateID parses "pkg:Module:Entity" or "Module:Entity".
func ParseTemplateID(s string) (TemplateID, error) {
	parts := strings.Split(s, ":")
	switch {
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return TemplateID{Module: parts[0], Entity: parts[1]}, nil
	case len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] != "":
		return TemplateID{PackageID: parts[0], Module: parts[1], Entity: parts[2]}, nil
	}
	return TemplateID{}, fmt.Errorf("invalid template id %q: want Module:Entity or package-id:Module:Entity", s)
}

// unmangle decodes one identifier segment as the Daml compiler mangles it:
// "$$" is "$", "$uXXXX" and "$UXXXXXXXX" are the code point in hex. Text that
// is not a valid escape stays as it is.
func unmangle(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case 'u', 'U':
			width := 4
			if s[i+1] == 'U' {
				width = 8
			}
			if i+2+width <= len(s) {
				if r, err := strconv.ParseUint(s[i+2:i+2+width], 16, 32); err == nil && r <= 0x10FFFF {
					b.WriteRune(rune(r))
					i += 1 + width
					continue
				}
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func unmangleDotted(segments []string) string {
	out := make([]string, len(segments))
	for i, s := range segments {
		out[i] = unmangle(s)
	}
	return strings.Join(out, ".")
}
