// Package examples_test runs the reference integrations of this folder end
// to end. TestScripts runs the ditstar test files beside them. The other
// tests run them on the embedded ledger with their real Daml models, and a
// local HTTP server takes the place of the outside service (Slack, CoinDesk).
package examples_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/httpd"
	"github.com/ditstar/ditstar/integration"
	"github.com/ditstar/ditstar/internal/testdata"
	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

// waitTimeout bounds every wait for the integration to act.
const waitTimeout = 15 * time.Second

// examplesDir returns this folder, wherever the test runs from.
func examplesDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// syncBuffer is a bytes.Buffer safe for the runtime's concurrent log writes.
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

// run is one reference integration running on an embedded ledger.
type run struct {
	t       *testing.T
	catalog *lf.Catalog
	party   string
	// ledger is a client of the test, acting as the integration's party,
	// for the contracts the test creates and reads.
	ledger *client.Client
	rt     *integration.Runtime
	logs   *syncBuffer
}

// startExample runs examples/<name> with the real DAR darName loaded into a
// fresh embedded ledger and the given field values, and waits until it is
// running.
func startExample(t *testing.T, name, darName string, config map[string]string) *run {
	t.Helper()
	dar, err := lf.ReadDAR(testdata.DAR(t, darName))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	})

	ledger, err := sandbox.New(sandbox.Options{DARs: []*lf.DAR{dar}, Logger: logger.With("component", "sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := ledger.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ledger.Stop)
	party, err := ledger.AllocateParty("integration")
	if err != nil {
		t.Fatal(err)
	}
	catalog := lf.NewCatalog(dar.Packages...)
	dial := func(component string) *client.Client {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := client.Dial(ctx, client.Config{
			Address: addr.String(),
			Party:   party,
			Catalog: catalog,
			Logger:  logger.With("component", component),
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
		return c
	}
	r := &run{t: t, catalog: catalog, party: party, ledger: dial("test-client"), logs: logs}
	r.rt = r.newRuntime(name, dial("ledger-client"), logger, config)

	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- r.rt.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-runErr:
		case <-time.After(10 * time.Second):
			t.Error("the integration did not stop within 10s")
		}
	})
	select {
	case <-r.rt.Ready():
	case err := <-runErr:
		runErr <- err
		t.Fatalf("the integration stopped during start-up: %v", err)
	case <-time.After(waitTimeout):
		t.Fatalf("the integration did not start within %v", waitTimeout)
	}
	return r
}

func (r *run) newRuntime(name string, c *client.Client, logger *slog.Logger, config map[string]string) *integration.Runtime {
	r.t.Helper()
	pkg, err := dit.Open(filepath.Join(examplesDir(), name))
	if err != nil {
		r.t.Fatal(err)
	}
	itype, err := pkg.Type("")
	if err != nil {
		r.t.Fatal(err)
	}
	rt, err := integration.New(integration.Options{
		Package:    pkg,
		TypeID:     itype.ID,
		Config:     config,
		InstanceID: name,
		Client:     c,
		HTTPClient: &http.Client{},
		Logger:     logger,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return rt
}

// template resolves a template name of the loaded model.
func (r *run) template(name string) lf.TemplateID {
	r.t.Helper()
	ids, err := r.catalog.Resolve(name, "")
	if err != nil || len(ids) != 1 {
		r.t.Fatalf("resolve %s: got %v, %v; want one template", name, ids, err)
	}
	return ids[0]
}

// create submits a create as the integration's party and returns the new
// contract id and the offset of its transaction.
func (r *run) create(template string, arg map[string]any) (string, int64) {
	r.t.Helper()
	tid := r.template(template)
	record, err := r.catalog.EncodeCreate(tid, arg)
	if err != nil {
		r.t.Fatalf("encode %s: %v", template, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	tx, err := r.ledger.Submit(ctx, client.Submission{Commands: []*v2.Command{{Command: &v2.Command_Create{
		Create: &v2.CreateCommand{TemplateId: tid.Identifier(), CreateArguments: record},
	}}}})
	if err != nil {
		r.t.Fatalf("create %s: %v", template, err)
	}
	for _, ev := range tx.GetEvents() {
		if c := ev.GetCreated(); c != nil {
			return c.GetContractId(), tx.GetOffset()
		}
	}
	r.t.Fatalf("create %s: the transaction created no contract", template)
	return "", 0
}

// exercised is a root exercise of a transaction the integration submitted.
type exercised struct {
	cid    string
	choice string
	arg    *v2.Value
}

// exercisesAfter returns the exercises that the integration submitted
// after offset, in ledger order.
func (r *run) exercisesAfter(offset int64) []exercised {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	end, err := v2.NewStateServiceClient(r.ledger.Conn()).GetLedgerEnd(ctx, &v2.GetLedgerEndRequest{})
	if err != nil {
		r.t.Fatal(err)
	}
	if end.GetOffset() <= offset {
		return nil
	}

	endOffset := end.GetOffset()
	wildcard := &v2.Filters{Cumulative: []*v2.CumulativeFilter{{
		IdentifierFilter: &v2.CumulativeFilter_WildcardFilter{WildcardFilter: &v2.WildcardFilter{}},
	}}}
	stream, err := v2.NewUpdateServiceClient(r.ledger.Conn()).GetUpdates(ctx, &v2.GetUpdatesRequest{
		BeginExclusive: offset,
		EndInclusive:   &endOffset,
		UpdateFormat: &v2.UpdateFormat{IncludeTransactions: &v2.TransactionFormat{
			EventFormat:      &v2.EventFormat{FiltersByParty: map[string]*v2.Filters{r.party: wildcard}, Verbose: true},
			TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_LEDGER_EFFECTS,
		}},
	})
	if err != nil {
		r.t.Fatal(err)
	}

	var out []exercised
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			r.t.Fatal(err)
		}
		for _, ev := range resp.GetTransaction().GetEvents() {
			if e := ev.GetExercised(); e != nil {
				out = append(out, exercised{cid: e.GetContractId(), choice: e.GetChoice(), arg: e.GetChoiceArgument()})
			}
		}
	}
}

// waitExercises waits until the integration has submitted n exercises
// after offset, and returns them.
func (r *run) waitExercises(offset int64, n int) []exercised {
	r.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		got := r.exercisesAfter(offset)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("got %d exercises after offset %d within %v, want %d", len(got), offset, waitTimeout, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// active returns the ids of the active contracts of a template.
func (r *run) active(template string) []string {
	r.t.Helper()
	tid := r.template(template)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	end, err := v2.NewStateServiceClient(r.ledger.Conn()).GetLedgerEnd(ctx, &v2.GetLedgerEndRequest{})
	if err != nil {
		r.t.Fatal(err)
	}
	stream, err := v2.NewStateServiceClient(r.ledger.Conn()).GetActiveContracts(ctx, &v2.GetActiveContractsRequest{
		ActiveAtOffset: end.GetOffset(),
		EventFormat: &v2.EventFormat{FiltersByParty: map[string]*v2.Filters{r.party: {Cumulative: []*v2.CumulativeFilter{{
			IdentifierFilter: &v2.CumulativeFilter_TemplateFilter{TemplateFilter: &v2.TemplateFilter{TemplateId: tid.Identifier()}},
		}}}}},
	})
	if err != nil {
		r.t.Fatal(err)
	}
	var cids []string
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return cids
		}
		if err != nil {
			r.t.Fatal(err)
		}
		if ac := resp.GetActiveContract(); ac != nil {
			cids = append(cids, ac.GetCreatedEvent().GetContractId())
		}
	}
}

// handler returns the status of the handler with the given label.
func (r *run) handler(label string) integration.HandlerStatus {
	r.t.Helper()
	st := r.rt.Status()
	for _, group := range [][]integration.HandlerStatus{st.Webhooks, st.LedgerEvents, st.Timers, st.Queues} {
		for _, h := range group {
			if h.Label == label {
				return h
			}
		}
	}
	r.t.Fatalf("no handler labelled %q", label)
	return integration.HandlerStatus{}
}

// waitHandler waits until the handler with the given label satisfies done,
// and returns its status.
func (r *run) waitHandler(label string, done func(integration.HandlerStatus) bool) integration.HandlerStatus {
	r.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		h := r.handler(label)
		if done(h) {
			return h
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("handler %q: status %+v did not reach the expected state within %v", label, h, waitTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// failures returns a condition of waitHandler: the handler has failed at
// least n times.
func failures(n int64) func(integration.HandlerStatus) bool {
	return func(h integration.HandlerStatus) bool { return h.ErrorCount >= n }
}

// field returns a record field of a choice argument.
func field(v *v2.Value, name string) *v2.Value {
	for _, f := range v.GetRecord().GetFields() {
		if f.GetLabel() == name {
			return f.GetValue()
		}
	}
	return nil
}

// recordedRequest is one request a stand-in server received.
type recordedRequest struct {
	method, path, authorization, contentType string
	body                                     string
}

// recorder records the requests of a stand-in server.
type recorder struct {
	mu       sync.Mutex
	requests []recordedRequest
}

func (rec *recorder) record(req *http.Request) recordedRequest {
	body, _ := io.ReadAll(req.Body)
	r := recordedRequest{
		method:        req.Method,
		path:          req.URL.Path,
		authorization: req.Header.Get("Authorization"),
		contentType:   req.Header.Get("Content-Type"),
		body:          strings.TrimSpace(string(body)),
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.requests = append(rec.requests, r)
	return r
}

func (rec *recorder) all() []recordedRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recordedRequest(nil), rec.requests...)
}

// waitLog waits until the integration's log contains text.
func waitLog(t *testing.T, r *run, text string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !strings.Contains(r.logs.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("log: no line containing %q within %v", text, waitTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serve starts the integration's HTTP server on a loopback listener and
// returns the base URL of its webhooks, /integration/{instance}.
func (r *run) serve(instance string) string {
	r.t.Helper()
	srv, err := httpd.New(httpd.Options{
		InstanceID:  instance,
		Integration: r.rt,
		Logger:      slog.New(slog.NewTextHandler(r.logs, nil)).With("component", "http"),
	})
	if err != nil {
		r.t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		r.t.Fatal(err)
	}
	go srv.Serve(lis)
	r.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return "http://" + lis.Addr().String() + "/integration/" + instance
}
