package httpd

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/ditstar/ditstar/integration"
)

func TestStatusDocumentFields(t *testing.T) {
	// Times in another zone must still be sent in UTC with a Z.
	zone := time.FixedZone("UTC+2", 2*60*60)
	start := time.Date(2026, 3, 4, 7, 6, 7, 0, zone)
	errTime := start.Add(time.Minute)
	msg := "fail: boom"
	yes, no := true, false
	fake := &fakeIntegration{status: integration.Status{
		Running:       true,
		StartTime:     start,
		ErrorMessage:  &msg,
		ErrorTime:     &errTime,
		PendingEvents: 2,
		EventQueue:    integration.QueueStatus{QueueSize: 512, TotalEvents: 40, PendingEvents: 1, SkippedEvents: 3},
		Webhooks: []integration.HandlerStatus{{
			Index: 0, Label: "Webhook", CommandCount: 5, UseCount: 6, ErrorCount: 1,
			ErrorMessage: &msg, ErrorTime: &errTime, URLPath: "/integration/inst-1/orders", Method: "POST",
		}},
		LedgerEvents: []integration.HandlerStatus{{
			Index: 1, Label: "Contract Create", TemplateID: "pkg:Main:Order", SweepEnabled: &yes, FlowEnabled: &no,
		}},
		Timers:          []integration.HandlerStatus{{Index: 2, Label: "tick (30s)", UseCount: 9}},
		LogLevel:        10,
		LogLevelOptions: []integration.LogLevelLabel{{Label: "Debug", Value: 10}, {Label: "Info", Value: 20}},
	}}
	_, base := startServer(t, Options{Integration: fake})

	got := do(t, http.MethodGet, base+"/status", "", nil)
	if got.status != http.StatusOK {
		t.Fatalf("status %d, want 200", got.status)
	}
	var doc map[string]any
	if err := json.Unmarshal(got.body, &doc); err != nil {
		t.Fatalf("decode %s: %v", got.body, err)
	}

	wantTop := map[string]any{
		"running":        true,
		"start_time":     "2026-03-04T05:06:07Z",
		"error_message":  "fail: boom",
		"error_time":     "2026-03-04T05:07:07Z",
		"pending_events": 2.0,
		"log_level":      10.0,
		"_self":          base + "/status",
	}
	for key, want := range wantTop {
		if doc[key] != want {
			t.Errorf("%s = %#v, want %#v", key, doc[key], want)
		}
	}
	queue, _ := doc["event_queue"].(map[string]any)
	for key, want := range map[string]float64{"queue_size": 512, "total_events": 40, "pending_events": 1, "skipped_events": 3} {
		if queue[key] != want {
			t.Errorf("event_queue.%s = %#v, want %v", key, queue[key], want)
		}
	}

	hook := firstEntry(t, doc, "webhooks")
	for key, want := range map[string]any{
		"index": 0.0, "label": "Webhook", "command_count": 5.0, "use_count": 6.0, "error_count": 1.0,
		"error_message": "fail: boom", "error_time": "2026-03-04T05:07:07Z",
		"url_path": "/integration/inst-1/orders", "method": "POST",
	} {
		if hook[key] != want {
			t.Errorf("webhooks[0].%s = %#v, want %#v", key, hook[key], want)
		}
	}
	if _, ok := hook["template_id"]; ok {
		t.Errorf("webhooks[0] has template_id, which only ledger entries carry")
	}

	ledger := firstEntry(t, doc, "ledger_events")
	for key, want := range map[string]any{
		"label": "Contract Create", "template_id": "pkg:Main:Order", "sweep_enabled": true, "flow_enabled": false,
		"error_message": nil, "error_time": nil,
	} {
		if v, ok := ledger[key]; !ok || v != want {
			t.Errorf("ledger_events[0].%s = %#v (present %v), want %#v", key, v, ok, want)
		}
	}
	if _, ok := ledger["url_path"]; ok {
		t.Errorf("ledger_events[0] has url_path, which only webhooks carry")
	}

	timer := firstEntry(t, doc, "timers")
	if timer["label"] != "tick (30s)" {
		t.Errorf("timers[0].label = %#v, want tick (30s)", timer["label"])
	}

	queues, ok := doc["queues"].([]any)
	if !ok || len(queues) != 0 {
		t.Errorf("queues = %#v, want an empty array", doc["queues"])
	}
	options, _ := doc["log_level_options"].([]any)
	if len(options) != 2 {
		t.Fatalf("log_level_options = %#v, want 2 entries", doc["log_level_options"])
	}
	if first, _ := options[0].(map[string]any); first["label"] != "Debug" || first["value"] != 10.0 {
		t.Errorf("log_level_options[0] = %#v, want Debug 10", first)
	}

	health := do(t, http.MethodGet, base+"/healthz", "", nil)
	var healthDoc map[string]any
	if err := json.Unmarshal(health.body, &healthDoc); err != nil {
		t.Fatalf("decode healthz: %v", err)
	}
	if len(healthDoc) != len(doc) || healthDoc["_self"] != base+"/healthz" {
		t.Errorf("healthz document differs from status: %s", health.body)
	}
}

func firstEntry(t *testing.T, doc map[string]any, key string) map[string]any {
	t.Helper()
	list, ok := doc[key].([]any)
	if !ok || len(list) == 0 {
		t.Fatalf("%s = %#v, want a non-empty array", key, doc[key])
	}
	entry, ok := list[0].(map[string]any)
	if !ok {
		t.Fatalf("%s[0] = %#v, want an object", key, list[0])
	}
	return entry
}

func TestStatusEmptyListsAreArrays(t *testing.T) {
	_, base := startServer(t, Options{Integration: &fakeIntegration{}})
	got := do(t, http.MethodGet, base+"/status", "", nil)
	var doc map[string]any
	if err := json.Unmarshal(got.body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"webhooks", "ledger_events", "timers", "queues", "log_level_options"} {
		if list, ok := doc[key].([]any); !ok || len(list) != 0 {
			t.Errorf("%s = %#v, want []", key, doc[key])
		}
	}
	if doc["error_message"] != nil || doc["error_time"] != nil {
		t.Errorf("error_message %#v, error_time %#v, want null", doc["error_message"], doc["error_time"])
	}
}

func TestLogLevelAccepted(t *testing.T) {
	fake := &fakeIntegration{level: 20}
	_, base := startServer(t, Options{Integration: fake})
	for _, level := range []int{0, 10, 50} {
		body := []byte(`{"log_level": ` + strconv.Itoa(level) + `}`)
		got := do(t, http.MethodPost, base+"/log-level", "", body)
		if got.status != http.StatusOK {
			t.Errorf("log_level %d: status %d, want 200; body %s", level, got.status, got.body)
		}
		if fake.LogLevel() != level {
			t.Errorf("log_level %d: integration level %d", level, fake.LogLevel())
		}
		var resp map[string]int
		if err := json.Unmarshal(got.body, &resp); err != nil || resp["log_level"] != level {
			t.Errorf("log_level %d: response %s", level, got.body)
		}
	}
}

func TestLogLevelRejected(t *testing.T) {
	fake := &fakeIntegration{level: 20}
	_, base := startServer(t, Options{Integration: fake})
	for _, body := range []string{
		``, `{`, `[]`, `10`, `{}`, `{"log_level": null}`, `{"log_level": -1}`, `{"log_level": 51}`,
		`{"log_level": 1000000000000000000000}`, `{"log_level": 10.5}`, `{"log_level": 1e1}`,
		`{"log_level": "10"}`, `{"log_level": true}`, `{"log_level": 10} {}`, `{"log_level": 10}x`, `{"log_level": 00}`,
	} {
		got := do(t, http.MethodPost, base+"/log-level", "", []byte(body))
		if got.status != http.StatusBadRequest {
			t.Errorf("body %q: status %d, want 400", body, got.status)
		}
		if got.errorCode() != "invalid_log_level" {
			t.Errorf("body %q: response %s, want code invalid_log_level", body, got.body)
		}
		if fake.LogLevel() != 20 {
			t.Fatalf("body %q changed the level to %d", body, fake.LogLevel())
		}
	}
}

func TestLogLevelSetFailure(t *testing.T) {
	fake := &fakeIntegration{level: 20, setErr: errors.New("logger closed")}
	_, base := startServer(t, Options{Integration: fake})
	got := do(t, http.MethodPost, base+"/log-level", "", []byte(`{"log_level": 10}`))
	if got.status != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", got.status)
	}
	if got.errorCode() != "internal_error" {
		t.Errorf("body %s, want code internal_error", got.body)
	}
}
