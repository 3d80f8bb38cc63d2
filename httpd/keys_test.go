package httpd

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/ditstar/ditstar/integration"
)

var anyPartyHook = []integration.Webhook{{Index: 0, Method: "GET", Auth: integration.AuthAnyParty}}

func validDamlToken(t *testing.T, k testKey) string {
	return k.sign(t, damlToken(testLedger, []string{testParty}, []string{testParty}))
}

func TestJWKSRefetchOnUnknownKid(t *testing.T) {
	oldKey := newKey(t, jose.RS256, "old")
	newer := newKey(t, jose.ES256, "new")
	jwks := newJWKSServer(t, oldKey)
	fake := &fakeIntegration{hooks: anyPartyHook}
	_, base := startServer(t, Options{Integration: fake, Auth: AuthOptions{
		JWKSURL: jwks.URL, LedgerID: testLedger, RefreshInterval: 300 * time.Millisecond, PollInterval: time.Hour,
	}})
	url := base + "/integration/" + testInstance

	if got := do(t, http.MethodGet, url, validDamlToken(t, oldKey), nil); got.status != 200 {
		t.Fatalf("old key: status %d, want 200; body %s", got.status, got.body)
	}
	waitFor(t, "the first JWKS fetch", func() bool { return jwks.fetches.Load() >= 1 })
	jwks.setKeys(oldKey, newer)
	time.Sleep(350 * time.Millisecond) // let the refresh interval pass
	before := jwks.fetches.Load()

	// The first unknown kid reloads the JWKS, so the rotated key works.
	if got := do(t, http.MethodGet, url, validDamlToken(t, newer), nil); got.status != 200 {
		t.Fatalf("rotated key: status %d, want 200; body %s", got.status, got.body)
	}
	if n := jwks.fetches.Load() - before; n != 1 {
		t.Errorf("fetches for the rotated key: %d, want 1", n)
	}

	// More unknown kids within the interval cause no more fetches.
	stranger := newKey(t, jose.RS256, "stranger")
	before = jwks.fetches.Load()
	for range 5 {
		if got := do(t, http.MethodGet, url, validDamlToken(t, stranger), nil); got.status != 403 {
			t.Fatalf("unknown kid: status %d, want 403", got.status)
		}
	}
	if n := jwks.fetches.Load() - before; n > 1 {
		t.Errorf("fetches for 5 unknown kids within the interval: %d, want at most 1", n)
	}
}

func TestJWKSPolled(t *testing.T) {
	first := newKey(t, jose.RS256, "first")
	second := newKey(t, jose.EdDSA, "second")
	jwks := newJWKSServer(t, first)
	fake := &fakeIntegration{hooks: anyPartyHook}
	_, base := startServer(t, Options{Integration: fake, Auth: AuthOptions{
		JWKSURL: jwks.URL, LedgerID: testLedger, RefreshInterval: time.Hour, PollInterval: 50 * time.Millisecond,
	}})
	url := base + "/integration/" + testInstance

	waitFor(t, "the first JWKS fetch", func() bool { return jwks.fetches.Load() >= 1 })
	jwks.setKeys(second) // the first key is revoked
	n := jwks.fetches.Load()
	waitFor(t, "two polls", func() bool { return jwks.fetches.Load() >= n+2 })

	if got := do(t, http.MethodGet, url, validDamlToken(t, second), nil); got.status != 200 {
		t.Errorf("polled key: status %d, want 200; body %s", got.status, got.body)
	}
	if got := do(t, http.MethodGet, url, validDamlToken(t, first), nil); got.status != 403 {
		t.Errorf("revoked key: status %d, want 403", got.status)
	}
}

func TestJWKSRedirectNotFollowed(t *testing.T) {
	key := newKey(t, jose.RS256, "k")
	target := newJWKSServer(t, key)
	redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusFound))
	t.Cleanup(redirect.Close)

	logs := &syncBuffer{}
	fake := &fakeIntegration{hooks: anyPartyHook}
	_, base := startServer(t, Options{Integration: fake, Logger: newTextLogger(logs), Auth: AuthOptions{
		JWKSURL: redirect.URL, LedgerID: testLedger, RefreshInterval: time.Hour, PollInterval: time.Hour,
	}})

	got := do(t, http.MethodGet, base+"/integration/"+testInstance, validDamlToken(t, key), nil)
	if got.status != 403 {
		t.Errorf("status %d, want 403", got.status)
	}
	if n := target.fetches.Load(); n != 0 {
		t.Errorf("redirect target fetched %d times, want 0", n)
	}
	waitFor(t, "the failed load in the log", func() bool {
		return containsLine(logs.String(), "loading token keys failed", "redirects are not followed")
	})
}

func TestJWKSFetchTimeout(t *testing.T) {
	key := newKey(t, jose.RS256, "k")
	var canceled atomic.Bool
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			canceled.Store(true)
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); slow.Close() })

	fake := &fakeIntegration{hooks: anyPartyHook}
	_, base := startServer(t, Options{Integration: fake, Auth: AuthOptions{
		JWKSURL: slow.URL, LedgerID: testLedger, FetchTimeout: 100 * time.Millisecond,
		RefreshInterval: time.Millisecond, PollInterval: time.Hour,
	}})
	got := do(t, http.MethodGet, base+"/integration/"+testInstance, validDamlToken(t, key), nil)
	if got.status != 403 {
		t.Errorf("status %d, want 403", got.status)
	}
	waitFor(t, "the fetch to be canceled", canceled.Load)
}

func TestJWKSBadResponses(t *testing.T) {
	key := newKey(t, jose.RS256, "k")
	for name, handler := range map[string]http.HandlerFunc{
		"status 500": func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", 500) },
		"not json":   func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) },
		"no keys":    func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"keys": []}`)) },
		"too large": func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"keys": [], "pad": "` + strings.Repeat("x", maxJWKSBytes) + `"}`))
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(handler)
			t.Cleanup(srv.Close)
			fake := &fakeIntegration{hooks: anyPartyHook}
			_, base := startServer(t, Options{Integration: fake, Auth: AuthOptions{
				JWKSURL: srv.URL, LedgerID: testLedger, RefreshInterval: time.Hour, PollInterval: time.Hour,
			}})
			got := do(t, http.MethodGet, base+"/integration/"+testInstance, validDamlToken(t, key), nil)
			if got.status != 403 || got.errorCode() != "invalid_token" {
				t.Errorf("status %d body %s, want 403 invalid_token", got.status, got.body)
			}
		})
	}
}

func TestJWKSFailedReloadKeepsKeys(t *testing.T) {
	key := newKey(t, jose.RS256, "k")
	var broken atomic.Bool
	var failedFetches atomic.Int64
	jwks := newJWKSServer(t, key)
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			failedFetches.Add(1)
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		jwks.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(flaky.Close)

	fake := &fakeIntegration{hooks: anyPartyHook}
	_, base := startServer(t, Options{Integration: fake, Auth: AuthOptions{
		JWKSURL: flaky.URL, LedgerID: testLedger, RefreshInterval: time.Hour, PollInterval: 30 * time.Millisecond,
	}})
	waitFor(t, "the first JWKS fetch", func() bool { return jwks.fetches.Load() >= 1 })
	broken.Store(true)
	waitFor(t, "two failed JWKS polls", func() bool { return failedFetches.Load() >= 2 })

	if got := do(t, http.MethodGet, base+"/integration/"+testInstance, validDamlToken(t, key), nil); got.status != 200 {
		t.Errorf("status %d after failed reloads, want 200; body %s", got.status, got.body)
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestJWKSFile(t *testing.T) {
	key := newKey(t, jose.ES256, "file-key")
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{key.jwk()}})
	fake := &fakeIntegration{hooks: anyPartyHook}
	_, base := startServer(t, Options{Integration: fake, Auth: AuthOptions{JWKSFile: writeFile(t, "jwks.json", set), LedgerID: testLedger}})

	if got := do(t, http.MethodGet, base+"/integration/"+testInstance, validDamlToken(t, key), nil); got.status != 200 {
		t.Errorf("status %d, want 200; body %s", got.status, got.body)
	}
	noKid := newKey(t, jose.ES256, "")
	if got := do(t, http.MethodGet, base+"/integration/"+testInstance, validDamlToken(t, noKid), nil); got.status != 403 {
		t.Errorf("token without kid: status %d, want 403", got.status)
	}
}

func TestPublicKeyFile(t *testing.T) {
	rsaKey := newKey(t, jose.RS256, "")
	ecKey := newKey(t, jose.ES256, "any-kid")
	rsaDER, _ := x509.MarshalPKIXPublicKey(rsaKey.pub)
	cert := selfSignedCert(t, ecKey.priv.(*ecdsa.PrivateKey))
	data := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaDER})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert})...)

	fake := &fakeIntegration{hooks: anyPartyHook}
	_, base := startServer(t, Options{Integration: fake, Auth: AuthOptions{PublicKeyFile: writeFile(t, "keys.pem", data), LedgerID: testLedger}})
	url := base + "/integration/" + testInstance

	if got := do(t, http.MethodGet, url, validDamlToken(t, rsaKey), nil); got.status != 200 {
		t.Errorf("RSA key without kid: status %d, want 200; body %s", got.status, got.body)
	}
	if got := do(t, http.MethodGet, url, validDamlToken(t, ecKey), nil); got.status != 200 {
		t.Errorf("certificate key: status %d, want 200; body %s", got.status, got.body)
	}
	if got := do(t, http.MethodGet, url, validDamlToken(t, newKey(t, jose.RS256, "")), nil); got.status != 403 {
		t.Errorf("other key: status %d, want 403", got.status)
	}
}

func selfSignedCert(t *testing.T, priv *ecdsa.PrivateKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "token issuer"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestNewRejectsBadAuthOptions(t *testing.T) {
	smallRSA, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallDER, _ := x509.MarshalPKIXPublicKey(&smallRSA.PublicKey)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384DER, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	privDER, _ := x509.MarshalPKCS8PrivateKey(p384)

	tests := []struct {
		name string
		auth AuthOptions
		want string
	}{
		{"two sources", AuthOptions{JWKSURL: "http://127.0.0.1:1/jwks", JWKSFile: "x"}, "more than one key source"},
		{"relative url", AuthOptions{JWKSURL: "/jwks"}, "invalid JWKS URL"},
		{"file url", AuthOptions{JWKSURL: "file:///etc/jwks"}, "invalid JWKS URL"},
		{"negative leeway", AuthOptions{Leeway: -time.Second}, "invalid auth Leeway"},
		{"missing jwks file", AuthOptions{JWKSFile: filepath.Join(t.TempDir(), "none.json")}, "no such file"},
		{"jwks file without keys", AuthOptions{JWKSFile: writeFile(t, "j.json", []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"}]}`))}, "no usable signature key"},
		{"jwks file not json", AuthOptions{JWKSFile: writeFile(t, "j.json", []byte(`keys`))}, "invalid JWKS"},
		{"pem with small rsa", AuthOptions{PublicKeyFile: writeFile(t, "k.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: smallDER}))}, "RSA key of 1024 bits"},
		{"pem with p384", AuthOptions{PublicKeyFile: writeFile(t, "k.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p384DER}))}, "want P-256"},
		{"pem with private key", AuthOptions{PublicKeyFile: writeFile(t, "k.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}))}, `is "PRIVATE KEY"`},
		{"pem empty", AuthOptions{PublicKeyFile: writeFile(t, "k.pem", []byte("nothing"))}, "no PEM public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{InstanceID: testInstance, Integration: &fakeIntegration{}, Auth: tt.auth, Logger: newTextLogger(&syncBuffer{})})
			if err == nil {
				t.Fatalf("New succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"empty", Options{}, []string{"missing Integration", "missing InstanceID"}},
		{"slash in id", Options{InstanceID: "a/b", Integration: &fakeIntegration{}}, []string{`invalid InstanceID "a/b"`}},
		{"negative timeout", Options{InstanceID: "a", Integration: &fakeIntegration{}, ReadTimeout: -1}, []string{"invalid ReadTimeout"}},
		{"negative limit", Options{InstanceID: "a", Integration: &fakeIntegration{}, MaxWaiting: -1}, []string{"invalid limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q, want it to contain %q", err, want)
				}
			}
		})
	}
}

func TestParseJWKSSkipsUnusableKeys(t *testing.T) {
	good := newKey(t, jose.EdDSA, "good")
	enc := newKey(t, jose.RS256, "enc")
	encJWK := enc.jwk()
	encJWK.Use = "enc"
	noKid := newKey(t, jose.ES256, "")
	hmacAlg := newKey(t, jose.RS256, "rsa-as-hmac").jwk()
	hmacAlg.Algorithm = "HS256"
	raw := []json.RawMessage{
		mustJSON(t, good.jwk()),
		mustJSON(t, encJWK),
		mustJSON(t, noKid.jwk()),
		json.RawMessage(`{"kty":"oct","k":"c2VjcmV0","kid":"hmac"}`),
		json.RawMessage(`{"kty":"weird","kid":"w"}`),
		mustJSON(t, hmacAlg),
	}
	body := mustJSON(t, map[string]any{"keys": raw})
	keys, err := parseJWKS(body)
	if err != nil {
		t.Fatalf("parseJWKS: %v", err)
	}
	if len(keys) != 1 || keys[0].kid != "good" {
		t.Errorf("keys %+v, want only the key with kid good", keys)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKeyStoreLoadsOnceForConcurrentMisses(t *testing.T) {
	var loads atomic.Int64
	release := make(chan struct{})
	store := &keyStore{
		byKid: true, refreshInterval: time.Hour, fetchTimeout: time.Second, log: newTextLogger(&syncBuffer{}),
		load: func(context.Context) ([]verificationKey, error) {
			loads.Add(1)
			<-release
			return nil, nil
		},
	}
	done := make(chan struct{})
	for range 20 {
		go func() {
			store.find(context.Background(), "x", jose.RS256)
			done <- struct{}{}
		}()
	}
	waitFor(t, "the load to start", func() bool { return loads.Load() == 1 })
	close(release)
	for range 20 {
		<-done
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("loads %d, want 1", n)
	}
}
