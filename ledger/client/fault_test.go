package client_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

// TestStreamAndSubmitThroughCuts puts a TCP proxy between a client and the
// ledger and cuts every connection repeatedly while transactions commit. The
// client must deliver the snapshot and every later transaction exactly once
// and in ledger order, and each of its own submissions must commit once.
func TestStreamAndSubmitThroughCuts(t *testing.T) {
	const (
		before     = 20  // contracts committed before the stream starts
		committed  = 150 // transactions committed directly while cutting, at least
		minCuts    = 5   // cuts the run must see to prove anything
		submitted  = 30  // submissions through the proxy while cutting
		cutEvery   = 15 * time.Millisecond
		waitForAll = 60 * time.Second
	)
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startTCPProxy(t, addr)
	direct := dial(t, client.Config{Address: addr, Party: party})
	proxied := dial(t, client.Config{Address: proxy.addr(), Party: party})

	// The reference is the direct client's own view of every transaction.
	ref, _, _ := startStream(t, direct, client.Filter{Wildcard: true})
	if it := next(t, ref); it.Kind != client.ItemBoundary {
		t.Fatalf("reference stream: first item = %v, want boundary", it.Kind)
	}
	for i := range before {
		submitCreate(t, direct, assetTemplate, int64(i))
	}

	items, _, _ := startStream(t, proxied, client.Filter{Wildcard: true})
	stopCutting := make(chan struct{})
	cutterDone := make(chan struct{})
	go func() {
		defer close(cutterDone)
		tick := time.NewTicker(cutEvery)
		defer tick.Stop()
		for {
			select {
			case <-stopCutting:
				return
			case <-tick.C:
				proxy.cut()
			}
		}
	}()

	// The direct submitter goes on past its count until enough cuts have
	// happened, so that a fast or a loaded machine both exercise resumption.
	var directCount int
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < committed || proxy.cutCount() < minCuts; i++ {
			directCount++
			_, err := direct.Submit(context.Background(), client.Submission{
				Commands: []*v2.Command{createCommand(assetTemplate, party, int64(before+i))}})
			if err != nil {
				t.Errorf("direct submission %d: %v", i, err)
				return
			}
		}
	}()
	commandIDs := make([]string, submitted)
	go func() {
		defer wg.Done()
		for i := range submitted {
			commandIDs[i] = fmt.Sprintf("through-cuts-%d", i)
			tx, err := proxied.Submit(context.Background(), client.Submission{CommandID: commandIDs[i], Timeout: 20 * time.Second,
				Commands: []*v2.Command{createCommand(noteTemplate, party, int64(i))}})
			if err != nil {
				t.Errorf("submission %s through cuts: %v", commandIDs[i], err)
				continue
			}
			if tx.GetCommandId() != commandIDs[i] {
				t.Errorf("submission %s returned the transaction of command %q", commandIDs[i], tx.GetCommandId())
			}
		}
	}()
	wg.Wait()
	close(stopCutting)
	<-cutterDone
	cuts := proxy.cutCount()
	if cuts < minCuts {
		t.Fatalf("only %d cuts happened while committing; the test proves nothing", cuts)
	}
	t.Logf("%d cuts", cuts)

	total := before + directCount + submitted
	var reference []*v2.Transaction
	for len(reference) < total {
		reference = append(reference, next(t, ref).Transaction)
	}

	// The proxied stream: the snapshot, then every later transaction.
	seen := map[string]bool{}
	var boundary int64
	deadline := time.After(waitForAll)
	for {
		var it client.Item
		select {
		case it = <-items:
		case <-deadline:
			t.Fatal("timed out reading the snapshot through the proxy")
		}
		if it.Kind == client.ItemBoundary {
			boundary = it.Offset
			break
		}
		if it.Kind != client.ItemActive {
			t.Fatalf("item %v before the boundary", it.Kind)
		}
		cid := it.Created.GetContractId()
		if seen[cid] {
			t.Errorf("contract %s delivered twice in the snapshot", cid)
		}
		seen[cid] = true
	}
	var wantActive int
	var want []*v2.Transaction
	for _, tx := range reference {
		if tx.GetOffset() <= boundary {
			wantActive++
		} else {
			want = append(want, tx)
		}
	}
	if len(seen) != wantActive {
		t.Errorf("snapshot at offset %d has %d contracts, want %d", boundary, len(seen), wantActive)
	}
	for i, w := range want {
		var it client.Item
		for it.Kind == 0 || it.Kind == client.ItemCheckpoint {
			select {
			case it = <-items:
			case <-deadline:
				t.Fatalf("timed out after %d of %d transactions", i, len(want))
			}
		}
		if it.Kind != client.ItemTransaction {
			t.Fatalf("item %d kind = %v, want transaction", i, it.Kind)
		}
		if it.Transaction.GetUpdateId() != w.GetUpdateId() {
			t.Fatalf("transaction %d = %s at offset %d, want %s at offset %d", i,
				it.Transaction.GetUpdateId(), it.Offset, w.GetUpdateId(), w.GetOffset())
		}
	}
	select {
	case it := <-items:
		if it.Kind != client.ItemCheckpoint {
			t.Errorf("extra item after every transaction: %v at offset %d", it.Kind, it.Offset)
		}
	case <-time.After(100 * time.Millisecond):
	}

	perCommand := map[string]int{}
	for _, tx := range reference {
		perCommand[tx.GetCommandId()]++
	}
	for _, id := range commandIDs {
		if perCommand[id] != 1 {
			t.Errorf("command %s committed %d times, want once", id, perCommand[id])
		}
	}
}
