package sandbox

import (
	"strings"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/ledger/lf"
)

// packageStore is the set of loaded packages. Ledger.mu guards it, because
// lf.Catalog is not safe for concurrent use while packages are added.
type packageStore struct {
	catalog    *lf.Catalog
	knownSince map[string]time.Time
}

func newPackageStore() *packageStore {
	return &packageStore{catalog: lf.NewCatalog(), knownSince: map[string]time.Time{}}
}

// add loads the packages of d and returns how many were new.
func (s *packageStore) add(d *lf.DAR, now time.Time) int {
	added := 0
	for _, p := range d.Packages {
		if _, ok := s.catalog.Package(p.ID); ok {
			continue
		}
		if err := s.catalog.Add(p); err != nil {
			continue
		}
		s.knownSince[p.ID] = now
		added++
	}
	return added
}

// templateRef is a template reference of a command or filter, resolved.
type templateRef struct {
	// id is the template id reported in events: the id of the package that
	// defines it when the package is loaded, the id as given otherwise.
	id          *v2.Identifier
	packageName string
	template    *lf.Template // nil for a template of an unknown package
	interfaces  []*v2.Identifier
}

// resolveTemplate resolves a command's template id. A template of a loaded
// package must exist; a template of an unknown package is accepted only
// when the ledger is schemaless. The caller holds l.mu.
func (l *Ledger) resolveTemplate(field string, id *v2.Identifier) (templateRef, error) {
	if id == nil || id.GetModuleName() == "" || id.GetEntityName() == "" || id.GetPackageId() == "" {
		return templateRef{}, newf(errMissingField, "the %s field is missing or incomplete: set package_id, module_name and entity_name", field)
	}

	cat := l.packages.catalog
	tid := lf.TemplateIDFromIdentifier(id)
	name, byName := strings.CutPrefix(id.GetPackageId(), "#")
	if _, known := cat.Package(id.GetPackageId()); !known {
		if !l.schemaless {
			if byName {
				return templateRef{}, newf(errPackageNotFound, "no package named %q is loaded (template %s); upload its DAR first", name, tid)
			}
			return templateRef{}, newf(errPackageNotFound, "package %s is not loaded (template %s); upload its DAR first", id.GetPackageId(), tid)
		}
		ref := templateRef{id: cloneIdentifier(id), packageName: id.GetPackageId()}
		if byName {
			ref.packageName = name
		}
		l.logOnceFor("schemaless:"+tid.String(), "template of an unknown package accepted without type checks", "template", tid.String())
		return ref, nil
	}

	t, ok := cat.Template(tid)
	if !ok {
		return templateRef{}, newf(errTemplateNotFound, "template %s is not defined in the loaded packages", tid)
	}
	pkg, _ := cat.Package(t.ID.PackageID)
	ref := templateRef{id: t.ID.Identifier(), template: t}
	if pkg != nil {
		ref.packageName = pkg.Name
	}
	for _, iid := range t.Implements {
		ref.interfaces = append(ref.interfaces, iid.Identifier())
	}
	return ref, nil
}

// sameTemplate reports whether a command's template id names the template
// a contract was created with.
func sameTemplate(given *v2.Identifier, c *contract) bool {
	if given.GetModuleName() != c.templateID.GetModuleName() || given.GetEntityName() != c.templateID.GetEntityName() {
		return false
	}
	pkg := given.GetPackageId()
	if name, ok := strings.CutPrefix(pkg, "#"); ok {
		return name == c.packageName
	}
	return pkg == c.templateID.GetPackageId()
}

func cloneIdentifier(id *v2.Identifier) *v2.Identifier {
	return &v2.Identifier{PackageId: id.GetPackageId(), ModuleName: id.GetModuleName(), EntityName: id.GetEntityName()}
}

// normalizeValue returns v in the codec's canonical form for type t, with
// record labels. It returns v itself when the codec cannot round-trip it.
func (l *Ledger) normalizeValue(t *lf.Type, v *v2.Value) *v2.Value {
	decoded, err := l.packages.catalog.Decode(t, v)
	if err != nil {
		return v
	}
	out, err := l.packages.catalog.Encode(t, decoded)
	if err != nil {
		return v
	}
	return out
}

// normalizeRecord is normalizeValue for the arguments of a template.
func (l *Ledger) normalizeRecord(id lf.TemplateID, r *v2.Record) *v2.Record {
	v := l.normalizeValue(lf.ConType(id), &v2.Value{Sum: &v2.Value_Record{Record: r}})
	if rec := v.GetRecord(); rec != nil {
		return rec
	}
	return r
}
