package integration_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ditstar/ditstar/httpd"
	"github.com/ditstar/ditstar/integration"
)

// The runtime must satisfy what the HTTP server serves.
var _ httpd.Integration = (*integration.Runtime)(nil)

func TestServedOverHTTP(t *testing.T) {
	rt, _ := integration.StartForTest(t, `
def main(env, events):
    @events.webhook.post(url_suffix="/echo/{name}", label="Echo")
    def echo(request):
        return json_response({"name": request.match_info["name"], "body": request.json()})
`)
	srv, err := httpd.New(httpd.Options{InstanceID: "test-instance", Integration: rt})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	base := "http://" + lis.Addr().String()

	resp, err := http.Post(base+"/integration/test-instance/echo/bob", "application/json", strings.NewReader(`{"n": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("webhook status = %d, body %s", resp.StatusCode, body)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("webhook body %q: %v", body, err)
	}
	if got["name"] != "bob" || got["body"].(map[string]any)["n"] != float64(1) {
		t.Errorf("webhook body = %v, want name bob and the posted body", got)
	}

	resp, err = http.Get(base + "/status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var status struct {
		Running  bool `json:"running"`
		Webhooks []struct {
			Label    string `json:"label"`
			URLPath  string `json:"url_path"`
			UseCount int    `json:"use_count"`
		} `json:"webhooks"`
	}
	if err := json.Unmarshal(body, &status); err != nil {
		t.Fatalf("status body %q: %v", body, err)
	}
	if !status.Running {
		t.Errorf("status running is false: %s", body)
	}
	if len(status.Webhooks) != 1 {
		t.Fatalf("status lists %d webhooks, want 1: %s", len(status.Webhooks), body)
	}
	if status.Webhooks[0].UseCount != 1 {
		t.Errorf("webhook use_count = %d, want 1", status.Webhooks[0].UseCount)
	}
	if status.Webhooks[0].Label != "Echo" {
		t.Errorf("webhook label = %q, want Echo", status.Webhooks[0].Label)
	}
}

func TestWebhookSubmissionFailureIs500(t *testing.T) {
	rt, _ := integration.StartForTest(t, `
def main(env, events):
    errors = []

    def on_error(message):
        errors.append(message)

    @events.webhook.post(url_suffix="/bad")
    def bad(request):
        return IntegrationWebhookResponse(
            commands=[create("Utility.Sequence:Sequence", {"owner": env.party, "nope": 1})],
            response=json_response({"ok": True}))

    @events.webhook.post(url_suffix="/handled")
    def handled(request):
        return IntegrationResponse(
            commands=[create("Utility.Sequence:Sequence", {"owner": env.party, "nope": 2})],
            error_handler=on_error)

    @events.webhook.get(url_suffix="/errors")
    def get_errors(request):
        return json_response(errors)

    seen = []

    @events.ledger.contract_created("Utility.Sequence:Sequence")
    def created(event):
        seen.append(event.cid)

    @events.webhook.post(url_suffix="/make")
    def make(request):
        return create("Utility.Sequence:Sequence", {"owner": env.party, "name": "once", "count": 0})

    @events.webhook.get(url_suffix="/seen")
    def get_seen(request):
        return json_response(seen)

    @events.webhook.post(url_suffix="/archive-twice")
    def archive_twice(request):
        return [exercise(seen[0], "Archive"), exercise(seen[0], "Archive")]
`)
	base := serveForTest(t, rt)

	for _, suffix := range []string{"/bad", "/handled"} {
		resp, err := http.Post(base+"/integration/test-instance"+suffix, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("%s: status = %d, want 500; body %s", suffix, resp.StatusCode, body)
		}
		var got struct {
			Code        string `json:"code"`
			Description string `json:"description"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%s: body %q: %v", suffix, body, err)
		}
		if got.Code != "submission_failed" {
			t.Errorf("%s: code = %q, want submission_failed", suffix, got.Code)
		}
		if !strings.Contains(got.Description, "nope") {
			t.Errorf("%s: description %q does not name the invalid field nope", suffix, got.Description)
		}
	}

	resp, err := http.Get(base + "/integration/test-instance/errors")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var errs []string
	if err := json.Unmarshal(body, &errs); err != nil {
		t.Fatalf("errors body %q: %v", body, err)
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "nope") {
		t.Errorf("error_handler received %q, want one message naming the field nope", errs)
	}
	st := rt.Status()
	for i := range 2 {
		if st.Webhooks[i].ErrorCount != 1 {
			t.Errorf("webhook %d error_count = %d, want 1", i, st.Webhooks[i].ErrorCount)
		}
	}

	// A transaction that the ledger rejects: one contract archived twice.
	resp, err = http.Post(base+"/integration/test-instance/make", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/make: status = %d, want 200", resp.StatusCode)
	}
	waitFor(t, "the created contract delivered", func() bool {
		resp, err := http.Get(base + "/integration/test-instance/seen")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.TrimSpace(string(body)) != "[]"
	})
	resp, err = http.Post(base+"/integration/test-instance/archive-twice", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("/archive-twice: status = %d, want 500; body %s", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), `"submission_failed"`) {
		t.Errorf("/archive-twice: body %s, want code submission_failed", body)
	}
}

// waitFor polls cond until it holds or 10 seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// serveForTest serves rt over HTTP on a loopback port until the test ends
// and returns the server's base URL.
func serveForTest(t *testing.T, rt *integration.Runtime) string {
	t.Helper()
	srv, err := httpd.New(httpd.Options{InstanceID: "test-instance", Integration: rt})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return "http://" + lis.Addr().String()
}

func TestRouteParametersOverHTTP(t *testing.T) {
	rt, _ := integration.StartForTest(t, `
def main(env, events):
    @events.webhook.get(url_suffix="/orders/:id")
    def order(request):
        return json_response(request.match_info)

    @events.webhook.get(url_suffix="/numbers/{num:[0-9]+}")
    def number(request):
        return json_response(request.match_info)

    @events.webhook.get(url_suffix="/files/{path:.+}")
    def file(request):
        return json_response(request.match_info)
`)
	base := serveForTest(t, rt) + "/integration/test-instance"

	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/orders/o-17", 200, `{"id": "o-17"}`},
		{"/numbers/42", 200, `{"num": "42"}`},
		{"/numbers/4x2", 404, ""},
		{"/files/a/b.txt", 200, `{"path": "a/b.txt"}`},
		{"/files/", 404, ""},
	}
	for _, tt := range tests {
		resp, err := http.Get(base + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s: status = %d, want %d; body %s", tt.path, resp.StatusCode, tt.status, body)
			continue
		}
		if tt.status == 200 && !jsonEqual(string(body), tt.body) {
			t.Errorf("GET %s: match_info = %s, want %s", tt.path, body, tt.body)
		}
		if tt.status == 404 && !strings.Contains(string(body), `"not_found"`) {
			t.Errorf("GET %s: body %s, want code not_found", tt.path, body)
		}
	}
	if n := rt.Status().Webhooks[1].UseCount; n != 1 {
		t.Errorf("use_count of the numbers route = %d, want 1: a mismatched value reached the handler", n)
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
