package httpd

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ditstar/ditstar/integration"
)

func TestControlRoutes(t *testing.T) {
	fake := &fakeIntegration{status: integration.Status{Running: true}}
	_, base := startServer(t, Options{Integration: fake})

	for _, path := range []string{"/healthz", "/status"} {
		got := do(t, http.MethodGet, base+path, "", nil)
		if got.status != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", path, got.status)
		}
		if ct := got.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("GET %s: Content-Type %q, want application/json", path, ct)
		}
		if !strings.Contains(string(got.body), `"running":true`) {
			t.Errorf("GET %s: body %s, want the status document", path, got.body)
		}

		head := do(t, http.MethodHead, base+path, "", nil)
		if head.status != http.StatusOK {
			t.Errorf("HEAD %s: status %d, want 200", path, head.status)
		}
		if len(head.body) != 0 {
			t.Errorf("HEAD %s: body %q, want none", path, head.body)
		}
		if head.header.Get("Content-Length") != got.header.Get("Content-Length") {
			t.Errorf("HEAD %s: Content-Length %q, want %q as for GET", path, head.header.Get("Content-Length"), got.header.Get("Content-Length"))
		}
	}

	metrics := do(t, http.MethodGet, base+"/metrics", "", nil)
	if metrics.status != http.StatusOK {
		t.Fatalf("GET /metrics: status %d, want 200", metrics.status)
	}
	if !strings.Contains(string(metrics.body), `ditstar_http_requests_total{code="200",method="GET",route="/healthz"} 1`) {
		t.Errorf("GET /metrics: body lacks the healthz request count:\n%s", metrics.body)
	}
}

func TestUnknownPathIsJSON404(t *testing.T) {
	_, base := startServer(t, Options{Integration: &fakeIntegration{}})
	for _, path := range []string{"/nope", "/integration/other-instance/status", "/integration/" + testInstance + "/missing"} {
		got := do(t, http.MethodGet, base+path, "", nil)
		if got.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, got.status)
		}
		if got.errorCode() != "not_found" {
			t.Errorf("GET %s: body %s, want code not_found", path, got.body)
		}
	}
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{
		{Index: 0, Method: "POST", Suffix: "/events"},
		{Index: 1, Method: "GET", Suffix: "/both"},
		{Index: 2, Method: "POST", Suffix: "/both"},
	}}
	_, base := startServer(t, Options{Integration: fake})
	tests := []struct {
		method, path, allow string
	}{
		{"POST", "/healthz", "GET, HEAD, OPTIONS"},
		{"GET", "/log-level", "OPTIONS, POST"},
		{"DELETE", "/metrics", "GET, HEAD, OPTIONS"},
		{"GET", "/integration/" + testInstance + "/events", "OPTIONS, POST"},
		{"PUT", "/integration/" + testInstance + "/both", "GET, HEAD, OPTIONS, POST"},
	}
	for _, tt := range tests {
		got := do(t, tt.method, base+tt.path, "", nil)
		if got.status != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405", tt.method, tt.path, got.status)
		}
		if a := got.header.Get("Allow"); a != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, a, tt.allow)
		}
		if got.errorCode() != "method_not_allowed" {
			t.Errorf("%s %s: body %s, want code method_not_allowed", tt.method, tt.path, got.body)
		}
	}

	opts := do(t, http.MethodOptions, base+"/status", "", nil)
	if opts.status != http.StatusNoContent {
		t.Errorf("OPTIONS /status: status %d, want 204", opts.status)
	}
	if a := opts.header.Get("Allow"); a != "GET, HEAD, OPTIONS" {
		t.Errorf("OPTIONS /status: Allow %q, want GET, HEAD, OPTIONS", a)
	}
}

func TestWebhookRequestAndResponse(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{
		{Index: 3, Method: "POST", Suffix: "/orders/:id/items/:item", Label: "orders"},
	}}
	fake.handle = func(_ context.Context, index int, req *integration.WebhookRequest) (*integration.WebhookResponse, error) {
		if index != 3 {
			return nil, errors.New("wrong index")
		}
		return &integration.WebhookResponse{
			Status: http.StatusCreated,
			Header: http.Header{"Content-Type": {"application/json"}, "X-Order": {req.Params["id"]}},
			Body:   []byte(`{"created":true}` + "\n"),
		}, nil
	}
	_, base := startServer(t, Options{Integration: fake})

	req, _ := http.NewRequest(http.MethodPost, base+"/integration/"+testInstance+"/orders/o-17/items/4?x=1&x=2&y=z", strings.NewReader("a=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Custom", "v")
	got := send(t, req)

	if got.status != http.StatusCreated {
		t.Fatalf("status %d, want 201; body %s", got.status, got.body)
	}
	if string(got.body) != "{\"created\":true}\n" {
		t.Errorf("body %q, want the handler's body", got.body)
	}
	if h := got.header.Get("X-Order"); h != "o-17" {
		t.Errorf("X-Order header %q, want o-17", h)
	}

	call := fake.lastCall(t)
	if call.Method != "POST" {
		t.Errorf("request method %q, want POST", call.Method)
	}
	if call.Path != "/integration/"+testInstance+"/orders/o-17/items/4" {
		t.Errorf("request path %q", call.Path)
	}
	if call.Params["id"] != "o-17" || call.Params["item"] != "4" || len(call.Params) != 2 {
		t.Errorf("request params %v, want id=o-17 item=4", call.Params)
	}
	if q := call.Query["x"]; len(q) != 2 || q[0] != "1" || q[1] != "2" {
		t.Errorf("request query x %v, want [1 2]", q)
	}
	if call.Query.Get("y") != "z" {
		t.Errorf("request query y %q, want z", call.Query.Get("y"))
	}
	if call.Header.Get("X-Custom") != "v" {
		t.Errorf("request header X-Custom %q, want v", call.Header.Get("X-Custom"))
	}
	if string(call.Body) != "a=b" {
		t.Errorf("request body %q, want a=b", call.Body)
	}
	if call.Parties != nil {
		t.Errorf("request parties %v on a public route, want nil", call.Parties)
	}
}

func TestWebhookEmptyResponse(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "GET"}}}
	fake.handle = func(context.Context, int, *integration.WebhookRequest) (*integration.WebhookResponse, error) {
		return nil, nil
	}
	_, base := startServer(t, Options{Integration: fake})

	got := do(t, http.MethodGet, base+"/integration/"+testInstance, "", nil)
	if got.status != http.StatusOK {
		t.Errorf("status %d, want 200", got.status)
	}
	if len(got.body) != 0 {
		t.Errorf("body %q, want empty", got.body)
	}

	head := do(t, http.MethodHead, base+"/integration/"+testInstance, "", nil)
	if head.status != http.StatusOK {
		t.Errorf("HEAD status %d, want 200", head.status)
	}
	if m := fake.lastCall(t).Method; m != "HEAD" {
		t.Errorf("HEAD reached the handler as %q, want HEAD", m)
	}
}

func TestWebhookRoutesFollowReload(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "GET", Suffix: "/old"}}}
	_, base := startServer(t, Options{Integration: fake})
	prefix := base + "/integration/" + testInstance

	if got := do(t, http.MethodGet, prefix+"/old", "", nil); got.status != http.StatusOK {
		t.Fatalf("GET /old before reload: status %d, want 200", got.status)
	}
	fake.setWebhooks(integration.Webhook{Index: 0, Method: "POST", Suffix: "new/:name"})

	if got := do(t, http.MethodGet, prefix+"/old", "", nil); got.status != http.StatusNotFound {
		t.Errorf("GET /old after reload: status %d, want 404", got.status)
	}
	if got := do(t, http.MethodPost, prefix+"/new/x", "", nil); got.status != http.StatusOK {
		t.Errorf("POST /new/x after reload: status %d, want 200", got.status)
	}
	if p := fake.lastCall(t).Params["name"]; p != "x" {
		t.Errorf("param name %q, want x", p)
	}
}

func TestWebhookConflictingRoutes(t *testing.T) {
	logs := &syncBuffer{}
	fake := &fakeIntegration{hooks: []integration.Webhook{
		{Index: 0, Method: "GET", Suffix: "/items/:id"},
		{Index: 1, Method: "GET", Suffix: "/items/all"}, // conflicts with :id
		{Index: 2, Method: "GET", Suffix: "/status"},    // shadowed by the control route
		{Index: 3, Method: "PUT", Suffix: "/put"},       // unsupported method
		{Index: 4, Method: "POST", Suffix: "/fine"},
	}}
	_, base := startServer(t, Options{Integration: fake, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	prefix := base + "/integration/" + testInstance

	if got := do(t, http.MethodPost, prefix+"/fine", "", nil); got.status != http.StatusOK {
		t.Errorf("POST /fine: status %d, want 200", got.status)
	}
	if got := do(t, http.MethodGet, prefix+"/items/7", "", nil); got.status != http.StatusOK {
		t.Errorf("GET /items/7: status %d, want 200", got.status)
	}
	for _, index := range []string{"handler=1", "handler=2", "handler=3"} {
		if !containsLine(logs.String(), "webhook route not served", index) {
			t.Errorf("log lacks a 'webhook route not served' line for %s:\n%s", index, logs)
		}
	}
}

type codedError struct{ error }

func (codedError) Code() string { return "submission_failed" }

func TestWebhookErrors(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{
		{Index: 0, Method: "POST", Suffix: "/busy"},
		{Index: 1, Method: "POST", Suffix: "/fail"},
		{Index: 2, Method: "POST", Suffix: "/submit"},
		{Index: 3, Method: "POST", Suffix: "/stopped"},
	}}
	fake.handle = func(_ context.Context, index int, _ *integration.WebhookRequest) (*integration.WebhookResponse, error) {
		switch index {
		case 0:
			return nil, integration.ErrBusy
		case 3:
			return nil, integration.ErrNotRunning
		case 1:
			return nil, errors.New("handler failed: fail: boom")
		}
		return nil, codedError{errors.New("submit command: INVALID_ARGUMENT")}
	}
	s, base := startServer(t, Options{Integration: fake})
	prefix := base + "/integration/" + testInstance

	busy := do(t, http.MethodPost, prefix+"/busy", "", nil)
	if busy.status != http.StatusServiceUnavailable {
		t.Errorf("busy: status %d, want 503", busy.status)
	}
	if busy.header.Get("Retry-After") != "1" {
		t.Errorf("busy: Retry-After %q, want 1", busy.header.Get("Retry-After"))
	}

	stopped := do(t, http.MethodPost, prefix+"/stopped", "", nil)
	if stopped.status != http.StatusServiceUnavailable {
		t.Errorf("stopped: status %d, want 503", stopped.status)
	}
	if stopped.errorCode() != "not_running" {
		t.Errorf("stopped: body %s, want code not_running", stopped.body)
	}
	if stopped.header.Get("Retry-After") == "" {
		t.Error("stopped: no Retry-After header")
	}

	fail := do(t, http.MethodPost, prefix+"/fail", "", nil)
	if fail.status != http.StatusInternalServerError {
		t.Errorf("fail: status %d, want 500", fail.status)
	}
	if fail.errorCode() != "handler_error" {
		t.Errorf("fail: body %s, want code handler_error", fail.body)
	}
	if !strings.Contains(string(fail.body), "boom") {
		t.Errorf("fail: body %s, want the error message", fail.body)
	}

	submit := do(t, http.MethodPost, prefix+"/submit", "", nil)
	if submit.errorCode() != "submission_failed" {
		t.Errorf("submit: body %s, want the error's own code", submit.body)
	}

	if n := counterValue(t, s.opts.Registry, "ditstar_http_webhook_errors_total"); n != 2 {
		t.Errorf("webhook errors counted %v, want 2", n)
	}
}

func TestWebhookTimeout(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "GET"}}}
	fake.handle = func(ctx context.Context, _ int, _ *integration.WebhookRequest) (*integration.WebhookResponse, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	_, base := startServer(t, Options{Integration: fake, WriteTimeout: 500 * time.Millisecond})

	got := do(t, http.MethodGet, base+"/integration/"+testInstance, "", nil)
	if got.status != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503; body %s", got.status, got.body)
	}
	if got.errorCode() != "timeout" {
		t.Errorf("body %s, want code timeout", got.body)
	}
}
