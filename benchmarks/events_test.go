package benchmarks

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ditstar/ditstar/ledger/client"
)

// eventsScript reads three fields of each created Sequence contract and
// keeps the newest rows in a bounded list, used as a ring.
const eventsScript = `
BOUND = 1000

def main(env, events):
    recent = []
    state = {"next": 0}

    @events.ledger.contract_created("Utility.Sequence:Sequence", sweep=True, flow=True)
    def on_created(event):
        row = (event.cdata["owner"], event.cdata["name"], event.cdata["count"])
        if len(recent) < BOUND:
            recent.append(row)
        else:
            recent[state["next"]] = row
            state["next"] = (state["next"] + 1) % BOUND
`

// Contracts of the event workloads, created in transactions of
// eventBatch creates by eventSubmitters concurrent submitters.
const (
	eventBatch      = 100
	eventSubmitters = 4
)

// BenchmarkEvents measures events per second from the first create to the
// last delivery, while contracts are created in batches. "starlark" is the
// runtime calling eventsScript's handler for each contract; "client" is the
// ledger client's stream alone, the ceiling of the first.
func BenchmarkEvents(b *testing.B) {
	n := size(100_000, 2_000)
	b.Run("starlark", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			env := startLedger(b)
			rt := env.run(env.newRuntime(eventsScript))
			rt.waitReady(b, time.Minute)
			b.StartTimer()

			begin := time.Now()
			if err := env.createBatches(context.Background(), n, eventBatch, eventSubmitters); err != nil {
				b.Fatal(err)
			}
			rt.waitUses(b, 0, int64(n), 10*time.Minute)
			b.ReportMetric(float64(n)/time.Since(begin).Seconds(), "events/s")

			b.StopTimer()
			rt.stop()
		}
	})
	b.Run("client", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			env := startLedger(b)
			c := env.dial()
			seen := make(chan int, 1)
			ready := make(chan struct{})
			go func() { seen <- countCreated(c, n, ready) }()
			<-ready
			b.StartTimer()

			begin := time.Now()
			if err := env.createBatches(context.Background(), n, eventBatch, eventSubmitters); err != nil {
				b.Fatal(err)
			}
			if got := <-seen; got != n {
				b.Fatalf("client stream delivered %d created events, want %d", got, n)
			}
			b.ReportMetric(float64(n)/time.Since(begin).Seconds(), "events/s")
			b.StopTimer()
		}
	})
}

// errEnough ends a stream once every expected event has arrived.
var errEnough = errors.New("every expected event arrived")

// countCreated streams every contract the client's party reads and returns
// the number of created events in transactions once it reaches want. It
// closes ready when the active contract set has been read. A stream
// failure returns the count so far.
func countCreated(c *client.Client, want int, ready chan<- struct{}) int {
	count := 0
	var boundary sync.Once
	_ = c.Stream(context.Background(), client.Filter{Wildcard: true}, func(it client.Item) error {
		switch it.Kind {
		case client.ItemBoundary:
			// A reconnect reads the active contract set again.
			boundary.Do(func() { close(ready) })
		case client.ItemTransaction:
			for _, ev := range it.Transaction.GetEvents() {
				if ev.GetCreated() != nil {
					count++
				}
			}
			if count >= want {
				return errEnough
			}
		}
		return nil
	})
	return count
}
