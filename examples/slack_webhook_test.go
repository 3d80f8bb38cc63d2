package examples_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const slackInboundMessage = "SlackIntegration.Messages:InboundDirectMessage"

// slackSignature returns Slack's v0 signature of body at timestamp.
func slackSignature(secret, timestamp, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, "v0:"+timestamp+":"+body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// postSigned sends body to url with Slack's signature headers made at
// signedAt, and returns the status and the response body.
func postSigned(t *testing.T, url, contentType, body, secret string, signedAt time.Time) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	timestamp := strconv.FormatInt(signedAt.Unix(), 10)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", timestamp)
	req.Header.Set("X-Slack-Signature", slackSignature(secret, timestamp, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

func TestSlackSignedEventsRealClock(t *testing.T) {
	srv, _ := slackServer(t)
	r := startExample(t, "slack", "dabl-integration-slack-1.2.2.dar", slackConfig(srv.URL))
	base := r.serve("slack")
	const event = `{"type": "event_callback", "event": {"type": "message", "channel": "D1", "user": "U1", "text": "hi", "channel_type": "im"}}`

	// Signed now with the configured secret: accepted, and the message is
	// on the ledger.
	status, body := postSigned(t, base, "application/json", event, "test-signing-secret", time.Now())
	if status != http.StatusOK {
		t.Fatalf("signed event: got %d %s, want 200", status, body)
	}
	if got := r.active(slackInboundMessage); len(got) != 1 {
		t.Errorf("inbound messages after a signed event: got %d, want 1", len(got))
	}

	// Signed with another secret, or ten minutes ago: rejected, and
	// nothing more is created.
	status, body = postSigned(t, base, "application/json", event, "another-secret", time.Now())
	if status != http.StatusUnauthorized || !strings.Contains(body, "invalid_signature") {
		t.Errorf("event signed with another secret: got %d %s, want 401 invalid_signature", status, body)
	}
	status, body = postSigned(t, base, "application/json", event, "test-signing-secret", time.Now().Add(-10*time.Minute))
	if status != http.StatusUnauthorized || !strings.Contains(body, "stale_request") {
		t.Errorf("event signed ten minutes ago: got %d %s, want 401 stale_request", status, body)
	}
	if got := r.active(slackInboundMessage); len(got) != 1 {
		t.Errorf("inbound messages after rejected events: got %d, want 1", len(got))
	}

	// A signed slash command becomes a CommandInvocation.
	form := "command=%2Fhello&text=world&response_url=" + srv.URL + "%2Frespond%2Fok&user_id=U1&team_id=T1&channel_id=C1&api_app_id=A1"
	status, body = postSigned(t, base+"/command", "application/x-www-form-urlencoded", form, "test-signing-secret", time.Now())
	if status != http.StatusOK {
		t.Fatalf("signed slash command: got %d %s, want 200", status, body)
	}
	if got := r.active("SlackIntegration.Commands:CommandInvocation"); len(got) != 1 {
		t.Errorf("command invocations: got %d, want 1", len(got))
	}
}
