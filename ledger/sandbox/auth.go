package sandbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"google.golang.org/grpc/metadata"

	"github.com/ditstar/ditstar/internal/clock"
)

// AuthConfig turns on bearer-token authorization. Exactly one of
// HS256Secret, PublicKeyPEM and JWKSFile must be set.
type AuthConfig struct {
	HS256Secret  []byte // shared secret of HS256 tokens
	PublicKeyPEM []byte // RSA (RS256) or ECDSA P-256 (ES256) public key or certificate, PEM
	JWKSFile     string // path of a JSON Web Key Set; tokens must name a key by "kid"
	// Leeway is the clock skew allowed when checking exp and nbf.
	// Default 1 minute.
	Leeway time.Duration
}

// scopeLedgerAPI is the scope a user token carries unless its audience names
// the participant.
const scopeLedgerAPI = "daml_ledger_api"

// authenticator verifies Ledger API user tokens.
type authenticator struct {
	clock  clock.Clock
	leeway time.Duration
	algs   []jose.SignatureAlgorithm
	key    any                 // the verification key, unless jwks is set
	jwks   *jose.JSONWebKeySet // keys by kid
}

func newAuthenticator(c *AuthConfig, clk clock.Clock) (*authenticator, error) {
	a := &authenticator{clock: clk, leeway: c.Leeway}
	if a.leeway <= 0 {
		a.leeway = time.Minute
	}
	set := 0
	if len(c.HS256Secret) > 0 {
		set++
		a.key, a.algs = c.HS256Secret, []jose.SignatureAlgorithm{jose.HS256}
	}
	if len(c.PublicKeyPEM) > 0 {
		set++
		key, alg, err := parsePublicKey(c.PublicKeyPEM)
		if err != nil {
			return nil, err
		}
		a.key, a.algs = key, []jose.SignatureAlgorithm{alg}
	}
	if c.JWKSFile != "" {
		set++
		data, err := os.ReadFile(c.JWKSFile)
		if err != nil {
			return nil, fmt.Errorf("read jwks: %w", err)
		}
		var jwks jose.JSONWebKeySet
		if err := json.Unmarshal(data, &jwks); err != nil {
			return nil, fmt.Errorf("parse jwks %s: %w", c.JWKSFile, err)
		}
		if len(jwks.Keys) == 0 {
			return nil, fmt.Errorf("parse jwks %s: the set has no keys", c.JWKSFile)
		}
		a.jwks, a.algs = &jwks, []jose.SignatureAlgorithm{jose.RS256, jose.ES256}
	}
	if set != 1 {
		return nil, fmt.Errorf("auth: set exactly one of an HS256 secret, a public key and a JWKS file, got %d", set)
	}
	return a, nil
}

func parsePublicKey(data []byte) (any, jose.SignatureAlgorithm, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, "", errors.New("parse public key: no PEM block found")
	}
	var key any
	switch block.Type {
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, "", fmt.Errorf("parse public key certificate: %w", err)
		}
		key = cert.PublicKey
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, "", fmt.Errorf("parse public key: %w", err)
		}
		key = k
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, "", fmt.Errorf("parse public key: %w", err)
		}
		key = k
	default:
		return nil, "", fmt.Errorf("parse public key: PEM block %q is not a public key or certificate", block.Type)
	}
	switch k := key.(type) {
	case *rsa.PublicKey:
		return k, jose.RS256, nil
	case *ecdsa.PublicKey:
		if k.Curve.Params().Name != "P-256" {
			return nil, "", fmt.Errorf("parse public key: ES256 needs a P-256 key, got %s", k.Curve.Params().Name)
		}
		return k, jose.ES256, nil
	}
	return nil, "", fmt.Errorf("parse public key: unsupported key type %T: use RSA or ECDSA P-256", key)
}

// tokenClaims are the claims of a user token that the ledger reads.
type tokenClaims struct {
	Scope string `json:"scope"`
}

// verify checks a token's signature, times and form, and returns its user id.
func (a *authenticator) verify(token, participantID string) (string, error) {
	tok, err := jwt.ParseSigned(token, a.algs)
	if err != nil {
		return "", fmt.Errorf("malformed token: %w", err)
	}
	key := a.key
	if a.jwks != nil {
		if len(tok.Headers) == 0 || tok.Headers[0].KeyID == "" {
			return "", errors.New("the token names no key: set kid in its header")
		}
		keys := a.jwks.Key(tok.Headers[0].KeyID)
		if len(keys) == 0 {
			return "", fmt.Errorf("the token's key %q is not in the JWKS", tok.Headers[0].KeyID)
		}
		key = keys[0].Key
	}

	var std jwt.Claims
	var custom tokenClaims
	if err := tok.Claims(key, &std, &custom); err != nil {
		return "", fmt.Errorf("invalid token signature: %w", err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Time: a.clock.Now()}, a.leeway); err != nil {
		return "", fmt.Errorf("invalid token: %w", err)
	}

	if std.Subject == "" {
		return "", errors.New("the token has no sub claim: use a user token")
	}
	audience := "https://daml.com/jwt/aud/participant/" + participantID
	if !std.Audience.Contains(audience) && !containsWord(custom.Scope, scopeLedgerAPI) {
		return "", fmt.Errorf("the token is not for this ledger: want scope %q or audience %q", scopeLedgerAPI, audience)
	}
	return std.Subject, nil
}

func containsWord(s, word string) bool {
	for _, w := range strings.Fields(s) {
		if w == word {
			return true
		}
	}
	return false
}

type userKey struct{}

// authenticate returns ctx with the user of the request's token. On an open
// ledger it returns ctx as it is.
func (l *Ledger) authenticate(ctx context.Context, method string) (context.Context, error) {
	if l.auth == nil || strings.HasPrefix(method, "/com.daml.ledger.api.v2.VersionService/") {
		return ctx, nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	if len(values) == 0 {
		return nil, newf(errUnauthenticated, "the request has no token: send metadata \"authorization: Bearer <token>\"")
	}
	token, ok := strings.CutPrefix(values[0], "Bearer ")
	if !ok || token == "" {
		return nil, newf(errUnauthenticated, "the authorization metadata is not \"Bearer <token>\"")
	}
	userID, err := l.auth.verify(token, l.ParticipantID())
	if err != nil {
		l.log.Info("token rejected", "method", method, "error", err)
		return nil, newf(errUnauthenticated, "%v", err)
	}
	l.mu.RLock()
	u := l.users[userID]
	l.mu.RUnlock()
	switch {
	case u == nil:
		return nil, newf(errPermissionDenied, "the token's user %q does not exist on this participant; create it first", userID)
	case u.deactivated:
		return nil, newf(errPermissionDenied, "the token's user %q is deactivated", userID)
	}
	return context.WithValue(ctx, userKey{}, u), nil
}

// authUser returns the authenticated user, nil on an open ledger.
func authUser(ctx context.Context) *user {
	u, _ := ctx.Value(userKey{}).(*user)
	return u
}

// requireAdmin rejects a request unless the ledger is open or the user has
// the ParticipantAdmin right.
func (l *Ledger) requireAdmin(ctx context.Context) error {
	if l.auth == nil {
		return nil
	}
	if u := authUser(ctx); u != nil && l.rightsOf(u).admin {
		return nil
	}
	return newf(errPermissionDenied, "this call needs the ParticipantAdmin right")
}

// requireRead rejects a request unless the user may read as every party of
// the filter; filters_for_any_party needs CanReadAsAnyParty or admin.
func (l *Ledger) requireRead(ctx context.Context, f *eventFilter) error {
	if l.auth == nil {
		return nil
	}
	u := authUser(ctx)
	if u == nil {
		return newf(errUnauthenticated, "the request has no token")
	}
	r := l.rightsOf(u)
	if r.admin {
		return nil
	}
	if f.anyParty != nil && !r.readAsAnyParty {
		return newf(errPermissionDenied, "user %q may not read as any party: grant it CanReadAsAnyParty", u.id)
	}
	for p := range f.byParty {
		if !r.canReadAs(p) {
			return newf(errPermissionDenied, "user %q may not read as %s: grant it CanReadAs or CanActAs", u.id, p)
		}
	}
	return nil
}

// rightsOf returns the current rights of u, which grants change after
// the request's token was checked.
func (l *Ledger) rightsOf(u *user) rightSet {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if cur := l.users[u.id]; cur != nil {
		return cur.rights
	}
	return rightSet{}
}
