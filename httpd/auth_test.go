package httpd

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/ditstar/ditstar/integration"
)

const (
	testLedger = "test-ledger"
	testParty  = "Alice::1220aa"
)

var authWebhooks = []integration.Webhook{
	{Index: 0, Method: "GET", Suffix: "/public", Auth: integration.AuthPublic},
	{Index: 1, Method: "GET", Suffix: "/any", Auth: integration.AuthAnyParty},
	{Index: 2, Method: "GET", Suffix: "/mine", Auth: integration.AuthIntegrationParty},
}

// authFixture is a server that verifies tokens against a JWKS served by a
// loopback test server.
type authFixture struct {
	fake    *fakeIntegration
	base    string
	jwks    *jwksServer
	rsa     testKey
	ec      testKey
	ed      testKey
	path    func(suffix string) string
	options Options
}

func newAuthFixture(t *testing.T, integ func(*fakeIntegration) Integration) *authFixture {
	t.Helper()
	f := &authFixture{
		rsa: newKey(t, jose.RS256, "rsa-1"),
		ec:  newKey(t, jose.ES256, "ec-1"),
		ed:  newKey(t, jose.EdDSA, "ed-1"),
	}
	f.jwks = newJWKSServer(t, f.rsa, f.ec, f.ed)
	f.fake = &fakeIntegration{hooks: authWebhooks, party: testParty}
	var i Integration = f.fake
	if integ != nil {
		i = integ(f.fake)
	}
	f.options = Options{Integration: i, Auth: AuthOptions{JWKSURL: f.jwks.URL, LedgerID: testLedger}}
	_, f.base = startServer(t, f.options)
	f.path = func(suffix string) string { return f.base + "/integration/" + testInstance + suffix }
	return f
}

// unsignedToken builds a token with the given header and claims and no
// valid signature.
func unsignedToken(header, claims map[string]any, signature string) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(header) + "." + enc(claims) + "." + signature
}

func TestAuthOutcomes(t *testing.T) {
	f := newAuthFixture(t, nil)
	both := []string{testParty}
	valid := damlToken(testLedger, both, []string{testParty, "Bob::1220bb"})
	other := newKey(t, jose.RS256, "rsa-1") // same kid, key not in the JWKS
	noKid := newKey(t, jose.RS256, "")
	unknown := newKey(t, jose.ES256, "ec-unknown")
	edAsRSA := newKey(t, jose.EdDSA, "rsa-1") // EdDSA token naming the RSA key's kid

	rsaPEM, err := x509.MarshalPKIXPublicKey(f.rsa.pub)
	if err != nil {
		t.Fatal(err)
	}
	hmacWithPublicKey := func() string {
		secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaPEM})
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: jose.JSONWebKey{Key: secret, KeyID: "rsa-1"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(valid)
		sig, err := signer.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		token, _ := sig.CompactSerialize()
		return token
	}()
	tampered := func() string {
		parts := strings.Split(f.rsa.sign(t, valid), ".")
		claims := damlToken(testLedger, []string{"Mallory"}, []string{"Mallory"})
		b, _ := json.Marshal(claims)
		parts[1] = base64.RawURLEncoding.EncodeToString(b)
		return strings.Join(parts, ".")
	}()

	now := time.Now()
	withTimes := func(claims map[string]any, key string, at time.Time) map[string]any {
		out := map[string]any{}
		for k, v := range claims {
			out[k] = v
		}
		out[key] = at.Unix()
		return out
	}

	tests := []struct {
		name   string
		suffix string
		header string // Authorization header; "" sends none
		query  string // access_token parameter
		status int
		code   string
	}{
		{"rs256 any party", "/any", "Bearer " + f.rsa.sign(t, valid), "", 200, ""},
		{"es256 integration party", "/mine", "Bearer " + f.ec.sign(t, valid), "", 200, ""},
		{"eddsa integration party", "/mine", "Bearer " + f.ed.sign(t, valid), "", 200, ""},
		{"lowercase bearer scheme", "/any", "bearer " + f.rsa.sign(t, valid), "", 200, ""},
		{"access_token parameter", "/mine", "", f.ec.sign(t, valid), 200, ""},
		{"public route without token", "/public", "", "", 200, ""},
		{"missing token", "/any", "", "", 401, "missing_token"},
		{"bearer without token", "/any", "Bearer ", "", 401, "missing_token"},
		{"basic scheme", "/any", "Basic dXNlcjpwYXNz", "", 401, "invalid_auth_scheme"},
		{"header wins over parameter", "/any", "Basic dXNlcjpwYXNz", f.rsa.sign(t, valid), 401, "invalid_auth_scheme"},
		{"garbage token", "/any", "Bearer abc", "", 403, "invalid_token"},
		{"three garbage segments", "/any", "Bearer a.b.c", "", 403, "invalid_token"},
		{"alg none", "/any", "Bearer " + unsignedToken(map[string]any{"alg": "none", "kid": "rsa-1"}, valid, ""), "", 403, "invalid_token"},
		{"hmac with the public key", "/any", "Bearer " + hmacWithPublicKey, "", 403, "invalid_token"},
		{"signed by another key", "/any", "Bearer " + other.sign(t, valid), "", 403, "invalid_token"},
		{"tampered claims", "/any", "Bearer " + tampered, "", 403, "invalid_token"},
		{"unknown kid", "/any", "Bearer " + unknown.sign(t, valid), "", 403, "invalid_token"},
		{"missing kid", "/any", "Bearer " + noKid.sign(t, valid), "", 403, "invalid_token"},
		{"algorithm of another key type", "/any", "Bearer " + edAsRSA.sign(t, valid), "", 403, "invalid_token"},
		{"expired", "/any", "Bearer " + f.rsa.sign(t, withTimes(valid, "exp", now.Add(-time.Hour))), "", 403, "invalid_token"},
		{"expired within leeway", "/any", "Bearer " + f.rsa.sign(t, withTimes(valid, "exp", now.Add(-5*time.Second))), "", 200, ""},
		{"not valid yet", "/any", "Bearer " + f.rsa.sign(t, withTimes(valid, "nbf", now.Add(time.Hour))), "", 403, "invalid_token"},
		{"malformed claims", "/any", "Bearer " + f.rsa.sign(t, map[string]any{damlClaimsKey: map[string]any{"actAs": 5}}), "", 403, "invalid_token"},
		{"no ledger claims", "/any", "Bearer " + f.rsa.sign(t, map[string]any{"sub": "alice"}), "", 401, "missing_ledger_claims"},
		{"wrong ledger", "/any", "Bearer " + f.rsa.sign(t, damlToken("other-ledger", both, both)), "", 401, "unauthorized"},
		{"missing ledger id", "/any", "Bearer " + f.rsa.sign(t, damlToken("", both, both)), "", 401, "unauthorized"},
		{"party only in actAs", "/mine", "Bearer " + f.rsa.sign(t, damlToken(testLedger, both, nil)), "", 401, "unauthorized"},
		{"party only in readAs", "/mine", "Bearer " + f.rsa.sign(t, damlToken(testLedger, nil, both)), "", 401, "unauthorized"},
		{"other party", "/mine", "Bearer " + f.rsa.sign(t, damlToken(testLedger, []string{"Bob"}, []string{"Bob"})), "", 401, "unauthorized"},
		{"user token by scope", "/any", "Bearer " + f.rsa.sign(t, map[string]any{"sub": "alice", "scope": "openid daml_ledger_api"}), "", 200, ""},
		{"user token by audience", "/any", "Bearer " + f.ec.sign(t, map[string]any{"sub": "alice", "aud": []string{participantAudPrefix + "p1"}}), "", 200, ""},
		{"user token without resolver", "/mine", "Bearer " + f.rsa.sign(t, map[string]any{"sub": "alice", "scope": "daml_ledger_api"}), "", 401, "unauthorized"},
		{"control status without token", "/status", "", "", 401, "missing_token"},
		{"control status with token", "/status", "Bearer " + f.ed.sign(t, valid), "", 200, ""},
		{"control log-level without token", "/log-level", "", "", 401, "missing_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := f.path(tt.suffix)
			if tt.query != "" {
				target += "?access_token=" + tt.query
			}
			method := http.MethodGet
			if tt.suffix == "/log-level" {
				method = http.MethodPost
			}
			req, _ := http.NewRequest(method, target, nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			got := send(t, req)
			if got.status != tt.status {
				t.Errorf("status %d, want %d; body %s", got.status, tt.status, got.body)
			}
			if tt.code != "" && got.errorCode() != tt.code {
				t.Errorf("body %s, want code %s", got.body, tt.code)
			}
		})
	}
}

func TestAuthPartiesReachHandler(t *testing.T) {
	f := newAuthFixture(t, nil)
	token := f.rsa.sign(t, damlToken(testLedger, []string{testParty}, []string{testParty, "Bob::1220bb"}))
	if got := do(t, http.MethodGet, f.path("/mine"), token, nil); got.status != 200 {
		t.Fatalf("status %d, want 200; body %s", got.status, got.body)
	}
	if p := f.fake.lastCall(t).Parties; !slices.Equal(p, []string{testParty, "Bob::1220bb"}) {
		t.Errorf("parties %v, want [%s Bob::1220bb]", p, testParty)
	}

	user := f.rsa.sign(t, map[string]any{"sub": "alice", "scope": "daml_ledger_api"})
	if got := do(t, http.MethodGet, f.path("/any"), user, nil); got.status != 200 {
		t.Fatalf("user token: status %d, want 200", got.status)
	}
	if p := f.fake.lastCall(t).Parties; p == nil || len(p) != 0 {
		t.Errorf("user token parties %#v, want an empty non-nil list", p)
	}
}

func TestAuthUserTokenResolved(t *testing.T) {
	f := newAuthFixture(t, func(fake *fakeIntegration) Integration {
		return &resolvingIntegration{fakeIntegration: fake, rights: map[string][2][]string{
			"alice": {{testParty}, {testParty, "Public::1220cc"}},
			"bob":   {{"Bob::1220bb"}, {"Bob::1220bb"}},
		}}
	})
	alice := f.rsa.sign(t, map[string]any{"sub": "alice", "scope": "daml_ledger_api"})
	if got := do(t, http.MethodGet, f.path("/mine"), alice, nil); got.status != 200 {
		t.Fatalf("alice: status %d, want 200; body %s", got.status, got.body)
	}
	if p := f.fake.lastCall(t).Parties; !slices.Equal(p, []string{testParty, "Public::1220cc"}) {
		t.Errorf("alice parties %v", p)
	}

	bob := f.rsa.sign(t, map[string]any{"sub": "bob", "scope": "daml_ledger_api"})
	if got := do(t, http.MethodGet, f.path("/mine"), bob, nil); got.status != 401 || got.errorCode() != "unauthorized" {
		t.Errorf("bob: status %d body %s, want 401 unauthorized", got.status, got.body)
	}

	carol := f.rsa.sign(t, map[string]any{"sub": "carol", "scope": "daml_ledger_api"})
	got := do(t, http.MethodGet, f.path("/any"), carol, nil)
	if got.status != 503 || got.errorCode() != "user_rights_unavailable" {
		t.Errorf("carol: status %d body %s, want 503 user_rights_unavailable", got.status, got.body)
	}
}

func TestAuthPartyNotKnownYet(t *testing.T) {
	f := newAuthFixture(t, nil)
	f.fake.mu.Lock()
	f.fake.party = ""
	f.fake.mu.Unlock()
	token := f.rsa.sign(t, damlToken(testLedger, []string{testParty}, []string{testParty}))
	got := do(t, http.MethodGet, f.path("/mine"), token, nil)
	if got.status != http.StatusServiceUnavailable || got.errorCode() != "not_ready" {
		t.Errorf("status %d body %s, want 503 not_ready", got.status, got.body)
	}
	if got.header.Get("Retry-After") == "" {
		t.Errorf("missing Retry-After")
	}
}

func TestAuthNotConfigured(t *testing.T) {
	fake := &fakeIntegration{hooks: authWebhooks, party: testParty}
	_, base := startServer(t, Options{Integration: fake})
	prefix := base + "/integration/" + testInstance
	for _, suffix := range []string{"/any", "/mine", "/status", "/healthz"} {
		got := do(t, http.MethodGet, prefix+suffix, "some-token", nil)
		if got.status != http.StatusUnauthorized || got.errorCode() != "no_authorization_support" {
			t.Errorf("%s: status %d body %s, want 401 no_authorization_support", suffix, got.status, got.body)
		}
	}
	if got := do(t, http.MethodGet, prefix+"/public", "", nil); got.status != 200 {
		t.Errorf("/public: status %d, want 200", got.status)
	}
	if got := do(t, http.MethodGet, base+"/status", "", nil); got.status != 200 {
		t.Errorf("internal /status: status %d, want 200", got.status)
	}
	if fake.callCount() != 1 {
		t.Errorf("handler called %d times, want once (the public route)", fake.callCount())
	}
}
