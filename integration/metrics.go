package integration

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// metrics are the runtime's Prometheus metrics. Every metric carries the
// instance id as the "integration" label.
type metrics struct {
	calls             *prometheus.CounterVec
	handlerErrors     *prometheus.CounterVec
	duration          *prometheus.HistogramVec
	submissions       *prometheus.CounterVec
	submissionLatency prometheus.Histogram
	offset            prometheus.Gauge
	lag               prometheus.Gauge
	skipped           *prometheus.CounterVec
	clockNow          func() time.Time
}

func newMetrics(reg *prometheus.Registry, r *Runtime) *metrics {
	labels := prometheus.Labels{"integration": r.opts.InstanceID}
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ditstar_handler_calls_total", Help: "Handler calls, by handler kind and label.", ConstLabels: labels,
		}, []string{"kind", "label"}),
		handlerErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ditstar_handler_errors_total", Help: "Failed handler calls and submissions, by handler kind and label.", ConstLabels: labels,
		}, []string{"kind", "label"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ditstar_handler_duration_seconds", Help: "Duration of handler calls, without their submission.", ConstLabels: labels,
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10),
		}, []string{"kind"}),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ditstar_submissions_total", Help: "Command submissions, by result: committed, failed or invalid.", ConstLabels: labels,
		}, []string{"result"}),
		submissionLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ditstar_submission_latency_seconds", Help: "Time from submission to commit or final failure, retries included.", ConstLabels: labels,
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}),
		offset: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ditstar_ledger_offset", Help: "Offset of the last ledger update delivered.", ConstLabels: labels,
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ditstar_ledger_lag_seconds", Help: "Time between the effective time of the last delivered transaction and its delivery.", ConstLabels: labels,
		}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ditstar_queue_skipped_total", Help: "Timer ticks and queue messages skipped, by source.", ConstLabels: labels,
		}, []string{"source"}),
		clockNow: r.clock.Now,
	}
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ditstar_queue_depth", Help: "Timer ticks and queue messages waiting in the event queue.", ConstLabels: labels,
	}, func() float64 { return float64(r.fifo.stats().PendingEvents) })
	if reg == nil {
		return m
	}
	for _, c := range []prometheus.Collector{m.calls, m.handlerErrors, m.duration, m.submissions, m.submissionLatency, m.offset, m.lag, m.skipped, depth} {
		if err := reg.Register(c); err != nil {
			var already prometheus.AlreadyRegisteredError
			if !errors.As(err, &already) {
				r.log.Warn("metric not registered", "error", err)
			}
		}
	}
	return m
}

func (m *metrics) observeCall(hs *handlerState, d time.Duration) {
	m.calls.WithLabelValues(hs.h.Kind.String(), hs.label).Inc()
	m.duration.WithLabelValues(hs.h.Kind.String()).Observe(d.Seconds())
}

// observeOffset records the offset delivered and, for a transaction, the
// lag behind its effective time.
func (m *metrics) observeOffset(offset int64, effectiveAt *timestamppb.Timestamp) {
	m.offset.Set(float64(offset))
	if effectiveAt != nil {
		m.lag.Set(m.clockNow().Sub(effectiveAt.AsTime()).Seconds())
	}
}
