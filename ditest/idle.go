package ditest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	dto "github.com/prometheus/client_model/go"
)

// Idle detection. The runtime is idle when:
//   - it has delivered every ledger update up to the ledger end (its
//     ditstar_ledger_offset gauge moves only after the handlers of an update
//     and their submissions have finished),
//   - no timer tick or queue message waits in its event queue,
//   - every timer loop has armed its next timer, which happens only after
//     the previous tick was handled,
//   - and nothing observable (status counters, metrics, log lines, outbound
//     requests) changed between two polls, or, when the integration has
//     queue handlers, for queueSettle.
//
// The first three conditions are exact for ledger events, webhooks and
// timers. A queue message leaves the event queue before its handler runs,
// so only the settle time covers a queue handler in flight.
//
// NOTE: a queue handler that runs longer than queueSettle without changing
// anything observable is taken as finished, because the runtime does not
// expose its calls in flight.
const (
	pollInterval = 2 * time.Millisecond
	queueSettle  = 20 * time.Millisecond
	// idleTimeout bounds the wait in real time.
	idleTimeout = 30 * time.Second
)

// waitIdle waits until the runtime is idle, or has stopped.
func (tc *testCase) waitIdle() error {
	deadline := time.Now().Add(idleTimeout)
	settlePolls := 1
	if len(tc.rt.Status().Queues) > 0 {
		settlePolls = int(queueSettle / pollInterval)
	}
	previous := ""
	stable := 0
	for {
		select {
		case err := <-tc.runErr:
			// Put the result back for stopRuntime.
			tc.runErr <- err
			return nil
		default:
		}
		busy, state, err := tc.observeIdle()
		if err != nil {
			return err
		}
		if busy == "" && state == previous {
			stable++
			if stable >= settlePolls {
				return nil
			}
		} else {
			stable = 0
		}
		previous = state
		if time.Now().After(deadline) {
			if busy == "" {
				busy = "its state kept changing"
			}
			return failf("the integration did not become idle within %v: %s", idleTimeout, busy)
		}
		time.Sleep(pollInterval)
	}
}

// observeIdle returns why the runtime is busy ("" when it looks idle) and
// a fingerprint of everything observable.
func (tc *testCase) observeIdle() (busy, state string, err error) {
	end, err := tc.ledgerEnd()
	if err != nil {
		return "", "", err
	}
	families, err := tc.registry.Gather()
	if err != nil {
		return "", "", fmt.Errorf("read the runtime metrics: %w", err)
	}
	delivered := int64(-1)
	var fingerprint strings.Builder
	for _, mf := range families {
		if !strings.HasPrefix(mf.GetName(), "ditstar_") || strings.Contains(mf.GetName(), "duration") || strings.Contains(mf.GetName(), "latency") || strings.Contains(mf.GetName(), "lag") {
			continue
		}
		for _, m := range mf.GetMetric() {
			value := metricValue(m)
			if mf.GetName() == "ditstar_ledger_offset" {
				delivered = int64(value)
			}
			fmt.Fprintf(&fingerprint, "%s%v=%v;", mf.GetName(), m.GetLabel(), value)
		}
	}
	status := tc.rt.Status()
	statusJSON, _ := json.Marshal(status)
	fmt.Fprintf(&fingerprint, "%s;logs=%d;sent=%d;end=%d", statusJSON, tc.logs.len(), tc.http.count(), end)

	switch {
	case !status.Running:
		busy = "it is not running"
	case delivered < end:
		busy = fmt.Sprintf("it has delivered the ledger up to offset %d of %d", delivered, end)
	case status.EventQueue.PendingEvents > 0:
		busy = fmt.Sprintf("%d timer ticks or queue messages are waiting", status.EventQueue.PendingEvents)
	case tc.clock.armed() < len(status.Timers):
		busy = fmt.Sprintf("%d of %d timers are armed", tc.clock.armed(), len(status.Timers))
	}
	return busy, fingerprint.String(), nil
}

func metricValue(m *dto.Metric) float64 {
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}

// ledgerEnd returns the offset of the last transaction on the ledger.
func (tc *testCase) ledgerEnd() (int64, error) {
	ctx, cancel := context.WithTimeout(tc.ctx, 10*time.Second)
	defer cancel()
	resp, err := v2.NewStateServiceClient(tc.conn).GetLedgerEnd(ctx, &v2.GetLedgerEndRequest{})
	if err != nil {
		return 0, fmt.Errorf("read the ledger end: %w", err)
	}
	return resp.GetOffset(), nil
}
