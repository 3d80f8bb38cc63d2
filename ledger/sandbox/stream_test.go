package sandbox

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func acsDeltaFormat(parties ...string) *v2.UpdateFormat {
	return &v2.UpdateFormat{IncludeTransactions: &v2.TransactionFormat{
		EventFormat:      wildcardFor(false, parties...),
		TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_ACS_DELTA,
	}}
}

// TestSnapshotThenStreamUnderLoad checks that the ACS at an offset followed
// by the updates after it is exactly the ledger while several goroutines
// submit: every transaction is seen once, in order, and the contracts
// replayed from the snapshot match the final ACS.
func TestSnapshotThenStreamUnderLoad(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	const writers, perWriter = 6, 40

	var wg sync.WaitGroup
	startWriters := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startWriters
			var mine []string
			for i := range perWriter {
				// Every third submission archives the writer's oldest contract.
				if i%3 == 2 && len(mine) > 0 {
					if _, err := h.submitTx(commands([]string{alice}, archiveCmd(asset, mine[0]))); err != nil {
						t.Errorf("writer %d archive: %v", w, err)
						return
					}
					mine = mine[1:]
					continue
				}
				tx, err := h.submitTx(commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice), "n", int64v(int64(w*1000+i))))))
				if err != nil {
					t.Errorf("writer %d create: %v", w, err)
					return
				}
				mine = append(mine, tx.GetEvents()[0].GetCreated().GetContractId())
			}
		}()
	}
	close(startWriters)
	time.Sleep(20 * time.Millisecond) // let some transactions commit before the snapshot

	snapshotAt, snapshot := h.acs(wildcardFor(false, alice))
	active := map[string]bool{}
	for _, c := range snapshot {
		active[c.GetContractId()] = true
	}
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	stream, err := h.updates.GetUpdates(ctx, &v2.GetUpdatesRequest{BeginExclusive: snapshotAt, UpdateFormat: acsDeltaFormat(alice)})
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	total := int64(writers * perWriter)
	last := snapshotAt
	for last < total {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("GetUpdates after offset %d: %v", last, err)
		}
		tx := resp.GetTransaction()
		if tx == nil {
			continue
		}
		if tx.GetOffset() != last+1 {
			t.Fatalf("got offset %d after %d, want %d", tx.GetOffset(), last, last+1)
		}
		last = tx.GetOffset()
		for _, e := range tx.GetEvents() {
			if c := e.GetCreated(); c != nil {
				if active[c.GetContractId()] {
					t.Errorf("contract %s created twice", c.GetContractId())
				}
				active[c.GetContractId()] = true
			}
			if a := e.GetArchived(); a != nil {
				if !active[a.GetContractId()] {
					t.Errorf("offset %d archives %s, which the replay does not have", last, a.GetContractId())
				}
				delete(active, a.GetContractId())
			}
		}
	}
	_, final := h.acs(wildcardFor(false, alice))
	if len(final) != len(active) {
		t.Errorf("replayed ACS has %d contracts, ledger has %d", len(active), len(final))
	}
	for _, c := range final {
		if !active[c.GetContractId()] {
			t.Errorf("contract %s is active but the replay missed it", c.GetContractId())
		}
	}
	t.Logf("snapshot at offset %d of %d", snapshotAt, total)
}

// TestSlowSubscriberIsCutOff checks that a subscriber that stops reading
// neither blocks submissions nor a second subscriber, and is ended with
// ABORTED naming the offset to resume from.
func TestSlowSubscriberIsCutOff(t *testing.T) {
	h := start(t, Options{StreamBuffer: 16})
	alice := h.allocate("alice")
	// The slow subscriber has its own connection with a fixed 64 KiB
	// flow-control window, so that its unread updates stall only its own
	// stream and the server's sends to it block soon.
	slowConn := connect(t, h.ledger, h.conn.Target(), grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
	slow, err := slowConn.updates.GetUpdates(h.ctx, &v2.GetUpdatesRequest{UpdateFormat: acsDeltaFormat(alice)})
	if err != nil {
		t.Fatal(err)
	}
	fast, err := h.updates.GetUpdates(h.ctx, &v2.GetUpdatesRequest{UpdateFormat: acsDeltaFormat(alice)})
	if err != nil {
		t.Fatal(err)
	}
	padding := strings.Repeat("x", 16<<10)
	const n = 200
	seen := make(chan int64)
	fastErr := make(chan error, 1)
	go func() {
		for {
			resp, err := fast.Recv()
			if err != nil {
				fastErr <- err
				return
			}
			if tx := resp.GetTransaction(); tx != nil {
				seen <- tx.GetOffset()
			}
		}
	}()
	for i := int64(1); i <= n; i++ {
		if _, err := h.commands.SubmitAndWait(h.ctx, &v2.SubmitAndWaitRequest{Commands: commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice), "pad", text(padding))))}); err != nil {
			t.Fatalf("submission %d blocked or failed while a subscriber is stuck: %v", i, err)
		}
		// The fast subscriber reads each transaction before the next one.
		select {
		case got := <-seen:
			if got != i {
				t.Fatalf("fast subscriber got offset %d, want %d", got, i)
			}
		case err := <-fastErr:
			t.Fatalf("fast subscriber ended at offset %d: %v", i, err)
		}
	}
	var received int64
	for {
		resp, err := slow.Recv()
		if err != nil {
			st, _ := status.FromError(err)
			if st.Code() != codes.Aborted || !strings.HasPrefix(st.Message(), "STREAM_BUFFER_OVERFLOW(") || !strings.Contains(st.Message(), "begin_exclusive") {
				t.Fatalf("slow subscriber ended with %v, want ABORTED STREAM_BUFFER_OVERFLOW naming begin_exclusive", err)
			}
			break
		}
		if tx := resp.GetTransaction(); tx != nil {
			if tx.GetOffset() != received+1 {
				t.Fatalf("slow subscriber got offset %d after %d", tx.GetOffset(), received)
			}
			received = tx.GetOffset()
		}
	}
	if received >= n {
		t.Errorf("slow subscriber received all %d transactions, want it cut off", n)
	}
	// It resumes from the last offset it received.
	resumed, err := h.updates.GetUpdates(h.ctx, &v2.GetUpdatesRequest{BeginExclusive: received, UpdateFormat: acsDeltaFormat(alice)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := resumed.Recv()
	if err != nil || resp.GetTransaction().GetOffset() != received+1 {
		t.Errorf("resumed stream starts with %v, %v; want offset %d", resp, err, received+1)
	}
}

func TestStopEndsStreams(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	stream, err := h.updates.GetUpdates(h.ctx, &v2.GetUpdatesRequest{UpdateFormat: acsDeltaFormat(alice)})
	if err != nil {
		t.Fatal(err)
	}
	h.create(alice, asset, record("owner", partyValue(alice)))
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { h.ledger.Stop(); close(done) }()
	for {
		if _, err := stream.Recv(); err != nil {
			if code := status.Code(err); code != codes.Unavailable {
				t.Errorf("stream ended with %v, want UNAVAILABLE", err)
			}
			break
		}
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return")
	}
}

func TestGarbageBytesOnThePort(t *testing.T) {
	l, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := l.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	for _, junk := range []string{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "\x00\x01\x02\xff\xfe garbage", strings.Repeat("PRI * HTTP/2.0\r\n", 100)} {
		conn, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(2 * time.Second))
		conn.Write([]byte(junk))
		buf := make([]byte, 512)
		conn.Read(buf)
		conn.Close()
	}
	h := connect(t, l, addr.String())
	alice := h.allocate("alice")
	h.create(alice, asset, record("owner", partyValue(alice)))
	if end, _ := h.acs(wildcardFor(false, alice)); end != 1 {
		t.Errorf("ledger end %d after garbage connections, want 1", end)
	}
}

func TestOversizedMessageRejected(t *testing.T) {
	h := start(t, Options{MaxRecvMsgSize: 8 << 10})
	alice := h.allocate("alice")
	_, err := h.submitTx(commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice), "blob", text(strings.Repeat("y", 16<<10))))))
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("oversized submission: got %v, want RESOURCE_EXHAUSTED", err)
	}
	if end, _ := h.acs(wildcardFor(false, alice)); end != 0 {
		t.Errorf("ledger end %d after an oversized submission, want 0", end)
	}
	h.create(alice, asset, record("owner", partyValue(alice)))
}
