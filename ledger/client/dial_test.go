package client_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"google.golang.org/grpc/codes"

	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

var testSecret = []byte("ditstar-client-test-secret-of-32-bytes")

// userToken returns an HS256 Ledger API user token for userID.
func userToken(t testing.TB, userID string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: testSecret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	claims := struct {
		jwt.Claims
		Scope string `json:"scope"`
	}{
		Claims: jwt.Claims{Subject: userID, Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))},
		Scope:  "daml_ledger_api",
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func actAsRight(p string) *admin.Right {
	return &admin.Right{Kind: &admin.Right_CanActAs_{CanActAs: &admin.Right_CanActAs{Party: p}}}
}

func readAsRight(p string) *admin.Right {
	return &admin.Right{Kind: &admin.Right_CanReadAs_{CanReadAs: &admin.Right_CanReadAs{Party: p}}}
}

// createUser creates a user through the admin client c.
func createUser(t testing.TB, c *client.Client, id, primary string, rights ...*admin.Right) {
	t.Helper()
	users := admin.NewUserManagementServiceClient(c.Conn())
	_, err := users.CreateUser(context.Background(), &admin.CreateUserRequest{
		User:   &admin.User{Id: id, PrimaryParty: primary},
		Rights: rights,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDialConfiguredParty(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	c := dial(t, client.Config{Address: "http://" + addr, Party: party, UserID: "app"})
	if c.Party() != party {
		t.Errorf("Party() = %q, want %q", c.Party(), party)
	}
	if !slices.Equal(c.ActAs(), []string{party}) {
		t.Errorf("ActAs() = %v, want [%s]", c.ActAs(), party)
	}
	if len(c.ReadAs()) != 0 {
		t.Errorf("ReadAs() = %v, want none", c.ReadAs())
	}
	if c.UserID() != "app" {
		t.Errorf("UserID() = %q, want app", c.UserID())
	}
}

func TestDialUnknownParty(t *testing.T) {
	_, addr, _ := startLedger(t, sandbox.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := client.Dial(ctx, client.Config{Address: addr, Party: "mallory::1220abcd"})
	if err == nil {
		t.Fatal("Dial with an unknown party succeeded")
	}
	if !strings.Contains(err.Error(), `party "mallory::1220abcd" is not known`) {
		t.Errorf("error = %v, want one naming the unknown party", err)
	}
}

func TestDialMissingParty(t *testing.T) {
	_, addr, _ := startLedger(t, sandbox.Options{})
	_, err := client.Dial(context.Background(), client.Config{Address: addr})
	if err == nil || !strings.Contains(err.Error(), "no party to act as") {
		t.Errorf("Dial without a party: error = %v", err)
	}
	_, err = client.Dial(context.Background(), client.Config{Address: "localhost"})
	if err == nil || !strings.Contains(err.Error(), "invalid ledger address") {
		t.Errorf("Dial with a bad address: error = %v", err)
	}
}

func TestDialUserPrimaryParty(t *testing.T) {
	l, addr, party := startLedger(t, sandbox.Options{})
	bob, err := l.AllocateParty("bob")
	if err != nil {
		t.Fatal(err)
	}
	adminClient := dial(t, client.Config{Address: addr, Party: party})
	createUser(t, adminClient, "alice-user", party, actAsRight(party), readAsRight(bob))

	c := dial(t, client.Config{Address: addr, UserID: "alice-user"})
	if c.Party() != party {
		t.Errorf("Party() = %q, want the primary party %q", c.Party(), party)
	}
	if !slices.Equal(c.ReadAs(), []string{bob}) {
		t.Errorf("ReadAs() = %v, want [%s]", c.ReadAs(), bob)
	}
	if c.UserID() != "alice-user" {
		t.Errorf("UserID() = %q, want alice-user", c.UserID())
	}

	// Contracts of a read-as party are part of the stream.
	bobClient := dial(t, client.Config{Address: addr, Party: bob})
	bobCID, _ := submitCreate(t, bobClient, noteTemplate, 9)
	items, _, _ := startStream(t, c, client.Filter{Wildcard: true})
	it := next(t, items)
	if it.Kind != client.ItemActive {
		t.Fatalf("first item = %v, want bob's contract", it.Kind)
	}
	if it.Created.GetContractId() != bobCID {
		t.Errorf("active contract = %s, want bob's %s", it.Created.GetContractId(), bobCID)
	}
}

func TestDialTokenFile(t *testing.T) {
	l, addr, party := startLedger(t, sandbox.Options{Auth: &sandbox.AuthConfig{HS256Secret: testSecret}})
	adminClient := dial(t, client.Config{Address: addr, Party: party, Token: userToken(t, "participant_admin")})
	createUser(t, adminClient, "alice-user", party, actAsRight(party))
	other, err := l.AllocateParty("other")
	if err != nil {
		t.Fatal(err)
	}
	createUser(t, adminClient, "other-user", other, actAsRight(other))

	path := filepath.Join(t.TempDir(), "token")
	write := func(tok string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		// Some file systems keep coarse modification times; a distinct time
		// makes each rewrite visible.
		stamp := time.Now().Add(time.Duration(len(tok)) * time.Millisecond)
		if err := os.Chtimes(path, stamp, stamp); err != nil {
			t.Fatal(err)
		}
	}
	write(userToken(t, "alice-user"))
	c := dial(t, client.Config{Address: addr, TokenFile: path})
	if c.Party() != party {
		t.Fatalf("Party() = %q, want the token user's primary party %q", c.Party(), party)
	}
	if c.UserID() != "alice-user" {
		t.Errorf("UserID() = %q, want alice-user", c.UserID())
	}
	submit := func(n int64) error {
		_, err := c.Submit(context.Background(), client.Submission{Timeout: time.Second,
			Commands: []*v2.Command{createCommand(assetTemplate, party, n)}})
		return err
	}
	if err := submit(1); err != nil {
		t.Fatal(err)
	}

	// A token of a user without rights for the party: the next call sends
	// it and the participant rejects the submission.
	write(userToken(t, "other-user"))
	err = submit(2)
	var se *client.SubmitError
	if !asSubmitError(err, &se) || se.Code != codes.PermissionDenied {
		t.Errorf("submit with the other user's token: error = %v, want PermissionDenied", err)
	}

	write(userToken(t, "alice-user"))
	if err := submit(3); err != nil {
		t.Errorf("submit after restoring the token: %v", err)
	}
}

func TestDialTokenWithoutUser(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{Auth: &sandbox.AuthConfig{HS256Secret: testSecret}})
	_, err := client.Dial(context.Background(), client.Config{Address: addr, Token: userToken(t, "nobody")})
	if err == nil || !strings.Contains(err.Error(), "resolve the ledger user") {
		t.Errorf("Dial with a token of an unknown user: error = %v", err)
	}
	// A token the participant cannot verify fails even with a configured
	// party, because no call could succeed with it.
	bad := userToken(t, "participant_admin") + "x"
	_, err = client.Dial(context.Background(), client.Config{Address: addr, Party: party, Token: bad})
	if err == nil || !strings.Contains(err.Error(), "rejected the token") {
		t.Errorf("Dial with an invalid token: error = %v", err)
	}
}
