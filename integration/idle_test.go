package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/ditstar/ditstar/internal/clock"
)

func TestIdleDuringWebhook(t *testing.T) {
	gate := newGateServer(t)
	h := newHarness(t, strings.ReplaceAll(`
def main(env, events):
    @events.webhook.post()
    def slow(request):
        http.get("URL")
`, "URL", gate.URL))
	t.Cleanup(gate.open) // runs before the harness waits for Run to return
	h.start()
	waitFor(t, "idle after start-up", h.rt.Idle)

	done := make(chan error, 1)
	go func() {
		_, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"})
		done <- err
	}()
	gate.waitArrival(t)
	if h.rt.Idle() {
		t.Error("Idle() = true while a webhook handler runs")
	}
	gate.open()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !h.rt.Idle() {
		t.Error("Idle() = false after the webhook returned")
	}
}

func TestIdleDuringQueueMessage(t *testing.T) {
	gate := newGateServer(t)
	h := newHarness(t, strings.ReplaceAll(`
def main(env, events):
    @events.queue.message()
    def on_message(message):
        http.get("URL")

    @events.webhook.post()
    def put(request):
        env.queue.put("work")
`, "URL", gate.URL))
	t.Cleanup(gate.open) // runs before the harness waits for Run to return
	h.start()
	if _, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"}); err != nil {
		t.Fatal(err)
	}
	// The message has left the queue once its handler calls the gate, so
	// only the call in flight keeps the runtime busy.
	gate.waitArrival(t)
	if n := h.rt.Status().EventQueue.PendingEvents; n != 0 {
		t.Fatalf("pending_events = %d while the handler runs, want 0", n)
	}
	if h.rt.Idle() {
		t.Error("Idle() = true while a queue handler runs")
	}
	gate.open()
	waitFor(t, "idle after the queue handler", h.rt.Idle)
	if n := h.rt.Status().Queues[0].UseCount; n != 1 {
		t.Errorf("queue use_count = %d when idle, want 1", n)
	}
}

func TestIdleAfterTimerTick(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.time.periodic_interval(10)
    def tick():
        pass
`)
	vclock := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	h.opts.Clock = vclock
	h.start()
	waitFor(t, "the timer to be armed", func() bool { return vclock.Pending() == 1 })
	vclock.Advance(10 * time.Second)
	waitFor(t, "the tick to be handled", func() bool { return h.rt.Status().Timers[0].UseCount == 1 })
	waitFor(t, "idle after the tick", h.rt.Idle)
	if n := vclock.Pending(); n != 1 {
		t.Errorf("timers armed when idle = %d, want 1", n)
	}
}

func TestIdleBeforeReadyAndAfterStop(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    pass
`)
	rt, err := h.newRuntime()
	if err != nil {
		t.Fatal(err)
	}
	if rt.Idle() {
		t.Error("Idle() = true before Run")
	}
	h.start()
	waitFor(t, "idle after start-up", h.rt.Idle)
	h.cancel()
	err = <-h.runErr
	h.runErr <- err
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !h.rt.Idle() {
		t.Error("Idle() = false after Run returned")
	}
}
