package integration

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/ditstar/ditstar/interp"
)

func TestStepBudgetCountsAsError(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.webhook.post()
    def spin(request):
        while True:
            pass

    @events.webhook.get()
    def ok(request):
        return json_response("still running")
`)
	h.opts.Limits = interp.Limits{MaxSteps: 10_000, Timeout: interp.DefaultLimits().Timeout}
	h.start()
	_, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"})
	if err == nil || !strings.Contains(err.Error(), "step budget") {
		t.Fatalf("spinning handler: error = %v, want the step budget error", err)
	}
	st := h.rt.Status()
	if st.Webhooks[0].ErrorCount != 1 {
		t.Errorf("error_count = %d, want 1", st.Webhooks[0].ErrorCount)
	}
	var got string
	h.get(1, &got)
	if got != "still running" {
		t.Errorf("next handler returned %q, want still running", got)
	}
	if !strings.Contains(h.logs.String(), "limit=steps") {
		t.Error("the log line of the failure lacks limit=steps")
	}
}

func TestMetricsRecorded(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.ledger.contract_created("Utility.Sequence:Sequence")
    def created(event):
        if event.cdata["name"] == "bad":
            fail("bad contract")
        if event.cdata["name"] == "copy":
            return create("Utility.Sequence:Sequence", {"owner": env.party, "name": "copied", "count": 0})
`)
	reg := prometheus.NewRegistry()
	h.opts.Registry = reg
	h.start()
	h.createSequence("bad", 0)
	h.createSequence("copy", 0)
	waitFor(t, "the copied contract", func() bool { return h.rt.Status().LedgerEvents[0].UseCount == 3 })

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range families {
		byName[f.GetName()] = f
	}
	counter := func(name string, labels map[string]string) float64 {
		t.Helper()
		f, ok := byName[name]
		if !ok {
			t.Fatalf("metric %s not registered", name)
		}
		total := 0.0
	metrics:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					continue metrics
				}
			}
			total += m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
		}
		return total
	}
	if n := counter("ditstar_handler_calls_total", map[string]string{"kind": "contract_created"}); n != 3 {
		t.Errorf("handler calls = %v, want 3", n)
	}
	if n := counter("ditstar_handler_errors_total", nil); n != 1 {
		t.Errorf("handler errors = %v, want 1", n)
	}
	if n := counter("ditstar_handler_duration_seconds", nil); n != 3 {
		t.Errorf("duration samples = %v, want 3", n)
	}
	if n := counter("ditstar_submissions_total", map[string]string{"result": "committed"}); n != 1 {
		t.Errorf("committed submissions = %v, want 1", n)
	}
	if n := counter("ditstar_submission_latency_seconds", nil); n != 1 {
		t.Errorf("latency samples = %v, want 1", n)
	}
	if n := counter("ditstar_ledger_offset", nil); n < 3 {
		t.Errorf("ledger offset = %v, want at least 3", n)
	}
	for _, name := range []string{"ditstar_ledger_lag_seconds", "ditstar_queue_depth"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("metric %s not registered", name)
		}
	}
}
