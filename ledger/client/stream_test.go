package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

// startStream runs Stream in the background and returns its items and its
// result.
func startStream(t testing.TB, c *client.Client, f client.Filter) (<-chan client.Item, <-chan error, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	items := make(chan client.Item, 10000)
	done := make(chan error, 1)
	go func() {
		done <- c.Stream(ctx, f, func(it client.Item) error {
			items <- it
			return nil
		})
	}()
	t.Cleanup(cancel)
	return items, done, cancel
}

// next returns the next item that is not a checkpoint.
func next(t testing.TB, items <-chan client.Item) client.Item {
	t.Helper()
	for {
		select {
		case it := <-items:
			if it.Kind == client.ItemCheckpoint {
				continue
			}
			return it
		case <-time.After(10 * time.Second):
			t.Fatal("timed out waiting for a stream item")
			return client.Item{}
		}
	}
}

// submitCreate creates one contract and returns its id.
func submitCreate(t testing.TB, c *client.Client, tid lf.TemplateID, n int64) (string, *v2.Transaction) {
	t.Helper()
	tx, err := c.Submit(context.Background(), client.Submission{Commands: []*v2.Command{createCommand(tid, c.Party(), n)}})
	if err != nil {
		t.Fatal(err)
	}
	created := createdIn(tx)
	if len(created) != 1 {
		t.Fatalf("create returned %d created events, want 1", len(created))
	}
	return created[0].GetContractId(), tx
}

func TestStreamSnapshotThenTransactions(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	c := dial(t, client.Config{Address: addr, Party: party})

	var before []string
	for i := range 3 {
		cid, _ := submitCreate(t, c, assetTemplate, int64(i))
		before = append(before, cid)
	}
	items, _, _ := startStream(t, c, client.Filter{Templates: []lf.TemplateID{assetTemplate}})

	active := map[string]bool{}
	var snapshot int64
	for range before {
		it := next(t, items)
		if it.Kind != client.ItemActive {
			t.Fatalf("item kind = %v, want active", it.Kind)
		}
		active[it.Created.GetContractId()] = true
		snapshot = it.Offset
	}
	for _, cid := range before {
		if !active[cid] {
			t.Errorf("contract %s missing from the snapshot", cid)
		}
	}
	b := next(t, items)
	if b.Kind != client.ItemBoundary {
		t.Fatalf("item after the snapshot = %v, want boundary", b.Kind)
	}
	if b.Offset != snapshot {
		t.Errorf("boundary offset = %d, want the snapshot offset %d", b.Offset, snapshot)
	}

	cid, created := submitCreate(t, c, assetTemplate, 10)
	archived, err := c.Submit(context.Background(), client.Submission{Commands: []*v2.Command{archiveCommand(assetTemplate, before[0])}})
	if err != nil {
		t.Fatal(err)
	}
	it := next(t, items)
	if it.Kind != client.ItemTransaction {
		t.Fatalf("item kind = %v, want transaction", it.Kind)
	}
	if it.Transaction.GetUpdateId() != created.GetUpdateId() {
		t.Errorf("first transaction = %s, want the create %s", it.Transaction.GetUpdateId(), created.GetUpdateId())
	}
	if it.Offset != created.GetOffset() || it.Offset <= snapshot {
		t.Errorf("transaction offset = %d, want %d after snapshot %d", it.Offset, created.GetOffset(), snapshot)
	}
	if got := createdIn(it.Transaction); len(got) != 1 || got[0].GetContractId() != cid {
		t.Errorf("created events = %v, want contract %s", got, cid)
	}
	it = next(t, items)
	if it.Transaction.GetUpdateId() != archived.GetUpdateId() {
		t.Errorf("second transaction = %s, want the archive %s", it.Transaction.GetUpdateId(), archived.GetUpdateId())
	}
	if ev := it.Transaction.GetEvents(); len(ev) != 1 || ev[0].GetArchived().GetContractId() != before[0] {
		t.Errorf("archive transaction events = %v, want one archived event of %s", ev, before[0])
	}
}

func TestStreamEmptyLedger(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	c := dial(t, client.Config{Address: addr, Party: party})
	items, _, _ := startStream(t, c, client.Filter{Wildcard: true})
	b := next(t, items)
	if b.Kind != client.ItemBoundary {
		t.Fatalf("first item = %v, want boundary", b.Kind)
	}
	if b.Offset != 0 {
		t.Errorf("boundary offset = %d, want 0", b.Offset)
	}
	_, tx := submitCreate(t, c, noteTemplate, 1)
	if it := next(t, items); it.Transaction.GetUpdateId() != tx.GetUpdateId() {
		t.Errorf("transaction = %s, want %s", it.Transaction.GetUpdateId(), tx.GetUpdateId())
	}
}

func TestStreamFilters(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	c := dial(t, client.Config{Address: addr, Party: party})
	submitCreate(t, c, assetTemplate, 1)
	submitCreate(t, c, noteTemplate, 2)

	assets, _, _ := startStream(t, c, client.Filter{Templates: []lf.TemplateID{assetTemplate}})
	all, _, _ := startStream(t, c, client.Filter{Wildcard: true})

	it := next(t, assets)
	if it.Kind != client.ItemActive {
		t.Fatalf("asset stream: kind = %v, want active", it.Kind)
	}
	if got := lf.TemplateIDFromIdentifier(it.Created.GetTemplateId()).Name(); got != "Main:Asset" {
		t.Errorf("asset stream: template = %s, want Main:Asset", got)
	}
	if it := next(t, assets); it.Kind != client.ItemBoundary {
		t.Errorf("asset stream: kind = %v, want boundary after one contract", it.Kind)
	}
	names := map[string]bool{}
	for range 2 {
		it := next(t, all)
		if it.Kind != client.ItemActive {
			t.Fatalf("wildcard stream: kind = %v, want active", it.Kind)
		}
		names[lf.TemplateIDFromIdentifier(it.Created.GetTemplateId()).Name()] = true
	}
	if !names["Main:Asset"] || !names["Main:Note"] {
		t.Errorf("wildcard snapshot templates = %v, want Main:Asset and Main:Note", names)
	}
	if it := next(t, all); it.Kind != client.ItemBoundary {
		t.Errorf("wildcard stream: kind = %v, want boundary", it.Kind)
	}

	// A note is invisible to the asset stream, so its next transaction is
	// the asset created after the note.
	submitCreate(t, c, noteTemplate, 3)
	_, assetTx := submitCreate(t, c, assetTemplate, 4)
	if it := next(t, assets); it.Transaction.GetUpdateId() != assetTx.GetUpdateId() {
		t.Errorf("asset stream transaction = %s, want %s", it.Transaction.GetUpdateId(), assetTx.GetUpdateId())
	}
	if it := next(t, all); len(createdIn(it.Transaction)) != 1 || fieldInt64(createdIn(it.Transaction)[0].GetCreateArguments(), "n") != 3 {
		t.Errorf("wildcard stream: first transaction is not the note with n=3: %v", it.Transaction)
	}
}

func TestStreamInvalidFilter(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	c := dial(t, client.Config{Address: addr, Party: party})
	err := c.Stream(context.Background(), client.Filter{}, func(client.Item) error { return nil })
	if err == nil {
		t.Fatal("Stream with an empty filter succeeded")
	}
	err = c.Stream(context.Background(), client.Filter{Templates: []lf.TemplateID{{Module: "Main", Entity: "Asset"}}},
		func(client.Item) error { return nil })
	if err == nil {
		t.Fatal("Stream with a template without package id succeeded")
	}
}

func TestStreamCallbackError(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	c := dial(t, client.Config{Address: addr, Party: party})
	submitCreate(t, c, assetTemplate, 1)
	stop := errors.New("stop here")
	calls := 0
	err := c.Stream(context.Background(), client.Filter{Wildcard: true}, func(client.Item) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Errorf("Stream error = %v, want the callback's error", err)
	}
	if calls != 1 {
		t.Errorf("callback calls = %d, want 1", calls)
	}
}

func TestStreamEndsOnClose(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	c := dial(t, client.Config{Address: addr, Party: party})
	items, done, _ := startStream(t, c, client.Filter{Wildcard: true})
	next(t, items)
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, client.ErrClosed) {
			t.Errorf("Stream error after Close = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Stream still running after Close")
	}
	_, err := c.Submit(context.Background(), client.Submission{Commands: []*v2.Command{createCommand(assetTemplate, party, 1)}})
	if !errors.Is(err, client.ErrClosed) {
		t.Errorf("Submit after Close = %v, want ErrClosed", err)
	}
}

func TestStreamResumesSnapshot(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	want := map[string]bool{}
	for i := range 5 {
		cid, _ := submitCreate(t, c, assetTemplate, int64(i))
		want[cid] = true
	}
	reset := status.Error(codes.Unavailable, "connection reset")
	proxy.inject(methodACS, faultAction{After: reset, Pass: 2}, faultAction{After: reset, Pass: 4})
	items, _, _ := startStream(t, c, client.Filter{Wildcard: true})

	got := map[string]int{}
	for {
		it := next(t, items)
		if it.Kind == client.ItemBoundary {
			break
		}
		got[it.Created.GetContractId()]++
	}
	for cid := range want {
		if got[cid] != 1 {
			t.Errorf("contract %s delivered %d times, want once", cid, got[cid])
		}
	}
	if len(got) != len(want) {
		t.Errorf("snapshot has %d contracts, want %d", len(got), len(want))
	}
	if n := proxy.callCount(methodACS); n != 3 {
		t.Errorf("active contract reads = %d, want 3 (two cut, one complete)", n)
	}
	ends := proxy.callCount(methodLedgerEnd)
	// One ledger end for each of the five creates and one for the stream:
	// the retries read the same snapshot offset again.
	if ends != 6 {
		t.Errorf("ledger end reads = %d, want 6", ends)
	}
}

func TestStreamResumesUpdates(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	reset := status.Error(codes.Unavailable, "connection reset")
	aborted := status.Error(codes.Aborted, "the subscriber fell behind; resume from offset 3")
	proxy.inject(methodGetUpdates, faultAction{After: reset, Pass: 2}, faultAction{After: aborted, Pass: 1})
	items, _, _ := startStream(t, c, client.Filter{Wildcard: true})
	if it := next(t, items); it.Kind != client.ItemBoundary {
		t.Fatalf("first item = %v, want boundary", it.Kind)
	}
	var want []string
	for i := range 6 {
		_, tx := submitCreate(t, c, assetTemplate, int64(i))
		want = append(want, tx.GetUpdateId())
	}
	for i, w := range want {
		it := next(t, items)
		if it.Transaction.GetUpdateId() != w {
			t.Fatalf("transaction %d = %s, want %s", i, it.Transaction.GetUpdateId(), w)
		}
	}

	reqs := proxy.requestsOf(methodGetUpdates)
	if len(reqs) < 3 {
		t.Fatalf("update subscriptions = %d, want at least 3", len(reqs))
	}
	var begins []int64
	for _, b := range reqs {
		req := &v2.GetUpdatesRequest{}
		if err := proto.Unmarshal(b, req); err != nil {
			t.Fatal(err)
		}
		begins = append(begins, req.GetBeginExclusive())
	}
	if begins[1] <= begins[0] || begins[2] <= begins[1] {
		t.Errorf("resume offsets = %v, want each after the last delivered transaction", begins)
	}
}

func TestStreamPermanentError(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	proxy.inject(methodGetUpdates, faultAction{Before: status.Error(codes.FailedPrecondition,
		"PARTICIPANT_PRUNED_DATA_ACCESSED(9,0): offset 0 is pruned")})
	err := c.Stream(context.Background(), client.Filter{Wildcard: true}, func(client.Item) error { return nil })
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("Stream error = %v, want FailedPrecondition", err)
	}
	if err == nil || !strings.Contains(err.Error(), "after offset 0") {
		t.Errorf("Stream error %v does not name the resume offset", err)
	}
}

func TestStreamCheckpointAdvancesResume(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})

	// The first subscription waits until two notes, which the asset filter
	// does not select, move the ledger end to offset 2. It then sends a
	// checkpoint at that offset and breaks.
	release := make(chan struct{})
	checkpoint, err := proto.Marshal(&v2.GetUpdatesResponse{Update: &v2.GetUpdatesResponse_OffsetCheckpoint{
		OffsetCheckpoint: &v2.OffsetCheckpoint{Offset: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	proxy.inject(methodGetUpdates, faultAction{Wait: release, Prepend: [][]byte{checkpoint},
		Before: status.Error(codes.Unavailable, "connection reset")})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	items := make(chan client.Item, 100)
	go c.Stream(ctx, client.Filter{Templates: []lf.TemplateID{assetTemplate}}, func(it client.Item) error {
		items <- it
		return nil
	})
	if it := <-items; it.Kind != client.ItemBoundary {
		t.Fatalf("first item = %v, want boundary", it.Kind)
	}
	submitCreate(t, c, noteTemplate, 1)
	_, noteTx := submitCreate(t, c, noteTemplate, 2)
	if noteTx.GetOffset() != 2 {
		t.Fatalf("second note at offset %d, want 2", noteTx.GetOffset())
	}
	close(release)

	select {
	case it := <-items:
		if it.Kind != client.ItemCheckpoint {
			t.Fatalf("item after the boundary = %v, want checkpoint", it.Kind)
		}
		if it.Offset != 2 {
			t.Errorf("checkpoint offset = %d, want 2", it.Offset)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for the checkpoint")
	}
	_, assetTx := submitCreate(t, c, assetTemplate, 3)
	if it := next(t, items); it.Transaction.GetUpdateId() != assetTx.GetUpdateId() {
		t.Errorf("transaction = %s, want the asset %s", it.Transaction.GetUpdateId(), assetTx.GetUpdateId())
	}
	reqs := proxy.requestsOf(methodGetUpdates)
	if len(reqs) < 2 {
		t.Fatalf("update subscriptions = %d, want 2", len(reqs))
	}
	req := &v2.GetUpdatesRequest{}
	if err := proto.Unmarshal(reqs[1], req); err != nil {
		t.Fatal(err)
	}
	if req.GetBeginExclusive() != 2 {
		t.Errorf("second subscription begins after offset %d, want 2 (the checkpoint)", req.GetBeginExclusive())
	}
}

func TestStreamSnapshotPruned(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	cid, _ := submitCreate(t, c, assetTemplate, 1)
	endsBefore := proxy.callCount(methodLedgerEnd)
	proxy.inject(methodACS, faultAction{Before: status.Error(codes.FailedPrecondition,
		"PARTICIPANT_PRUNED_DATA_ACCESSED(9,0): offset 1 precedes the pruning offset")})
	items, _, _ := startStream(t, c, client.Filter{Wildcard: true})
	it := next(t, items)
	if it.Kind != client.ItemActive {
		t.Fatalf("first item = %v, want active", it.Kind)
	}
	if it.Created.GetContractId() != cid {
		t.Errorf("active contract = %s, want %s", it.Created.GetContractId(), cid)
	}
	if n := proxy.callCount(methodLedgerEnd) - endsBefore; n != 2 {
		t.Errorf("ledger end reads = %d, want 2: a pruned snapshot offset is read again", n)
	}
}
