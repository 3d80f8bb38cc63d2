package integration

import (
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestReloadOnChange(t *testing.T) {
	version := func(v string) string {
		return `
def main(env, events):
    @events.webhook.get()
    def get(request):
        return json_response("` + v + `")
`
	}
	h := newHarness(t, version("v1"))
	h.opts.Watch = true
	h.opts.WatchInterval = 10 * time.Millisecond
	h.start()
	var got string
	h.get(0, &got)
	if got != "v1" {
		t.Fatalf("first script returned %q, want v1", got)
	}

	writeFile(t, filepath.Join(h.dir, "main.star"), version("v2"))
	waitFor(t, "the reloaded script", func() bool {
		h.get(0, &got)
		return got == "v2"
	})

	writeFile(t, filepath.Join(h.dir, "main.star"), "def main(env, events):\n    fail(\"broken\")\n")
	waitFor(t, "the reload error in the status", func() bool {
		msg := h.rt.Status().ErrorMessage
		return msg != nil && strings.Contains(*msg, "broken")
	})
	h.get(0, &got)
	if got != "v2" {
		t.Errorf("after a failed reload the script returned %q, want the old handler's v2", got)
	}
	if !h.rt.Status().Running {
		t.Error("status running is false after a failed reload")
	}
}

func TestGracefulStopFinishesHandler(t *testing.T) {
	gate := newGateServer(t)
	h := newHarness(t, strings.ReplaceAll(`
def main(env, events):
    @events.ledger.contract_created("Utility.Sequence:Sequence")
    def created(event):
        if event.cdata["name"] == "trigger":
            http.get("URL")
            return create("Utility.Sequence:Sequence", {"owner": env.party, "name": "after-stop", "count": 0})
`, "URL", gate.URL))
	t.Cleanup(gate.open) // runs before the harness waits for Run to return
	h.start()
	h.createSequence("trigger", 0)
	gate.waitArrival(t)

	// The watcher records whether the handler was still blocked at the
	// moment Run returned.
	type runResult struct {
		err             error
		handlerInFlight bool
	}
	returned := make(chan runResult, 1)
	go func() {
		err := <-h.runErr
		returned <- runResult{err: err, handlerInFlight: gate.inFlight.Load() > 0}
		h.runErr <- err
	}()
	h.cancel()
	// Run logs this once it has seen the cancel, so an early return would
	// follow it at once.
	waitFor(t, "the stop to begin", func() bool { return strings.Contains(h.logs.String(), "integration stopping") })
	select {
	case res := <-returned:
		t.Fatalf("Run returned (%v) while a handler was still running", res.err)
	default:
	}
	gate.open()
	select {
	case res := <-returned:
		if res.handlerInFlight {
			t.Error("Run returned while the handler was still waiting for its HTTP response")
		}
		if res.err != nil {
			t.Errorf("Run after stop = %v, want nil", res.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the handler finished")
	}
	names := h.activeNames()
	if !reflect.DeepEqual(names, []string{"trigger", "after-stop"}) {
		t.Errorf("active contracts = %q, want the handler's submission committed", names)
	}
	if h.rt.Status().Running {
		t.Error("status running is true after stop")
	}
}

func TestWebhookRequestAndResponse(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.webhook.post(url_suffix="/orders/{id}", label="Orders", auth=AuthorizationLevel.INTEGRATION_PARTY)
    def orders(request):
        body = request.json()
        return IntegrationWebhookResponse(response=json_response({
            "id": request.match_info["id"],
            "method": request.method,
            "header": request.headers["x-custom"],
            "query": request.query.getall("tag"),
            "content_type": request.content_type,
            "amount": body["amount"],
            "party": get_single_request_party(request),
            "parties": get_request_parties(request),
        }, status=201))

    @events.webhook.get()
    def empty(request):
        pass
`)
	h.start()
	hooks := h.rt.Webhooks()
	want := []Webhook{
		{Index: 0, Method: "POST", Suffix: "/orders/:id", Auth: AuthIntegrationParty, Label: "Orders"},
		{Index: 1, Method: "GET", Suffix: "", Auth: AuthPublic, Label: "Webhook GET"},
	}
	if !reflect.DeepEqual(hooks, want) {
		t.Errorf("webhooks:\n got %+v\nwant %+v", hooks, want)
	}
	resp, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{
		Method:  "POST",
		Path:    "/integration/test-instance/orders/42",
		Header:  http.Header{"X-Custom": {"yes"}, "Content-Type": {"application/json; charset=utf-8"}},
		Query:   url.Values{"tag": {"a", "b"}},
		Params:  map[string]string{"id": "42"},
		Body:    []byte(`{"amount": 5}`),
		Parties: []string{h.party},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 201 {
		t.Errorf("status = %d, want 201", resp.Status)
	}
	wantBody := `{"amount": 5, "content_type": "application/json", "header": "yes", "id": "42", "method": "POST", "parties": ["` +
		h.party + `"], "party": "` + h.party + `", "query": ["a", "b"]}`
	if got := strings.TrimSpace(string(resp.Body)); !jsonEqual(got, wantBody) {
		t.Errorf("body = %s, want %s", got, wantBody)
	}

	resp, err = h.rt.HandleWebhook(t.Context(), 1, &WebhookRequest{Method: "GET"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || len(resp.Body) != 0 {
		t.Errorf("default reply = %d %q, want 200 with an empty body", resp.Status, resp.Body)
	}
	if _, err := h.rt.HandleWebhook(t.Context(), 7, &WebhookRequest{Method: "GET"}); err == nil {
		t.Error("webhook 7 of 2: no error")
	}
}

func TestLogLevel(t *testing.T) {
	h := newHarness(t, `def main(env, events): pass`)
	h.start()
	if err := h.rt.SetLogLevel(51); err == nil {
		t.Error("SetLogLevel(51): no error")
	}
	if err := h.rt.SetLogLevel(-1); err == nil {
		t.Error("SetLogLevel(-1): no error")
	}
	if err := h.rt.SetLogLevel(10); err != nil {
		t.Fatal(err)
	}
	if h.rt.LogLevel() != 10 || h.rt.Status().LogLevel != 10 {
		t.Errorf("log level = %d, status %d, want 10", h.rt.LogLevel(), h.rt.Status().LogLevel)
	}
}

func TestWebhookAfterStop(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.webhook.get()
    def get(request):
        pass
`)
	h.start()
	h.cancel()
	select {
	case err := <-h.runErr:
		h.runErr <- err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the cancel")
	}
	if _, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "GET"}); err != ErrNotRunning {
		t.Errorf("webhook after stop: error = %v, want ErrNotRunning", err)
	}
}

func TestWebhookAfterFailedStart(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.webhook.get()
    def get(request):
        pass

    fail("no start")
`)
	h.startupError()
	if _, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "GET"}); err != ErrNotRunning {
		t.Errorf("webhook after a failed start: error = %v, want ErrNotRunning", err)
	}
}
