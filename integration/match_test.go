package integration

import (
	"net/http"
	"testing"

	"github.com/julienschmidt/httprouter"
	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/builtins"
)

func evalValue(t *testing.T, expr string) starlark.Value {
	t.Helper()
	v, err := starlark.Eval(&starlark.Thread{Name: "test"}, "test.star", expr, nil)
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

func TestMatchDict(t *testing.T) {
	data := evalValue(t, `{"owner": "alice", "count": 3, "info": {"city": "Zurich", "zip": {"code": "8000"}}}`)
	tests := []struct {
		match string
		want  bool
	}{
		{`{}`, true},
		{`{"owner": "alice"}`, true},
		{`{"owner": "bob"}`, false},
		{`{"owner": "alice", "count": 3}`, true},
		{`{"owner": "alice", "count": 4}`, false},
		{`{"count": "3"}`, true},
		{`{"info.city": "Zurich"}`, true},
		{`{"info.zip.code": "8000"}`, true},
		{`{"info.city": "Basel"}`, false},
		{`{"info": {"city": "Zurich"}}`, true},
		{`{"info": {"zip": {"code": "8001"}}}`, false},
		{`{"missing": 1}`, false},
		{`{"owner.name": "alice"}`, false},
		{`{"owner": {"name": "alice"}}`, false},
		{`{1: "alice"}`, false},
	}
	for _, tt := range tests {
		got := matchDict(evalValue(t, tt.match).(*starlark.Dict), data)
		if got != tt.want {
			t.Errorf("match %s = %v, want %v", tt.match, got, tt.want)
		}
	}
}

func TestRoutePattern(t *testing.T) {
	tests := map[string]string{
		"":                 "",
		"/":                "/",
		"/json":            "/json",
		"json":             "/json",
		"/orders/{id}":     "/orders/:id",
		"/a/{x}/b/{y}":     "/a/:x/b/:y",
		"/files/{path:.*}": "/files/*path",
		"/n/{num:[0-9]+}":  "/n/:num",
		"/orders/:id":      "/orders/:id",
		"/files/{path:.+}": "/files/*path",
	}
	for suffix, want := range tests {
		if got := routePattern(suffix); got != want {
			t.Errorf("routePattern(%q) = %q, want %q", suffix, got, want)
		}
	}
}

// FuzzRoutePattern checks that every url_suffix that registration accepts
// becomes a pattern that httprouter accepts too.
func FuzzRoutePattern(f *testing.F) {
	for _, seed := range []string{"", "/x/{id}", "{a:.*}", "/{b:[0-9]+}", "/a/b/", "//"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, suffix string) {
		if builtins.CheckURLSuffix(suffix) != nil {
			return
		}
		pattern := "/integration/test" + routePattern(suffix)
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("url_suffix %q: httprouter rejected %q: %v", suffix, pattern, p)
			}
		}()
		httprouter.New().Handle("GET", pattern, func(http.ResponseWriter, *http.Request, httprouter.Params) {})
	})
}
