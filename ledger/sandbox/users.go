package sandbox

import (
	"context"
	"maps"
	"regexp"
	"sort"

	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
)

type userManagementService struct {
	admin.UnimplementedUserManagementServiceServer
	l *Ledger
}

// self resolves the user id of a request: an empty id names the
// authenticated user. Reading another user needs ParticipantAdmin.
func (s userManagementService) self(ctx context.Context, id string) (string, error) {
	if id != "" {
		if err := checkUserID(id); err != nil {
			return "", err
		}
	}
	u := authUser(ctx)
	if id == "" {
		if u == nil {
			return "", newf(errMissingField, "the user_id field is empty and the request has no token to take the user from")
		}
		return u.id, nil
	}
	if u != nil && u.id == id {
		return id, nil
	}
	return id, s.l.requireAdmin(ctx)
}

func (s userManagementService) CreateUser(ctx context.Context, req *admin.CreateUserRequest) (*admin.CreateUserResponse, error) {
	if err := s.l.requireAdmin(ctx); err != nil {
		return nil, err
	}
	in := req.GetUser()
	if in.GetId() == "" {
		return nil, newf(errMissingField, "the user.id field is empty")
	}
	if err := checkUserID(in.GetId()); err != nil {
		return nil, err
	}
	rights, err := s.l.rightsFrom(rightSet{}, req.GetRights())
	if err != nil {
		return nil, err
	}
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if _, ok := s.l.users[in.GetId()]; ok {
		return nil, newf(errUserExists, "user %q already exists", in.GetId())
	}
	if p := in.GetPrimaryParty(); p != "" {
		if _, ok := s.l.parties[p]; !ok {
			return nil, newf(errPartyNotKnown, "primary party %s is not allocated", p)
		}
	}
	u := &user{id: in.GetId(), primaryParty: in.GetPrimaryParty(), deactivated: in.GetIsDeactivated(), metadata: in.GetMetadata().GetAnnotations(), rights: rights}
	s.l.users[u.id] = u
	s.l.log.Info("user created", "user", u.id)
	return &admin.CreateUserResponse{User: userMessage(u)}, nil
}

func userMessage(u *user) *admin.User {
	return &admin.User{Id: u.id, PrimaryParty: u.primaryParty, IsDeactivated: u.deactivated, Metadata: &admin.ObjectMeta{Annotations: u.metadata}}
}

func (s userManagementService) GetUser(ctx context.Context, req *admin.GetUserRequest) (*admin.GetUserResponse, error) {
	id, err := s.self(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	s.l.mu.RLock()
	defer s.l.mu.RUnlock()
	u := s.l.users[id]
	if u == nil {
		return nil, newf(errUserNotFound, "user %q does not exist", id)
	}
	return &admin.GetUserResponse{User: userMessage(u)}, nil
}

func (s userManagementService) ListUsers(ctx context.Context, _ *admin.ListUsersRequest) (*admin.ListUsersResponse, error) {
	if err := s.l.requireAdmin(ctx); err != nil {
		return nil, err
	}
	s.l.mu.RLock()
	defer s.l.mu.RUnlock()
	out := &admin.ListUsersResponse{}
	for _, id := range sortedKeys(s.l.users) {
		out.Users = append(out.Users, userMessage(s.l.users[id]))
	}
	return out, nil
}

func (s userManagementService) ListUserRights(ctx context.Context, req *admin.ListUserRightsRequest) (*admin.ListUserRightsResponse, error) {
	id, err := s.self(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	s.l.mu.RLock()
	defer s.l.mu.RUnlock()
	u := s.l.users[id]
	if u == nil {
		return nil, newf(errUserNotFound, "user %q does not exist", id)
	}
	return &admin.ListUserRightsResponse{Rights: rightMessages(u.rights)}, nil
}

func (s userManagementService) GrantUserRights(ctx context.Context, req *admin.GrantUserRightsRequest) (*admin.GrantUserRightsResponse, error) {
	if err := s.l.requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := checkUserID(req.GetUserId()); err != nil {
		return nil, err
	}
	s.l.mu.RLock()
	u := s.l.users[req.GetUserId()]
	var before rightSet
	if u != nil {
		before = u.rights
	}
	s.l.mu.RUnlock()
	if u == nil {
		return nil, newf(errUserNotFound, "user %q does not exist", req.GetUserId())
	}
	if err := s.l.grant(req.GetUserId(), req.GetRights()); err != nil {
		return nil, err
	}
	s.l.mu.RLock()
	after := s.l.users[req.GetUserId()].rights
	s.l.mu.RUnlock()
	return &admin.GrantUserRightsResponse{NewlyGrantedRights: newRights(before, after)}, nil
}

// grant adds rights to an existing user. The right maps are copied, never
// changed in place, so that a rightSet read under the lock stays valid.
func (l *Ledger) grant(id string, rights []*admin.Right) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.grantLocked(id, rights)
}

// grantLocked is grant for a caller that holds l.mu.
func (l *Ledger) grantLocked(id string, rights []*admin.Right) error {
	u := l.users[id]
	if u == nil {
		return newf(errUserNotFound, "user %q does not exist", id)
	}
	next, err := l.rightsFrom(u.rights, rights)
	if err != nil {
		return err
	}
	updated := *u
	updated.rights = next
	l.users[id] = &updated
	return nil
}

// rightsFrom returns base with the rights added.
func (l *Ledger) rightsFrom(base rightSet, rights []*admin.Right) (rightSet, error) {
	out := base
	out.actAs, out.readAs, out.executeAs = maps.Clone(base.actAs), maps.Clone(base.readAs), maps.Clone(base.executeAs)
	add := func(m *map[string]bool, p string) error {
		if p == "" {
			return newf(errInvalidField, "a right names an empty party")
		}
		if *m == nil {
			*m = map[string]bool{}
		}
		(*m)[p] = true
		return nil
	}
	for _, r := range rights {
		var err error
		switch k := r.GetKind().(type) {
		case *admin.Right_ParticipantAdmin_:
			out.admin = true
		case *admin.Right_IdentityProviderAdmin_:
			out.identityAdmin = true
		case *admin.Right_CanReadAsAnyParty_:
			out.readAsAnyParty = true
		case *admin.Right_CanExecuteAsAnyParty_:
			out.executeAsAnyParty = true
		case *admin.Right_CanActAs_:
			err = add(&out.actAs, k.CanActAs.GetParty())
		case *admin.Right_CanReadAs_:
			err = add(&out.readAs, k.CanReadAs.GetParty())
		case *admin.Right_CanExecuteAs_:
			err = add(&out.executeAs, k.CanExecuteAs.GetParty())
		default:
			err = newf(errInvalidField, "a right has no kind")
		}
		if err != nil {
			return rightSet{}, err
		}
	}
	return out, nil
}

func rightMessages(r rightSet) []*admin.Right {
	var out []*admin.Right
	if r.admin {
		out = append(out, &admin.Right{Kind: &admin.Right_ParticipantAdmin_{ParticipantAdmin: &admin.Right_ParticipantAdmin{}}})
	}
	if r.identityAdmin {
		out = append(out, &admin.Right{Kind: &admin.Right_IdentityProviderAdmin_{IdentityProviderAdmin: &admin.Right_IdentityProviderAdmin{}}})
	}
	if r.readAsAnyParty {
		out = append(out, &admin.Right{Kind: &admin.Right_CanReadAsAnyParty_{CanReadAsAnyParty: &admin.Right_CanReadAsAnyParty{}}})
	}
	if r.executeAsAnyParty {
		out = append(out, &admin.Right{Kind: &admin.Right_CanExecuteAsAnyParty_{CanExecuteAsAnyParty: &admin.Right_CanExecuteAsAnyParty{}}})
	}
	for _, p := range sortedKeys(r.actAs) {
		out = append(out, &admin.Right{Kind: &admin.Right_CanActAs_{CanActAs: &admin.Right_CanActAs{Party: p}}})
	}
	for _, p := range sortedKeys(r.readAs) {
		out = append(out, &admin.Right{Kind: &admin.Right_CanReadAs_{CanReadAs: &admin.Right_CanReadAs{Party: p}}})
	}
	for _, p := range sortedKeys(r.executeAs) {
		out = append(out, &admin.Right{Kind: &admin.Right_CanExecuteAs_{CanExecuteAs: &admin.Right_CanExecuteAs{Party: p}}})
	}
	return out
}

// newRights returns the rights of after that before lacks.
func newRights(before, after rightSet) []*admin.Right {
	had := map[string]bool{}
	for _, r := range rightMessages(before) {
		had[r.String()] = true
	}
	var out []*admin.Right
	for _, r := range rightMessages(after) {
		if !had[r.String()] {
			out = append(out, r)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// userID matches the user ids Canton accepts.
var userID = regexp.MustCompile("^[a-z0-9@^$.!`\\-#+'~_|:]{1,128}$")

// checkUserID rejects a user id that Canton would not accept. The message
// quotes at most 64 characters of the id, because a request may send
// megabytes.
func checkUserID(id string) error {
	if !userID.MatchString(id) {
		return newf(errInvalidField, "invalid user id %.64q (%d bytes): use 1 to 128 of a-z, 0-9 and @^$.!`-#+'~_|:", id, len(id))
	}
	return nil
}
