package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// harness is a ledger served on loopback with clients of every service.
type harness struct {
	t        testing.TB
	ledger   *Ledger
	conn     *grpc.ClientConn
	ctx      context.Context
	commands v2.CommandServiceClient
	submit   v2.CommandSubmissionServiceClient
	complete v2.CommandCompletionServiceClient
	state    v2.StateServiceClient
	updates  v2.UpdateServiceClient
	packages v2.PackageServiceClient
	version  v2.VersionServiceClient
	pkgAdmin admin.PackageManagementServiceClient
	parties  admin.PartyManagementServiceClient
	users    admin.UserManagementServiceClient
}

func start(t testing.TB, opts Options) *harness {
	t.Helper()
	l, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	addr, err := l.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(l.Stop)
	return connect(t, l, addr.String())
}

func connect(t testing.TB, l *Ledger, addr string, extra ...grpc.DialOption) *harness {
	t.Helper()
	dial := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64 << 20)),
	}, extra...)
	conn, err := grpc.NewClient(addr, dial...)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return &harness{
		t: t, ledger: l, conn: conn, ctx: ctx,
		commands: v2.NewCommandServiceClient(conn),
		submit:   v2.NewCommandSubmissionServiceClient(conn),
		complete: v2.NewCommandCompletionServiceClient(conn),
		state:    v2.NewStateServiceClient(conn),
		updates:  v2.NewUpdateServiceClient(conn),
		packages: v2.NewPackageServiceClient(conn),
		version:  v2.NewVersionServiceClient(conn),
		pkgAdmin: admin.NewPackageManagementServiceClient(conn),
		parties:  admin.NewPartyManagementServiceClient(conn),
		users:    admin.NewUserManagementServiceClient(conn),
	}
}

func (h *harness) allocate(hint string) string {
	h.t.Helper()
	resp, err := h.parties.AllocateParty(h.ctx, &admin.AllocatePartyRequest{PartyIdHint: hint})
	if err != nil {
		h.t.Fatalf("allocate %s: %v", hint, err)
	}
	return resp.GetPartyDetails().GetParty()
}

var commandCounter atomic.Int64

func newCommandID() string { return fmt.Sprintf("cmd-%d", commandCounter.Add(1)) }

func commands(actAs []string, cmds ...*v2.Command) *v2.Commands {
	return &v2.Commands{UserId: "tester", CommandId: newCommandID(), ActAs: actAs, Commands: cmds}
}

// Values and commands, written as a client would send them.

func partyValue(p string) *v2.Value { return &v2.Value{Sum: &v2.Value_Party{Party: p}} }
func text(s string) *v2.Value       { return &v2.Value{Sum: &v2.Value_Text{Text: s}} }
func int64v(n int64) *v2.Value      { return &v2.Value{Sum: &v2.Value_Int64{Int64: n}} }
func numeric(s string) *v2.Value    { return &v2.Value{Sum: &v2.Value_Numeric{Numeric: s}} }
func unit() *v2.Value               { return &v2.Value{Sum: &v2.Value_Unit{}} }

func record(kv ...any) *v2.Record {
	r := &v2.Record{}
	for i := 0; i < len(kv); i += 2 {
		r.Fields = append(r.Fields, &v2.RecordField{Label: kv[i].(string), Value: kv[i+1].(*v2.Value)})
	}
	return r
}

func recordValue(kv ...any) *v2.Value { return &v2.Value{Sum: &v2.Value_Record{Record: record(kv...)}} }

func tid(s string) *v2.Identifier {
	parts := strings.Split(s, ":")
	return &v2.Identifier{PackageId: parts[0], ModuleName: parts[1], EntityName: parts[2]}
}

func createCmd(template string, args *v2.Record) *v2.Command {
	return &v2.Command{Command: &v2.Command_Create{Create: &v2.CreateCommand{TemplateId: tid(template), CreateArguments: args}}}
}

func exerciseCmd(template, cid, choice string, arg *v2.Value) *v2.Command {
	return &v2.Command{Command: &v2.Command_Exercise{Exercise: &v2.ExerciseCommand{TemplateId: tid(template), ContractId: cid, Choice: choice, ChoiceArgument: arg}}}
}

func archiveCmd(template, cid string) *v2.Command {
	return exerciseCmd(template, cid, "Archive", recordValue())
}

// submitTx submits and returns the ACS delta the submitters see.
func (h *harness) submitTx(c *v2.Commands) (*v2.Transaction, error) {
	resp, err := h.commands.SubmitAndWaitForTransaction(h.ctx, &v2.SubmitAndWaitForTransactionRequest{Commands: c})
	return resp.GetTransaction(), err
}

func (h *harness) mustSubmit(c *v2.Commands) *v2.Transaction {
	h.t.Helper()
	tx, err := h.submitTx(c)
	if err != nil {
		h.t.Fatalf("submit %s: %v", c.GetCommandId(), err)
	}
	return tx
}

// create creates one contract and returns its id.
func (h *harness) create(actAs string, template string, args *v2.Record) string {
	h.t.Helper()
	tx := h.mustSubmit(commands([]string{actAs}, createCmd(template, args)))
	for _, e := range tx.GetEvents() {
		if c := e.GetCreated(); c != nil {
			return c.GetContractId()
		}
	}
	h.t.Fatalf("create %s: no created event in %v", template, tx)
	return ""
}

func wildcardFor(verbose bool, parties ...string) *v2.EventFormat {
	f := &v2.EventFormat{FiltersByParty: map[string]*v2.Filters{}, Verbose: verbose}
	for _, p := range parties {
		f.FiltersByParty[p] = &v2.Filters{}
	}
	return f
}

// acs returns the active contracts at the ledger end that the format shows.
func (h *harness) acs(f *v2.EventFormat) (int64, []*v2.CreatedEvent) {
	h.t.Helper()
	end, err := h.state.GetLedgerEnd(h.ctx, &v2.GetLedgerEndRequest{})
	if err != nil {
		h.t.Fatalf("GetLedgerEnd: %v", err)
	}
	return end.GetOffset(), h.acsAt(end.GetOffset(), f)
}

func (h *harness) acsAt(offset int64, f *v2.EventFormat) []*v2.CreatedEvent {
	h.t.Helper()
	stream, err := h.state.GetActiveContracts(h.ctx, &v2.GetActiveContractsRequest{ActiveAtOffset: offset, EventFormat: f})
	if err != nil {
		h.t.Fatalf("GetActiveContracts: %v", err)
	}
	var out []*v2.CreatedEvent
	for {
		resp, err := stream.Recv()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				h.t.Fatalf("GetActiveContracts at %d: %v", offset, err)
			}
			return out
		}
		out = append(out, resp.GetActiveContract().GetCreatedEvent())
	}
}

// requireCode fails unless err is a gRPC status with the code and a message
// starting with the error id.
func requireCode(t testing.TB, err error, code codes.Code, errorID string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s %s", code, errorID)
	}
	st, _ := status.FromError(err)
	if st.Code() != code {
		t.Errorf("got code %s, want %s (message %q)", st.Code(), code, st.Message())
	}
	if !strings.HasPrefix(st.Message(), errorID+"(") {
		t.Errorf("got message %q, want it to start with %s(", st.Message(), errorID)
	}
}
