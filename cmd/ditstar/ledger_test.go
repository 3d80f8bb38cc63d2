package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ditstar/ditstar/internal/testdata"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

// startSandbox serves an open, schemaless embedded ledger on loopback.
func startSandbox(t *testing.T) string {
	t.Helper()
	l, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := l.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return addr.String()
}

// ledgerRun runs `ditstar ledger --ledger addr ARGS` and returns its exit
// status and output.
func ledgerRun(t *testing.T, ctx context.Context, addr string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runLedgerContext(ctx, append([]string{"--ledger", addr, "--timeout", "60s"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// ledgerOK runs a command that must succeed and returns its output.
func ledgerOK(t *testing.T, addr string, args ...string) string {
	t.Helper()
	code, out, errOut := ledgerRun(t, context.Background(), addr, args...)
	if code != exitOK {
		t.Fatalf("ditstar ledger %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func clearLedgerEnv(t *testing.T) {
	for _, name := range []string{"DABL_LEDGER_URL", "DAML_LEDGER_TOKEN", "DAML_LEDGER_APPLICATION_NAME", "DAML_LEDGER_PARTY"} {
		t.Setenv(name, "")
	}
}

func TestLedgerPartiesAndAllocate(t *testing.T) {
	clearLedgerEnv(t)
	addr := startSandbox(t)
	alice := strings.TrimSpace(ledgerOK(t, addr, "allocate", "alice"))
	if !strings.HasPrefix(alice, "alice::") {
		t.Fatalf("allocate printed %q, want alice::<namespace>", alice)
	}
	ledgerOK(t, addr, "allocate", "bob")
	out := ledgerOK(t, addr, "parties")
	if !strings.Contains(out, alice+"\n") {
		t.Errorf("parties output %q lacks %s", out, alice)
	}
	out = ledgerOK(t, addr, "--json", "parties")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("parties --json printed %d lines, want 2: %q", len(lines), out)
	}
	var first struct {
		Party   string `json:"party"`
		IsLocal bool   `json:"is_local"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatalf("parties --json line %q: %v", lines[0], err)
	}
	if first.Party == "" {
		t.Errorf("parties --json line %q has no party", lines[0])
	}
}

func TestLedgerTypedContracts(t *testing.T) {
	clearLedgerEnv(t)
	addr := startSandbox(t)
	dar := testdata.DAR(t, "dabl-integration-coindesk-1.1.2.dar")
	out := ledgerOK(t, addr, "upload", dar)
	if !strings.Contains(out, "main package 3e292a327d3dfe9518c634547bd671bd40074a340f2545e5c3c63a00dba3fc6b") {
		t.Errorf("upload output %q lacks the main package id", out)
	}
	alice := strings.TrimSpace(ledgerOK(t, addr, "allocate", "alice"))

	arg := `{"integrationParty": "` + alice + `", "currencyCode": "USD", "continuationId": 7}`
	cid := strings.TrimSpace(ledgerOK(t, addr, "--as", "alice", "create", "CoinDesk.PriceRequest:PriceRequest", arg))
	if cid == "" || strings.Contains(cid, "\n") {
		t.Fatalf("create printed %q, want one contract id", cid)
	}

	out = ledgerOK(t, addr, "--as", alice, "--json", "acs", "#dabl-integration-coindesk:CoinDesk.PriceRequest:PriceRequest")
	var contract struct {
		ContractID string         `json:"contract_id"`
		Template   string         `json:"template"`
		Arguments  map[string]any `json:"arguments"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &contract); err != nil {
		t.Fatalf("acs --json output %q: %v", out, err)
	}
	if contract.ContractID != cid {
		t.Errorf("acs contract id = %q, want %q", contract.ContractID, cid)
	}
	if !strings.HasSuffix(contract.Template, ":CoinDesk.PriceRequest:PriceRequest") {
		t.Errorf("acs template = %q", contract.Template)
	}
	if contract.Arguments["continuationId"] != float64(7) {
		t.Errorf("acs arguments = %v, want continuationId 7", contract.Arguments)
	}
	if contract.Arguments["integrationParty"] != alice {
		t.Errorf("acs arguments = %v, want integrationParty %s", contract.Arguments, alice)
	}

	// A typed create rejects a field of the wrong type before submitting.
	code, _, errOut := ledgerRun(t, context.Background(), addr, "--as", "alice", "create", "CoinDesk.PriceRequest:PriceRequest",
		`{"integrationParty": "`+alice+`", "currencyCode": "USD", "continuationId": "seven"}`)
	if code != exitFail {
		t.Errorf("create with a mistyped field: exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(errOut, "continuationId") {
		t.Errorf("create with a mistyped field: stderr %q does not name the field", errOut)
	}

	out = ledgerOK(t, addr, "--as", "alice", "archive", cid)
	if !strings.Contains(out, "archived "+cid) {
		t.Errorf("archive output %q lacks the archived event", out)
	}
	if out := ledgerOK(t, addr, "--as", "alice", "acs"); out != "" {
		t.Errorf("acs after archive printed %q, want nothing", out)
	}
}

func TestLedgerSchemalessExerciseAndTail(t *testing.T) {
	clearLedgerEnv(t)
	addr := startSandbox(t)
	alice := strings.TrimSpace(ledgerOK(t, addr, "allocate", "alice"))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type result struct {
		code        int
		out, errOut string
	}
	tailDone := make(chan result, 1)
	tailErr := newSignalWriter("following transactions after offset")
	go func() {
		var stdout bytes.Buffer
		code := runLedgerContext(ctx, []string{"--ledger", addr, "--timeout", "60s", "--as", "alice", "--json", "-n", "2", "tail"}, &stdout, tailErr)
		tailDone <- result{code, stdout.String(), tailErr.String()}
	}()
	// tail prints every transaction after the ledger end it read, so the
	// commits below wait until it has read it.
	select {
	case <-tailErr.seen:
	case r := <-tailDone:
		t.Fatalf("tail stopped before it followed the ledger: exit %d, stderr %s", r.code, r.errOut)
	case <-ctx.Done():
		t.Fatalf("tail did not start following the ledger: stderr %s", tailErr.String())
	}

	cid := strings.TrimSpace(ledgerOK(t, addr, "--as", "alice", "create", "scratch:Main:Note", `{"owner": "`+alice+`", "n": 5, "price": 1.25}`))
	out := ledgerOK(t, addr, "--as", "alice", "exercise", cid, "Archive")
	if !strings.Contains(out, "archived "+cid) {
		t.Errorf("exercise Archive output %q lacks the archived event", out)
	}

	var r result
	select {
	case r = <-tailDone:
	case <-ctx.Done():
		t.Fatal("tail did not stop after 2 transactions")
	}
	if r.code != exitOK {
		t.Fatalf("tail: exit %d, stderr %s", r.code, r.errOut)
	}
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != 2 {
		t.Fatalf("tail printed %d lines, want 2: %q", len(lines), r.out)
	}
	var created struct {
		Offset int64 `json:"offset"`
		Events []struct {
			Created *struct {
				ContractID string         `json:"contract_id"`
				Arguments  map[string]any `json:"arguments"`
			} `json:"created"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &created); err != nil {
		t.Fatalf("tail line %q: %v", lines[0], err)
	}
	if len(created.Events) != 1 || created.Events[0].Created == nil || created.Events[0].Created.ContractID != cid {
		t.Fatalf("tail first transaction = %s, want the create of %s", lines[0], cid)
	}
	args := created.Events[0].Created.Arguments
	if args["owner"] != alice || args["n"] != float64(5) || args["price"] != "1.25" {
		t.Errorf("tail created arguments = %v, want owner, n=5 and price \"1.25\"", args)
	}
	if !strings.Contains(lines[1], `"archived"`) {
		t.Errorf("tail second transaction %s is not the archive", lines[1])
	}
}

func TestLedgerErrors(t *testing.T) {
	clearLedgerEnv(t)
	addr := startSandbox(t)
	ledgerOK(t, addr, "allocate", "alice")
	tests := []struct {
		args    []string
		code    int
		message string
	}{
		{[]string{}, exitUsage, "usage: ditstar ledger"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"allocate"}, exitUsage, "got 0 arguments, want 1"},
		{[]string{"exercise", "a", "b", "c", "d"}, exitUsage, "got 4 arguments, want 2 to 3"},
		{[]string{"allocate", "a::b"}, exitFail, `invalid hint "a::b"`},
		{[]string{"--as", "nobody", "acs"}, exitFail, `no party with hint "nobody"`},
		{[]string{"--as", "alice", "create", "x:Main:T", "{"}, exitFail, "invalid JSON"},
		{[]string{"--as", "alice", "create", "Main:T", "{}"}, exitFail, "template not found"},
		{[]string{"--as", "alice", "archive", "00deadbeef"}, exitFail, "00deadbeef"},
		{[]string{"upload", "/nonexistent/x.dar"}, exitFail, "no such file"},
		{[]string{"--timeout", "0s", "parties"}, exitUsage, "want a positive duration"},
	}
	for _, tt := range tests {
		code, _, errOut := ledgerRun(t, context.Background(), addr, tt.args...)
		if code != tt.code {
			t.Errorf("ditstar ledger %s: exit %d, want %d (stderr %q)", strings.Join(tt.args, " "), code, tt.code, errOut)
		}
		if !strings.Contains(errOut, tt.message) {
			t.Errorf("ditstar ledger %s: stderr %q, want it to contain %q", strings.Join(tt.args, " "), errOut, tt.message)
		}
	}
}

func TestLedgerUntypedArgumentKind(t *testing.T) {
	clearLedgerEnv(t)
	addr := startSandbox(t)
	ledgerOK(t, addr, "allocate", "alice")
	code, _, errOut := ledgerRun(t, context.Background(), addr, "--as", "alice", "create", "scratch:Main:Note", `[1, 2]`)
	if code != exitFail {
		t.Errorf("create with an array argument: exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(errOut, "got a JSON array, want a JSON object") {
		t.Errorf("create with an array argument: stderr %q", errOut)
	}
}

func TestLedgerArchiveWithTemplateFlag(t *testing.T) {
	clearLedgerEnv(t)
	addr := startSandbox(t)
	alice := strings.TrimSpace(ledgerOK(t, addr, "allocate", "alice"))
	cid := strings.TrimSpace(ledgerOK(t, addr, "--as", alice, "create", "scratch:Main:Note", `{"owner": "`+alice+`"}`))
	out := ledgerOK(t, addr, "--as", alice, "-template", "scratch:Main:Note", "--json", "archive", cid)
	var tx struct {
		Events []struct {
			Archived *struct {
				ContractID string `json:"contract_id"`
				Template   string `json:"template"`
			} `json:"archived"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &tx); err != nil {
		t.Fatalf("archive --json output %q: %v", out, err)
	}
	if len(tx.Events) != 1 || tx.Events[0].Archived == nil {
		t.Fatalf("archive events = %s, want one archived event", out)
	}
	if tx.Events[0].Archived.ContractID != cid {
		t.Errorf("archived contract = %s, want %s", tx.Events[0].Archived.ContractID, cid)
	}
	if tx.Events[0].Archived.Template != "scratch:Main:Note" {
		t.Errorf("archived template = %s, want scratch:Main:Note", tx.Events[0].Archived.Template)
	}
}

func TestLedgerTokenSources(t *testing.T) {
	clearLedgerEnv(t)
	secret := []byte("ditstar-ledger-command-test-secret")
	l, err := sandbox.New(sandbox.Options{Auth: &sandbox.AuthConfig{HS256Secret: secret}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	addr := a.String()

	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	token, err := jwt.Signed(signer).Claims(map[string]any{
		"sub": "participant_admin", "scope": "daml_ledger_api", "exp": time.Now().Add(time.Hour).Unix(),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}

	code, _, errOut := ledgerRun(t, context.Background(), addr, "allocate", "alice")
	if code != exitFail {
		t.Errorf("allocate without a token: exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(errOut, "Unauthenticated") {
		t.Errorf("allocate without a token: stderr %q, want an authentication error", errOut)
	}

	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	alice := strings.TrimSpace(ledgerOK(t, addr, "--token-file", path, "allocate", "alice"))
	if !strings.HasPrefix(alice, "alice::") {
		t.Errorf("allocate with a token file printed %q", alice)
	}

	t.Setenv("DAML_LEDGER_TOKEN", token)
	if out := ledgerOK(t, addr, "parties"); !strings.Contains(out, alice) {
		t.Errorf("parties with DAML_LEDGER_TOKEN printed %q, want %s", out, alice)
	}
}

// signalWriter is an io.Writer, safe for concurrent use, that closes seen
// once the text written contains a marker.
type signalWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	seen   chan struct{}
}

func newSignalWriter(marker string) *signalWriter {
	return &signalWriter{marker: marker, seen: make(chan struct{})}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	already := strings.Contains(w.buf.String(), w.marker)
	n, err := w.buf.Write(p)
	if !already && strings.Contains(w.buf.String(), w.marker) {
		close(w.seen)
	}
	return n, err
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
