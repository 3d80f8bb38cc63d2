package client_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

// testBackoff keeps retries fast in tests.
var testBackoff = client.Backoff{Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond}

// Templates of the schemaless ledger: the package is unknown to it, so any
// record is accepted and its Party fields become the stakeholders.
var (
	assetTemplate = lf.TemplateID{PackageID: "ditstar-client-test", Module: "Main", Entity: "Asset"}
	noteTemplate  = lf.TemplateID{PackageID: "ditstar-client-test", Module: "Main", Entity: "Note"}
)

// testLogger writes the client's log lines to the test log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// startLedger starts an open, schemaless embedded ledger on loopback and
// allocates one party.
func startLedger(t testing.TB, opts sandbox.Options) (ledger *sandbox.Ledger, addr, party string) {
	t.Helper()
	l, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	party, err = l.AllocateParty("alice")
	if err != nil {
		t.Fatal(err)
	}
	return l, a.String(), party
}

// dial connects a client and closes it when the test ends.
func dial(t testing.TB, cfg client.Config) *client.Client {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	if cfg.Backoff == (client.Backoff{}) {
		cfg.Backoff = testBackoff
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, cfg)
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

func partyValue(p string) *v2.Value { return &v2.Value{Sum: &v2.Value_Party{Party: p}} }
func int64Value(n int64) *v2.Value  { return &v2.Value{Sum: &v2.Value_Int64{Int64: n}} }
func textValue(s string) *v2.Value  { return &v2.Value{Sum: &v2.Value_Text{Text: s}} }

// createCommand returns a create of tid with an owner and a number.
func createCommand(tid lf.TemplateID, owner string, n int64) *v2.Command {
	return &v2.Command{Command: &v2.Command_Create{Create: &v2.CreateCommand{
		TemplateId: tid.Identifier(),
		CreateArguments: &v2.Record{Fields: []*v2.RecordField{
			{Label: "owner", Value: partyValue(owner)},
			{Label: "n", Value: int64Value(n)},
		}},
	}}}
}

// archiveCommand exercises the consuming Archive choice on a contract.
func archiveCommand(tid lf.TemplateID, cid string) *v2.Command {
	return &v2.Command{Command: &v2.Command_Exercise{Exercise: &v2.ExerciseCommand{
		TemplateId:     tid.Identifier(),
		ContractId:     cid,
		Choice:         "Archive",
		ChoiceArgument: &v2.Value{Sum: &v2.Value_Record{Record: &v2.Record{}}},
	}}}
}

// createdIn returns the created events of a transaction.
func createdIn(tx *v2.Transaction) []*v2.CreatedEvent {
	var out []*v2.CreatedEvent
	for _, ev := range tx.GetEvents() {
		if c := ev.GetCreated(); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// fieldInt64 returns the Int64 field of a record by label.
func fieldInt64(r *v2.Record, label string) int64 {
	for _, f := range r.GetFields() {
		if f.GetLabel() == label {
			return f.GetValue().GetInt64()
		}
	}
	return -1
}

// rawCodec passes gRPC messages through as bytes, so that faultProxy can
// forward any method without knowing its types.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *v.(*[]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*v.(*[]byte) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// faultAction is what faultProxy does with one unary call.
type faultAction struct {
	// Before fails the call with this status without forwarding it.
	Before error
	// After forwards the call, drops the ledger's response and fails the
	// call with this status, as when a connection breaks after a commit.
	After error
	// Pass is how many response messages reach the client before After
	// fails a streaming call.
	Pass int
	// Prepend are encoded response messages sent to the client first,
	// before Before fails the call or the call is forwarded.
	Prepend [][]byte
	// Wait delays the call until the channel is closed.
	Wait chan struct{}
}

// faultProxy is a gRPC server in front of a ledger that forwards every call
// and lets a test fail chosen unary calls before or after forwarding them.
type faultProxy struct {
	addr    string
	backend *grpc.ClientConn

	mu       sync.Mutex
	faults   map[string][]faultAction // by full method name, consumed in order
	calls    map[string]int
	requests map[string][][]byte
}

func startFaultProxy(t testing.TB, backendAddr string) *faultProxy {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+backendAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{backend: conn, faults: map[string][]faultAction{}, calls: map[string]int{}, requests: map[string][][]byte{}}
	srv := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(p.handle))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(func() {
		srv.Stop()
		conn.Close()
	})
	p.addr = lis.Addr().String()
	return p
}

// inject queues faults for the next calls of a method.
func (p *faultProxy) inject(method string, actions ...faultAction) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[method] = append(p.faults[method], actions...)
}

// callCount returns how many calls of a method arrived.
func (p *faultProxy) callCount(method string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[method]
}

// requestsOf returns the request bytes of every unary call of a method.
func (p *faultProxy) requestsOf(method string) [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.requests[method]...)
}

const (
	methodSubmit     = "/com.daml.ledger.api.v2.CommandService/SubmitAndWaitForTransaction"
	methodGetPackage = "/com.daml.ledger.api.v2.PackageService/GetPackage"
	methodLedgerEnd  = "/com.daml.ledger.api.v2.StateService/GetLedgerEnd"
	methodGetUpdates = "/com.daml.ledger.api.v2.UpdateService/GetUpdates"
	methodACS        = "/com.daml.ledger.api.v2.StateService/GetActiveContracts"
)

func (p *faultProxy) handle(_ any, ss grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(ss)
	ctx := ss.Context()
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		ctx = metadata.NewOutgoingContext(ctx, md)
	}
	p.mu.Lock()
	p.calls[method]++
	var action faultAction
	if q := p.faults[method]; len(q) > 0 {
		action, p.faults[method] = q[0], q[1:]
	}
	p.mu.Unlock()

	desc := &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}
	cs, err := p.backend.NewStream(ctx, desc, method, grpc.ForceCodec(rawCodec{}))
	if err != nil {
		return err
	}
	// Requests: every method the client uses sends one request message.
	var req []byte
	if err := ss.RecvMsg(&req); err != nil {
		return err
	}
	p.mu.Lock()
	p.requests[method] = append(p.requests[method], req)
	p.mu.Unlock()
	if action.Wait != nil {
		<-action.Wait
	}
	for _, msg := range action.Prepend {
		if err := ss.SendMsg(&msg); err != nil {
			return err
		}
	}
	if action.Before != nil {
		return action.Before
	}
	if err := cs.SendMsg(&req); err != nil {
		return err
	}
	if err := cs.CloseSend(); err != nil {
		return err
	}
	for {
		var resp []byte
		err := cs.RecvMsg(&resp)
		if errors.Is(err, io.EOF) {
			return action.After
		}
		if err != nil {
			if _, ok := status.FromError(err); ok {
				return err
			}
			return status.Error(status.Code(err), err.Error())
		}
		if action.After != nil {
			if action.Pass == 0 {
				return action.After
			}
			action.Pass--
		}
		if err := ss.SendMsg(&resp); err != nil {
			return err
		}
	}
}

// tcpProxy forwards TCP connections to a backend and can cut them all.
type tcpProxy struct {
	lis     net.Listener
	backend string

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	cuts  int
}

func startTCPProxy(t testing.TB, backend string) *tcpProxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{lis: lis, backend: backend, conns: map[net.Conn]struct{}{}}
	go p.accept()
	t.Cleanup(func() {
		lis.Close()
		p.cut()
	})
	return p
}

func (p *tcpProxy) addr() string { return p.lis.Addr().String() }

func (p *tcpProxy) accept() {
	for {
		in, err := p.lis.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.backend)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns[in], p.conns[out] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

func (p *tcpProxy) pipe(dst, src net.Conn) {
	io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// cut closes every open connection and returns how many it closed.
func (p *tcpProxy) cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
		n++
	}
	if n > 0 {
		p.cuts++
	}
	return n
}

func asSubmitError(err error, target **client.SubmitError) bool { return errors.As(err, target) }

// cutCount returns how many cuts closed at least one connection.
func (p *tcpProxy) cutCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cuts
}
