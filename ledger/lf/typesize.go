package lf

import "fmt"

// maxTypeSize bounds the number of nodes of one decoded type, counted as a
// tree. Interned types share subtrees, so a table of a hundred entries can
// describe a type of 2^100 nodes, and every walk over such a type
// (substituting type arguments, printing it in an error) would never end.
// The largest field, synonym or choice type in the test DARs has 11 nodes.
const maxTypeSize = 10000

// typeSizes stores the tree size of each type decoded so far, so that a
// type whose parts are shared is measured in time linear in its parts.
type typeSizes map[*Type]int

// size returns the number of nodes of t as a tree, or maxTypeSize+1 when it
// has more.
func (s typeSizes) size(t *Type) int {
	if t == nil {
		return 0
	}
	if n, ok := s[t]; ok {
		return n
	}
	n := 1
	for _, a := range t.Args {
		n += s.size(a)
		if n > maxTypeSize {
			n = maxTypeSize + 1
			break
		}
	}
	s[t] = n
	return n
}

// check returns an error when t has more than maxTypeSize nodes.
func (s typeSizes) check(t *Type) error {
	if s.size(t) > maxTypeSize {
		return fmt.Errorf("type has more than %d nodes once its interned parts are expanded: the package is corrupt; rebuild it with daml build", maxTypeSize)
	}
	return nil
}
