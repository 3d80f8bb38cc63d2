package ditest

import (
	"context"
	"fmt"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	dto "github.com/prometheus/client_model/go"
)

// Idle detection. The runtime is idle when:
//   - Runtime.Idle reports no handler call, submission, webhook request or
//     queued event in flight,
//   - it has delivered every ledger update up to the ledger end (its
//     ditstar_ledger_offset gauge moves only after the handlers of an update
//     and their submissions have finished), because a committed transaction
//     reaches the runtime only when its stream delivers it,
//   - and every timer loop has armed its next timer, because a fired timer
//     counts as work only once its loop receives it.
//
// Each condition is exact, so waitIdle polls until all of them hold at once.
const (
	pollInterval = 2 * time.Millisecond
	// idleTimeout bounds the wait in real time. It is generous because the
	// conditions are exact: only a stuck handler or a race-detector build
	// on a loaded machine comes near it.
	idleTimeout = 30 * time.Second
)

// waitIdle waits until the runtime is idle, or has stopped.
func (tc *testCase) waitIdle() error {
	deadline := time.Now().Add(idleTimeout)
	for {
		select {
		case err := <-tc.runErr:
			// Put the result back for stopRuntime.
			tc.runErr <- err
			return nil
		default:
		}
		busy, err := tc.observeIdle()
		if err != nil {
			return err
		}
		if busy == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return failf("the integration did not become idle within %v: %s", idleTimeout, busy)
		}
		time.Sleep(pollInterval)
	}
}

// observeIdle returns why the runtime is busy, or "" when it is idle.
func (tc *testCase) observeIdle() (busy string, err error) {
	end, err := tc.ledgerEnd()
	if err != nil {
		return "", err
	}
	delivered, err := tc.deliveredOffset()
	if err != nil {
		return "", err
	}
	// Idle is read after the delivered offset, and the ledger end again
	// after Idle: a handler's submission commits before the gauge moves, so
	// a transaction that the stream has not delivered yet moves the end.
	idle := tc.rt.Idle()
	endAfter, err := tc.ledgerEnd()
	if err != nil {
		return "", err
	}
	status := tc.rt.Status()
	switch {
	case !status.Running:
		return "it is not running", nil
	case endAfter != end:
		return fmt.Sprintf("the ledger end moved from offset %d to %d", end, endAfter), nil
	case delivered < end:
		return fmt.Sprintf("it has delivered the ledger up to offset %d of %d", delivered, end), nil
	case !idle:
		return fmt.Sprintf("a handler call, submission, webhook request or %d queued events are in flight", status.EventQueue.PendingEvents), nil
	case tc.clock.armed() < len(status.Timers):
		return fmt.Sprintf("%d of %d timers are armed", tc.clock.armed(), len(status.Timers)), nil
	}
	return "", nil
}

// deliveredOffset reads the runtime's ditstar_ledger_offset gauge: the
// offset of the last ledger update whose handlers have finished, or -1
// before the first one.
func (tc *testCase) deliveredOffset() (int64, error) {
	families, err := tc.registry.Gather()
	if err != nil {
		return 0, fmt.Errorf("read the runtime metrics: %w", err)
	}
	for _, mf := range families {
		if mf.GetName() != "ditstar_ledger_offset" {
			continue
		}
		for _, m := range mf.GetMetric() {
			return int64(metricValue(m)), nil
		}
	}
	return -1, nil
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
