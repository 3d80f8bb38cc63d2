package lf

import (
	"fmt"
	"sort"
	"strings"
)

// Resolve returns the templates that a template reference names:
//
//	Module.Sub:Entity         the template in defaultPackageID when that
//	                          package defines it, else in whichever single
//	                          package of the catalog defines it
//	<package-id>:Module:Entity
//	#<package-name>:Module:Entity
//	                          the template in the named package; the id keeps
//	                          the "#name" form, which the Ledger API accepts
//	<package-id>:*            every template of the package
//	#<package-name>:*         every template of the newest package of that name
//	*                         every template of every package
//
// Lists are sorted by id. An unknown name is an error that lists the
// templates with the same entity name or in the same module. A name that
// two packages define is an error that lists both packages.
func (c *Catalog) Resolve(ref string, defaultPackageID string) ([]TemplateID, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ref = strings.TrimSpace(ref)
	if ref == "*" {
		var out []TemplateID
		for _, p := range c.packages {
			out = append(out, templateIDs(p)...)
		}
		sortIDs(out)
		return out, nil
	}
	parts := strings.Split(ref, ":")
	switch {
	case len(parts) == 2 && parts[1] == "*":
		p, ok := c.lookupPackage(parts[0])
		if !ok {
			return nil, fmt.Errorf("resolve template %q: package %s not found; packages: %s", ref, parts[0], c.packageList())
		}
		out := templateIDs(p)
		sortIDs(out)
		return out, nil
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return c.resolveName(ref, parts[0], parts[1], defaultPackageID)
	case len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] != "":
		id := TemplateID{PackageID: parts[0], Module: parts[1], Entity: parts[2]}
		if _, ok := c.lookupPackage(id.PackageID); !ok {
			return nil, fmt.Errorf("resolve template %q: package %s not found; packages: %s", ref, id.PackageID, c.packageList())
		}
		if _, ok := c.lookupTemplate(id); !ok {
			return nil, fmt.Errorf("resolve template %q: template not found%s", ref, c.suggest(id.Module, id.Entity))
		}
		return []TemplateID{id}, nil
	}
	return nil, fmt.Errorf("invalid template reference %q: want Module:Entity, package-id:Module:Entity, #package-name:Module:Entity, package-id:* or *", ref)
}

func (c *Catalog) resolveName(ref, module, entity, defaultPackageID string) ([]TemplateID, error) {
	if defaultPackageID != "" {
		id := TemplateID{PackageID: defaultPackageID, Module: module, Entity: entity}
		if _, ok := c.lookupTemplate(id); ok {
			if p, ok := c.lookupPackage(defaultPackageID); ok {
				id.PackageID = p.ID
			}
			return []TemplateID{id}, nil
		}
	}
	var found []TemplateID
	for _, p := range c.packages {
		if m, ok := p.Module(module); ok {
			if _, ok := m.Templates[entity]; ok {
				found = append(found, TemplateID{PackageID: p.ID, Module: module, Entity: entity})
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("resolve template %q: template not found%s", ref, c.suggest(module, entity))
	case 1:
		return found, nil
	}
	sortIDs(found)
	names := make([]string, len(found))
	for i, id := range found {
		names[i] = id.String()
		if p := c.byID[id.PackageID]; p.Name != "" {
			names[i] += " (" + p.Name + " " + p.Version + ")"
		}
	}
	return nil, fmt.Errorf("resolve template %q: ambiguous, %d packages define it; name one of: %s", ref, len(found), strings.Join(names, ", "))
}

// suggest lists the templates that share the entity name or the module of
// a reference that was not found.
func (c *Catalog) suggest(module, entity string) string {
	seen := map[string]bool{}
	var names []string
	for _, p := range c.packages {
		for _, t := range p.Templates() {
			if (t.ID.Entity == entity || t.ID.Module == module) && !seen[t.ID.Name()] {
				seen[t.ID.Name()] = true
				names = append(names, t.ID.Name())
			}
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf(" in %d packages", len(c.packages))
	}
	sort.Strings(names)
	return "; candidates: " + strings.Join(names, ", ")
}

func (c *Catalog) packageList() string {
	var names []string
	for _, p := range c.packages {
		s := p.ID
		if p.Name != "" {
			s += " (" + p.Name + " " + p.Version + ")"
		}
		names = append(names, s)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func templateIDs(p *Package) []TemplateID {
	var out []TemplateID
	for _, t := range p.Templates() {
		out = append(out, t.ID)
	}
	return out
}

func sortIDs(ids []TemplateID) {
	sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
}
