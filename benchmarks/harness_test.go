package benchmarks

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/grpc"

	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/integration"
	"github.com/ditstar/ditstar/internal/testdata"
	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

// coreDAR is the Daml model every workload uses. Its template
// Utility.Sequence:Sequence has the fields owner (Party), name (Text) and
// count (Int64) and the key (owner, name), so names must be unique.
const coreDAR = "dabl-integration-core-1.2.3.dar"

// sequenceEntity is the module and entity of the Sequence template.
const sequenceEntity = "Utility.Sequence:Sequence"

// size returns full, or short under -short, so that CI runs every
// workload at a size that finishes in seconds.
func size(full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}

// quietLogger formats records at info level and above, as `ditstar run`
// does by default, and writes them nowhere, so that logging costs its
// formatting but no terminal or file I/O.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// ledgerEnv is an embedded ledger on loopback with the core DAR loaded,
// one allocated party and a raw gRPC connection that creates contracts.
type ledgerEnv struct {
	b        testing.TB
	ledger   *sandbox.Ledger
	addr     string
	dar      *lf.DAR
	party    string
	conn     *grpc.ClientConn
	commands v2.CommandServiceClient
	// names numbers the Sequence contracts, whose key needs a unique name.
	names atomic.Int64
}

// startLedger starts an embedded ledger with a stream buffer large enough
// that no subscriber of a workload is cut off for falling behind.
func startLedger(b testing.TB) *ledgerEnv {
	b.Helper()
	dar, err := lf.ReadDAR(testdata.DAR(b, coreDAR))
	if err != nil {
		b.Fatal(err)
	}

	ledger, err := sandbox.New(sandbox.Options{
		DARs:         []*lf.DAR{dar},
		Logger:       quietLogger(),
		StreamBuffer: 1 << 30,
	})
	if err != nil {
		b.Fatal(err)
	}
	addr, err := ledger.Listen("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(ledger.Stop)

	party, err := ledger.AllocateParty("bench")
	if err != nil {
		b.Fatal(err)
	}
	conn, err := client.Connect(client.Config{Address: addr.String()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })

	return &ledgerEnv{
		b:        b,
		ledger:   ledger,
		addr:     addr.String(),
		dar:      dar,
		party:    party,
		conn:     conn,
		commands: v2.NewCommandServiceClient(conn),
	}
}

// dial returns a ledger client acting as the environment's party.
func (e *ledgerEnv) dial() *client.Client {
	e.b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{
		Address: e.addr,
		Party:   e.party,
		Catalog: lf.NewCatalog(e.dar.Packages...),
		Logger:  quietLogger(),
	})
	if err != nil {
		e.b.Fatal(err)
	}
	e.b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.Close(ctx)
	})
	return c
}

// sequenceTemplate returns the Sequence template's identifier.
func (e *ledgerEnv) sequenceTemplate() *v2.Identifier {
	module, entity, _ := strings.Cut(sequenceEntity, ":")
	return &v2.Identifier{PackageId: e.dar.MainPackageID, ModuleName: module, EntityName: entity}
}

// createCommand returns the create of one Sequence contract with a fresh
// name.
func (e *ledgerEnv) createCommand() *v2.Command {
	n := e.names.Add(1)
	args := &v2.Record{Fields: []*v2.RecordField{
		{Label: "owner", Value: &v2.Value{Sum: &v2.Value_Party{Party: e.party}}},
		{Label: "name", Value: &v2.Value{Sum: &v2.Value_Text{Text: fmt.Sprintf("seq-%d", n)}}},
		{Label: "count", Value: &v2.Value{Sum: &v2.Value_Int64{Int64: n}}},
	}}
	return &v2.Command{Command: &v2.Command_Create{Create: &v2.CreateCommand{
		TemplateId:      e.sequenceTemplate(),
		CreateArguments: args,
	}}}
}

func (e *ledgerEnv) submission(cmds ...*v2.Command) *v2.Commands {
	return &v2.Commands{
		UserId:    "benchmark",
		CommandId: client.NewCommandID(),
		ActAs:     []string{e.party},
		Commands:  cmds,
	}
}

// createBatches creates n Sequence contracts in transactions of batch
// creates each, from workers concurrent submitters.
func (e *ledgerEnv) createBatches(ctx context.Context, n, batch, workers int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				end := next.Add(int64(batch))
				start := end - int64(batch)
				if start >= int64(n) {
					return
				}
				count := min(end, int64(n)) - start
				cmds := make([]*v2.Command, count)
				for i := range cmds {
					cmds[i] = e.createCommand()
				}
				req := &v2.SubmitAndWaitRequest{Commands: e.submission(cmds...)}
				if _, err := e.commands.SubmitAndWait(ctx, req); err != nil {
					cancel(fmt.Errorf("create contracts %d to %d: %w", start, start+count, err))
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && err != context.Canceled {
		return err
	}
	return nil
}

// benchPackage writes an integration package with the given script into a
// temporary folder. Its daml_model names the core DAR, so templates
// without a package id resolve to it.
func (e *ledgerEnv) benchPackage(script string) *dit.Package {
	e.b.Helper()
	dir := e.b.TempDir()
	meta := fmt.Sprintf(`catalog:
  name: ditstar-benchmark
  version: 1.0.0
  description: benchmark integration
daml_model:
  name: dabl-integration-core
  version: 1.2.3
  main_package_id: %s
integration_types:
  - id: bench
    name: Benchmark
    description: benchmark integration
    entrypoint: main:main
    fields: []
`, e.dar.MainPackageID)
	writeFile(e.b, filepath.Join(dir, "dit-meta.yaml"), meta)
	writeFile(e.b, filepath.Join(dir, "main.star"), script)
	pkg, err := dit.Open(dir)
	if err != nil {
		e.b.Fatal(err)
	}
	return pkg
}

func writeFile(b testing.TB, path, text string) {
	b.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
}

// runningRuntime is a runtime started by startRuntime.
type runningRuntime struct {
	*integration.Runtime
	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
}

// newRuntime creates a runtime of script on its own ledger client.
func (e *ledgerEnv) newRuntime(script string) *integration.Runtime {
	e.b.Helper()
	rt, err := integration.New(integration.Options{
		Package:    e.benchPackage(script),
		InstanceID: "bench",
		Client:     e.dial(),
		Logger:     quietLogger(),
	})
	if err != nil {
		e.b.Fatal(err)
	}
	return rt
}

// run starts rt in the background. Its cleanup stops it and waits.
func (e *ledgerEnv) run(rt *integration.Runtime) *runningRuntime {
	e.b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningRuntime{Runtime: rt, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- rt.Run(ctx) }()
	e.b.Cleanup(r.stop)
	return r
}

// stop cancels the runtime and waits for Run to return. It may be called
// more than once.
func (r *runningRuntime) stop() {
	r.stopOnce.Do(func() {
		r.cancel()
		<-r.done
	})
}

// waitReady waits until the runtime is running. A start-up failure or a
// runtime still starting after timeout fails the benchmark.
func (r *runningRuntime) waitReady(b testing.TB, timeout time.Duration) {
	b.Helper()
	select {
	case <-r.Ready():
	case err := <-r.done:
		r.done <- err
		b.Fatalf("runtime stopped before running: %v", err)
	case <-time.After(timeout):
		b.Fatalf("runtime not running after %s", timeout)
	}
}

// waitUses polls the status until the ledger handler at index has been
// called want times. A handler error or a wait longer than timeout fails
// the benchmark.
func (r *runningRuntime) waitUses(b testing.TB, index int, want int64, timeout time.Duration) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := r.Status().LedgerEvents[index]
		if st.ErrorCount > 0 {
			b.Fatalf("handler %q failed %d times; last error: %s", st.Label, st.ErrorCount, *st.ErrorMessage)
		}
		if st.UseCount >= want {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("handler %q called %d times after %s, want %d", st.Label, st.UseCount, timeout, want)
		}
		time.Sleep(time.Millisecond)
	}
}

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// percentile returns the p-th percentile (0 to 100) of the durations by
// the nearest-rank method. It sorts l's slice.
func (l *latencies) percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	slices.Sort(l.d)
	rank := int(math.Ceil(p / 100 * float64(len(l.d))))
	return l.d[max(rank-1, 0)]
}

// reportLatencies reports the 50th, 90th and 99th percentiles in
// milliseconds.
func reportLatencies(b *testing.B, l *latencies) {
	for _, p := range []float64{50, 90, 99} {
		b.ReportMetric(float64(l.percentile(p).Microseconds())/1000, fmt.Sprintf("p%.0f-ms", p))
	}
}
