package httpd

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// maxJWKSBytes caps a JWKS document or key file. A set of a few keys is a
// few KiB, so the cap leaves ample room.
const maxJWKSBytes = 1 << 20

// minRSABits is the smallest RSA modulus accepted, in bits.
const minRSABits = 2048

// verificationKey is one public key that may verify tokens.
type verificationKey struct {
	kid string
	alg string // the JWK "alg", or "" when the key does not restrict it
	key crypto.PublicKey
}

// fits reports whether the key may verify a token signed with alg.
func (k verificationKey) fits(alg jose.SignatureAlgorithm) bool {
	if k.alg != "" && k.alg != string(alg) {
		return false
	}
	switch key := k.key.(type) {
	case *rsa.PublicKey:
		return alg == jose.RS256
	case *ecdsa.PublicKey:
		return alg == jose.ES256 && key.Curve == elliptic.P256()
	case ed25519.PublicKey:
		return alg == jose.EdDSA
	}
	return false
}

// keyStore stores the keys of one source and reloads them on demand and on
// a timer. A failed reload keeps the keys loaded before.
type keyStore struct {
	source string // the source in messages, for example "JWKS URL https://..."
	load   func(ctx context.Context) ([]verificationKey, error)
	// byKid is true for key sets, where a token's kid selects the key. A PEM
	// file has no key ids, so every key of the right type is tried.
	byKid           bool
	refreshInterval time.Duration
	fetchTimeout    time.Duration
	log             *slog.Logger

	mu          sync.Mutex
	keys        []verificationKey
	lastAttempt time.Time
	inflight    chan struct{} // closed when the running load ends
	failures    int           // consecutive failed loads
}

// find returns the keys that may verify a token with this kid and alg. When
// none matches, it reloads the source once, unless a load started less than
// refreshInterval ago, so a flood of tokens with unknown kids cannot turn
// into a flood of fetches.
func (s *keyStore) find(ctx context.Context, kid string, alg jose.SignatureAlgorithm) []verificationKey {
	if keys := s.match(kid, alg); len(keys) > 0 {
		return keys
	}
	s.refresh(ctx, false)
	return s.match(kid, alg)
}

func (s *keyStore) match(kid string, alg jose.SignatureAlgorithm) []verificationKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []verificationKey
	for _, k := range s.keys {
		if s.byKid && k.kid != kid {
			continue
		}
		if k.fits(alg) {
			out = append(out, k)
		}
	}
	return out
}

// refresh reloads the keys. Without force it does nothing when the last
// load started less than refreshInterval ago. A caller that finds a load
// running waits for it instead of starting another.
func (s *keyStore) refresh(ctx context.Context, force bool) {
	s.mu.Lock()
	if ch := s.inflight; ch != nil {
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		return
	}
	if !force && !s.lastAttempt.IsZero() && time.Since(s.lastAttempt) < s.refreshInterval {
		s.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	s.inflight = ch
	s.lastAttempt = time.Now()
	s.mu.Unlock()

	// The load is not tied to ctx, so that one canceled request does not
	// spoil a fetch that other requests wait for.
	loadCtx, cancel := context.WithTimeout(context.Background(), s.fetchTimeout)
	keys, err := s.load(loadCtx)
	cancel()

	s.mu.Lock()
	if err == nil {
		s.keys = keys
		s.failures = 0
	} else {
		s.failures++
	}
	failures := s.failures
	s.inflight = nil
	close(ch)
	s.mu.Unlock()

	if err != nil {
		s.log.Warn("loading token keys failed; keeping the keys loaded before",
			"source", s.source, "consecutive_failures", failures, "error", err)
		return
	}
	s.log.Debug("token keys loaded", "source", s.source, "keys", len(keys))
}

// poll reloads the keys every interval until ctx is done.
func (s *keyStore) poll(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			s.refresh(ctx, true)
		}
	}
}

// jwksFetcher returns a loader that reads a JWKS over HTTP. Redirects are
// not followed, because a redirect could send the request to a host that
// the operator did not configure.
func jwksFetcher(client *http.Client, url string) func(context.Context) ([]verificationKey, error) {
	c := http.Client{}
	if client != nil {
		c = *client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return func(ctx context.Context) ([]verificationKey, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, fmt.Errorf("fetch JWKS: %w", err)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return nil, fmt.Errorf("fetch JWKS: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			if loc := resp.Header.Get("Location"); loc != "" {
				return nil, fmt.Errorf("fetch JWKS: status %s redirecting to %q: redirects are not followed, so configure the final URL", resp.Status, loc)
			}
			return nil, fmt.Errorf("fetch JWKS: status %s, want 200 OK", resp.Status)
		}
		body, err := readCapped(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("fetch JWKS: %w", err)
		}
		return parseJWKS(body)
	}
}

// jwksFileLoader returns a loader that reads a JWKS from a file.
func jwksFileLoader(path string) func(context.Context) ([]verificationKey, error) {
	return func(context.Context) ([]verificationKey, error) {
		body, err := readFileCapped(path)
		if err != nil {
			return nil, err
		}
		keys, err := parseJWKS(body)
		if err != nil {
			return nil, fmt.Errorf("JWKS file %s: %w", path, err)
		}
		return keys, nil
	}
}

// pemFileLoader returns a loader that reads PEM public keys or
// certificates from a file.
func pemFileLoader(path string) func(context.Context) ([]verificationKey, error) {
	return func(context.Context) ([]verificationKey, error) {
		body, err := readFileCapped(path)
		if err != nil {
			return nil, err
		}
		keys, err := parsePEMKeys(body)
		if err != nil {
			return nil, fmt.Errorf("public key file %s: %w", path, err)
		}
		return keys, nil
	}
}

func readFileCapped(path string) ([]byte, error) {
	// Opening a FIFO blocks until a writer appears, so only regular files
	// are opened.
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("read key file %s: it is not a regular file but a directory, pipe, socket or device; point to the key file itself", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	defer f.Close()
	body, err := readCapped(f)
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	return body, nil
}

func readCapped(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("key document larger than %d bytes", maxJWKSBytes)
	}
	return body, nil
}

// parseJWKS returns the signature keys of a JWKS document. Keys that are
// symmetric, meant for encryption, without a kid, or of an unsupported type
// or size are left out, because one odd key must not disable the others.
func parseJWKS(body []byte) ([]verificationKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("invalid JWKS: %w", err)
	}
	if set.Keys == nil {
		return nil, errors.New(`invalid JWKS: missing "keys" array`)
	}
	var keys []verificationKey
	var skipped []string
	for i, raw := range set.Keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(raw); err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		if jwk.KeyID == "" {
			skipped = append(skipped, fmt.Sprintf("key %d: missing kid", i))
			continue
		}
		if jwk.Use != "" && jwk.Use != "sig" {
			skipped = append(skipped, fmt.Sprintf("key %q: use %q, want sig", jwk.KeyID, jwk.Use))
			continue
		}
		pub, err := checkPublicKey(jwk.Public().Key)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %q: %v", jwk.KeyID, err))
			continue
		}
		k := verificationKey{kid: jwk.KeyID, alg: jwk.Algorithm, key: pub}
		if !k.fits(jose.RS256) && !k.fits(jose.ES256) && !k.fits(jose.EdDSA) {
			skipped = append(skipped, fmt.Sprintf("key %q: alg %q does not suit its key type", jwk.KeyID, jwk.Algorithm))
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("JWKS has no usable signature key (RSA of at least %d bits, EC P-256 or Ed25519, with a kid): %v", minRSABits, skipped)
	}
	return keys, nil
}

// parsePEMKeys returns the public keys of PEM "PUBLIC KEY", "RSA PUBLIC KEY"
// and "CERTIFICATE" blocks.
func parsePEMKeys(body []byte) ([]verificationKey, error) {
	var keys []verificationKey
	for n := 1; ; n++ {
		var block *pem.Block
		block, body = pem.Decode(body)
		if block == nil {
			break
		}
		var pub any
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			pub, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			cert, err = x509.ParseCertificate(block.Bytes)
			if err == nil {
				pub = cert.PublicKey
			}
		default:
			return nil, fmt.Errorf("PEM block %d is %q: want PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE", n, block.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", n, block.Type, err)
		}
		if pub, err = checkPublicKey(pub); err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", n, block.Type, err)
		}
		keys = append(keys, verificationKey{key: pub})
	}
	if len(keys) == 0 {
		return nil, errors.New("no PEM public key found")
	}
	return keys, nil
}

// checkPublicKey accepts RSA keys of at least minRSABits, EC P-256 keys and
// Ed25519 keys, the key types of RS256, ES256 and EdDSA.
func checkPublicKey(key any) (crypto.PublicKey, error) {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("RSA key of %d bits, want at least %d", k.N.BitLen(), minRSABits)
		}
		return k, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("EC key on curve %s, want P-256", k.Curve.Params().Name)
		}
		return k, nil
	case ed25519.PublicKey:
		return k, nil
	case nil:
		return nil, errors.New("not a public key (symmetric keys are not accepted)")
	}
	return nil, fmt.Errorf("unsupported key type %T: want RSA, EC P-256 or Ed25519", key)
}
