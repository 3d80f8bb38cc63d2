package benchmarks

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/ledger/client"
)

// roundTripScript archives each created Sequence contract.
const roundTripScript = `
def main(env, events):
    @events.ledger.contract_created("Utility.Sequence:Sequence")
    def on_created(event):
        return exercise(event.cid, "Archive")
`

// roundTripClients is the number of concurrent creators. Each waits until
// the contract it created is archived before it creates the next one.
const roundTripClients = 8

// BenchmarkRoundTrip measures a handler that returns one exercise for each
// created contract. Each of roundTripClients creators submits one create,
// waits until an observer's stream shows the contract archived by the
// handler's exercise, and repeats. The latency of one round trip runs from the create's
// submission to the archive's arrival on the observer's stream.
func BenchmarkRoundTrip(b *testing.B) {
	n := size(10_000, 200)
	for range b.N {
		b.StopTimer()
		env := startLedger(b)
		rt := env.run(env.newRuntime(roundTripScript))
		rt.waitReady(b, time.Minute)
		answers := watchArchives(b, env.dial())
		b.StartTimer()

		var lat latencies
		begin := time.Now()
		errs := make(chan error, roundTripClients)
		var wg sync.WaitGroup
		for w := range roundTripClients {
			count := n / roundTripClients
			if w < n%roundTripClients {
				count++
			}
			wg.Go(func() {
				for range count {
					d, err := roundTrip(env, answers)
					if err != nil {
						errs <- err
						return
					}
					lat.add(d)
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(begin)
		b.StopTimer()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/elapsed.Seconds(), "tx/s")
		reportLatencies(b, &lat)
		rt.stop()
	}
}

// roundTrip creates one contract and returns the time until its archive
// arrives.
func roundTrip(env *ledgerEnv, answers *archiveWatch) (time.Duration, error) {
	begin := time.Now()
	req := &v2.SubmitAndWaitForTransactionRequest{Commands: env.submission(env.createCommand())}
	resp, err := env.commands.SubmitAndWaitForTransaction(context.Background(), req)
	if err != nil {
		return 0, fmt.Errorf("create: %w", err)
	}
	events := resp.GetTransaction().GetEvents()
	if len(events) != 1 || events[0].GetCreated() == nil {
		return 0, fmt.Errorf("create returned %d events, want one created event", len(events))
	}
	cid := events[0].GetCreated().GetContractId()
	select {
	case at := <-answers.arrival(cid):
		return at.Sub(begin), nil
	case <-time.After(time.Minute):
		return 0, fmt.Errorf("no archive of %s within a minute of its create", cid)
	}
}

// archiveWatch records when the archive of each contract arrives on a
// ledger client's stream. An archive may arrive before its creator waits
// for it, so each contract id gets a channel of capacity one that the
// first of the two sides makes.
type archiveWatch struct {
	mu      sync.Mutex
	byCID   map[string]chan time.Time
	stopped chan struct{}
}

// watchArchives streams c's transactions until the benchmark ends.
func watchArchives(b testing.TB, c *client.Client) *archiveWatch {
	w := &archiveWatch{byCID: map[string]chan time.Time{}, stopped: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	var boundary sync.Once
	go func() {
		defer close(w.stopped)
		_ = c.Stream(ctx, client.Filter{Wildcard: true}, func(it client.Item) error {
			switch it.Kind {
			case client.ItemBoundary:
				// A reconnect reads the active contract set again.
				boundary.Do(func() { close(ready) })
			case client.ItemTransaction:
				now := time.Now()
				for _, ev := range it.Transaction.GetEvents() {
					if a := ev.GetArchived(); a != nil {
						w.arrival(a.GetContractId()) <- now
					}
				}
			}
			return nil
		})
	}()
	b.Cleanup(func() {
		cancel()
		<-w.stopped
	})
	select {
	case <-ready:
	case <-w.stopped:
		b.Fatal("observer stream ended before reading the active contract set")
	}
	return w
}

// arrival returns the channel that receives the archive time of cid. Each
// side uses it once, so the entry is removed by the second caller.
func (w *archiveWatch) arrival(cid string) chan time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch, ok := w.byCID[cid]
	if ok {
		delete(w.byCID, cid)
		return ch
	}
	ch = make(chan time.Time, 1)
	w.byCID[cid] = ch
	return ch
}
