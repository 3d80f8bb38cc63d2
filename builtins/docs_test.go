package builtins

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// apiModules are the module paths whose members scripts use by bare name
// (predeclared or imported with from ... import), so docs/api.md names
// them without a module prefix.
var apiModules = map[string]bool{ModuleAPI: true, ModuleWeb: true, ModuleDazl: true}

// documentedPaths returns every name a script can reach: module members,
// the attributes of class-like members, the attributes of every value type
// the modules return, and the runtime's events, env and request values.
func documentedPaths(t *testing.T) []string {
	t.Helper()
	h, _ := testHost(t)
	seen := map[string]bool{}
	var walk func(prefix string, v starlark.Value, depth int)
	walk = func(prefix string, v starlark.Value, depth int) {
		seen[prefix] = true
		if depth > 3 {
			return
		}
		switch v := v.(type) {
		case *pyClass, *starlarkstruct.Module, *starlarkstruct.Struct:
			ha := v.(starlark.HasAttrs)
			for _, name := range ha.AttrNames() {
				attr, err := ha.Attr(name)
				if err != nil || attr == nil {
					t.Errorf("%s.%s: listed but not readable", prefix, name)
					continue
				}
				walk(prefix+"."+name, attr, depth+1)
			}
		}
	}
	for path, members := range Modules(h) {
		for name, v := range members {
			if apiModules[path] {
				walk(name, v, 0)
			} else {
				walk(path+"."+name, v, 0)
			}
		}
	}
	for name, v := range Predeclared(h) {
		if _, isModule := v.(*starlarkstruct.Module); isModule && Modules(h)[name] != nil {
			seen[name] = true
			continue
		}
		walk(name, v, 0)
	}

	// Values that builtins return, named as Python's documentation names
	// instance attributes: datetime.year, timedelta.days, Logger.info.
	samples := map[string]string{
		"datetime":                   `dt(2024, 1, 1)`,
		"date":                       `date(2024, 1, 1)`,
		"timedelta":                  `timedelta(1)`,
		"timezone":                   `timezone.utc`,
		"Decimal":                    `Decimal(1)`,
		"UUID":                       `uuid.uuid4()`,
		"hash":                       `hashlib.sha256()`,
		"HMAC":                       `hmac.new("k", digestmod="sha256")`,
		"Logger":                     `getIntegrationLogger()`,
		"Command":                    `archive("1")`,
		"Response":                   `empty_success_response()`,
		"IntegrationResponse":        `IntegrationResponse()`,
		"IntegrationWebhookResponse": `IntegrationWebhookResponse()`,
		"AuthorizationLevel":         `AuthorizationLevel.PUBLIC`,
		"time.Time":                  `time.now()`,
		"time.Duration":              `time.second`,
	}
	for prefix, expr := range samples {
		addAttrs(t, seen, prefix, mustEval(t, h, expr))
	}
	addAttrs(t, seen, "http_response", &HTTPClientResponse{Header: http.Header{}})
	addAttrs(t, seen, "headers", NewHeaders(http.Header{}))

	events := NewEvents(nil)
	walk("events", events.Value(), 0)
	env, err := NewEnv(EnvConfig{Fields: map[string]any{}, DamlModel: &DamlModelInfo{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range env.AttrNames() {
		v, _ := env.Attr(name)
		walk("env."+name, v, 0)
	}
	req := NewRequest(RequestData{
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte("a=1"),
	})
	addAttrs(t, seen, "request", req)
	headers, _ := req.Attr("headers")
	addAttrs(t, seen, "request.headers", headers)
	// The reference documents query and post() as having the methods of
	// headers, so their attributes must be the same.
	query, _ := req.Attr("query")
	post, _ := req.Attr("post")
	form, err := starlark.Call(&starlark.Thread{Name: "docs"}, post, nil, nil)
	if err != nil {
		t.Fatalf("request.post(): %v", err)
	}
	for name, v := range map[string]starlark.Value{"request.query": query, "request.post()": form} {
		got := v.(starlark.HasAttrs).AttrNames()
		want := headers.(starlark.HasAttrs).AttrNames()
		if !slices.Equal(got, want) {
			t.Errorf("%s has attributes %q, but docs/api.md documents the ones of request.headers, %q", name, got, want)
		}
	}

	// Ledger events, by the constructor names that str(event) shows.
	created := NewCreatedEvent(CreatedEvent{Data: starlark.NewDict(0)})
	addAttrs(t, seen, CreatedEventName, created)
	addAttrs(t, seen, ArchivedEventName, NewArchivedEvent("", "", 0))
	addAttrs(t, seen, TransactionStartEventName, NewTransactionEvent(TransactionStartEventName, "", "", 0, nil))
	addAttrs(t, seen, TransactionEndEventName, NewTransactionEvent(TransactionEndEventName, "", "", 0, nil))

	paths := make([]string, 0, len(seen))
	for p := range seen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

func addAttrs(t *testing.T, seen map[string]bool, prefix string, v starlark.Value) {
	t.Helper()
	ha, ok := v.(starlark.HasAttrs)
	if !ok {
		t.Fatalf("%s: %s has no attributes", prefix, v.Type())
	}
	for _, name := range ha.AttrNames() {
		seen[prefix+"."+name] = true
	}
}

// TestAPIDocumented fails when a name a script can use has no entry in
// docs/api.md. An entry is the name in backquotes, alone or followed by
// its argument list: `json.encode(x)` or `datetime.year`.
func TestAPIDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "api.md"))
	if err != nil {
		t.Fatalf("read the API reference: %v", err)
	}
	doc := string(data)
	var missing []string
	for _, p := range documentedPaths(t) {
		entry := regexp.MustCompile("`" + regexp.QuoteMeta(p) + "[`(]")
		if !entry.MatchString(doc) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		t.Errorf("docs/api.md has no entry for %d names; add one for each:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
