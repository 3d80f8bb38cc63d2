package builtins

import (
	"fmt"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strings"

	starlarkjson "go.starlark.net/lib/json"
	"go.starlark.net/starlark"
)

// RequestData is an inbound webhook request as the runtime hands it to
// NewRequest.
type RequestData struct {
	Method string
	Path   string
	Header http.Header
	Query  url.Values
	// Params are the route parameters matched by the url_suffix pattern.
	Params map[string]string
	Body   []byte
	// Parties are the parties of the authenticated token; nil on public routes.
	Parties []string
}

// Request is the request value a webhook handler receives. It mirrors the
// parts of aiohttp's web.Request that integrations use: method, path,
// headers (case-insensitive), query, match_info, content_type, and the body
// through text(), json(), read() and post().
type Request struct {
	data  RequestData
	attrs starlark.StringDict
}

var _ starlark.HasAttrs = (*Request)(nil)

// NewRequest builds the request value for one webhook call.
func NewRequest(d RequestData) *Request {
	r := &Request{data: d}
	matchInfo := starlark.NewDict(len(d.Params))
	keys := make([]string, 0, len(d.Params))
	for k := range d.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		_ = matchInfo.SetKey(starlark.String(k), starlark.String(d.Params[k]))
	}
	matchInfo.Freeze()

	contentType := ""
	if ct := d.Header.Get("Content-Type"); ct != "" {
		if media, _, err := mime.ParseMediaType(ct); err == nil {
			contentType = media
		} else {
			contentType = strings.TrimSpace(strings.SplitN(ct, ";", 2)[0])
		}
	}

	r.attrs = starlark.StringDict{
		"method":       starlark.String(d.Method),
		"path":         starlark.String(d.Path),
		"headers":      newMultiDict("headers", headerPairs(d.Header), true),
		"query":        newMultiDict("query", valuePairs(d.Query), false),
		"match_info":   matchInfo,
		"content_type": starlark.String(contentType),
		"text":         starlark.NewBuiltin("text", r.text),
		"json":         starlark.NewBuiltin("json", r.json),
		"read":         starlark.NewBuiltin("read", r.read),
		"post":         starlark.NewBuiltin("post", r.post),
	}
	return r
}

// Parties returns the parties of the authenticated request.
func (r *Request) Parties() []string { return r.data.Parties }

func (r *Request) String() string        { return fmt.Sprintf("<request %s %s>", r.data.Method, r.data.Path) }
func (r *Request) Type() string          { return "request" }
func (r *Request) Freeze()               {}
func (r *Request) Truth() starlark.Bool  { return true }
func (r *Request) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: request") }

// Attr returns one of the request's attributes or methods.
func (r *Request) Attr(name string) (starlark.Value, error) {
	if v, ok := r.attrs[name]; ok {
		return v, nil
	}
	return nil, nil
}

// AttrNames returns the attribute names in sorted order.
func (r *Request) AttrNames() []string { return r.attrs.Keys() }

func (r *Request) text(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return starlark.String(r.data.Body), nil
}

func (r *Request) read(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return starlark.Bytes(r.data.Body), nil
}

func (r *Request) json(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	decode := starlarkjson.Module.Members["decode"]
	v, err := starlark.Call(thread, decode, starlark.Tuple{starlark.String(r.data.Body)}, nil)
	if err != nil {
		return nil, fmt.Errorf("json: request body is not valid JSON: %w", err)
	}
	return v, nil
}

// post parses a form body (application/x-www-form-urlencoded) into a
// multidict, as aiohttp's request.post() does.
func (r *Request) post(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	if ct := r.data.Header.Get("Content-Type"); ct != "" {
		media, _, err := mime.ParseMediaType(ct)
		if err == nil && media != "application/x-www-form-urlencoded" {
			// NOTE: multipart/form-data bodies are not parsed; scripts read them with read().
			return nil, fmt.Errorf("post: content type %q is not supported; post() reads application/x-www-form-urlencoded bodies, use read() for others", media)
		}
	}
	values, err := url.ParseQuery(string(r.data.Body))
	if err != nil {
		return nil, fmt.Errorf("post: request body is not a valid form: %w", err)
	}
	return newMultiDict("form", formPairs(string(r.data.Body), values), false), nil
}

// get_request_parties(request) returns the list of parties of an
// authenticated request, empty on public routes.
func getRequestParties(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	r, err := unpackRequest(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	parties := make([]starlark.Value, len(r.data.Parties))
	for i, p := range r.data.Parties {
		parties[i] = starlark.String(p)
	}
	return starlark.NewList(parties), nil
}

// get_single_request_party(request) returns the only party of an
// authenticated request, None when there is none, and fails when there are
// several.
func getSingleRequestParty(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	r, err := unpackRequest(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	switch len(r.data.Parties) {
	case 0:
		return starlark.None, nil
	case 1:
		return starlark.String(r.data.Parties[0]), nil
	}
	return nil, fmt.Errorf("%s: the request's token names %d parties (%s), want exactly one; use get_request_parties to read them all",
		b.Name(), len(r.data.Parties), strings.Join(r.data.Parties, ", "))
}

func unpackRequest(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (*Request, error) {
	var v starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "request", &v); err != nil {
		return nil, err
	}
	r, ok := v.(*Request)
	if !ok {
		return nil, fmt.Errorf("%s: request: got %s, want request", b.Name(), v.Type())
	}
	return r, nil
}

// init adds the request helpers to daml_dit_if.api and the predeclared names.
func init() {
	RegisterAPI("get_request_parties", starlark.NewBuiltin("get_request_parties", getRequestParties))
	RegisterAPI("get_single_request_party", starlark.NewBuiltin("get_single_request_party", getSingleRequestParty))
}

// pair is one key and value of a multidict, in arrival order.
type pair struct{ key, value string }

func headerPairs(h http.Header) []pair {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []pair
	for _, k := range keys {
		for _, v := range h[k] {
			pairs = append(pairs, pair{textproto.CanonicalMIMEHeaderKey(k), v})
		}
	}
	return pairs
}

func valuePairs(q url.Values) []pair {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []pair
	for _, k := range keys {
		for _, v := range q[k] {
			pairs = append(pairs, pair{k, v})
		}
	}
	return pairs
}

// formPairs keeps the order in which fields appear in the body; values is
// the parsed form, used only for the decoded text.
func formPairs(body string, values url.Values) []pair {
	var pairs []pair
	seen := map[string]int{}
	for _, part := range strings.Split(body, "&") {
		if part == "" {
			continue
		}
		rawKey, _, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			continue
		}
		i := seen[key]
		if i < len(values[key]) {
			pairs = append(pairs, pair{key, values[key][i]})
			seen[key] = i + 1
		}
	}
	return pairs
}

// multiDict is a read-only mapping that may hold several values per key,
// like aiohttp's MultiDictProxy: m[key] and get() return the first value,
// getone() fails when the key is missing, getall() returns every value.
// With fold set, keys compare case-insensitively (HTTP headers).
type multiDict struct {
	name  string
	pairs []pair
	fold  bool
	// byKey and order index pairs, so that a lookup or len() does not scan
	// every pair: a form may have 10000 fields, and a script that looks up
	// each of them would otherwise take time quadratic in their number.
	byKey map[string][]string
	order []string // the distinct keys, in order of first appearance
}

var (
	_ starlark.Mapping  = (*multiDict)(nil)
	_ starlark.HasAttrs = (*multiDict)(nil)
	_ starlark.Iterable = (*multiDict)(nil)
	_ starlark.Sequence = (*multiDict)(nil)
)

func newMultiDict(name string, pairs []pair, fold bool) *multiDict {
	m := &multiDict{name: name, pairs: pairs, fold: fold, byKey: map[string][]string{}}
	for _, p := range pairs {
		if _, seen := m.byKey[p.key]; !seen {
			m.order = append(m.order, p.key)
		}
		m.byKey[p.key] = append(m.byKey[p.key], p.value)
	}
	return m
}

func (m *multiDict) normalize(key string) string {
	if m.fold {
		return textproto.CanonicalMIMEHeaderKey(key)
	}
	return key
}

// values returns the values of key in order. Callers must not change the
// returned slice.
func (m *multiDict) values(key string) []string {
	return m.byKey[m.normalize(key)]
}

// keys returns the distinct keys in order. Callers must not change the
// returned slice.
func (m *multiDict) keys() []string {
	return m.order
}

func (m *multiDict) String() string {
	var b strings.Builder
	b.WriteString("<" + m.name + " {")
	for i, p := range m.pairs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q: %q", p.key, p.value)
	}
	b.WriteString("}>")
	return b.String()
}
func (m *multiDict) Type() string          { return "multidict" }
func (m *multiDict) Freeze()               {}
func (m *multiDict) Truth() starlark.Bool  { return len(m.pairs) > 0 }
func (m *multiDict) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: multidict") }
func (m *multiDict) Len() int              { return len(m.keys()) }

// Get implements m[key]: the first value of key.
func (m *multiDict) Get(k starlark.Value) (starlark.Value, bool, error) {
	key, ok := starlark.AsString(k)
	if !ok {
		return nil, false, fmt.Errorf("%s: key: got %s, want string", m.name, k.Type())
	}
	vs := m.values(key)
	if len(vs) == 0 {
		return nil, false, nil
	}
	return starlark.String(vs[0]), true, nil
}

// Iterate yields the distinct keys, as iterating a Python mapping does.
func (m *multiDict) Iterate() starlark.Iterator {
	keys := m.keys()
	values := make([]starlark.Value, len(keys))
	for i, k := range keys {
		values[i] = starlark.String(k)
	}
	return starlark.NewList(values).Iterate()
}

func (m *multiDict) Attr(name string) (starlark.Value, error) {
	switch name {
	case "get", "getone", "getall", "keys", "values", "items":
		return starlark.NewBuiltin(name, m.method).BindReceiver(m), nil
	}
	return nil, nil
}

func (m *multiDict) AttrNames() []string {
	return []string{"get", "getall", "getone", "items", "keys", "values"}
}

func (m *multiDict) method(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	name := b.Name()
	switch name {
	case "keys", "values", "items":
		if err := starlark.UnpackArgs(name, args, kwargs); err != nil {
			return nil, err
		}
		out := make([]starlark.Value, 0, len(m.pairs))
		for _, p := range m.pairs {
			switch name {
			case "keys":
				out = append(out, starlark.String(p.key))
			case "values":
				out = append(out, starlark.String(p.value))
			default:
				out = append(out, starlark.Tuple{starlark.String(p.key), starlark.String(p.value)})
			}
		}
		return starlark.NewList(out), nil
	}
	var key, fallback starlark.Value
	fallback = starlark.None
	hasDefault := len(args)+len(kwargs) > 1
	if err := starlark.UnpackArgs(name, args, kwargs, "key", &key, "default?", &fallback); err != nil {
		return nil, err
	}
	text, ok := starlark.AsString(key)
	if !ok {
		return nil, fmt.Errorf("%s: key: got %s, want string", name, key.Type())
	}
	vs := m.values(text)
	switch name {
	case "getall":
		if len(vs) == 0 {
			if hasDefault {
				return fallback, nil
			}
			return nil, fmt.Errorf("getall: key %q not found in %s", text, m.name)
		}
		out := make([]starlark.Value, len(vs))
		for i, v := range vs {
			out[i] = starlark.String(v)
		}
		return starlark.NewList(out), nil
	case "getone":
		if len(vs) == 0 {
			if hasDefault {
				return fallback, nil
			}
			return nil, fmt.Errorf("getone: key %q not found in %s", text, m.name)
		}
		return starlark.String(vs[0]), nil
	default:
		if len(vs) == 0 {
			return fallback, nil
		}
		return starlark.String(vs[0]), nil
	}
}
