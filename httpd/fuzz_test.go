package httpd

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func FuzzVerifyToken(f *testing.F) {
	key := newKey(f, jose.ES256, "k")
	valid := key.sign(f, damlToken(testLedger, []string{testParty}, []string{testParty}))
	for _, seed := range []string{valid, "", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", valid[:len(valid)-3]} {
		f.Add(seed)
	}
	auth := &authenticator{
		ledgerID: testLedger,
		leeway:   time.Second,
		now:      time.Now,
		keys: &keyStore{
			byKid: true, refreshInterval: time.Hour, fetchTimeout: time.Second,
			keys: []verificationKey{{kid: "k", alg: "ES256", key: key.pub}},
			load: func(context.Context) ([]verificationKey, error) {
				return []verificationKey{{kid: "k", alg: "ES256", key: key.pub}}, nil
			},
			log: newTextLogger(&syncBuffer{}),
		},
	}
	f.Fuzz(func(t *testing.T, token string) {
		p, aerr := auth.verify(context.Background(), token)
		if aerr == nil {
			if p == nil {
				t.Fatal("verify returned neither a principal nor an error")
			}
			return
		}
		if aerr.status != http.StatusUnauthorized && aerr.status != http.StatusForbidden {
			t.Fatalf("status %d for token %q, want 401 or 403", aerr.status, token)
		}
	})
}

func FuzzParseLogLevel(f *testing.F) {
	for _, seed := range []string{`{"log_level": 10}`, `{"log_level": 50}`, `{"log_level": "1"}`, `{}`, `[`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		level, err := parseLogLevel(body)
		if err != nil {
			return
		}
		if level < minLogLevel || level > maxLogLevel {
			t.Fatalf("level %d accepted from %q", level, body)
		}
		if !json.Valid(body) {
			t.Fatalf("invalid JSON %q accepted", body)
		}
	})
}

func FuzzParseJWKS(f *testing.F) {
	key := newKey(f, jose.EdDSA, "k")
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{key.jwk()}})
	f.Add(set)
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"r"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, err := parseJWKS(body)
		if err != nil {
			return
		}
		for _, k := range keys {
			if k.kid == "" {
				t.Fatalf("key without kid accepted from %q", body)
			}
			if !k.fits(jose.RS256) && !k.fits(jose.ES256) && !k.fits(jose.EdDSA) {
				t.Fatalf("key %+v fits no accepted algorithm", k)
			}
		}
	})
}
