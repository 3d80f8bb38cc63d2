package lf

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Catalog is a set of packages, indexed by id and by name. It is safe for
// concurrent use, so a client may add packages it fetches while handlers
// encode and decode values.
type Catalog struct {
	mu       sync.RWMutex
	packages []*Package
	byID     map[string]*Package
	byName   map[string][]*Package
}

// NewCatalog returns a catalog of the given packages. A package whose id is
// already present is skipped.
func NewCatalog(pkgs ...*Package) *Catalog {
	c := &Catalog{byID: map[string]*Package{}, byName: map[string][]*Package{}}
	for _, p := range pkgs {
		_ = c.Add(p)
	}
	return c
}

// Add adds a package. Adding a package id that is present again is a no-op.
func (c *Catalog) Add(p *Package) error {
	if p == nil || p.ID == "" {
		return fmt.Errorf("add package: package has no id")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byID[p.ID]; ok {
		return nil
	}
	c.packages = append(c.packages, p)
	c.byID[p.ID] = p
	if p.Name != "" {
		c.byName[p.Name] = append(c.byName[p.Name], p)
		sort.SliceStable(c.byName[p.Name], func(i, j int) bool {
			return compareVersions(c.byName[p.Name][i].Version, c.byName[p.Name][j].Version) > 0
		})
	}
	return nil
}

// Packages returns the packages in the order they were added.
func (c *Catalog) Packages() []*Package {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]*Package(nil), c.packages...)
}

// Package returns the package with the given id. A "#name" id returns the
// highest version of the packages with that name.
func (c *Catalog) Package(id string) (*Package, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.lookupPackage(id)
}

func (c *Catalog) lookupPackage(id string) (*Package, bool) {
	if name, ok := strings.CutPrefix(id, "#"); ok {
		if pkgs := c.byName[name]; len(pkgs) > 0 {
			return pkgs[0], true
		}
		return nil, false
	}
	p, ok := c.byID[id]
	return p, ok
}

// PackageByName returns the packages with the given metadata name, highest
// version first.
func (c *Catalog) PackageByName(name string) []*Package {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]*Package(nil), c.byName[name]...)
}

// Template returns a template by id. A "#name" package id resolves to the
// highest version of that package that defines the template.
func (c *Catalog) Template(id TemplateID) (*Template, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.lookupTemplate(id)
}

func (c *Catalog) lookupTemplate(id TemplateID) (*Template, bool) {
	for _, p := range c.candidatePackages(id.PackageID) {
		if m, ok := p.Module(id.Module); ok {
			if t, ok := m.Templates[id.Entity]; ok {
				return t, true
			}
		}
	}
	return nil, false
}

// Interface returns an interface by id, resolving "#name" as Template does.
func (c *Catalog) Interface(id TemplateID) (*Interface, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.lookupInterface(id)
}

func (c *Catalog) lookupInterface(id TemplateID) (*Interface, bool) {
	for _, p := range c.candidatePackages(id.PackageID) {
		if m, ok := p.Module(id.Module); ok {
			if i, ok := m.Interfaces[id.Entity]; ok {
				return i, true
			}
		}
	}
	return nil, false
}

// DataType returns a data type by id, resolving "#name" as Template does.
func (c *Catalog) DataType(id TemplateID) (*DataType, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.lookupDataType(id)
}

func (c *Catalog) lookupDataType(id TemplateID) (*DataType, bool) {
	for _, p := range c.candidatePackages(id.PackageID) {
		if m, ok := p.Module(id.Module); ok {
			if d, ok := m.DataTypes[id.Entity]; ok {
				return d, true
			}
		}
	}
	return nil, false
}

func (c *Catalog) lookupSynonym(id TemplateID) (*TypeSynonym, bool) {
	for _, p := range c.candidatePackages(id.PackageID) {
		if m, ok := p.Module(id.Module); ok {
			if s, ok := m.Synonyms[id.Entity]; ok {
				return s, true
			}
		}
	}
	return nil, false
}

func (c *Catalog) candidatePackages(id string) []*Package {
	if name, ok := strings.CutPrefix(id, "#"); ok {
		return c.byName[name]
	}
	if p, ok := c.byID[id]; ok {
		return []*Package{p}
	}
	return nil
}

// Choice returns a choice of a template, or of an interface the template
// implements, by name.
func (c *Catalog) Choice(tid TemplateID, name string) (*Choice, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.lookupChoice(tid, name)
}

func (c *Catalog) lookupChoice(tid TemplateID, name string) (*Choice, error) {
	if t, ok := c.lookupTemplate(tid); ok {
		if ch, ok := t.Choices[name]; ok {
			return ch, nil
		}
		for _, iid := range t.Implements {
			if i, ok := c.lookupInterface(iid); ok {
				if ch, ok := i.Choices[name]; ok {
					return ch, nil
				}
			}
		}
		return nil, fmt.Errorf("choice %s not found on template %s; choices: %s", name, tid.Name(), strings.Join(t.ChoiceNames(), ", "))
	}
	if i, ok := c.lookupInterface(tid); ok {
		if ch, ok := i.Choices[name]; ok {
			return ch, nil
		}
		return nil, fmt.Errorf("choice %s not found on interface %s; choices: %s", name, tid.Name(), strings.Join(sortedKeys(i.Choices), ", "))
	}
	return nil, fmt.Errorf("template %s not found", tid)
}

// compareVersions compares Daml package versions, dotted numbers, segment
// by segment ("1.10.0" > "1.9.2"). A missing segment counts as 0, and a
// segment that is not a number compares as text.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		x, y := "0", "0"
		if i < len(as) {
			x = as[i]
		}
		if i < len(bs) {
			y = bs[i]
		}
		xn, xerr := strconv.Atoi(x)
		yn, yerr := strconv.Atoi(y)
		switch {
		case xerr == nil && yerr == nil && xn != yn:
			if xn < yn {
				return -1
			}
			return 1
		case (xerr != nil || yerr != nil) && x != y:
			return strings.Compare(x, y)
		}
	}
	return 0
}
