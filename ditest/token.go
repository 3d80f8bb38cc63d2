package ditest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ditstar/ditstar/httpd"
)

// tokenKey is the ES256 key pair of one test. The HTTP server trusts its
// public half, so webhook requests can carry tokens the test signs.
type tokenKey struct {
	private *ecdsa.PrivateKey
	signer  jose.Signer
}

func newTokenKey() (*tokenKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate the test token key: %w", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: priv}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("create the test token signer: %w", err)
	}
	return &tokenKey{private: priv, signer: signer}, nil
}

// writePublicKey writes the public key as a PEM file for
// httpd.AuthOptions.PublicKeyFile.
func (k *tokenKey) writePublicKey(path string) error {
	der, err := x509.MarshalPKIXPublicKey(&k.private.PublicKey)
	if err != nil {
		return fmt.Errorf("encode the test public key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write the test public key: %w", err)
	}
	return nil
}

// token signs a token with Daml custom claims for the default ledger id.
// It has no exp claim, so it does not expire during the test.
func (k *tokenKey) token(actAs, readAs []string) (string, error) {
	if actAs == nil {
		actAs = []string{}
	}
	if readAs == nil {
		readAs = []string{}
	}
	claims := map[string]any{
		"https://daml.com/ledger-api": map[string]any{
			"ledgerId": httpd.DefaultLedgerID,
			"actAs":    actAs,
			"readAs":   readAs,
		},
	}
	token, err := jwt.Signed(k.signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign the test token: %w", err)
	}
	return token, nil
}
