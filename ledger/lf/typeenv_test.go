package lf

import (
	"path/filepath"
	"testing"

	"github.com/ditstar/ditstar/internal/testdata"
)

// TestTemplateTypesResolve walks the field, key and choice types of every
// template in every test DAR and checks that each data type and synonym they
// name is found with the right number of type arguments. This catches
// package references and interned names that decode wrongly.
func TestTemplateTypesResolve(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testdata.DARDir(t), "*.dar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			dar, err := ReadDAR(file)
			if err != nil {
				t.Fatal(err)
			}
			c := NewCatalog(dar.Packages...)
			seen := map[string]bool{}
			var walk func(where string, ty *Type)
			walk = func(where string, ty *Type) {
				if ty == nil {
					return
				}
				expanded, err := c.expand(ty)
				if err != nil {
					t.Errorf("%s: %v", where, err)
					return
				}
				for _, a := range expanded.Args {
					walk(where, a)
				}
				if expanded.Kind != TypeCon || seen[expanded.Con.String()] {
					return
				}
				seen[expanded.Con.String()] = true
				def, _, err := c.dataType(expanded)
				if err != nil {
					t.Errorf("%s: %v", where, err)
					return
				}
				for _, f := range def.Fields {
					walk(where+" > "+def.ID.Name()+"."+f.Name, f.Type)
				}
			}
			templates := 0
			for _, p := range dar.Packages {
				for _, tmpl := range p.Templates() {
					templates++
					walk(tmpl.ID.Name(), ConType(tmpl.ID))
					walk(tmpl.ID.Name()+" key", tmpl.Key)
					for _, ch := range tmpl.Choices {
						walk(tmpl.ID.Name()+" "+ch.Name, ch.ArgType)
						walk(tmpl.ID.Name()+" "+ch.Name+" result", ch.ReturnType)
					}
				}
			}
			if templates == 0 {
				t.Error("no templates in any package")
			}
		})
	}
}
