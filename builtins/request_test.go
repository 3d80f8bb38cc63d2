package builtins

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

func execRequest(t *testing.T, d RequestData, src string) error {
	t.Helper()
	predeclared := starlark.StringDict{
		"request":                  NewRequest(d),
		"get_request_parties":      starlark.NewBuiltin("get_request_parties", getRequestParties),
		"get_single_request_party": starlark.NewBuiltin("get_single_request_party", getSingleRequestParty),
	}
	thread := &starlark.Thread{Name: "test"}
	_, err := starlark.ExecFile(thread, "test.star", "assert_eq = lambda got, want: fail(\"got %r, want %r\" % (got, want)) if got != want else None\n"+src, predeclared)
	return err
}

func TestRequestAttributes(t *testing.T) {
	d := RequestData{
		Method: "POST",
		Path:   "/integration/x/orders/7",
		Header: http.Header{"X-Token": {"t1"}, "Content-Type": {"application/json; charset=utf-8"}},
		Query:  url.Values{"tag": {"a", "b"}, "page": {"2"}},
		Params: map[string]string{"id": "7"},
		Body:   []byte(`{"amount": 5, "items": [1, 2]}`),
	}
	err := execRequest(t, d, `
assert_eq(request.method, "POST")
assert_eq(request.path, "/integration/x/orders/7")
assert_eq(request.headers["x-token"], "t1")
assert_eq(request.headers["X-TOKEN"], "t1")
assert_eq(request.headers.get("missing"), None)
assert_eq(request.headers.get("missing", "d"), "d")
assert_eq("x-token" in request.headers, True)
assert_eq(request.content_type, "application/json")
assert_eq(request.query["tag"], "a")
assert_eq(request.query.getall("tag"), ["a", "b"])
assert_eq(request.query.getone("page"), "2")
assert_eq(sorted(request.query.keys()), ["page", "tag", "tag"])
assert_eq(len(request.query), 2)
assert_eq(request.match_info["id"], "7")
assert_eq(request.json(), {"amount": 5, "items": [1, 2]})
assert_eq(request.text(), '{"amount": 5, "items": [1, 2]}')
assert_eq(request.read(), b'{"amount": 5, "items": [1, 2]}')
assert_eq(get_request_parties(request), [])
assert_eq(get_single_request_party(request), None)
`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestRequestForm(t *testing.T) {
	d := RequestData{
		Method: "POST",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte("b=2&a=1&b=3&text=hello+world"),
	}
	err := execRequest(t, d, `
form = request.post()
assert_eq(form.getone("a"), "1")
assert_eq(form.getall("b"), ["2", "3"])
assert_eq(form["text"], "hello world")
assert_eq(form.items(), [("b", "2"), ("a", "1"), ("b", "3"), ("text", "hello world")])
assert_eq(form.getone("missing", "d"), "d")
`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestRequestErrors(t *testing.T) {
	tests := []struct {
		name string
		d    RequestData
		src  string
		want string
	}{
		{"bad json", RequestData{Body: []byte("{")}, `request.json()`, "json: request body is not valid JSON"},
		{"getone missing", RequestData{}, `request.query.getone("x")`, `getone: key "x" not found in query`},
		{"multipart", RequestData{Header: http.Header{"Content-Type": {"multipart/form-data; boundary=x"}}}, `request.post()`, `post: content type "multipart/form-data" is not supported`},
		{"several parties", RequestData{Parties: []string{"a", "b"}}, `get_single_request_party(request)`, "get_single_request_party: the request's token names 2 parties (a, b), want exactly one"},
		{"not a request", RequestData{}, `get_request_parties(1)`, "get_request_parties: request: got int, want request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.d.Header == nil {
				tt.d.Header = http.Header{}
			}
			err := execRequest(t, tt.d, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRequestParties(t *testing.T) {
	err := execRequest(t, RequestData{Header: http.Header{}, Parties: []string{"alice::1"}}, `
assert_eq(get_request_parties(request), ["alice::1"])
assert_eq(get_single_request_party(request), "alice::1")
`)
	if err != nil {
		t.Fatal(err)
	}
}
