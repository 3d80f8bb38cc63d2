package httpd

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the server's own metrics. The runtime registers the
// handler, submission, offset and queue metrics in the same registry.
type httpMetrics struct {
	requests        *prometheus.CounterVec   // by route, method and status code
	duration        *prometheus.HistogramVec // by route
	webhookWaiting  prometheus.Gauge
	webhookRejected prometheus.Counter
	webhookErrors   prometheus.Counter
	authFailures    *prometheus.CounterVec // by error code
}

func newHTTPMetrics(reg *prometheus.Registry) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ditstar_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ditstar_http_request_duration_seconds",
			Help:    "Time from the start of a request to the end of its response, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		webhookWaiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ditstar_http_webhook_requests_waiting",
			Help: "Webhook requests in flight or waiting for their turn.",
		}),
		webhookRejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ditstar_http_webhook_rejected_total",
			Help: "Webhook requests rejected with 503 because too many were waiting.",
		}),
		webhookErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ditstar_http_webhook_errors_total",
			Help: "Webhook requests failed with 500 because the integration returned an error.",
		}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ditstar_http_auth_failures_total",
			Help: "Requests rejected by authentication, by error code.",
		}, []string{"code"}),
	}
	var err error
	m.requests = register(reg, m.requests, &err)
	m.duration = register(reg, m.duration, &err)
	m.webhookWaiting = register(reg, m.webhookWaiting, &err)
	m.webhookRejected = register(reg, m.webhookRejected, &err)
	m.webhookErrors = register(reg, m.webhookErrors, &err)
	m.authFailures = register(reg, m.authFailures, &err)
	if err != nil {
		return nil, fmt.Errorf("register http metrics: %w", err)
	}
	return m, nil
}

// register adds c to reg, or returns the collector already registered under
// the same name, so that two servers can share one registry.
func register[C prometheus.Collector](reg *prometheus.Registry, c C, errp *error) C {
	if err := reg.Register(c); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			if existing, ok := already.ExistingCollector.(C); ok {
				return existing
			}
		}
		*errp = errors.Join(*errp, err)
	}
	return c
}
