package httpd

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/ditstar/ditstar/integration"
)

// TestMalformedRawRequests writes requests that no client library would
// send. Each must get a 4xx, or the 501 or 505 that RFC 9110 names for an
// unknown transfer coding or HTTP version, or a closed connection. None may
// hang, get another 5xx, or reach the handler.
func TestMalformedRawRequests(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "POST"}}}
	_, base := startServer(t, Options{Integration: fake, ReadTimeout: 2 * time.Second})
	hook := "/integration/" + testInstance
	cases := map[string]string{
		"negative content length":  "POST " + hook + " HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
		"huge content length":      "POST " + hook + " HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"two content lengths":      "POST " + hook + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		"bad chunk size":           "POST " + hook + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
		"unknown transfer coding":  "POST " + hook + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
		"missing host":             "POST " + hook + " HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
		"nul in path":              "POST " + hook + "\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
		"space in header name":     "POST " + hook + " HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",
		"unsupported version":      "POST " + hook + " HTTP/9.9\r\nHost: x\r\n\r\n",
		"http2 preface":            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"tls client hello":         "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
		"garbage request line":     strings.Repeat("\xff", 2000) + "\r\n\r\n",
		"oversized chunked body":   "POST " + hook + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFF\r\n" + strings.Repeat("a", 70000) + "\r\n",
		"many small header fields": "POST " + hook + " HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-A: b\r\n", 20000) + "\r\n",
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			out := rawRequest(t, base, raw)
			serverError := strings.HasPrefix(out, "HTTP/1.1 5") || strings.HasPrefix(out, "HTTP/1.0 5")
			notImplemented := strings.HasPrefix(out, "HTTP/1.1 501 ") || strings.HasPrefix(out, "HTTP/1.1 505 ")
			if serverError && !notImplemented {
				t.Errorf("response %q, want a 4xx or a closed connection", firstLine(out))
			}
			if strings.HasPrefix(out, "HTTP/1.1 2") {
				t.Errorf("response %q accepted a malformed request", firstLine(out))
			}
		})
	}
	if n := fake.callCount(); n != 0 {
		t.Errorf("handler called %d times for malformed requests", n)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// TestHostileTokens sends tokens that break the JWS format in ways the
// table of auth outcomes does not: bad base64, odd headers, oversized
// parts. Each must get 401 or 403 with a JSON error, never 5xx.
func TestHostileTokens(t *testing.T) {
	f := newAuthFixture(t, nil)
	valid := damlToken(testLedger, []string{testParty}, []string{testParty})
	signed := f.rsa.sign(t, valid)
	parts := strings.Split(signed, ".")
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	header := func(h map[string]any) string {
		b, _ := json.Marshal(h)
		return base64.RawURLEncoding.EncodeToString(b)
	}

	tokens := map[string]string{
		"bad base64 header":      "!!!." + parts[1] + "." + parts[2],
		"bad base64 claims":      parts[0] + ".%%%." + parts[2],
		"bad base64 signature":   parts[0] + "." + parts[1] + ".***",
		"padded base64":          parts[0] + "==." + parts[1] + "." + parts[2],
		"header not json":        b64("not json") + "." + parts[1] + "." + parts[2],
		"header json array":      b64("[1,2]") + "." + parts[1] + "." + parts[2],
		"claims not json":        parts[0] + "." + b64("not json") + "." + parts[2],
		"empty segments":         "..",
		"four segments":          signed + ".extra",
		"five segments jwe":      "a.b.c.d.e",
		"alg None capitalised":   header(map[string]any{"alg": "None", "kid": "rsa-1"}) + "." + parts[1] + ".",
		"alg HS256 no signature": header(map[string]any{"alg": "HS256", "kid": "rsa-1"}) + "." + parts[1] + ".",
		"alg missing":            header(map[string]any{"kid": "rsa-1"}) + "." + parts[1] + "." + parts[2],
		"kid not a string":       header(map[string]any{"alg": "RS256", "kid": 7}) + "." + parts[1] + "." + parts[2],
		"crit unknown":           header(map[string]any{"alg": "RS256", "kid": "rsa-1", "crit": []string{"x-unknown"}, "x-unknown": 1}) + "." + parts[1] + "." + parts[2],
		"embedded jwk":           header(map[string]any{"alg": "RS256", "kid": "rsa-1", "jwk": map[string]any{"kty": "oct", "k": "AAAA"}}) + "." + parts[1] + "." + parts[2],
		"jku elsewhere":          header(map[string]any{"alg": "RS256", "kid": "other", "jku": "http://127.0.0.1:1/jwks"}) + "." + parts[1] + "." + parts[2],
		"kid path traversal":     header(map[string]any{"alg": "RS256", "kid": "../../etc/passwd"}) + "." + parts[1] + "." + parts[2],
		"huge kid":               header(map[string]any{"alg": "RS256", "kid": strings.Repeat("k", 30000)}) + "." + parts[1] + "." + parts[2],
		"deeply nested claims":   parts[0] + "." + b64(strings.Repeat("[", 20000)+strings.Repeat("]", 20000)) + "." + parts[2],
		"json serialization":     `{"payload":"` + parts[1] + `","signatures":[{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}]}`,
	}
	for name, token := range tokens {
		t.Run(name, func(t *testing.T) {
			got := do(t, http.MethodGet, f.path("/any"), token, nil)
			if got.status != http.StatusUnauthorized && got.status != http.StatusForbidden {
				t.Errorf("status %d, want 401 or 403; body %.200s", got.status, got.body)
			}
			if got.errorCode() == "" {
				t.Errorf("body %.200s is not a JSON error", got.body)
			}
		})
	}

	// A token larger than the header cap is rejected by net/http.
	req, _ := http.NewRequest(http.MethodGet, f.path("/any"), nil)
	req.Header.Set("Authorization", "Bearer "+strings.Repeat("a", 200<<10))
	if got := send(t, req); got.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("200 KiB token: status %d, want 431", got.status)
	}
	if n := f.fake.callCount(); n != 0 {
		t.Errorf("handler called %d times for hostile tokens", n)
	}
}

// TestUnknownKidFloodFetchesOnce sends many tokens with unknown kids at
// once. The JWKS must be fetched at most once for them.
func TestUnknownKidFloodFetchesOnce(t *testing.T) {
	f := newAuthFixture(t, nil)
	waitFor(t, "the first JWKS fetch", func() bool { return f.jwks.fetches.Load() >= 1 })
	before := f.jwks.fetches.Load()
	valid := damlToken(testLedger, []string{testParty}, []string{testParty})

	done := make(chan int, 50)
	for i := range 50 {
		key := newKey(t, jose.ES256, "flood-"+strings.Repeat("x", i))
		token := key.sign(t, valid)
		go func() { done <- do(t, http.MethodGet, f.path("/any"), token, nil).status }()
	}
	for range 50 {
		if status := <-done; status != http.StatusForbidden {
			t.Errorf("unknown kid: status %d, want 403", status)
		}
	}
	if n := f.jwks.fetches.Load() - before; n > 1 {
		t.Errorf("JWKS fetched %d times for 50 unknown kids, want at most 1", n)
	}
}

// TestSlowBodiesBounded checks that clients that send a body slowly are cut
// off by the read timeout, so they hold webhook slots for a bounded time.
func TestSlowBodiesBounded(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "POST"}}}
	_, base := startServer(t, Options{Integration: fake, MaxWaiting: 2, ReadTimeout: 500 * time.Millisecond})
	url := base + "/integration/" + testInstance
	raw := "POST /integration/" + testInstance + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npart"

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 2 {
		go func() {
			if ctx.Err() == nil {
				rawRequest(t, base, raw)
			}
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if got := do(t, http.MethodPost, url, "", []byte("{}")); got.status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("webhook still rejected 5s after two slow clients, with a 500ms read timeout")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestJWKSJunk feeds parseJWKS documents that are malformed or hold only
// unusable keys. Each must be an error, never a panic or an accepted key.
func TestJWKSJunk(t *testing.T) {
	docs := map[string]string{
		"keys not an array":    `{"keys": {"kty": "RSA"}}`,
		"keys null":            `{"keys": null}`,
		"key not an object":    `{"keys": [1, "two", null]}`,
		"rsa without modulus":  `{"keys": [{"kty": "RSA", "kid": "a", "e": "AQAB"}]}`,
		"rsa tiny modulus":     `{"keys": [{"kty": "RSA", "kid": "a", "n": "AQ", "e": "AQAB"}]}`,
		"rsa exponent one":     `{"keys": [{"kty": "RSA", "kid": "a", "n": "` + strings.Repeat("A", 342) + `", "e": "AQ"}]}`,
		"ec point off curve":   `{"keys": [{"kty": "EC", "kid": "a", "crv": "P-256", "x": "AQ", "y": "AQ"}]}`,
		"ec unknown curve":     `{"keys": [{"kty": "EC", "kid": "a", "crv": "P-999", "x": "AQ", "y": "AQ"}]}`,
		"okp wrong length":     `{"keys": [{"kty": "OKP", "kid": "a", "crv": "Ed25519", "x": "AQ"}]}`,
		"symmetric key":        `{"keys": [{"kty": "oct", "kid": "a", "k": "c2VjcmV0"}]}`,
		"x5c garbage":          `{"keys": [{"kty": "RSA", "kid": "a", "x5c": ["!!!"]}]}`,
		"deep nesting":         `{"keys": [` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `]}`,
		"many unusable keys":   `{"keys": [` + strings.TrimSuffix(strings.Repeat(`{"kty": "oct", "kid": "a", "k": "AA"},`, 20000), ",") + `]}`,
		"trailing garbage":     `{"keys": []} trailing`,
		"base64 with padding":  `{"keys": [{"kty": "OKP", "kid": "a", "crv": "Ed25519", "x": "AAAA===="}]}`,
		"unknown key type":     `{"keys": [{"kty": "XYZ", "kid": "a"}]}`,
		"empty document":       ``,
		"json of wrong type":   `[]`,
		"utf-16 byte order":    "\xff\xfe{\x00}\x00",
		"control chars in kid": `{"keys": [{"kty": "oct", "kid": "a\u0000b", "k": "AA"}]}`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			keys, err := parseJWKS([]byte(doc))
			if err == nil {
				t.Errorf("parseJWKS accepted %d keys", len(keys))
			}
		})
	}
}

// TestJWKSEndlessBody serves a JWKS that never ends. The fetch must stop
// at the size cap or the fetch timeout.
func TestJWKSEndlessBody(t *testing.T) {
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"keys": [], "pad": "`))
		chunk := []byte(strings.Repeat("x", 64<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(endless.Close)
	load := jwksFetcher(nil, endless.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := load(ctx)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error %v, want one about the size cap", err)
	}
	if elapsed := time.Since(start); elapsed > 9*time.Second {
		t.Errorf("fetch of an endless JWKS returned after %v, at the timeout instead of the cap", elapsed)
	}
}

// TestKeyFileNotRegular checks key files that would block or never end when
// read: New must fail at once.
func TestKeyFileNotRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, auth := range map[string]AuthOptions{
		"jwks fifo":       {JWKSFile: fifo},
		"public key fifo": {PublicKeyFile: fifo},
		"jwks device":     {JWKSFile: os.DevNull},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			done := make(chan struct{})
			go func() {
				defer close(done)
				var s *Server
				s, err = New(Options{InstanceID: testInstance, Integration: &fakeIntegration{}, Auth: auth,
					Logger: slog.New(slog.DiscardHandler)})
				if s != nil {
					_ = s.Shutdown(context.Background())
				}
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("New did not return within 5s")
			}
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("error %v, want one saying it is not a regular file", err)
			}
		})
	}
}
