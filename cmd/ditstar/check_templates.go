package main

import (
	"fmt"
	"strings"

	"github.com/ditstar/ditstar/builtins"
	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/ledger/lf"
)

// packageCatalog loads the package's DARs. It returns a nil catalog when the
// package has no DAR, so that template checks are skipped.
func packageCatalog(pkg *dit.Package) (*lf.Catalog, string, error) {
	dars, err := pkg.LoadDARs()
	if err != nil {
		return nil, "", err
	}
	if len(dars) == 0 {
		return nil, "", nil
	}
	catalog := lf.NewCatalog()
	for _, dar := range dars {
		for _, p := range dar.Packages {
			if err := catalog.Add(p); err != nil {
				return nil, "", fmt.Errorf("load package %s of %s: %w", p.ID, dar.File, err)
			}
		}
	}
	own := dars[0].MainPackageID
	if m := pkg.Meta.DamlModel; m != nil && m.MainPackageID != "" {
		own = m.MainPackageID
	}
	return catalog, own, nil
}

// checkResolver resolves template references against the package's DARs,
// as the runtime does against the ledger's packages.
type checkResolver struct {
	catalog    *lf.Catalog // nil: the package has no DAR
	ownPackage string
}

func (c *checkResolver) resolve(ref string, packageDefaulting bool) (builtins.TemplateSet, error) {
	ref = strings.TrimSpace(ref)
	if ref == "*" {
		return builtins.TemplateSet{Any: true}, nil
	}
	if !strings.Contains(ref, ":") || strings.HasPrefix(ref, "*:") || ref == "" {
		return builtins.TemplateSet{}, fmt.Errorf("%q is not a template reference: want \"*\", \"Module:Entity\" or \"<package-id>:Module:Entity\"", ref)
	}
	if c.catalog == nil {
		return builtins.TemplateSet{}, nil // no DAR: the ledger's packages decide
	}
	if pkg, ok := strings.CutSuffix(ref, ":*"); ok && !strings.HasPrefix(pkg, "#") && !strings.Contains(pkg, ":") {
		return builtins.TemplateSet{PackageID: pkg}, nil
	}
	def := ""
	if packageDefaulting {
		def = c.ownPackage
	}
	ids, err := c.catalog.Resolve(ref, def)
	if err != nil {
		return builtins.TemplateSet{}, fmt.Errorf("not found in the package's DARs: %w", err)
	}
	return builtins.TemplateSet{IDs: ids}, nil
}

// sampleTemplate returns the first template of the own model, or "*".
func (c *checkResolver) sampleTemplate() string {
	if c.catalog == nil {
		return "*"
	}
	if p, ok := c.catalog.Package(c.ownPackage); ok {
		if templates := p.Templates(); len(templates) > 0 {
			return templates[0].ID.String()
		}
	}
	return "*"
}

func (c *checkResolver) qualify(name string) (string, error) {
	if c.catalog == nil || c.ownPackage == "" || strings.Count(name, ":") > 1 {
		return name, nil
	}
	return c.ownPackage + ":" + name, nil
}

// checkCalls reports literal templates that the DARs lack and literal
// choices that their template, or for exercise any template, lacks.
func (c *checkResolver) checkCalls(file string, calls []commandCall, r *checkReport) {
	for _, call := range calls {
		var ids []lf.TemplateID
		if call.template != "" {
			set, err := c.resolve(call.template, true)
			if err != nil {
				r.add(file, call.templatePos[0], call.templatePos[1], fmt.Sprintf("%s: %v", call.name, err))
				continue
			}
			ids = set.IDs
		}
		if call.choice == "" {
			continue
		}
		if call.template != "" {
			for _, id := range ids {
				if _, err := c.catalog.Choice(id, call.choice); err != nil {
					r.add(file, call.choicePos[0], call.choicePos[1], fmt.Sprintf("%s: %v", call.name, err))
				}
			}
			continue
		}
		if !c.anyTemplateHasChoice(call.choice) {
			r.add(file, call.choicePos[0], call.choicePos[1], fmt.Sprintf("%s: no template in the package's DARs has a choice %q", call.name, call.choice))
		}
	}
}

func (c *checkResolver) anyTemplateHasChoice(choice string) bool {
	for _, p := range c.catalog.Packages() {
		for _, t := range p.Templates() {
			if _, ok := t.Choices[choice]; ok {
				return true
			}
		}
	}
	return false
}
