package lf

import "fmt"

// maxSynonymDepth bounds synonym expansion, so that a synonym cycle in a
// corrupt package cannot loop forever.
const maxSynonymDepth = 100

// The helpers below expect the caller to hold c.mu for reading.

// expand returns t with type synonyms at its head replaced by their
// definitions.
func (c *Catalog) expand(t *Type) (*Type, error) {
	for range maxSynonymDepth {
		if t == nil || t.Kind != TypeSyn {
			return t, nil
		}
		syn, ok := c.lookupSynonym(t.Con)
		if !ok {
			return nil, fmt.Errorf("type synonym %s not found in the loaded packages", t.Con)
		}
		if len(syn.Params) != len(t.Args) {
			return nil, fmt.Errorf("type synonym %s takes %d arguments, got %d", t.Con.Name(), len(syn.Params), len(t.Args))
		}
		t = syn.Type.substitute(bindParams(syn.Params, t.Args))
	}
	return nil, fmt.Errorf("type synonym %s expands more than %d times", t.Con.Name(), maxSynonymDepth)
}

// dataType returns the definition of a data type applied to arguments, and
// the binding of its type parameters to those arguments.
func (c *Catalog) dataType(t *Type) (*DataType, map[string]*Type, error) {
	def, ok := c.lookupDataType(t.Con)
	if !ok {
		return nil, nil, fmt.Errorf("data type %s not found in the loaded packages", t.Con)
	}
	if len(def.Params) != len(t.Args) {
		return nil, nil, fmt.Errorf("data type %s takes %d type arguments, got %d", t.Con.Name(), len(def.Params), len(t.Args))
	}
	return def, bindParams(def.Params, t.Args), nil
}

func bindParams(params []string, args []*Type) map[string]*Type {
	if len(params) == 0 {
		return nil
	}
	env := make(map[string]*Type, len(params))
	for i, p := range params {
		if i < len(args) {
			env[p] = args[i]
		}
	}
	return env
}

// fieldType returns the type of a field of an applied record or variant.
func fieldType(f Field, env map[string]*Type) *Type { return f.Type.substitute(env) }
