package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/internal/testdata"
	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

// sequenceTemplate is Utility.Sequence:Sequence of dabl-integration-core:
// owner (Party), name (Text), count (Int).
const sequenceTemplate = "Utility.Sequence:Sequence"

// harness is an embedded ledger on loopback with the core DAR, a client
// acting as one party, and an integration package in a temporary folder.
type harness struct {
	t      *testing.T
	ledger *sandbox.Ledger
	client *client.Client
	dar    *lf.DAR
	party  string
	dir    string
	logs   *syncBuffer
	// proxy is nil unless the harness was built with proxied set.
	proxy      *faultProxy
	ledgerAddr string

	opts   Options
	rt     *Runtime
	cancel context.CancelFunc
	runErr chan error
}

const testMeta = `catalog:
  name: runtime-test
  version: 1.0.0
  description: integration runtime test
daml_model:
  name: dabl-integration-core
  version: 1.2.3
  main_package_id: MAIN
integration_types:
  - id: test.runtime
    name: Runtime test
    description: integration runtime test
    entrypoint: main:main
    fields:
      - id: greeting
        name: Greeting
        description: a text field
        field_type: text
        default_value: hello
      - id: limit
        name: Limit
        description: an integer field
        field_type: integer
        default_value: "3"
`

func newHarness(t *testing.T, script string) *harness {
	t.Helper()
	return newHarnessWith(t, script, coreDAR(t), false)
}

var (
	coreDAROnce sync.Once
	coreDARData *lf.DAR
	coreDARErr  error
)

// coreDAR reads dabl-integration-core once for all tests, because decoding
// its packages dominates a test's set-up time under the race detector.
func coreDAR(t *testing.T) *lf.DAR {
	t.Helper()
	path := testdata.DAR(t, "dabl-integration-core-1.2.3.dar")
	coreDAROnce.Do(func() { coreDARData, coreDARErr = lf.ReadDAR(path) })
	if coreDARErr != nil {
		t.Fatal(coreDARErr)
	}
	return coreDARData
}

// newHarnessWith builds a harness whose ledger loads dar. With a nil dar the
// ledger is schemaless, the client's catalog is empty, and the metadata names
// no Daml model. With proxied set, the client reaches the ledger through a
// faultProxy, which the harness keeps in proxy.
func newHarnessWith(t *testing.T, script string, dar *lf.DAR, proxied bool) *harness {
	t.Helper()
	var dars []*lf.DAR
	catalog := lf.NewCatalog()
	meta := testMeta
	if dar != nil {
		dars = []*lf.DAR{dar}
		catalog = lf.NewCatalog(dar.Packages...)
		meta = strings.Replace(meta, "MAIN", dar.MainPackageID, 1)
	} else {
		start := strings.Index(meta, "daml_model:")
		end := strings.Index(meta, "integration_types:")
		meta = meta[:start] + meta[end:]
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	ledger, err := sandbox.New(sandbox.Options{DARs: dars, Logger: logger.With("component", "sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := ledger.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ledger.Stop)
	party, err := ledger.AllocateParty("runtime")
	if err != nil {
		t.Fatal(err)
	}
	address := addr.String()
	var proxy *faultProxy
	if proxied {
		proxy = newFaultProxy(t, address)
		address = proxy.addr()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{
		Address: address,
		Party:   party,
		Catalog: catalog,
		Logger:  logger.With("component", "client"),
		Backoff: client.Backoff{Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.Close(ctx)
	})

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "dabl-meta.yaml"), meta)
	writeFile(t, filepath.Join(dir, "main.star"), script)

	h := &harness{t: t, ledger: ledger, client: c, dar: dar, party: party, dir: dir, logs: logs, proxy: proxy, ledgerAddr: addr.String()}
	h.opts = Options{
		TypeID:     "test.runtime",
		InstanceID: "test-instance",
		Client:     c,
		Logger:     logger,
		Config:     map[string]string{},
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("runtime log:\n%s", logs.String())
		}
	})
	return h
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newRuntime opens the package and creates the runtime without running it.
func (h *harness) newRuntime() (*Runtime, error) {
	h.t.Helper()
	pkg, err := dit.Open(h.dir)
	if err != nil {
		h.t.Fatal(err)
	}
	opts := h.opts
	opts.Package = pkg
	return New(opts)
}

// run starts the runtime in the background; Run's result arrives on runErr.
func (h *harness) run() {
	h.t.Helper()
	rt, err := h.newRuntime()
	if err != nil {
		h.t.Fatal(err)
	}
	h.rt = rt
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.runErr = make(chan error, 1)
	go func() { h.runErr <- rt.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		select {
		case <-h.runErr:
		case <-time.After(10 * time.Second):
			h.t.Error("Run did not return within 10s of the cancel")
		}
	})
}

// start runs the runtime and waits until it is running.
func (h *harness) start() {
	h.t.Helper()
	h.run()
	select {
	case <-h.rt.Ready():
	case err := <-h.runErr:
		h.runErr <- err
		h.t.Fatalf("Run returned before ready: %v", err)
	case <-time.After(15 * time.Second):
		h.t.Fatal("runtime not ready within 15s")
	}
}

// startupError runs the runtime and returns the start-up error it reports.
func (h *harness) startupError() error {
	h.t.Helper()
	h.run()
	select {
	case err := <-h.runErr:
		h.runErr <- err
		return err
	case <-h.rt.Ready():
		h.t.Fatal("runtime started, want a start-up error")
	case <-time.After(15 * time.Second):
		h.t.Fatal("Run did not return within 15s")
	}
	return nil
}

// createSequence creates a Sequence contract owned by the harness party and
// returns its contract id.
func (h *harness) createSequence(name string, count int64) string {
	h.t.Helper()
	cmd := &v2.Command{Command: &v2.Command_Create{Create: &v2.CreateCommand{
		TemplateId: (lf.TemplateID{PackageID: h.dar.MainPackageID, Module: "Utility.Sequence", Entity: "Sequence"}).Identifier(),
		CreateArguments: &v2.Record{Fields: []*v2.RecordField{
			{Label: "owner", Value: &v2.Value{Sum: &v2.Value_Party{Party: h.party}}},
			{Label: "name", Value: &v2.Value{Sum: &v2.Value_Text{Text: name}}},
			{Label: "count", Value: &v2.Value{Sum: &v2.Value_Int64{Int64: count}}},
		}},
	}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tx, err := h.client.Submit(ctx, client.Submission{Commands: []*v2.Command{cmd}})
	if err != nil {
		h.t.Fatalf("create %s: %v", name, err)
	}
	for _, ev := range tx.GetEvents() {
		if c := ev.GetCreated(); c != nil {
			return c.GetContractId()
		}
	}
	h.t.Fatalf("create %s: the transaction has no created event", name)
	return ""
}

// archive exercises Archive on a contract of the Sequence template.
func (h *harness) archive(cid string) {
	h.t.Helper()
	cmd := &v2.Command{Command: &v2.Command_Exercise{Exercise: &v2.ExerciseCommand{
		TemplateId:     (lf.TemplateID{PackageID: h.dar.MainPackageID, Module: "Utility.Sequence", Entity: "Sequence"}).Identifier(),
		ContractId:     cid,
		Choice:         "Archive",
		ChoiceArgument: &v2.Value{Sum: &v2.Value_Record{Record: &v2.Record{}}},
	}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.client.Submit(ctx, client.Submission{Commands: []*v2.Command{cmd}}); err != nil {
		h.t.Fatalf("archive %s: %v", cid, err)
	}
}

// activeNames returns the name field of every active Sequence contract.
func (h *harness) activeNames() []string {
	h.t.Helper()
	return activeNamesOf(h.t, h.client)
}

// dialForTest connects a client to address as party and closes it when the
// test ends.
func dialForTest(t *testing.T, address, party string) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Address: address, Party: party})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.Close(ctx)
	})
	return c
}

// activeNamesOf returns the name field of every active contract that c
// reads.
func activeNamesOf(t *testing.T, c *client.Client) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var names []string
	errDone := errors.New("done")
	err := c.Stream(ctx, client.Filter{Wildcard: true}, func(it client.Item) error {
		switch it.Kind {
		case client.ItemActive:
			for _, f := range it.Created.GetCreateArguments().GetFields() {
				if f.GetLabel() == "name" {
					names = append(names, f.GetValue().GetText())
				}
			}
		case client.ItemBoundary:
			return errDone
		}
		return nil
	})
	if !errors.Is(err, errDone) {
		t.Fatalf("read active contracts: %v", err)
	}
	return names
}

// get calls the webhook at index and decodes its JSON body into out.
func (h *harness) get(index int, out any) *WebhookResponse {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := h.rt.HandleWebhook(ctx, index, &WebhookRequest{Method: "GET", Path: "/"})
	if err != nil {
		h.t.Fatalf("webhook %d: %v", index, err)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			h.t.Fatalf("webhook %d: body %q: %v", index, resp.Body, err)
		}
	}
	return resp
}

// waitFor polls cond until it holds or 10 seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// faultProxy forwards TCP connections to a target address until the test
// cuts them: while cut, it closes open connections and refuses new ones.
type faultProxy struct {
	lis    net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{lis: lis, target: target}
	t.Cleanup(func() {
		lis.Close()
		p.setCut(true)
	})
	go p.serve()
	return p
}

func (p *faultProxy) addr() string { return p.lis.Addr().String() }

func (p *faultProxy) serve() {
	for {
		conn, err := p.lis.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			conn.Close()
			continue
		}
		upstream, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			conn.Close()
			continue
		}
		p.conns = append(p.conns, conn, upstream)
		p.mu.Unlock()
		go func() { io.Copy(upstream, conn); upstream.Close() }()
		go func() { io.Copy(conn, upstream); conn.Close() }()
	}
}

// setCut closes every open connection and refuses new ones while cut.
func (p *faultProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}
