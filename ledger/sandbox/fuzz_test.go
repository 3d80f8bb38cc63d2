package sandbox

import (
	"sync"
	"testing"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/ditstar/ditstar/internal/testdata"
	"github.com/ditstar/ditstar/ledger/lf"
)

// FuzzSubmitCommands submits arbitrary Commands messages to a ledger with
// a typed and a schemaless template space. A rejected submission must
// leave the ledger end and the contracts unchanged.
func FuzzSubmitCommands(f *testing.F) {
	d, err := lf.ReadDAR(testdata.DAR(f, "dabl-integration-core-1.2.3.dar"))
	if err != nil {
		f.Fatal(err)
	}
	l, err := New(Options{DARs: []*lf.DAR{d}, Schemaless: true})
	if err != nil {
		f.Fatal(err)
	}
	alice, _ := l.AllocateParty("alice")
	seeds := []*v2.Commands{
		commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice), "n", numeric("1.5")))),
		commands([]string{alice}, createCmd(sequence, record("owner", partyValue(alice), "name", text("x"), "count", int64v(1)))),
		commands([]string{alice}, byKey(sequence, tuple2(partyValue(alice), text("x")), "Sequence_Next")),
		commands([]string{alice}, archiveCmd(asset, "00ab")),
	}
	for _, s := range seeds {
		data, err := proto.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var cmds v2.Commands
		if err := proto.Unmarshal(data, &cmds); err != nil {
			return
		}
		l.mu.RLock()
		end, contracts := len(l.txs), len(l.contracts)
		l.mu.RUnlock()
		if _, err := l.submit(&cmds, nil); err != nil {
			l.mu.RLock()
			defer l.mu.RUnlock()
			if len(l.txs) != end || len(l.contracts) != contracts {
				t.Errorf("rejected submission changed the ledger: end %d to %d, contracts %d to %d (%v)", end, len(l.txs), contracts, len(l.contracts), err)
			}
		}
	})
}

func TestConcurrentDuplicatesCommitOnce(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	c := commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))))
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.submitTx(proto.Clone(c).(*v2.Commands))
		}()
	}
	wg.Wait()
	succeeded := 0
	for _, err := range errs {
		if err == nil {
			succeeded++
			continue
		}
		requireCode(t, err, codes.AlreadyExists, "DUPLICATE_COMMAND")
	}
	if succeeded != 1 {
		t.Errorf("%d of %d identical submissions succeeded, want 1", succeeded, n)
	}
}
