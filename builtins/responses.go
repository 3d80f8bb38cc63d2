package builtins

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// HTTPResponse is the reply a webhook handler gives.
type HTTPResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// Response is the Starlark value of a webhook reply, built by json_response
// and the other response helpers.
type Response struct {
	HTTP HTTPResponse
}

var _ starlark.HasAttrs = (*Response)(nil)

// String returns a short description such as <Response 200 application/json>.
func (r *Response) String() string {
	return fmt.Sprintf("<Response %d %s>", r.HTTP.Status, r.HTTP.Header.Get("Content-Type"))
}

// Type returns "Response".
func (r *Response) Type() string { return "Response" }

// Freeze does nothing: a Response is immutable.
func (r *Response) Freeze() {}

// Truth returns True.
func (r *Response) Truth() starlark.Bool { return true }

// Hash fails: responses are not dictionary keys.
func (r *Response) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: Response") }

// Attr returns status, content_type, headers (a dict of the first value of
// each header), body (bytes) and text (the body as a string).
func (r *Response) Attr(name string) (starlark.Value, error) {
	switch name {
	case "status":
		return starlark.MakeInt(r.HTTP.Status), nil
	case "content_type":
		return starlark.String(r.HTTP.Header.Get("Content-Type")), nil
	case "headers":
		return headerDict(r.HTTP.Header), nil
	case "body":
		return starlark.Bytes(r.HTTP.Body), nil
	case "text":
		return starlark.String(r.HTTP.Body), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (r *Response) AttrNames() []string {
	return []string{"body", "content_type", "headers", "status", "text"}
}

func headerDict(h http.Header) *starlark.Dict {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := starlark.NewDict(len(keys))
	for _, k := range keys {
		_ = d.SetKey(starlark.String(k), starlark.String(h.Get(k)))
	}
	return d
}

// AuthLevel is a member of AuthorizationLevel: who may call a webhook.
// The values match integration.AuthLevel.
type AuthLevel int

// The members of AuthorizationLevel.
const (
	AuthPublic AuthLevel = iota
	AuthAnyParty
	AuthIntegrationParty
)

var authLevelNames = map[AuthLevel]string{
	AuthPublic:           "PUBLIC",
	AuthAnyParty:         "ANY_PARTY",
	AuthIntegrationParty: "INTEGRATION_PARTY",
}

// String returns the Python spelling, such as AuthorizationLevel.PUBLIC.
func (a AuthLevel) String() string {
	if n, ok := authLevelNames[a]; ok {
		return "AuthorizationLevel." + n
	}
	return fmt.Sprintf("AuthorizationLevel(%d)", int(a))
}

// Type returns "AuthorizationLevel".
func (a AuthLevel) Type() string { return "AuthorizationLevel" }

// Freeze does nothing: an AuthLevel is immutable.
func (a AuthLevel) Freeze() {}

// Truth returns True.
func (a AuthLevel) Truth() starlark.Bool { return true }

// Hash returns the level's number.
func (a AuthLevel) Hash() (uint32, error) { return uint32(a), nil }

// Attr returns name and value, as Python's enum members have.
func (a AuthLevel) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(authLevelNames[a]), nil
	case "value":
		return starlark.MakeInt(int(a)), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (a AuthLevel) AttrNames() []string { return []string{"name", "value"} }

func authorizationLevelModule() *starlarkstruct.Module {
	m := &starlarkstruct.Module{Name: "AuthorizationLevel", Members: starlark.StringDict{}}
	for level, name := range authLevelNames {
		m.Members[name] = level
	}
	return m
}

func responseMembers() starlark.StringDict {
	d := starlark.StringDict{
		"json_response":          starlark.NewBuiltin("json_response", jsonResponse),
		"empty_success_response": starlark.NewBuiltin("empty_success_response", emptySuccessResponse),
		"blob_success_response":  starlark.NewBuiltin("blob_success_response", blobSuccessResponse),
		"IntegrationResponse":    starlark.NewBuiltin("IntegrationResponse", newIntegrationResponse),
		"IntegrationWebhookResponse": starlark.NewBuiltin("IntegrationWebhookResponse",
			newIntegrationWebhookResponse),
	}
	for name, status := range errorResponseStatus {
		d[name] = starlark.NewBuiltin(name, errorResponse(status))
	}
	return d
}

var errorResponseStatus = map[string]int{
	"unauthorized_response": http.StatusUnauthorized,
	"forbidden_response":    http.StatusForbidden,
	"not_found_response":    http.StatusNotFound,
	"bad_request":           http.StatusBadRequest,
	"internal_server_error": http.StatusInternalServerError,
}

// newJSONResponse encodes data as Python's json.dumps does by default
// (ASCII only, ", " and ": " separators), plus a newline.
func newJSONResponse(fn string, data starlark.Value, status int, headers http.Header) (*Response, error) {
	body, err := encodeJSON(data, jsonOptions{sep: ", ", keySep: ": ", ensureASCII: true})
	if err != nil {
		return nil, fmt.Errorf("%s: data: %w", fn, err)
	}
	h := http.Header{}
	for k, vs := range headers {
		h[k] = vs
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return &Response{HTTP: HTTPResponse{Status: status, Header: h, Body: append(body, '\n')}}, nil
}

func unpackStatus(fn string, v starlark.Int) (int, error) {
	n, ok := v.Int64()
	if !ok || n < 100 || n > 999 {
		return 0, fmt.Errorf("%s: status: got %s, want an HTTP status code from 100 to 999", fn, v)
	}
	return int(n), nil
}

func unpackHeaders(fn string, v starlark.Value) (http.Header, error) {
	h := http.Header{}
	if v == nil || v == starlark.None {
		return h, nil
	}
	d, ok := v.(starlark.IterableMapping)
	if !ok {
		return nil, fmt.Errorf("%s: headers: got %s, want dict", fn, v.Type())
	}
	for _, item := range d.Items() {
		k, ok := item[0].(starlark.String)
		if !ok {
			return nil, fmt.Errorf("%s: headers: key %s: got %s, want string", fn, item[0], item[0].Type())
		}
		val, ok := item[1].(starlark.String)
		if !ok {
			return nil, fmt.Errorf("%s: headers: %s: got %s, want string", fn, string(k), item[1].Type())
		}
		h.Add(string(k), string(val))
	}
	return h, nil
}

// unpackResponseHeaders is unpackHeaders for the headers of a webhook
// response, which must also pass checkResponseHeader.
func unpackResponseHeaders(fn string, v starlark.Value) (http.Header, error) {
	h, err := unpackHeaders(fn, v)
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(h)) {
		for _, value := range h[name] {
			if err := checkResponseHeader(name, value); err != nil {
				return nil, fmt.Errorf("%s: headers: %w", fn, err)
			}
		}
	}
	return h, nil
}

// checkResponseHeader rejects a header that the HTTP server cannot send as
// given: a name that is not an RFC 9110 token, a value with CR, LF or NUL,
// and the framing headers, whose wrong value truncates the response.
func checkResponseHeader(name, value string) error {
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		return fmt.Errorf("invalid header name %q: use letters, digits and !#$%%&'*+-.^_`|~", name)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return fmt.Errorf("%s: invalid value %q: a header value cannot contain CR, LF or NUL", name, value)
	}
	switch http.CanonicalHeaderKey(name) {
	case "Content-Length", "Transfer-Encoding":
		return fmt.Errorf("%s is set by the server from the body; remove it", name)
	}
	return nil
}

func isTokenChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

func jsonResponse(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var data, headers starlark.Value
	status := starlark.MakeInt(http.StatusOK)
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "data", &data, "status?", &status, "headers?", &headers); err != nil {
		return nil, err
	}
	code, err := unpackStatus(b.Name(), status)
	if err != nil {
		return nil, err
	}
	h, err := unpackResponseHeaders(b.Name(), headers)
	if err != nil {
		return nil, err
	}
	return newJSONResponse(b.Name(), data, code, h)
}

func emptySuccessResponse(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return &Response{HTTP: HTTPResponse{Status: http.StatusOK, Header: http.Header{}}}, nil
}

func blobSuccessResponse(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var body starlark.Value
	contentType := "application/octet-stream"
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "body", &body, "content_type?", &contentType); err != nil {
		return nil, err
	}
	data, err := bytesOrString(body)
	if err != nil {
		return nil, fmt.Errorf("%s: body: %w", b.Name(), err)
	}
	h := http.Header{}
	h.Set("Content-Type", contentType)
	return &Response{HTTP: HTTPResponse{Status: http.StatusOK, Header: h, Body: data}}, nil
}

// errorResponse builds a helper that replies {"code": ..., "description": ...}.
func errorResponse(status int) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var code, description string
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "code", &code, "description", &description); err != nil {
			return nil, err
		}
		data := starlark.NewDict(2)
		_ = data.SetKey(starlark.String("code"), starlark.String(code))
		_ = data.SetKey(starlark.String("description"), starlark.String(description))
		return newJSONResponse(b.Name(), data, status, nil)
	}
}

// bytesOrString returns the bytes of a bytes value or the UTF-8 of a string.
func bytesOrString(v starlark.Value) ([]byte, error) {
	switch v := v.(type) {
	case starlark.Bytes:
		return []byte(v), nil
	case starlark.String:
		return []byte(v), nil
	}
	return nil, fmt.Errorf("got %s, want bytes or string", v.Type())
}
