package lf

import (
	"bytes"
	"time"
)

// Map is an ordered collection of entries: a record (field name to value),
// a TextMap or GenMap, or a variant (one entry, constructor to value).
// Keys[i] belongs to Values[i]. Keys are compared by value, so a GenMap key
// may be any value the codec produces, including a *Map.
type Map struct {
	Keys   []any
	Values []any
}

// NewMap returns a map with the given entries in order.
// Pairs alternate key and value, so their count must be even.
func NewMap(pairs ...any) *Map {
	if len(pairs)%2 != 0 {
		panic("lf.NewMap: odd number of arguments")
	}
	m := &Map{}
	for i := 0; i < len(pairs); i += 2 {
		m.Set(pairs[i], pairs[i+1])
	}
	return m
}

// Len returns the number of entries.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.Keys)
}

// Get returns the value stored under key.
func (m *Map) Get(key any) (any, bool) {
	if i := m.index(key); i >= 0 {
		return m.Values[i], true
	}
	return nil, false
}

// Set replaces the value under key, or appends the entry when key is new.
func (m *Map) Set(key, value any) {
	if i := m.index(key); i >= 0 {
		m.Values[i] = value
		return
	}
	m.Keys = append(m.Keys, key)
	m.Values = append(m.Values, value)
}

func (m *Map) index(key any) int {
	if m == nil {
		return -1
	}
	for i, k := range m.Keys {
		if ValuesEqual(k, key) {
			return i
		}
	}
	return -1
}

// ValuesEqual reports whether two codec values are equal: Decimals by
// numeric value, times by instant, maps entry by entry in order, and lists
// element by element.
func ValuesEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case Decimal:
		y, ok := b.(Decimal)
		return ok && x.Cmp(y) == 0
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i := range x.Keys {
			if !ValuesEqual(x.Keys[i], y.Keys[i]) || !ValuesEqual(x.Values[i], y.Values[i]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !ValuesEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case string, bool, int64, Date:
		return a == b
	}
	return false
}
