package builtins

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"go.starlark.net/starlark"
)

// HTTPClientResponse is the value an http function returns: status (also
// status_code), ok, headers, body (bytes), url, and the methods text(),
// json() and raise_for_status().
type HTTPClientResponse struct {
	Status int
	Header http.Header
	Body   []byte
	// URL is the request URL with query values redacted.
	URL    string
	Method string
}

var _ starlark.HasAttrs = (*HTTPClientResponse)(nil)

// String returns a description such as <http response 200>.
func (r *HTTPClientResponse) String() string { return fmt.Sprintf("<http response %d>", r.Status) }

// Type returns "http_response".
func (r *HTTPClientResponse) Type() string { return "http_response" }

// Freeze does nothing: a response is immutable.
func (r *HTTPClientResponse) Freeze() {}

// Truth returns True.
func (r *HTTPClientResponse) Truth() starlark.Bool { return true }

// Hash fails: responses are not dictionary keys.
func (r *HTTPClientResponse) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: http_response")
}

// Attr returns the response's fields and methods.
func (r *HTTPClientResponse) Attr(name string) (starlark.Value, error) {
	switch name {
	case "status", "status_code":
		return starlark.MakeInt(r.Status), nil
	case "ok":
		return starlark.Bool(r.Status < 400), nil
	case "url":
		return starlark.String(r.URL), nil
	case "headers":
		return &Headers{h: r.Header}, nil
	case "body", "content":
		return starlark.Bytes(r.Body), nil
	case "text":
		return noArgMethod(r, name, func() (starlark.Value, error) {
			return starlark.String(r.Body), nil
		}), nil
	case "json":
		return starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			v, err := decodeJSON(thread, r.Body, nil)
			if err != nil {
				return nil, fmt.Errorf("json: response of %s %s (status %d): %w", r.Method, r.URL, r.Status, err)
			}
			return v, nil
		}).BindReceiver(r), nil
	case "raise_for_status":
		return noArgMethod(r, name, func() (starlark.Value, error) {
			if r.Status >= 400 {
				return nil, fmt.Errorf("%s %s: status %d %s", r.Method, r.URL, r.Status, http.StatusText(r.Status))
			}
			return starlark.None, nil
		}), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (r *HTTPClientResponse) AttrNames() []string {
	return []string{"body", "content", "headers", "json", "ok", "raise_for_status", "status", "status_code", "text", "url"}
}

// Headers is a read-only, case-insensitive mapping of HTTP header names to
// their first value. It supports headers["content-type"], "name" in
// headers, get(name, default), keys(), values() and items().
type Headers struct {
	h http.Header
}

var (
	_ starlark.IterableMapping = (*Headers)(nil)
	_ starlark.HasAttrs        = (*Headers)(nil)
)

// NewHeaders wraps h.
func NewHeaders(h http.Header) *Headers { return &Headers{h: h} }

func (m *Headers) keys() []string {
	keys := make([]string, 0, len(m.h))
	for k := range m.h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// String returns the headers as a dict literal.
func (m *Headers) String() string { return headerDict(m.h).String() }

// Type returns "headers".
func (m *Headers) Type() string { return "headers" }

// Freeze does nothing: Headers is read-only.
func (m *Headers) Freeze() {}

// Truth reports whether there is any header.
func (m *Headers) Truth() starlark.Bool { return len(m.h) > 0 }

// Hash fails: Headers is not a dictionary key.
func (m *Headers) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: headers") }

// Get looks a header up case-insensitively.
func (m *Headers) Get(k starlark.Value) (starlark.Value, bool, error) {
	name, ok := k.(starlark.String)
	if !ok {
		return nil, false, fmt.Errorf("headers: key: got %s, want string", k.Type())
	}
	values := m.h.Values(string(name))
	if len(values) == 0 {
		// Fall back for header maps that were not built canonically.
		for key, vs := range m.h {
			if strings.EqualFold(key, string(name)) && len(vs) > 0 {
				return starlark.String(vs[0]), true, nil
			}
		}
		return nil, false, nil
	}
	return starlark.String(values[0]), true, nil
}

// Items returns (name, first value) pairs in name order.
func (m *Headers) Items() []starlark.Tuple {
	var items []starlark.Tuple
	for _, k := range m.keys() {
		items = append(items, starlark.Tuple{starlark.String(k), starlark.String(m.h.Get(k))})
	}
	return items
}

// Iterate iterates over the header names in order.
func (m *Headers) Iterate() starlark.Iterator {
	var names []starlark.Value
	for _, k := range m.keys() {
		names = append(names, starlark.String(k))
	}
	return starlark.NewList(names).Iterate()
}

// Len returns the number of header names.
func (m *Headers) Len() int { return len(m.h) }

// Attr returns get, keys, values and items, as a dict has.
func (m *Headers) Attr(name string) (starlark.Value, error) {
	switch name {
	case "get":
		return method(m, name, func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var key starlark.Value
			var dflt starlark.Value = starlark.None
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "key", &key, "default?", &dflt); err != nil {
				return nil, err
			}
			v, found, err := m.Get(key)
			if err != nil {
				return nil, err
			}
			if !found {
				return dflt, nil
			}
			return v, nil
		}), nil
	case "keys", "values", "items":
		return noArgMethod(m, name, func() (starlark.Value, error) {
			var out []starlark.Value
			for _, item := range m.Items() {
				switch name {
				case "keys":
					out = append(out, item[0])
				case "values":
					out = append(out, item[1])
				default:
					out = append(out, item)
				}
			}
			return starlark.NewList(out), nil
		}), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (m *Headers) AttrNames() []string { return []string{"get", "items", "keys", "values"} }
