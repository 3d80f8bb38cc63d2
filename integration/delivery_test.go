package integration

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ditstar/ditstar/internal/clock"
)

// gateServer is a loopback HTTP server whose requests block until the test
// opens the gate; it records the largest number of requests in flight.
type gateServer struct {
	*httptest.Server
	gate     chan struct{}
	openOnce sync.Once
	inFlight atomic.Int64
	maxSeen  atomic.Int64
	arrived  chan struct{}
}

func newGateServer(t *testing.T) *gateServer {
	g := &gateServer{gate: make(chan struct{}), arrived: make(chan struct{}, 100)}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := g.inFlight.Add(1)
		defer g.inFlight.Add(-1)
		for {
			m := g.maxSeen.Load()
			if n <= m || g.maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		g.arrived <- struct{}{}
		<-g.gate
		w.Write([]byte("ok"))
	}))
	t.Cleanup(func() {
		g.open()
		g.Server.Close()
	})
	return g
}

func (g *gateServer) open() { g.openOnce.Do(func() { close(g.gate) }) }

func (g *gateServer) waitArrival(t *testing.T) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("no request reached the test server within 10s")
	}
}

func TestHandlerErrorCounted(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    seen = []

    @events.ledger.contract_created("Utility.Sequence:Sequence")
    def created(event):
        if event.cdata["name"] == "bad":
            fail("cannot handle " + event.cdata["name"])
        seen.append(event.cdata["name"])

    @events.webhook.get()
    def get(request):
        return json_response(seen)
`)
	h.start()
	h.createSequence("bad", 0)
	h.createSequence("good", 0)
	var seen []string
	waitFor(t, "the event after the failing one", func() bool {
		h.get(0, &seen)
		return len(seen) == 1
	})
	if seen[0] != "good" {
		t.Errorf("delivered %q, want good", seen)
	}
	st := h.rt.Status()
	created := st.LedgerEvents[0]
	if created.ErrorCount != 1 {
		t.Errorf("error_count = %d, want 1", created.ErrorCount)
	}
	if created.UseCount != 2 {
		t.Errorf("use_count = %d, want 2", created.UseCount)
	}
	if created.ErrorMessage == nil || !strings.Contains(*created.ErrorMessage, "cannot handle bad") {
		t.Errorf("error_message = %v, want the fail message", created.ErrorMessage)
	}
	if created.ErrorTime == nil {
		t.Error("error_time is nil")
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "handler failed") || !strings.Contains(logs, "main.star:") {
		t.Errorf("the log lacks the failure with a script position:\n%s", logs)
	}
}

func TestSubmissionAndErrorHandler(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    errors = []
    sizes = []

    @events.ledger.transaction_end()
    def end(event):
        sizes.append(len(event.contract_events))

    def on_error(message):
        errors.append(message)
        return create("Utility.Sequence:Sequence", {"owner": env.party, "name": "recovered", "count": 0})

    @events.webhook.post(url_suffix="/good")
    def good(request):
        return [
            create("Utility.Sequence:Sequence", {"owner": env.party, "name": "one", "count": 1}),
            create("Utility.Sequence:Sequence", {"owner": env.party, "name": "two", "count": 2}),
        ]

    @events.webhook.post(url_suffix="/bad")
    def bad(request):
        return IntegrationResponse(
            commands=[create("Utility.Sequence:Sequence", {"owner": env.party, "nope": 1})],
            error_handler=on_error,
            command_timeout=5)

    @events.webhook.get(url_suffix="/errors")
    def get_errors(request):
        return json_response(errors)

    @events.webhook.get(url_suffix="/sizes")
    def get_sizes(request):
        return json_response(sizes)
`)
	h.start()
	if _, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"}); err != nil {
		t.Fatal(err)
	}
	names := h.activeNames()
	slices.Sort(names)
	if !reflect.DeepEqual(names, []string{"one", "two"}) {
		t.Errorf("active contracts after the good webhook = %q, want one and two", names)
	}
	var sizes []int
	waitFor(t, "the transaction of the good webhook", func() bool {
		h.get(3, &sizes)
		return len(sizes) == 1
	})
	if sizes[0] != 2 {
		t.Errorf("the two commands of one call made a transaction of %d events, want one transaction of 2", sizes[0])
	}
	st := h.rt.Status()
	if st.Webhooks[0].CommandCount != 2 {
		t.Errorf("command_count = %d, want 2", st.Webhooks[0].CommandCount)
	}

	_, err := h.rt.HandleWebhook(t.Context(), 1, &WebhookRequest{Method: "POST"})
	var submitErr *SubmissionError
	if !errors.As(err, &submitErr) {
		t.Fatalf("webhook with a failing submission: error = %v, want a *SubmissionError", err)
	}
	var errs []string
	h.get(2, &errs)
	if len(errs) != 1 || !strings.Contains(errs[0], "nope") {
		t.Errorf("error_handler received %q, want one message naming the bad field", errs)
	}
	names = h.activeNames()
	if !slices.Contains(names, "recovered") {
		t.Errorf("active contracts = %q, want the error handler's contract", names)
	}
	st = h.rt.Status()
	if st.Webhooks[1].ErrorCount != 1 {
		t.Errorf("error_count of the failing submission = %d, want 1", st.Webhooks[1].ErrorCount)
	}
	if !strings.Contains(h.logs.String(), "command_id=") {
		t.Error("the failed submission is not logged with its command id")
	}
}

func TestExerciseContractSeen(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.ledger.contract_created("Utility.Sequence:Sequence")
    def created(event):
        if event.cdata["name"] == "archive-me":
            return exercise(event.cid, "Archive")
`)
	h.start()
	h.createSequence("keep", 0)
	h.createSequence("archive-me", 0)
	waitFor(t, "the handler's archive", func() bool {
		return reflect.DeepEqual(h.activeNames(), []string{"keep"})
	})
}

func TestQueueOverflow(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    got = []

    @events.queue.message()
    def on_message(message):
        got.append(message)

    @events.webhook.post()
    def put(request):
        for i in range(3):
            env.queue.put({"n": i})

    @events.webhook.get()
    def get(request):
        return json_response(got)
`)
	h.opts.QueueSize = 2
	h.start()
	_, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"})
	if err == nil || !strings.Contains(err.Error(), "event queue is full") {
		t.Fatalf("third put: error = %v, want the queue-full error", err)
	}
	var got []map[string]int
	waitFor(t, "the queued messages", func() bool {
		h.get(1, &got)
		return len(got) == 2
	})
	if got[0]["n"] != 0 || got[1]["n"] != 1 {
		t.Errorf("messages delivered = %v, want n=0 then n=1", got)
	}
	q := h.rt.Status().EventQueue
	want := QueueStatus{QueueSize: 2, TotalEvents: 2, PendingEvents: 0, SkippedEvents: 1}
	if q != want {
		t.Errorf("event_queue = %+v, want %+v", q, want)
	}
}

func TestQueuePutWithoutHandler(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.webhook.post()
    def put(request):
        env.queue.put("x", queue_name="missing")
`)
	h.start()
	_, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"})
	if err == nil || !strings.Contains(err.Error(), `no handler for queue "missing"`) {
		t.Errorf("put error = %v", err)
	}
}

func TestTimerNotReentrant(t *testing.T) {
	gate := newGateServer(t)
	h := newHarness(t, strings.ReplaceAll(`
def main(env, events):
    @events.time.periodic_interval(10)
    def tick():
        http.get("URL")
`, "URL", gate.URL))
	t.Cleanup(gate.open) // runs before the harness waits for Run to return
	vclock := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	h.opts.Clock = vclock
	h.start()

	waitFor(t, "the timer to be armed", func() bool { return vclock.Pending() == 1 })
	vclock.Advance(10 * time.Second)
	gate.waitArrival(t)
	// While the handler runs, no timer is armed, so time passing adds nothing.
	for range 5 {
		vclock.Advance(10 * time.Second)
	}
	if n := vclock.Pending(); n != 0 {
		t.Errorf("timers armed while the handler runs = %d, want 0", n)
	}
	gate.open()
	waitFor(t, "the timer to be armed again", func() bool { return vclock.Pending() == 1 })
	st := h.rt.Status()
	if st.Timers[0].UseCount != 1 {
		t.Errorf("use_count = %d, want 1", st.Timers[0].UseCount)
	}
	if st.EventQueue.TotalEvents != 1 {
		t.Errorf("total_events = %d, want 1", st.EventQueue.TotalEvents)
	}
	if st.Timers[0].Label != "tick (10s)" {
		t.Errorf("label = %q, want %q", st.Timers[0].Label, "tick (10s)")
	}
	vclock.Advance(10 * time.Second)
	waitFor(t, "the second tick", func() bool { return h.rt.Status().Timers[0].UseCount == 2 })
	if max := gate.maxSeen.Load(); max != 1 {
		t.Errorf("requests in flight at once = %d, want 1", max)
	}
}

func TestOneHandlerCallAtATime(t *testing.T) {
	gate := newGateServer(t)
	h := newHarness(t, strings.ReplaceAll(`
def main(env, events):
    state = {"calls": 0}

    @events.webhook.post()
    def slow(request):
        state["calls"] += 1
        http.get("URL")
        return json_response(state)
`, "URL", gate.URL))
	t.Cleanup(gate.open) // runs before the harness waits for Run to return
	h.start()
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"}); err != nil {
				t.Error(err)
			}
		}()
	}
	gate.waitArrival(t)
	// Each of the other four requests is then either waiting for the turn
	// or, if the turn failed to serialise them, already at the gate.
	waitFor(t, "the other requests to reach the runtime", func() bool {
		return h.rt.webhookWaiting.Load()+gate.inFlight.Load()-1 == 4
	})
	gate.open()
	wg.Wait()
	if max := gate.maxSeen.Load(); max != 1 {
		t.Errorf("handler calls at once = %d, want 1", max)
	}
	if n := h.rt.Status().Webhooks[0].UseCount; n != 5 {
		t.Errorf("use_count = %d, want 5", n)
	}
}

func TestWebhookBusy(t *testing.T) {
	gate := newGateServer(t)
	h := newHarness(t, strings.ReplaceAll(`
def main(env, events):
    @events.webhook.post()
    def slow(request):
        http.get("URL")
`, "URL", gate.URL))
	t.Cleanup(gate.open) // runs before the harness waits for Run to return
	h.opts.MaxWebhookWaiting = 1
	h.opts.WebhookWait = 100 * time.Millisecond
	h.start()
	done := make(chan error, 1)
	go func() {
		_, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"})
		done <- err
	}()
	gate.waitArrival(t)
	if _, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"}); err != ErrBusy {
		t.Errorf("request while the handler runs: error = %v, want ErrBusy", err)
	}
	gate.open()
	if err := <-done; err != nil {
		t.Errorf("first request: %v", err)
	}
}

func TestTimerTickSkippedWhenQueueFull(t *testing.T) {
	gate := newGateServer(t)
	h := newHarness(t, strings.ReplaceAll(`
def main(env, events):
    @events.time.periodic_interval(5, label="poll")
    def tick():
        pass

    @events.queue.message()
    def on_message(message):
        pass

    @events.webhook.post()
    def fill(request):
        env.queue.put("fills the queue")
        http.get("URL")
`, "URL", gate.URL))
	t.Cleanup(gate.open) // runs before the harness waits for Run to return
	vclock := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	h.opts.Clock = vclock
	h.opts.QueueSize = 1
	h.start()
	waitFor(t, "the timer to be armed", func() bool { return vclock.Pending() == 1 })

	done := make(chan error, 1)
	go func() {
		_, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"})
		done <- err
	}()
	gate.waitArrival(t)
	vclock.Advance(5 * time.Second)
	waitFor(t, "the skipped tick", func() bool { return h.rt.Status().EventQueue.SkippedEvents == 1 })
	waitFor(t, "the timer to be armed after the skip", func() bool { return vclock.Pending() == 1 })
	gate.open()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the queued message", func() bool { return h.rt.Status().Queues[0].UseCount == 1 })
	st := h.rt.Status()
	if st.Timers[0].UseCount != 0 {
		t.Errorf("timer use_count = %d, want 0 after the skipped tick", st.Timers[0].UseCount)
	}
	if st.Timers[0].Label != "poll (5s)" {
		t.Errorf("timer label = %q, want %q", st.Timers[0].Label, "poll (5s)")
	}
	want := QueueStatus{QueueSize: 1, TotalEvents: 1, PendingEvents: 0, SkippedEvents: 1}
	if st.EventQueue != want {
		t.Errorf("event_queue = %+v, want %+v", st.EventQueue, want)
	}
}

func TestSubmissionRetriedAfterOutage(t *testing.T) {
	h := newHarnessWith(t, `
def main(env, events):
    @events.webhook.post()
    def make(request):
        return IntegrationResponse(
            commands=create("Utility.Sequence:Sequence", {"owner": env.party, "name": "retried", "count": 0}),
            command_timeout=20)
`, coreDAR(t), true)
	h.start()
	h.proxy.setCut(true)
	done := make(chan error, 1)
	go func() {
		_, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"})
		done <- err
	}()
	// The ledger comes back only once the outage has failed an attempt.
	waitFor(t, "a failed submission attempt", func() bool {
		return strings.Contains(h.logs.String(), "ledger submission failed; retrying")
	})
	h.proxy.setCut(false)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Read the ledger directly, past the proxy.
	direct := dialForTest(t, h.ledgerAddr, h.party)
	names := activeNamesOf(t, direct)
	if !reflect.DeepEqual(names, []string{"retried"}) {
		t.Errorf("active contracts = %q, want one retried contract", names)
	}
	st := h.rt.Status()
	if st.Webhooks[0].ErrorCount != 0 {
		t.Errorf("error_count = %d, want 0 after a successful retry: %v", st.Webhooks[0].ErrorCount, *st.Webhooks[0].ErrorMessage)
	}
}
