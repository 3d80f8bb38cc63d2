package integration

import (
	"context"
	"fmt"
	"strings"

	"go.starlark.net/starlark"
)

// matches applies a handler's match argument to contract data. A dict
// matches when every entry equals the contract's value at that key, and a
// key with dots ("owner.name") or a nested dict reaches into nested
// records. A function matches when it returns a true value. A failing match function
// counts as a handler error and the event is not delivered to the handler.
func (r *Runtime) matches(ctx context.Context, gen *generation, hs *handlerState, cdata starlark.Value) bool {
	switch m := hs.h.Match.(type) {
	case nil:
		return true
	case *starlark.Dict:
		return matchDict(m, cdata)
	case starlark.Callable:
		v, err := gen.interp.Call(context.WithoutCancel(ctx), m, starlark.Tuple{cdata}, nil, r.threadSetup(hs.name()+".match"))
		if err != nil {
			r.handlerFailed(hs, fmt.Errorf("match: %w", err))
			return false
		}
		return bool(v.Truth())
	}
	return false
}

func matchDict(want *starlark.Dict, data starlark.Value) bool {
	for _, item := range want.Items() {
		key, ok := starlark.AsString(item[0])
		if !ok {
			return false
		}
		got, found := lookupPath(data, strings.Split(key, "."))
		if !found || !matchValue(item[1], got) {
			return false
		}
	}
	return true
}

func lookupPath(data starlark.Value, path []string) (starlark.Value, bool) {
	for _, field := range path {
		mapping, ok := data.(starlark.Mapping)
		if !ok {
			return nil, false
		}
		v, found, err := mapping.Get(starlark.String(field))
		if err != nil || !found {
			return nil, false
		}
		data = v
	}
	return data, true
}

// matchValue compares a wanted value with the contract's. A nested dict is a
// partial match on a nested record. A string also matches a value whose
// str() is that string, so that Decimal, date and time fields can be
// matched with their text forms.
func matchValue(want, got starlark.Value) bool {
	if nested, ok := want.(*starlark.Dict); ok {
		if _, isMapping := got.(starlark.Mapping); isMapping {
			return matchDict(nested, got)
		}
		return false
	}
	if eq, err := starlark.Equal(want, got); err == nil && eq {
		return true
	}
	if text, ok := want.(starlark.String); ok {
		if _, gotString := got.(starlark.String); !gotString {
			return got.String() == string(text)
		}
	}
	return false
}
