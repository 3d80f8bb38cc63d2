package httpd

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ditstar/ditstar/integration"
)

// counterValue returns the sum of all series of the named counter.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

func TestMetricsSharedRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	calls := prometheus.NewCounter(prometheus.CounterOpts{Name: "ditstar_handler_calls_total", Help: "test"})
	reg.MustRegister(calls)
	calls.Add(3)

	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "POST", Suffix: "/orders/:id"}}}
	_, base := startServer(t, Options{Integration: fake, Registry: reg})
	do(t, http.MethodPost, base+"/integration/"+testInstance+"/orders/1", "", nil)
	do(t, http.MethodPost, base+"/integration/"+testInstance+"/orders/2", "", nil)
	do(t, http.MethodGet, base+"/nope", "", nil)
	do(t, "BREW", base+"/nope", "", nil)

	got := do(t, http.MethodGet, base+"/metrics", "", nil)
	body := string(got.body)
	for _, want := range []string{
		"ditstar_handler_calls_total 3",
		`ditstar_http_requests_total{code="200",method="POST",route="/integration/` + testInstance + `/orders/:id"} 2`,
		`ditstar_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`ditstar_http_requests_total{code="404",method="other",route="unmatched"} 1`,
		`ditstar_http_request_duration_seconds_count{route="/integration/` + testInstance + `/orders/:id"} 2`,
		"ditstar_http_webhook_requests_waiting 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

func TestMetricsTwoServersOneRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	for i := range 2 {
		if _, err := New(Options{InstanceID: testInstance, Integration: &fakeIntegration{}, Registry: reg}); err != nil {
			t.Fatalf("New #%d on a shared registry: %v", i+1, err)
		}
	}
}
