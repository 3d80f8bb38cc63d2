package sandbox

import (
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
)

// BenchmarkSubmit measures SubmitAndWait of one schemaless create over
// loopback gRPC, from 8 client goroutines per CPU.
func BenchmarkSubmit(b *testing.B) {
	h := start(b, Options{})
	alice := h.allocate("alice")
	args := record("owner", partyValue(alice), "name", text("benchmark"), "amount", numeric("12.5"))
	b.SetParallelism(8)
	b.ResetTimer()
	begin := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c := commands([]string{alice}, createCmd(asset, args))
			if _, err := h.commands.SubmitAndWait(h.ctx, &v2.SubmitAndWaitRequest{Commands: c}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(begin).Seconds(), "submissions/s")
}

// BenchmarkStream measures GetUpdates replaying b.N committed transactions
// of one created event each.
func BenchmarkStream(b *testing.B) {
	h := start(b, Options{StreamBuffer: 1 << 30})
	alice := h.allocate("alice")
	args := record("owner", partyValue(alice), "name", text("benchmark"), "amount", numeric("12.5"))
	for range b.N {
		c := commands([]string{alice}, createCmd(asset, args))
		if _, err := h.ledger.submit(c, nil); err != nil {
			b.Fatal(err)
		}
	}
	end := int64(b.N)
	b.ResetTimer()
	begin := time.Now()
	stream, err := h.updates.GetUpdates(h.ctx, &v2.GetUpdatesRequest{EndInclusive: &end, UpdateFormat: acsDeltaFormat(alice)})
	if err != nil {
		b.Fatal(err)
	}
	events := 0
	for {
		resp, err := stream.Recv()
		if err != nil {
			break
		}
		events += len(resp.GetTransaction().GetEvents())
	}
	b.StopTimer()
	if events != b.N {
		b.Fatalf("streamed %d events, want %d", events, b.N)
	}
	b.ReportMetric(float64(events)/time.Since(begin).Seconds(), "events/s")
}
