package examples_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ditstar/ditstar/integration"
)

const (
	slackConfiguration   = "SlackIntegration.Configuration:Configuration"
	slackOutboundMessage = "SlackIntegration.Messages:OutboundMessage"
	slackCommandResponse = "SlackIntegration.Commands:CommandInvocationResponse"
)

// slackServer replaces the Slack Web API and the response URLs. It accepts
// chat.postMessage with the token xoxb-test, rejects channel C404 with
// channel_not_found, and returns 410 for /respond/fail.
func slackServer(t *testing.T) (*httptest.Server, *recorder) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r := rec.record(req)
		switch r.path {
		case "/api/chat.postMessage":
			if r.authorization != "Bearer xoxb-test" {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"ok": false, "error": "invalid_auth"}`))
				return
			}
			var msg struct{ Channel, Text string }
			if err := json.Unmarshal([]byte(r.body), &msg); err != nil {
				http.Error(w, "invalid JSON", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			if msg.Channel == "C404" {
				w.Write([]byte(`{"ok": false, "error": "channel_not_found"}`))
				return
			}
			w.Write([]byte(`{"ok": true, "channel": "` + msg.Channel + `"}`))
		case "/respond/ok":
			w.WriteHeader(http.StatusOK)
		case "/respond/fail":
			http.Error(w, "expired_url", http.StatusGone)
		default:
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

func slackConfig(baseURL string) map[string]string {
	return map[string]string{
		"slackBaseUrl":       baseURL + "/api",
		"slackSigningSecret": "test-signing-secret",
		"retryInterval":      "3600",
	}
}

func TestSlackOutboundMessages(t *testing.T) {
	srv, rec := slackServer(t)
	r := startExample(t, "slack", "dabl-integration-slack-1.2.2.dar", slackConfig(srv.URL))

	// The first message waits for the configuration, which brings the token.
	waiting, offset := r.create(slackOutboundMessage, map[string]any{
		"integrationParty": r.party, "slackChannel": "C01", "messageText": "before the token",
	})
	r.waitHandler("Outbound message", func(h integration.HandlerStatus) bool { return h.UseCount >= 1 && r.rt.Status().PendingEvents == 0 })
	if got := rec.all(); len(got) != 0 {
		t.Fatalf("requests before any Configuration: got %v, want none", got)
	}
	r.create(slackConfiguration, map[string]any{"integrationParty": r.party, "slackApiToken": "xoxb-test"})
	archives := r.waitExercises(offset, 1)
	if archives[0].cid != waiting || archives[0].choice != "Archive" {
		t.Errorf("after the Configuration: got exercise %s on %s, want Archive on %s", archives[0].choice, archives[0].cid, waiting)
	}

	// A message to an unknown channel is rejected by Slack and stays.
	rejected, offset := r.create(slackOutboundMessage, map[string]any{
		"integrationParty": r.party, "slackChannel": "C404", "messageText": "nobody there",
	})
	waitLog(t, r, "was rejected: channel_not_found")
	if got := r.exercisesAfter(offset); len(got) != 0 {
		t.Errorf("exercises after a rejected message: got %v, want none", got)
	}
	if got := r.active(slackOutboundMessage); !slices.Equal(got, []string{rejected}) {
		t.Errorf("active outbound messages: got %v, want [%s]", got, rejected)
	}

	requests := rec.all()
	if len(requests) != 2 {
		t.Fatalf("requests: got %d, want 2: %v", len(requests), requests)
	}
	first := requests[0]
	if first.method != http.MethodPost || first.path != "/api/chat.postMessage" {
		t.Errorf("first request: got %s %s, want POST /api/chat.postMessage", first.method, first.path)
	}
	if first.authorization != "Bearer xoxb-test" {
		t.Errorf("first request: Authorization %q, want Bearer xoxb-test", first.authorization)
	}
	if !strings.HasPrefix(first.contentType, "application/json") {
		t.Errorf("first request: Content-Type %q, want application/json", first.contentType)
	}
	if first.body != `{"channel": "C01", "text": "before the token"}` {
		t.Errorf("first request: body %s", first.body)
	}
}

func TestSlackCommandResponses(t *testing.T) {
	srv, rec := slackServer(t)
	r := startExample(t, "slack", "dabl-integration-slack-1.2.2.dar", slackConfig(srv.URL))

	delivered, offset := r.create(slackCommandResponse, map[string]any{
		"integrationParty": r.party, "responseUrl": srv.URL + "/respond/ok", "responseText": "done",
	})
	got := r.waitExercises(offset, 1)
	if got[0].cid != delivered || got[0].choice != "Archive" {
		t.Errorf("after HTTP 200: got %s on %s, want Archive on %s", got[0].choice, got[0].cid, delivered)
	}

	before := time.Now().UTC().Truncate(time.Microsecond)
	failed, offset := r.create(slackCommandResponse, map[string]any{
		"integrationParty": r.party, "responseUrl": srv.URL + "/respond/fail", "responseText": "too late",
	})
	got = r.waitExercises(offset, 1)
	if got[0].cid != failed || got[0].choice != "ResponseFailed" {
		t.Fatalf("after HTTP 410: got %s on %s, want ResponseFailed on %s", got[0].choice, got[0].cid, failed)
	}
	if code := field(got[0].arg, "httpStatusCode").GetInt64(); code != http.StatusGone {
		t.Errorf("httpStatusCode: got %d, want 410", code)
	}
	if body := field(got[0].arg, "httpResponseBody").GetText(); body != "expired_url\n" {
		t.Errorf("httpResponseBody: got %q, want %q", body, "expired_url\n")
	}
	received := time.UnixMicro(field(got[0].arg, "receivedAt").GetTimestamp()).UTC()
	if received.Before(before) || received.After(time.Now().Add(time.Second)) {
		t.Errorf("receivedAt: got %v, want the time of the attempt (after %v)", received, before)
	}
	if left := r.active(slackCommandResponse); len(left) != 0 {
		t.Errorf("active command responses: got %v, want none", left)
	}

	// A response URL that refuses connections fails the handler, which the
	// status counts, and the contract stays.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	unreachable, _ := r.create(slackCommandResponse, map[string]any{
		"integrationParty": r.party, "responseUrl": closed.URL + "/respond", "responseText": "lost",
	})
	h := r.waitHandler("Command response", failures(1))
	if h.CommandCount != 2 {
		t.Errorf("command count: got %d, want 2", h.CommandCount)
	}
	if h.ErrorMessage == nil || !strings.Contains(*h.ErrorMessage, "POST "+closed.URL+"/respond") {
		t.Errorf("error message: got %v, want the failed request", h.ErrorMessage)
	}
	if left := r.active(slackCommandResponse); !slices.Equal(left, []string{unreachable}) {
		t.Errorf("active command responses: got %v, want [%s]", left, unreachable)
	}
	if n := len(rec.all()); n != 2 {
		t.Errorf("requests to the stand-in server: got %d, want 2", n)
	}
}
