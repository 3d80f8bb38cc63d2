package sandbox

import (
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestAllocatePartyUnknownUserAllocatesNothing checks that a request
// naming a user that does not exist is rejected before the party exists.
func TestAllocatePartyUnknownUserAllocatesNothing(t *testing.T) {
	h := start(t, Options{})
	_, err := h.parties.AllocateParty(h.ctx, &admin.AllocatePartyRequest{PartyIdHint: "ghost", UserId: "nobody"})
	requireCode(t, err, codes.NotFound, "USER_NOT_FOUND")

	id := "ghost::" + h.ledger.namespace
	got, err := h.parties.GetParties(h.ctx, &admin.GetPartiesRequest{Parties: []string{id}})
	if err != nil {
		t.Fatalf("GetParties: %v", err)
	}
	if n := len(got.GetPartyDetails()); n != 0 {
		t.Errorf("party %s allocated by a rejected request (%d details)", id, n)
	}
	listed, err := h.parties.ListKnownParties(h.ctx, &admin.ListKnownPartiesRequest{})
	if err != nil {
		t.Fatalf("ListKnownParties: %v", err)
	}
	if n := len(listed.GetPartyDetails()); n != 0 {
		t.Errorf("ListKnownParties returned %d parties after a rejected allocation, want 0", n)
	}
}

func TestAllocatePartyForUserGrantsActAs(t *testing.T) {
	h := start(t, Options{})
	if _, err := h.users.CreateUser(h.ctx, &admin.CreateUserRequest{User: &admin.User{Id: "bot"}}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	resp, err := h.parties.AllocateParty(h.ctx, &admin.AllocatePartyRequest{PartyIdHint: "botparty", UserId: "bot"})
	if err != nil {
		t.Fatalf("AllocateParty: %v", err)
	}
	rights, err := h.users.ListUserRights(h.ctx, &admin.ListUserRightsRequest{UserId: "bot"})
	if err != nil {
		t.Fatalf("ListUserRights: %v", err)
	}
	want := resp.GetPartyDetails().GetParty()
	found := false
	for _, r := range rights.GetRights() {
		if r.GetCanActAs().GetParty() == want {
			found = true
		}
	}
	if !found {
		t.Errorf("user bot rights %v lack CanActAs %s", rights.GetRights(), want)
	}
}

func TestAllocatePartyBadHintIsInvalidField(t *testing.T) {
	h := start(t, Options{})
	for _, hint := range []string{"a::b", strings.Repeat("x", 186), "naïve", "semi;colon"} {
		_, err := h.parties.AllocateParty(h.ctx, &admin.AllocatePartyRequest{PartyIdHint: hint, UserId: "nobody"})
		requireCode(t, err, codes.InvalidArgument, "INVALID_FIELD")
	}
}

// TestAbsurdOffsetsRejected sends offsets at the int64 limits to every
// call that takes one.
func TestAbsurdOffsetsRejected(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	for _, c := range []struct {
		offset int64
		code   codes.Code
		id     string
	}{
		{-1, codes.InvalidArgument, "INVALID_FIELD"},
		{math.MinInt64, codes.InvalidArgument, "INVALID_FIELD"},
		{math.MaxInt64, codes.OutOfRange, "OFFSET_AFTER_LEDGER_END"},
	} {
		updates, err := h.updates.GetUpdates(h.ctx, &v2.GetUpdatesRequest{BeginExclusive: c.offset, UpdateFormat: &v2.UpdateFormat{}})
		if err == nil {
			_, err = updates.Recv()
		}
		requireCode(t, err, c.code, c.id)

		end := c.offset
		updates, err = h.updates.GetUpdates(h.ctx, &v2.GetUpdatesRequest{EndInclusive: &end, UpdateFormat: &v2.UpdateFormat{}})
		if err == nil {
			_, err = updates.Recv()
		}
		requireCode(t, err, c.code, c.id)

		acs, err := h.state.GetActiveContracts(h.ctx, &v2.GetActiveContractsRequest{ActiveAtOffset: c.offset, EventFormat: wildcardFor(false, alice)})
		if err == nil {
			_, err = acs.Recv()
		}
		requireCode(t, err, c.code, c.id)

		completions, err := h.complete.CompletionStream(h.ctx, &v2.CompletionStreamRequest{UserId: "tester", Parties: []string{alice}, BeginExclusive: c.offset})
		if err == nil {
			_, err = completions.Recv()
		}
		requireCode(t, err, c.code, c.id)

		_, err = h.updates.GetUpdateByOffset(h.ctx, &v2.GetUpdateByOffsetRequest{Offset: c.offset})
		requireCode(t, err, codes.NotFound, "UPDATE_NOT_FOUND")
	}
}

// TestDeepValueRejected sends a value nested far deeper than any Daml type
// needs, which must fail the call without a crash or a contract.
func TestDeepValueRejected(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	for _, depth := range []int{150, 5000} {
		deep := int64v(1)
		for range depth {
			deep = &v2.Value{Sum: &v2.Value_List{List: &v2.List{Elements: []*v2.Value{deep}}}}
		}
		_, err := h.submitTx(commands([]string{alice}, createCmd(asset, record("x", deep))))
		if err == nil {
			t.Fatalf("depth %d: submission accepted", depth)
		}
		if code := status.Code(err); code != codes.InvalidArgument && code != codes.Internal {
			t.Errorf("depth %d: code %s, want InvalidArgument (or Internal from the gRPC decoder)", depth, code)
		}
	}
	if end, contracts := h.acs(wildcardFor(false, alice)); end != 0 || len(contracts) != 0 {
		t.Errorf("after deep values: ledger end %d, %d contracts; want 0 and 0", end, len(contracts))
	}
}

// TestConcurrentBadSubmissionsLeaveStateUnchanged races rejected
// submissions of several kinds against each other.
func TestConcurrentBadSubmissionsLeaveStateUnchanged(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	bad := []func() *v2.Commands{
		func() *v2.Commands { return commands([]string{alice}, createCmd(asset, record("n", numeric("1e5")))) },
		func() *v2.Commands { return commands([]string{alice}, archiveCmd(asset, "00nothere")) },
		func() *v2.Commands {
			return commands([]string{alice}, createCmd(asset, record("p", partyValue(alice))), archiveCmd(asset, "00nothere"))
		},
		func() *v2.Commands { return commands([]string{"ghost::1220"}, createCmd(asset, record())) },
		func() *v2.Commands {
			return commands([]string{alice}, createCmd(asset, record("d", &v2.Value{Sum: &v2.Value_Date{Date: math.MaxInt32}})))
		},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			_, err := h.submitTx(bad[i%len(bad)]())
			if err == nil {
				errs <- status.Error(codes.Unknown, "accepted")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("bad submission: %v", err)
	}
	if end, contracts := h.acs(wildcardFor(false, alice)); end != 0 || len(contracts) != 0 {
		t.Errorf("after bad submissions: ledger end %d, %d contracts; want 0 and 0", end, len(contracts))
	}
}

// TestInvalidUserIDsRejected sends user ids that no participant accepts,
// one of them a megabyte long. Each call must be INVALID_FIELD with a
// short message, not USER_NOT_FOUND echoing the whole id.
func TestInvalidUserIDsRejected(t *testing.T) {
	h := start(t, Options{})
	for _, id := range []string{strings.Repeat("a", 1<<20), "UPPER", "white space", "ünï", strings.Repeat("a", 129)} {
		_, err := h.users.GetUser(h.ctx, &admin.GetUserRequest{UserId: id})
		requireCode(t, err, codes.InvalidArgument, "INVALID_FIELD")
		if err != nil && len(err.Error()) > 500 {
			t.Errorf("GetUser of a %d-byte id: error message is %d bytes", len(id), len(err.Error()))
		}
		_, err = h.users.ListUserRights(h.ctx, &admin.ListUserRightsRequest{UserId: id})
		requireCode(t, err, codes.InvalidArgument, "INVALID_FIELD")
		_, err = h.users.GrantUserRights(h.ctx, &admin.GrantUserRightsRequest{UserId: id})
		requireCode(t, err, codes.InvalidArgument, "INVALID_FIELD")
		_, err = h.users.CreateUser(h.ctx, &admin.CreateUserRequest{User: &admin.User{Id: id}})
		requireCode(t, err, codes.InvalidArgument, "INVALID_FIELD")
		_, err = h.parties.AllocateParty(h.ctx, &admin.AllocatePartyRequest{PartyIdHint: "p", UserId: id})
		requireCode(t, err, codes.InvalidArgument, "INVALID_FIELD")
	}
	listed, err := h.parties.ListKnownParties(h.ctx, &admin.ListKnownPartiesRequest{})
	if err != nil {
		t.Fatalf("ListKnownParties: %v", err)
	}
	if n := len(listed.GetPartyDetails()); n != 0 {
		t.Errorf("%d parties allocated by rejected requests, want 0", n)
	}
}

// TestManyCommandsLinear submits transactions of create-and-archive
// commands, 5000 and then 80000 of them. Each archive used to scan every
// earlier node while the ledger's lock was held, so 16 times the commands
// took about 256 times as long: 80000 stalled every other caller for over
// ten seconds. The test compares the two durations, not either alone, so
// that a slow or busy machine does not fail it.
func TestManyCommandsLinear(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	submit := func(n int) time.Duration {
		t.Helper()
		cmds := make([]*v2.Command, n)
		for i := range cmds {
			cmds[i] = &v2.Command{Command: &v2.Command_CreateAndExercise{CreateAndExercise: &v2.CreateAndExerciseCommand{
				TemplateId:      tid(asset),
				CreateArguments: record("owner", partyValue(alice)),
				Choice:          "Archive",
				ChoiceArgument:  recordValue(),
			}}}
		}
		req := &v2.SubmitRequest{Commands: commands([]string{alice}, cmds...)}
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			_, err := h.submit.Submit(h.ctx, req)
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Submit of %d commands: %v", n, err)
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("a submission of %d commands did not finish within 2 minutes", n)
		}
		return time.Since(start)
	}
	small := submit(5000)
	large := submit(80000)
	t.Logf("5000 commands: %v, 80000 commands: %v", small, large)
	if ratio := float64(large) / float64(small); ratio > 64 {
		t.Errorf("80000 commands took %v, %.0f times the %v of 5000; want about 16 times (linear)", large, ratio, small)
	}
	if end, contracts := h.acs(wildcardFor(false, alice)); end != 2 || len(contracts) != 0 {
		t.Errorf("ledger end %d with %d active contracts, want 2 and 0 (every contract transient)", end, len(contracts))
	}
}

// TestHugeIDsGiveShortErrors sends megabyte-long ids in fields that error
// messages quote. The messages and their metadata must stay short.
func TestHugeIDsGiveShortErrors(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	huge := strings.Repeat("9", 1<<20)
	calls := map[string]func() error{
		"exercise": func() error {
			_, err := h.submitTx(commands([]string{alice}, archiveCmd(asset, "00"+huge)))
			return err
		},
		"act_as": func() error {
			_, err := h.submitTx(commands([]string{huge}, createCmd(asset, record())))
			return err
		},
		"package": func() error {
			_, err := h.packages.GetPackage(h.ctx, &v2.GetPackageRequest{PackageId: huge})
			return err
		},
		"update id": func() error {
			_, err := h.updates.GetUpdateById(h.ctx, &v2.GetUpdateByIdRequest{UpdateId: huge})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if err == nil {
				t.Fatal("no error")
			}
			st, _ := status.FromError(err)
			if n := len(st.Message()); n > 5000 {
				t.Errorf("message is %d bytes, want at most about 4 KiB", n)
			}
			if !strings.Contains(st.Message(), "bytes in all") {
				t.Errorf("message %.100q... does not say it was cut", st.Message())
			}
			for _, d := range st.Details() {
				if info, ok := d.(*errdetails.ErrorInfo); ok {
					for k, v := range info.GetMetadata() {
						if len(v) > 5000 {
							t.Errorf("metadata %s is %d bytes", k, len(v))
						}
					}
				}
			}
		})
	}
}

// TestGenMapDuplicateKeysRejected sends a schemaless create whose GenMap
// repeats a key, which no Daml value may do. It must be rejected and
// leave no contract.
func TestGenMapDuplicateKeysRejected(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	entry := func(k int64) *v2.GenMap_Entry { return &v2.GenMap_Entry{Key: int64v(k), Value: text("v")} }
	genMap := &v2.Value{Sum: &v2.Value_GenMap{GenMap: &v2.GenMap{Entries: []*v2.GenMap_Entry{entry(1), entry(2), entry(1)}}}}
	_, err := h.submitTx(commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice), "m", genMap))))
	requireCode(t, err, codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED")
	if err != nil && !strings.Contains(err.Error(), "duplicate gen map key") {
		t.Errorf("error %v, want one about the duplicate key", err)
	}
	if end, contracts := h.acs(wildcardFor(false, alice)); end != 0 || len(contracts) != 0 {
		t.Errorf("after the rejected create: ledger end %d, %d contracts; want 0 and 0", end, len(contracts))
	}

	unique := &v2.Value{Sum: &v2.Value_GenMap{GenMap: &v2.GenMap{Entries: []*v2.GenMap_Entry{entry(1), entry(2)}}}}
	if _, err := h.submitTx(commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice), "m", unique)))); err != nil {
		t.Errorf("create with unique keys: %v", err)
	}
}
