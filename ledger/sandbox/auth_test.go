package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
)

type claims struct {
	jwt.Claims
	Scope string `json:"scope,omitempty"`
}

func sign(t *testing.T, key jose.SigningKey, kid string, c claims) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(key, opts)
	if err != nil {
		t.Fatal(err)
	}
	token, err := jwt.Signed(signer).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func userToken(sub string, ttl time.Duration) claims {
	return claims{Claims: jwt.Claims{Subject: sub, Expiry: jwt.NewNumericDate(time.Now().Add(ttl))}, Scope: scopeLedgerAPI}
}

// ledgerEnd calls GetLedgerEnd with the token.
func (h *harness) ledgerEnd(token string) error {
	a := h.as(token)
	_, err := a.state.GetLedgerEnd(a.ctx, &v2.GetLedgerEndRequest{})
	return err
}

// as returns a copy of the harness whose calls carry the token.
func (h *harness) as(token string) *harness {
	c := *h
	c.ctx = metadata.AppendToOutgoingContext(h.ctx, "authorization", "Bearer "+token)
	return &c
}

func TestAuthHS256UserRights(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	key := jose.SigningKey{Algorithm: jose.HS256, Key: secret}
	h := start(t, Options{Auth: &AuthConfig{HS256Secret: secret}})
	adminH := h.as(sign(t, key, "", userToken(adminUserID, time.Hour)))

	if _, err := h.version.GetLedgerApiVersion(h.ctx, &v2.GetLedgerApiVersionRequest{}); err != nil {
		t.Errorf("GetLedgerApiVersion without a token: %v", err)
	}
	_, err := h.parties.AllocateParty(h.ctx, &admin.AllocatePartyRequest{PartyIdHint: "alice"})
	requireCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")

	alice, bob := adminH.allocate("alice"), adminH.allocate("bob")
	_, err = adminH.users.CreateUser(adminH.ctx, &admin.CreateUserRequest{
		User:   &admin.User{Id: "alice-app", PrimaryParty: alice},
		Rights: []*admin.Right{{Kind: &admin.Right_CanActAs_{CanActAs: &admin.Right_CanActAs{Party: alice}}}},
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	app := h.as(sign(t, key, "", userToken("alice-app", time.Hour)))

	me, err := app.users.GetUser(app.ctx, &admin.GetUserRequest{})
	if err != nil || me.GetUser().GetId() != "alice-app" || me.GetUser().GetPrimaryParty() != alice {
		t.Errorf("GetUser of the token's user = %v, %v", me, err)
	}
	rights, err := app.users.ListUserRights(app.ctx, &admin.ListUserRightsRequest{})
	if err != nil || len(rights.GetRights()) != 1 || rights.GetRights()[0].GetCanActAs().GetParty() != alice {
		t.Errorf("ListUserRights = %v, %v", rights, err)
	}
	_, err = app.parties.AllocateParty(app.ctx, &admin.AllocatePartyRequest{PartyIdHint: "eve"})
	requireCode(t, err, codes.PermissionDenied, "PERMISSION_DENIED")

	c := commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))))
	c.UserId = ""
	if _, err := app.submitTx(c); err != nil {
		t.Errorf("submission as alice with alice's rights: %v", err)
	}
	c = commands([]string{bob}, createCmd(asset, record("owner", partyValue(bob))))
	c.UserId = ""
	_, err = app.submitTx(c)
	requireCode(t, err, codes.PermissionDenied, "PERMISSION_DENIED")

	stream, err := app.state.GetActiveContracts(app.ctx, &v2.GetActiveContractsRequest{ActiveAtOffset: 1, EventFormat: wildcardFor(false, bob)})
	if err == nil {
		_, err = stream.Recv()
	}
	requireCode(t, err, codes.PermissionDenied, "PERMISSION_DENIED")

	// Granting bob's rights takes effect for the token already issued.
	if _, err := adminH.users.GrantUserRights(adminH.ctx, &admin.GrantUserRightsRequest{UserId: "alice-app",
		Rights: []*admin.Right{{Kind: &admin.Right_CanReadAs_{CanReadAs: &admin.Right_CanReadAs{Party: bob}}}}}); err != nil {
		t.Fatal(err)
	}
	if got := app.acsAt(1, wildcardFor(false, bob)); len(got) != 0 {
		t.Errorf("bob's ACS = %v, want empty", got)
	}

	bad := []struct {
		name  string
		token string
	}{
		{"wrong secret", sign(t, jose.SigningKey{Algorithm: jose.HS256, Key: []byte("another secret of thirty-two b!!")}, "", userToken("alice-app", time.Hour))},
		{"expired", sign(t, key, "", userToken("alice-app", -time.Hour))},
		{"no scope", sign(t, key, "", claims{Claims: jwt.Claims{Subject: "alice-app"}})},
		{"no subject", sign(t, key, "", claims{Scope: scopeLedgerAPI})},
		{"garbage", "not.a.token"},
	}
	for _, b := range bad {
		err := h.ledgerEnd(b.token)
		requireCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
	}
	audience := claims{Claims: jwt.Claims{Subject: "alice-app", Audience: jwt.Audience{"https://daml.com/jwt/aud/participant/" + h.ledger.ParticipantID()}}}
	if err := h.ledgerEnd(sign(t, key, "", audience)); err != nil {
		t.Errorf("token with the participant audience: %v", err)
	}
	err = h.ledgerEnd(sign(t, key, "", userToken("nobody", time.Hour)))
	requireCode(t, err, codes.PermissionDenied, "PERMISSION_DENIED")
}

func TestAuthRS256PublicKey(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	h := start(t, Options{Auth: &AuthConfig{PublicKeyPEM: pemKey}})
	token := sign(t, jose.SigningKey{Algorithm: jose.RS256, Key: priv}, "", userToken(adminUserID, time.Hour))
	rs := h.as(token)
	if _, err := rs.parties.AllocateParty(rs.ctx, &admin.AllocatePartyRequest{PartyIdHint: "alice"}); err != nil {
		t.Errorf("AllocateParty with an RS256 admin token: %v", err)
	}
	hs := sign(t, jose.SigningKey{Algorithm: jose.HS256, Key: der[:32]}, "", userToken(adminUserID, time.Hour))
	err = h.ledgerEnd(hs)
	requireCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
}

func TestAuthES256JWKS(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &priv.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}}
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Auth: &AuthConfig{JWKSFile: path}})
	signing := jose.SigningKey{Algorithm: jose.ES256, Key: priv}
	if err := h.ledgerEnd(sign(t, signing, "k1", userToken(adminUserID, time.Hour))); err != nil {
		t.Errorf("GetLedgerEnd with an ES256 token from the JWKS: %v", err)
	}
	err = h.ledgerEnd(sign(t, signing, "other", userToken(adminUserID, time.Hour)))
	requireCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
	err = h.ledgerEnd(sign(t, signing, "", userToken(adminUserID, time.Hour)))
	requireCode(t, err, codes.Unauthenticated, "UNAUTHENTICATED")
}

func TestAuthConfigErrors(t *testing.T) {
	for name, c := range map[string]*AuthConfig{
		"none":    {},
		"two":     {HS256Secret: []byte("s"), JWKSFile: "x"},
		"bad pem": {PublicKeyPEM: []byte("not pem")},
		"no jwks": {JWKSFile: filepath.Join(t.TempDir(), "missing.json")},
	} {
		if _, err := New(Options{Auth: c}); err == nil {
			t.Errorf("%s: New accepted an invalid auth config", name)
		}
	}
}
