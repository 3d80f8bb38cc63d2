package benchmarks

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSweep measures the time from Run to running over an active
// contract set of Sequence contracts, each delivered to eventsScript's
// handler with initial=True before the runtime is running.
func BenchmarkSweep(b *testing.B) {
	n := size(100_000, 2_000)
	for range b.N {
		b.StopTimer()
		env := startLedger(b)
		if err := env.createBatches(context.Background(), n, eventBatch, eventSubmitters); err != nil {
			b.Fatal(err)
		}
		rt := env.newRuntime(eventsScript)
		b.StartTimer()

		begin := time.Now()
		running := env.run(rt)
		running.waitReady(b, 10*time.Minute)
		elapsed := time.Since(begin)

		b.StopTimer()
		if got := running.Status().LedgerEvents[0].UseCount; got != int64(n) {
			b.Fatalf("sweep delivered %d contracts, want %d", got, n)
		}
		b.ReportMetric(elapsed.Seconds(), "s-to-running")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "contracts/s")
		running.stop()
	}
}
