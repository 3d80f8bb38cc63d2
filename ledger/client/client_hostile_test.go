package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/grpc"

	"github.com/ditstar/ditstar/ledger/client"
)

// hostileParticipant is a Ledger API server of the test's own whose
// answers a test sets: each nil hook answers as a well-behaved participant
// with one party and an empty ledger.
type hostileParticipant struct {
	admin.UnimplementedUserManagementServiceServer
	admin.UnimplementedPartyManagementServiceServer
	v2.UnimplementedStateServiceServer
	v2.UnimplementedUpdateServiceServer

	party      string
	rights     []*admin.Right
	ledgerEnd  int64
	acs        func(v2.StateService_GetActiveContractsServer) error
	updates    func(*v2.GetUpdatesRequest, v2.UpdateService_GetUpdatesServer) error
	updateCall atomic.Int64
}

func (p *hostileParticipant) GetUser(context.Context, *admin.GetUserRequest) (*admin.GetUserResponse, error) {
	return &admin.GetUserResponse{User: &admin.User{Id: "bot"}}, nil
}

func (p *hostileParticipant) ListUserRights(context.Context, *admin.ListUserRightsRequest) (*admin.ListUserRightsResponse, error) {
	return &admin.ListUserRightsResponse{Rights: p.rights}, nil
}

func (p *hostileParticipant) GetParties(context.Context, *admin.GetPartiesRequest) (*admin.GetPartiesResponse, error) {
	return &admin.GetPartiesResponse{PartyDetails: []*admin.PartyDetails{{Party: p.party, IsLocal: true}}}, nil
}

func (p *hostileParticipant) GetLedgerEnd(context.Context, *v2.GetLedgerEndRequest) (*v2.GetLedgerEndResponse, error) {
	return &v2.GetLedgerEndResponse{Offset: p.ledgerEnd}, nil
}

func (p *hostileParticipant) GetActiveContracts(_ *v2.GetActiveContractsRequest, s v2.StateService_GetActiveContractsServer) error {
	if p.acs != nil {
		return p.acs(s)
	}
	return nil
}

func (p *hostileParticipant) GetUpdates(req *v2.GetUpdatesRequest, s v2.UpdateService_GetUpdatesServer) error {
	p.updateCall.Add(1)
	if p.updates != nil {
		return p.updates(req, s)
	}
	<-s.Context().Done()
	return nil
}

// serve starts p on loopback and returns its address.
func (p *hostileParticipant) serve(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	admin.RegisterUserManagementServiceServer(srv, p)
	admin.RegisterPartyManagementServiceServer(srv, p)
	v2.RegisterStateServiceServer(srv, p)
	v2.RegisterUpdateServiceServer(srv, p)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// TestDialManyDuplicateRights dials a user with a long list of rights,
// repeated and distinct. Deduplicating the read-as parties used to be
// quadratic in their number: 160000 distinct parties took a minute, where
// the linear code takes a few seconds even with the race detector. The
// 30 s bound sits between the two.
func TestDialManyDuplicateRights(t *testing.T) {
	dialWith := func(distinct int) {
		t.Helper()
		p := &hostileParticipant{party: "alice::1220"}
		p.rights = append(p.rights, &admin.Right{Kind: &admin.Right_CanActAs_{CanActAs: &admin.Right_CanActAs{Party: p.party}}})
		for i := range 1000 {
			party := fmt.Sprintf("reader-%d::1220", i%2)
			p.rights = append(p.rights, &admin.Right{Kind: &admin.Right_CanReadAs_{CanReadAs: &admin.Right_CanReadAs{Party: party}}})
		}
		for i := range distinct {
			party := fmt.Sprintf("distinct-%d::1220", i)
			p.rights = append(p.rights, &admin.Right{Kind: &admin.Right_CanReadAs_{CanReadAs: &admin.Right_CanReadAs{Party: party}}})
		}
		addr := p.serve(t)

		var c *client.Client
		var err error
		done := make(chan struct{})
		start := time.Now()
		go func() {
			defer close(done)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c, err = client.Dial(ctx, client.Config{Address: addr, Token: "header.payload.signature"})
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("Dial did not return within 30s for %d rights", len(p.rights))
		}
		t.Logf("Dial with %d rights took %v", len(p.rights), time.Since(start))
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		defer c.Close(context.Background())
		if got := c.Party(); got != p.party {
			t.Errorf("Party() = %q, want %q", got, p.party)
		}
		if n := len(c.ReadAs()); n != distinct+2 {
			t.Errorf("len(ReadAs()) = %d, want %d distinct parties", n, distinct+2)
		}
	}
	dialWith(160000)
}

// TestStreamNegativeLedgerEnd checks a participant that reports a ledger
// end before the first offset.
func TestStreamNegativeLedgerEnd(t *testing.T) {
	p := &hostileParticipant{party: "alice::1220", ledgerEnd: -5}
	addr := p.serve(t)
	c := dial(t, client.Config{Address: addr, Party: p.party})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var items []client.Item
	err := c.Stream(ctx, client.Filter{Wildcard: true}, func(it client.Item) error {
		items = append(items, it)
		return nil
	})
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stream error %v, want one about the invalid ledger end", err)
	}
	for _, it := range items {
		if it.Offset < 0 {
			t.Errorf("delivered %s item at offset %d", it.Kind, it.Offset)
		}
	}
}

// TestStreamOffsetsGoingBack sends transactions out of order and twice,
// which must reach the consumer once each, in increasing offsets.
func TestStreamOffsetsGoingBack(t *testing.T) {
	p := &hostileParticipant{party: "alice::1220"}
	p.updates = func(req *v2.GetUpdatesRequest, s v2.UpdateService_GetUpdatesServer) error {
		for _, off := range []int64{3, 1, 3, 2, 5, 4, 5} {
			tx := &v2.Transaction{Offset: off, UpdateId: fmt.Sprint("u", off)}
			if err := s.Send(&v2.GetUpdatesResponse{Update: &v2.GetUpdatesResponse_Transaction{Transaction: tx}}); err != nil {
				return err
			}
		}
		// An empty update and a checkpoint behind the last offset.
		_ = s.Send(&v2.GetUpdatesResponse{})
		_ = s.Send(&v2.GetUpdatesResponse{Update: &v2.GetUpdatesResponse_OffsetCheckpoint{OffsetCheckpoint: &v2.OffsetCheckpoint{Offset: 2}}})
		<-s.Context().Done()
		return nil
	}
	addr := p.serve(t)
	c := dial(t, client.Config{Address: addr, Party: p.party})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var offsets []int64
	done := make(chan error, 1)
	go func() {
		done <- c.Stream(ctx, client.Filter{Wildcard: true}, func(it client.Item) error {
			if it.Kind == client.ItemTransaction || it.Kind == client.ItemCheckpoint {
				offsets = append(offsets, it.Offset)
				if it.Offset == 5 {
					cancel()
				}
			}
			return nil
		})
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stream did not deliver offset 5")
	}
	want := []int64{3, 5}
	if fmt.Sprint(offsets) != fmt.Sprint(want) {
		t.Errorf("delivered offsets %v, want %v", offsets, want)
	}
}

// TestStreamACSWithEmptyEntries sends active contract responses without a
// created event, which are skipped.
func TestStreamACSWithEmptyEntries(t *testing.T) {
	p := &hostileParticipant{party: "alice::1220", ledgerEnd: 7}
	p.acs = func(s v2.StateService_GetActiveContractsServer) error {
		_ = s.Send(&v2.GetActiveContractsResponse{})
		_ = s.Send(&v2.GetActiveContractsResponse{ContractEntry: &v2.GetActiveContractsResponse_ActiveContract{}})
		_ = s.Send(&v2.GetActiveContractsResponse{ContractEntry: &v2.GetActiveContractsResponse_ActiveContract{ActiveContract: &v2.ActiveContract{
			CreatedEvent: &v2.CreatedEvent{ContractId: "00c1", TemplateId: &v2.Identifier{PackageId: "#pkg", ModuleName: "M", EntityName: "T"}},
		}}})
		// The same contract twice.
		return s.Send(&v2.GetActiveContractsResponse{ContractEntry: &v2.GetActiveContractsResponse_ActiveContract{ActiveContract: &v2.ActiveContract{
			CreatedEvent: &v2.CreatedEvent{ContractId: "00c1", TemplateId: &v2.Identifier{PackageId: "#pkg", ModuleName: "M", EntityName: "T"}},
		}}})
	}
	addr := p.serve(t)
	c := dial(t, client.Config{Address: addr, Party: p.party})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var kinds []client.ItemKind
	done := make(chan error, 1)
	go func() {
		done <- c.Stream(ctx, client.Filter{Wildcard: true}, func(it client.Item) error {
			kinds = append(kinds, it.Kind)
			if it.Kind == client.ItemBoundary {
				cancel()
			}
			return nil
		})
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stream did not reach the boundary")
	}
	want := []client.ItemKind{client.ItemActive, client.ItemBoundary}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("delivered %v, want %v", kinds, want)
	}
}

// TestConnectRejectsBadTokenFiles checks token files that cannot hold a
// token: reading a FIFO would block and a device would never end.
func TestConnectRejectsBadTokenFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte("a"), 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	newline := filepath.Join(dir, "newline")
	if err := os.WriteFile(newline, []byte("first.half\nsecond.half\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ file, want string }{
		"directory":   {dir, "not a regular file"},
		"fifo":        {fifo, "named pipe"},
		"device":      {os.DevNull, "device"},
		"oversized":   {big, "over the limit"},
		"inner break": {newline, "byte 0x0a at offset 10"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var err error
			done := make(chan struct{})
			go func() {
				defer close(done)
				var conn *grpc.ClientConn
				conn, err = client.Connect(client.Config{Address: "127.0.0.1:1", TokenFile: tc.file})
				if conn != nil {
					conn.Close()
				}
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Connect did not return within 5s")
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "second.half") {
				t.Errorf("error %q contains the token", err)
			}
		})
	}
}

func TestConnectRejectsBadTokens(t *testing.T) {
	cases := map[string]struct{ token, want string }{
		"newline":       {"abc\ndef", "byte 0x0a at offset 3"},
		"nul":           {"abc\x00", "byte 0x00 at offset 3"},
		"inner space":   {"abc def", "byte 0x20 at offset 3"},
		"non-ascii":     {"tök", "byte 0xc3 at offset 1"},
		"bearer only":   {"Bearer", "blank"},
		"bearer spaces": {"bearer   ", "blank"},
		"oversized":     {strings.Repeat("a", 1<<20), "over the limit"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			conn, err := client.Connect(client.Config{Address: "127.0.0.1:1", Token: tc.token})
			if conn != nil {
				conn.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestConnectRejectsBadCAFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ file, want string }{
		"fifo":      {fifo, "named pipe"},
		"directory": {dir, "directory"},
		"device":    {os.DevNull, "device"},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			done := make(chan struct{})
			go func() {
				defer close(done)
				var conn *grpc.ClientConn
				conn, err = client.Connect(client.Config{Address: "127.0.0.1:1", CAFile: tc.file})
				if conn != nil {
					conn.Close()
				}
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Connect did not return within 5s")
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
