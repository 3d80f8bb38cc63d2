package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ditstar/ditstar/internal/testdata"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
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

func TestSandboxCommandServesAndStops(t *testing.T) {
	dar := testdata.DAR(t, "dabl-integration-core-1.2.3.dar")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- runSandbox(ctx, []string{"--listen", "127.0.0.1:0", "--dar", dar, "--party", "alice", "--party", "bob"}, &stdout, &stderr)
	}()

	listening := regexp.MustCompile(`ledger listening on (\S+)\n`)
	var addr string
	deadline := time.Now().Add(10 * time.Second)
	for addr == "" || strings.Count(stdout.String(), "party ") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no address and parties printed; stdout %q, stderr %q", stdout.String(), stderr.String())
		}
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			addr = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(stdout.String(), "party alice::1220") || !strings.Contains(stdout.String(), "party bob::1220") {
		t.Errorf("stdout %q lacks the party ids", stdout.String())
	}

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	parties, err := admin.NewPartyManagementServiceClient(conn).ListKnownParties(ctx, &admin.ListKnownPartiesRequest{})
	if err != nil {
		t.Fatalf("ListKnownParties: %v", err)
	}
	if n := len(parties.GetPartyDetails()); n != 2 {
		t.Errorf("ListKnownParties gave %d parties, want 2", n)
	}

	cancel()
	select {
	case code := <-exit:
		if code != exitOK {
			t.Errorf("exit status %d, want %d; stderr %q", code, exitOK, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox did not stop")
	}
}

func TestSandboxCommandFlagErrors(t *testing.T) {
	cases := map[string]struct {
		args []string
		want int
	}{
		"missing dar":  {[]string{"--dar", "/nonexistent/x.dar"}, exitConfig},
		"bad party":    {[]string{"--listen", "127.0.0.1:0", "--party", "a::b"}, exitConfig},
		"positional":   {[]string{"x.dar"}, exitUsage},
		"bad log":      {[]string{"--log-format", "xml"}, exitUsage},
		"missing key":  {[]string{"--auth-public-key", "/nonexistent/key.pem"}, exitConfig},
		"unknown flag": {[]string{"--nope"}, exitUsage},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if got := runSandbox(ctx, c.args, &stdout, &stderr); got != c.want {
				t.Errorf("exit status %d, want %d; stderr %q", got, c.want, stderr.String())
			}
		})
	}
}
