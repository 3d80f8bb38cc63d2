package httpd

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ditstar/ditstar/integration"
)

const testInstance = "inst-1"

// fakeIntegration is a test implementation of Integration.
type fakeIntegration struct {
	mu     sync.Mutex
	status integration.Status
	hooks  []integration.Webhook
	party  string
	level  int
	setErr error
	handle func(ctx context.Context, index int, req *integration.WebhookRequest) (*integration.WebhookResponse, error)
	calls  []*integration.WebhookRequest
}

func (f *fakeIntegration) Status() integration.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func (f *fakeIntegration) Webhooks() []integration.Webhook {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hooks
}

func (f *fakeIntegration) setWebhooks(hooks ...integration.Webhook) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks = hooks
}

func (f *fakeIntegration) HandleWebhook(ctx context.Context, index int, req *integration.WebhookRequest) (*integration.WebhookResponse, error) {
	f.mu.Lock()
	f.calls = append(f.calls, req)
	handle := f.handle
	f.mu.Unlock()
	if handle == nil {
		return &integration.WebhookResponse{Status: 200, Body: []byte("ok")}, nil
	}
	return handle(ctx, index, req)
}

func (f *fakeIntegration) lastCall(t *testing.T) *integration.WebhookRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		t.Fatal("HandleWebhook was not called")
	}
	return f.calls[len(f.calls)-1]
}

func (f *fakeIntegration) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeIntegration) Party() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.party
}

func (f *fakeIntegration) LogLevel() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.level
}

func (f *fakeIntegration) SetLogLevel(level int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.setErr != nil {
		return f.setErr
	}
	f.level = level
	return nil
}

// resolvingIntegration adds user rights lookup to fakeIntegration.
type resolvingIntegration struct {
	*fakeIntegration
	rights map[string][2][]string
}

func (r *resolvingIntegration) UserParties(_ context.Context, user string) ([]string, []string, error) {
	rights, ok := r.rights[user]
	if !ok {
		return nil, nil, errors.New("user not found")
	}
	return rights[0], rights[1], nil
}

// startServer runs a Server on a loopback listener and returns its base URL.
func startServer(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	if opts.InstanceID == "" {
		opts.InstanceID = testInstance
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(lis) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, "http://" + lis.Addr().String()
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// errorCode returns the code of a JSON error body, or "" if it has none.
func (r response) errorCode() string {
	var body errorBody
	_ = json.Unmarshal(r.body, &body)
	return body.Code
}

func do(t *testing.T, method, url, token string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// testKey is a signing key generated for one test.
type testKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv any
	pub  any
}

func newKey(t testing.TB, alg jose.SignatureAlgorithm, kid string) testKey {
	t.Helper()
	k := testKey{kid: kid, alg: alg}
	switch alg {
	case jose.RS256:
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		k.priv, k.pub = priv, &priv.PublicKey
	case jose.ES256:
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k.priv, k.pub = priv, &priv.PublicKey
	case jose.EdDSA:
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k.priv, k.pub = priv, pub
	default:
		t.Fatalf("unsupported algorithm %s", alg)
	}
	return k
}

func (k testKey) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.pub, KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

// sign returns a compact JWT of claims signed with k.
func (k testKey) sign(t testing.TB, claims ...any) string {
	t.Helper()
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatalf("new signer: %v", err)
	}
	builder := jwt.Signed(signer)
	for _, c := range claims {
		builder = builder.Claims(c)
	}
	token, err := builder.Serialize()
	if err != nil {
		t.Fatalf("sign token: %v", err)
	}
	return token
}

// damlToken returns Daml custom ledger claims that expire in an hour.
func damlToken(ledgerID string, actAs, readAs []string) map[string]any {
	return map[string]any{
		"exp": time.Now().Add(time.Hour).Unix(),
		damlClaimsKey: map[string]any{
			"ledgerId": ledgerID,
			"actAs":    actAs,
			"readAs":   readAs,
		},
	}
}

// jwksServer serves a JWKS that a test can change, and counts fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []jose.JSONWebKey
	fetches atomic.Int64
}

func newJWKSServer(t *testing.T, keys ...testKey) *jwksServer {
	t.Helper()
	js := &jwksServer{}
	js.setKeys(keys...)
	js.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		js.fetches.Add(1)
		js.mu.Lock()
		set := jose.JSONWebKeySet{Keys: js.keys}
		js.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(js.Close)
	return js
}

func (js *jwksServer) setKeys(keys ...testKey) {
	js.mu.Lock()
	defer js.mu.Unlock()
	js.keys = nil
	for _, k := range keys {
		js.keys = append(js.keys, k.jwk())
	}
}

// waitFor polls cond until it holds or five seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes by a logger.
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

// containsLine reports whether one line of log contains every substring.
func containsLine(log string, substrs ...string) bool {
	for line := range strings.SplitSeq(log, "\n") {
		all := true
		for _, sub := range substrs {
			all = all && strings.Contains(line, sub)
		}
		if all {
			return true
		}
	}
	return false
}

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
