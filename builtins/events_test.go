package builtins

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/ledger/lf"
)

var testTemplate = lf.TemplateID{PackageID: "pkg", Module: "Main", Entity: "Asset"}

// testResolver resolves "Main:Asset" (qualified with "pkg" when defaulting)
// and rejects everything else.
func testResolver(ref string, packageDefaulting bool) (TemplateSet, error) {
	switch ref {
	case "*":
		return TemplateSet{Any: true}, nil
	case "Main:Asset":
		if packageDefaulting {
			return TemplateSet{IDs: []lf.TemplateID{testTemplate}}, nil
		}
		return TemplateSet{IDs: []lf.TemplateID{{Module: "Main", Entity: "Asset"}}}, nil
	}
	return TemplateSet{}, errors.New("template " + ref + " not found")
}

func execEvents(t *testing.T, src string) (*Events, error) {
	t.Helper()
	events := NewEvents(testResolver)
	thread := &starlark.Thread{Name: "test"}
	_, err := starlark.ExecFile(thread, "test.star", src, starlark.StringDict{"events": events.Value()})
	return events, err
}

func TestEventsRegistration(t *testing.T) {
	events, err := execEvents(t, `
def handler(*args):
    pass

events.ledger.ledger_init()(handler)
events.ledger.ledger_ready(label="ready")(handler)
events.ledger.transaction_start()(handler)
events.ledger.transaction_end()(handler)
events.ledger.contract_created("Main:Asset", match={"owner": "a"}, sweep=False)(handler)
events.ledger.contract_archived("Main:Asset", package_defaulting=False)(handler)
events.webhook.get(url_suffix="/x", label="X", auth="ANY_PARTY")(handler)
events.webhook.post()(handler)
events.time.periodic_interval(1.5, label="tick")(handler)
events.queue.message(queue_name="orders")(handler)
`)
	if err != nil {
		t.Fatal(err)
	}
	hs := events.Handlers()
	kinds := []HandlerKind{KindLedgerInit, KindLedgerReady, KindTransactionStart, KindTransactionEnd,
		KindContractCreated, KindContractArchived, KindWebhook, KindWebhook, KindTimer, KindQueue}
	if len(hs) != len(kinds) {
		t.Fatalf("got %d handlers, want %d", len(hs), len(kinds))
	}
	for i, k := range kinds {
		if hs[i].Kind != k {
			t.Errorf("handler %d kind = %s, want %s", i, hs[i].Kind, k)
		}
		if hs[i].Func == nil || hs[i].Func.Name() != "handler" {
			t.Errorf("handler %d function = %v, want handler", i, hs[i].Func)
		}
	}
	if hs[1].Label != "ready" {
		t.Errorf("ledger_ready label = %q", hs[1].Label)
	}
	created := hs[4]
	if created.Sweep || !created.Flow || created.Match == nil || !created.Templates.Contains(testTemplate) {
		t.Errorf("contract_created = %+v, want sweep off, flow on, a match and the template", created)
	}
	if created.TemplateRef != "Main:Asset" {
		t.Errorf("template ref = %q", created.TemplateRef)
	}
	if hs[5].Templates.Contains(testTemplate) {
		t.Error("package_defaulting=False still qualified the template with the default package")
	}
	if hs[6].Method != "GET" || hs[6].URLSuffix != "/x" || hs[6].Auth != "ANY_PARTY" || hs[6].Label != "X" {
		t.Errorf("webhook.get = %+v", hs[6])
	}
	if hs[7].Method != "POST" || hs[7].Auth != "PUBLIC" {
		t.Errorf("webhook.post = %+v, want POST and PUBLIC", hs[7])
	}
	if hs[8].Interval != 1500*time.Millisecond || hs[8].Label != "tick" {
		t.Errorf("timer = %v %q, want 1.5s tick", hs[8].Interval, hs[8].Label)
	}
	if hs[9].QueueName != "orders" {
		t.Errorf("queue name = %q", hs[9].QueueName)
	}
}

func TestEventsDecoratorReturnsFunction(t *testing.T) {
	events, err := execEvents(t, `
def handler():
    pass

same = events.ledger.ledger_init()(handler)
same == handler or fail("the decorator did not return the function")
`)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(events.Handlers()); n != 1 {
		t.Errorf("got %d handlers, want 1", n)
	}
}

func TestEventsArgumentErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`events.ledger.contract_created(1)`, "contract_created: template: got int, want string"},
		{`events.ledger.contract_created("Main:Nope")`, "contract_created: template: template Main:Nope not found"},
		{`events.ledger.contract_created("*", flow=1)`, "contract_created: flow: got int, want bool"},
		{`events.ledger.contract_created("*", package_defaulting="no")`, "contract_created: package_defaulting: got string, want bool"},
		{`events.ledger.contract_archived("*", match=[])`, "contract_archived: match: got list, want dict, function or None"},
		{`events.ledger.contract_created()`, "contract_created: missing argument for template"},
		{`events.ledger.ledger_init(label=3)`, "ledger_init: label: got int, want string or None"},
		{`events.webhook.get(url_suffix=1)`, "get: url_suffix: got int, want string or None"},
		{`events.webhook.get(url_suffix="/a/{}")`, `get: url_suffix: invalid parameter "{}" in "/a/{}": the name must be an identifier`},
		{`events.webhook.get(url_suffix="/a:b")`, `get: url_suffix: invalid segment "a:b"`},
		{`events.webhook.get(url_suffix="/x{id}")`, `get: url_suffix: invalid segment "x{id}"`},
		{`events.webhook.get(url_suffix="/{id")`, `get: url_suffix: invalid parameter "{id"`},
		{`events.webhook.get(url_suffix="/{p:.*}/more")`, "must be the last segment"},
		{`events.webhook.get(url_suffix="/n/{num:[0-9}")`, `get: url_suffix: invalid regular expression "[0-9" of parameter "num"`},
		{`events.webhook.get(url_suffix="/a/:")`, `get: url_suffix: invalid parameter ":" in "/a/:": the name must be an identifier`},
		{`events.webhook.get(url_suffix="/a/:b:c")`, `get: url_suffix: invalid parameter ":b:c"`},
		{`events.webhook.post(auth=3)`, "post: auth: got int 3, want AuthorizationLevel.PUBLIC, ANY_PARTY or INTEGRATION_PARTY"},
		{`events.time.periodic_interval(-1)`, "periodic_interval: seconds: got -1, want a positive number of seconds"},
		{`events.time.periodic_interval(float("inf"))`, "periodic_interval: seconds: got +inf, want at most 9223372036 seconds"},
		{`events.queue.message(queue_name=1)`, "message: queue_name: got int, want string"},
		{`events.ledger.ledger_init()(1)`, "ledger_init: handler: got int, want function"},
		{`events.ledger.ledger_init()()`, "ledger_init: got 0 arguments, want 1 (the handler function)"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			events, err := execEvents(t, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
			if n := len(events.Handlers()); n != 0 {
				t.Errorf("a failed registration left %d handlers", n)
			}
		})
	}
}

func TestEventsQueueOnePerName(t *testing.T) {
	_, err := execEvents(t, `
events.queue.message()(lambda m: None)
events.queue.message(queue_name="other")(lambda m: None)
events.queue.message()
`)
	if err == nil || !strings.Contains(err.Error(), `message: queue "default" already has a handler`) {
		t.Errorf("error = %v", err)
	}
}

func TestEventsClosed(t *testing.T) {
	events := NewEvents(testResolver)
	thread := &starlark.Thread{Name: "test"}
	globals, err := starlark.ExecFile(thread, "test.star", `
def register():
    events.ledger.ledger_init()
`, starlark.StringDict{"events": events.Value()})
	if err != nil {
		t.Fatal(err)
	}
	events.Close()
	_, err = starlark.Call(thread, globals["register"], nil, nil)
	if err == nil || !strings.Contains(err.Error(), "only be registered while the entrypoint runs") {
		t.Errorf("error = %v", err)
	}
}

func TestTemplateSetContains(t *testing.T) {
	other := lf.TemplateID{PackageID: "other", Module: "Main", Entity: "Asset"}
	tests := []struct {
		name string
		set  TemplateSet
		id   lf.TemplateID
		want bool
	}{
		{"any", TemplateSet{Any: true}, other, true},
		{"package match", TemplateSet{PackageID: "pkg"}, testTemplate, true},
		{"package mismatch", TemplateSet{PackageID: "pkg"}, other, false},
		{"id match", TemplateSet{IDs: []lf.TemplateID{testTemplate}}, testTemplate, true},
		{"id mismatch", TemplateSet{IDs: []lf.TemplateID{testTemplate}}, other, false},
		{"empty", TemplateSet{}, testTemplate, false},
	}
	for _, tt := range tests {
		if got := tt.set.Contains(tt.id); got != tt.want {
			t.Errorf("%s: Contains = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCheckURLSuffixAccepts(t *testing.T) {
	for _, suffix := range []string{
		"",
		"/orders",
		"/orders/:id",
		"/orders/:id/lines/:line",
		"/orders/{id}",
		`/orders/{id:\d+}`,
		"/files/{path:.*}",
		`/code/{code:[A-Z]{3}}`,
	} {
		if err := CheckURLSuffix(suffix); err != nil {
			t.Errorf("CheckURLSuffix(%q) = %v, want nil", suffix, err)
		}
	}
}
