package sandbox

import (
	"fmt"
	"testing"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/grpc/codes"
)

func TestUserManagementOpenLedger(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	canActAs := &admin.Right{Kind: &admin.Right_CanActAs_{CanActAs: &admin.Right_CanActAs{Party: alice}}}
	if _, err := h.users.CreateUser(h.ctx, &admin.CreateUserRequest{User: &admin.User{Id: "app", PrimaryParty: alice}, Rights: []*admin.Right{canActAs}}); err != nil {
		t.Fatal(err)
	}
	_, err := h.users.CreateUser(h.ctx, &admin.CreateUserRequest{User: &admin.User{Id: "app"}})
	requireCode(t, err, codes.AlreadyExists, "USER_ALREADY_EXISTS")
	_, err = h.users.CreateUser(h.ctx, &admin.CreateUserRequest{User: &admin.User{Id: "Bad User"}})
	requireCode(t, err, codes.InvalidArgument, "INVALID_FIELD")
	_, err = h.users.CreateUser(h.ctx, &admin.CreateUserRequest{User: &admin.User{Id: "ghost", PrimaryParty: "ghost::1220ab"}})
	requireCode(t, err, codes.NotFound, "PARTY_NOT_KNOWN_ON_LEDGER")
	_, err = h.users.GetUser(h.ctx, &admin.GetUserRequest{UserId: "nobody"})
	requireCode(t, err, codes.NotFound, "USER_NOT_FOUND")
	_, err = h.users.GetUser(h.ctx, &admin.GetUserRequest{})
	requireCode(t, err, codes.InvalidArgument, "MISSING_FIELD")

	readAny := &admin.Right{Kind: &admin.Right_CanReadAsAnyParty_{CanReadAsAnyParty: &admin.Right_CanReadAsAnyParty{}}}
	granted, err := h.users.GrantUserRights(h.ctx, &admin.GrantUserRightsRequest{UserId: "app", Rights: []*admin.Right{canActAs, readAny}})
	if err != nil {
		t.Fatal(err)
	}
	if len(granted.GetNewlyGrantedRights()) != 1 || granted.GetNewlyGrantedRights()[0].GetCanReadAsAnyParty() == nil {
		t.Errorf("newly granted %v, want only CanReadAsAnyParty", granted.GetNewlyGrantedRights())
	}
	rights, err := h.users.ListUserRights(h.ctx, &admin.ListUserRightsRequest{UserId: "app"})
	if err != nil || len(rights.GetRights()) != 2 {
		t.Errorf("ListUserRights = %v, %v; want two rights", rights, err)
	}
	users, err := h.users.ListUsers(h.ctx, &admin.ListUsersRequest{})
	if err != nil || len(users.GetUsers()) != 2 {
		t.Errorf("ListUsers = %v, %v; want app and %s", users, err, adminUserID)
	}
}

func TestListKnownPartiesPages(t *testing.T) {
	h := start(t, Options{})
	for i := range 5 {
		h.allocate(fmt.Sprintf("p%d", i))
	}
	var seen []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		resp, err := h.parties.ListKnownParties(h.ctx, &admin.ListKnownPartiesRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range resp.GetPartyDetails() {
			seen = append(seen, p.GetParty())
		}
		token = resp.GetNextPageToken()
		if token == "" {
			break
		}
	}
	if len(seen) != 5 {
		t.Errorf("pages listed %d parties, want 5: %v", len(seen), seen)
	}
	details, err := h.parties.GetParties(h.ctx, &admin.GetPartiesRequest{Parties: []string{seen[0], "unknown::1220ab"}})
	if err != nil || len(details.GetPartyDetails()) != 1 {
		t.Errorf("GetParties = %v, %v; want the one known party", details, err)
	}
	version, err := h.version.GetLedgerApiVersion(h.ctx, &v2.GetLedgerApiVersionRequest{})
	if err != nil || version.GetVersion() == "" {
		t.Errorf("GetLedgerApiVersion = %v, %v", version, err)
	}
}
