package sandbox

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/ditstar/ditstar/internal/clock"
)

const asset = "#demo:Main:Asset"

func TestAllocatePartyIdempotent(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	if !strings.HasPrefix(alice, "alice::1220") {
		t.Errorf("party id %q, want alice::1220<fingerprint>", alice)
	}
	again := h.allocate("alice")
	if again != alice {
		t.Errorf("second allocation gave %q, want %q", again, alice)
	}
	direct, err := h.ledger.AllocateParty("alice")
	if err != nil || direct != alice {
		t.Errorf("AllocateParty(alice) = %q, %v; want %q", direct, err, alice)
	}
	_, err = h.parties.AllocateParty(h.ctx, &admin.AllocatePartyRequest{PartyIdHint: "bad::hint"})
	requireCode(t, err, codes.InvalidArgument, "INVALID_FIELD")
	list, err := h.parties.ListKnownParties(h.ctx, &admin.ListKnownPartiesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetPartyDetails()) != 1 || list.GetPartyDetails()[0].GetParty() != alice {
		t.Errorf("ListKnownParties = %v, want only %s", list.GetPartyDetails(), alice)
	}
	pid, err := h.parties.GetParticipantId(h.ctx, &admin.GetParticipantIdRequest{})
	if err != nil || !strings.HasPrefix(pid.GetParticipantId(), "sandbox::1220") {
		t.Errorf("GetParticipantId = %v, %v", pid, err)
	}
}

func TestSchemalessCreateExerciseArchive(t *testing.T) {
	h := start(t, Options{})
	alice, bob := h.allocate("alice"), h.allocate("bob")
	tx := h.mustSubmit(commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice), "viewer", text(bob), "amount", numeric("1.50")))))
	if tx.GetOffset() != 1 || tx.GetUpdateId() == "" || tx.GetCommandId() == "" || tx.GetEffectiveAt() == nil {
		t.Errorf("transaction header = offset %d, update %q, command %q, effective_at %v", tx.GetOffset(), tx.GetUpdateId(), tx.GetCommandId(), tx.GetEffectiveAt())
	}
	created := tx.GetEvents()[0].GetCreated()
	if created.GetPackageName() != "demo" || created.GetTemplateId().GetPackageId() != "#demo" {
		t.Errorf("created template %v, package name %q", created.GetTemplateId(), created.GetPackageName())
	}
	if got := created.GetObservers(); len(got) != 1 || got[0] != bob {
		t.Errorf("observers %v, want [%s]: a Text equal to a party id is that party in schemaless mode", got, bob)
	}
	if got := created.GetCreateArguments().GetFields()[0].GetLabel(); got != "owner" {
		t.Errorf("verbose arguments lost the label: %q", got)
	}

	_, bobView := h.acs(wildcardFor(false, bob))
	if len(bobView) != 1 || bobView[0].GetContractId() != created.GetContractId() {
		t.Fatalf("bob's ACS = %v, want the new contract", bobView)
	}
	if bobView[0].GetCreateArguments().GetFields()[0].GetLabel() != "" {
		t.Errorf("non-verbose ACS kept record labels")
	}

	_, err := h.submitTx(commands([]string{alice}, exerciseCmd(asset, created.GetContractId(), "Transfer", recordValue())))
	requireCode(t, err, codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED")

	archived := h.mustSubmit(commands([]string{alice}, archiveCmd(asset, created.GetContractId())))
	if a := archived.GetEvents()[0].GetArchived(); a == nil || a.GetContractId() != created.GetContractId() {
		t.Errorf("archive transaction events = %v", archived.GetEvents())
	}
	if _, left := h.acs(wildcardFor(false, alice, bob)); len(left) != 0 {
		t.Errorf("ACS after archive = %v, want empty", left)
	}
	_, err = h.submitTx(commands([]string{alice}, archiveCmd(asset, created.GetContractId())))
	requireCode(t, err, codes.NotFound, "CONTRACT_NOT_FOUND")
	if at1 := h.acsAt(1, wildcardFor(false, alice)); len(at1) != 1 {
		t.Errorf("ACS at offset 1 = %d contracts, want 1", len(at1))
	}
}

func TestCreateAndExerciseIsTransient(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	cmd := &v2.Command{Command: &v2.Command_CreateAndExercise{CreateAndExercise: &v2.CreateAndExerciseCommand{
		TemplateId: tid(asset), CreateArguments: record("owner", partyValue(alice)), Choice: "Archive", ChoiceArgument: recordValue(),
	}}}
	resp, err := h.commands.SubmitAndWaitForTransaction(h.ctx, &v2.SubmitAndWaitForTransactionRequest{
		Commands: commands([]string{alice}, cmd),
		TransactionFormat: &v2.TransactionFormat{
			EventFormat:      wildcardFor(true, alice),
			TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_LEDGER_EFFECTS,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	events := resp.GetTransaction().GetEvents()
	if len(events) != 2 || events[0].GetCreated() == nil || events[1].GetExercised() == nil {
		t.Fatalf("ledger effects = %v, want a create and an exercise", events)
	}
	if ex := events[1].GetExercised(); !ex.GetConsuming() || ex.GetAcsDelta() || ex.GetNodeId() != 1 {
		t.Errorf("exercised event = %v, want consuming, node 1, not in the ACS delta", ex)
	}
	flat, err := h.updates.GetUpdateByOffset(h.ctx, &v2.GetUpdateByOffsetRequest{Offset: 1, UpdateFormat: &v2.UpdateFormat{
		IncludeTransactions: &v2.TransactionFormat{EventFormat: wildcardFor(false, alice), TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_ACS_DELTA},
	}})
	requireCode(t, err, codes.NotFound, "UPDATE_NOT_FOUND")
	if flat != nil {
		t.Errorf("ACS delta of a transient contract = %v, want none", flat)
	}
}

func TestSubmissionErrorsLeaveStateUnchanged(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	cases := []struct {
		name string
		cmds *v2.Commands
		code codes.Code
		id   string
	}{
		{"no commands", &v2.Commands{UserId: "u", CommandId: "c", ActAs: []string{alice}}, codes.InvalidArgument, "MISSING_FIELD"},
		{"no command id", &v2.Commands{UserId: "u", ActAs: []string{alice}, Commands: []*v2.Command{createCmd(asset, record())}}, codes.InvalidArgument, "MISSING_FIELD"},
		{"no user id", &v2.Commands{CommandId: "c", ActAs: []string{alice}, Commands: []*v2.Command{createCmd(asset, record())}}, codes.InvalidArgument, "MISSING_FIELD"},
		{"no act_as", commands(nil, createCmd(asset, record())), codes.InvalidArgument, "MISSING_FIELD"},
		{"empty act_as party", commands([]string{""}, createCmd(asset, record())), codes.NotFound, "PARTY_NOT_KNOWN_ON_LEDGER"},
		{"unknown act_as", commands([]string{"mallory::1220ab"}, createCmd(asset, record())), codes.NotFound, "PARTY_NOT_KNOWN_ON_LEDGER"},
		{"unknown party value", commands([]string{alice}, createCmd(asset, record("p", partyValue("nobody::1220ab")))), codes.NotFound, "PARTY_NOT_KNOWN_ON_LEDGER"},
		{"bad numeric", commands([]string{alice}, createCmd(asset, record("n", numeric("1.2.3")))), codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED"},
		{"empty value", commands([]string{alice}, createCmd(asset, record("n", &v2.Value{}))), codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED"},
		{"duplicate label", commands([]string{alice}, createCmd(asset, record("n", int64v(1), "n", int64v(2)))), codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED"},
		{"no template id", commands([]string{alice}, &v2.Command{Command: &v2.Command_Create{Create: &v2.CreateCommand{CreateArguments: record()}}}), codes.InvalidArgument, "MISSING_FIELD"},
		{"empty command", commands([]string{alice}, &v2.Command{}), codes.InvalidArgument, "MISSING_FIELD"},
		{"unknown contract", commands([]string{alice}, archiveCmd(asset, "00abcdef")), codes.NotFound, "CONTRACT_NOT_FOUND"},
		{"bad dedup duration", &v2.Commands{UserId: "u", CommandId: "c", ActAs: []string{alice}, Commands: []*v2.Command{createCmd(asset, record())},
			DeduplicationPeriod: &v2.Commands_DeduplicationDuration{DeduplicationDuration: durationpb.New(-1)}}, codes.InvalidArgument, "INVALID_FIELD"},
		{"second command fails", commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))), archiveCmd(asset, "00missing")), codes.NotFound, "CONTRACT_NOT_FOUND"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := h.submitTx(c.cmds)
			requireCode(t, err, c.code, c.id)
		})
	}
	end, contracts := h.acs(wildcardFor(false, alice))
	if end != 0 || len(contracts) != 0 {
		t.Errorf("after rejected submissions: ledger end %d, %d contracts; want 0 and 0", end, len(contracts))
	}
}

func TestDeduplication(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	first := commands([]string{alice}, archiveCmd(asset, "00missing"))
	_, err := h.submitTx(first)
	requireCode(t, err, codes.NotFound, "CONTRACT_NOT_FOUND")

	// A rejected command may be sent again with the same command id.
	retry := commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))))
	retry.CommandId = first.CommandId
	if _, err := h.submitTx(retry); err != nil {
		t.Fatalf("resubmission after a rejection: %v", err)
	}
	_, err = h.submitTx(retry)
	requireCode(t, err, codes.AlreadyExists, "DUPLICATE_COMMAND")

	// Another user or another act_as set is another change id.
	other := commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))))
	other.CommandId, other.UserId = first.CommandId, "someone-else"
	if _, err := h.submitTx(other); err != nil {
		t.Errorf("same command id for another user: %v", err)
	}

	// A deduplication offset at or after the first success lets it through.
	since := commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))))
	since.CommandId = first.CommandId
	since.DeduplicationPeriod = &v2.Commands_DeduplicationOffset{DeduplicationOffset: 1}
	if _, err := h.submitTx(since); err != nil {
		t.Errorf("deduplication offset after the first submission: %v", err)
	}
	end, _ := h.acs(wildcardFor(false, alice))
	if end != 3 {
		t.Errorf("ledger end %d, want 3", end)
	}
}

func TestVisibilityAndFilters(t *testing.T) {
	h := start(t, Options{})
	alice, bob, carol := h.allocate("alice"), h.allocate("bob"), h.allocate("carol")
	h.create(alice, asset, record("owner", partyValue(alice), "observer", partyValue(bob)))
	h.create(alice, "#demo:Main:Other", record("owner", partyValue(alice)))

	if _, got := h.acs(wildcardFor(false, carol)); len(got) != 0 {
		t.Errorf("carol sees %d contracts, want 0", len(got))
	}
	if _, got := h.acs(wildcardFor(false, bob)); len(got) != 1 {
		t.Errorf("bob sees %d contracts, want 1", len(got))
	}
	if _, got := h.acs(wildcardFor(false, alice)); len(got) != 2 {
		t.Errorf("alice sees %d contracts, want 2", len(got))
	}
	byTemplate := &v2.EventFormat{FiltersByParty: map[string]*v2.Filters{alice: {Cumulative: []*v2.CumulativeFilter{
		{IdentifierFilter: &v2.CumulativeFilter_TemplateFilter{TemplateFilter: &v2.TemplateFilter{TemplateId: tid("#demo:Main:Other")}}},
	}}}}
	_, got := h.acs(byTemplate)
	if len(got) != 1 || got[0].GetTemplateId().GetEntityName() != "Other" {
		t.Errorf("template filter gave %v, want the Other contract", got)
	}
	anyParty := &v2.EventFormat{FiltersForAnyParty: &v2.Filters{}}
	_, all := h.acs(anyParty)
	if len(all) != 2 {
		t.Errorf("any-party wildcard gave %d contracts, want 2", len(all))
	}
	if w := all[0].GetWitnessParties(); len(w) != 2 {
		t.Errorf("any-party witnesses %v, want alice and bob", w)
	}
	stream, err := h.state.GetActiveContracts(h.ctx, &v2.GetActiveContractsRequest{ActiveAtOffset: 99, EventFormat: anyParty})
	if err == nil {
		_, err = stream.Recv()
	}
	requireCode(t, err, codes.OutOfRange, "OFFSET_AFTER_LEDGER_END")
	stream, err = h.state.GetActiveContracts(h.ctx, &v2.GetActiveContractsRequest{ActiveAtOffset: 1})
	if err == nil {
		_, err = stream.Recv()
	}
	requireCode(t, err, codes.InvalidArgument, "MISSING_FIELD")
}

func TestUpdatesStreamAndLookups(t *testing.T) {
	h := start(t, Options{})
	alice, bob := h.allocate("alice"), h.allocate("bob")
	cid := h.create(alice, asset, record("owner", partyValue(alice)))
	h.create(bob, asset, record("owner", partyValue(bob)))
	archive := commands([]string{alice}, archiveCmd(asset, cid))
	archive.WorkflowId = "wf-1"
	h.mustSubmit(archive)

	end := int64(3)
	stream, err := h.updates.GetUpdates(h.ctx, &v2.GetUpdatesRequest{BeginExclusive: 0, EndInclusive: &end, UpdateFormat: &v2.UpdateFormat{
		IncludeTransactions: &v2.TransactionFormat{EventFormat: wildcardFor(true, alice), TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_ACS_DELTA},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var offsets []int64
	var checkpoint int64
	var last *v2.Transaction
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("GetUpdates: %v", err)
		}
		if tx := resp.GetTransaction(); tx != nil {
			offsets = append(offsets, tx.GetOffset())
			last = tx
		}
		if cp := resp.GetOffsetCheckpoint(); cp != nil {
			checkpoint = cp.GetOffset()
		}
	}
	if len(offsets) != 2 || offsets[0] != 1 || offsets[1] != 3 {
		t.Errorf("alice's transactions at offsets %v, want [1 3]: bob's create is not hers", offsets)
	}
	if last.GetWorkflowId() != "wf-1" || last.GetEvents()[0].GetArchived() == nil {
		t.Errorf("last transaction = %v, want the archive with workflow wf-1", last)
	}
	if checkpoint != 0 && checkpoint != 3 {
		t.Errorf("checkpoint at %d, want 3 or none", checkpoint)
	}

	format := &v2.UpdateFormat{IncludeTransactions: &v2.TransactionFormat{EventFormat: wildcardFor(false, alice), TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_ACS_DELTA}}
	byID, err := h.updates.GetUpdateById(h.ctx, &v2.GetUpdateByIdRequest{UpdateId: last.GetUpdateId(), UpdateFormat: format})
	if err != nil || byID.GetTransaction().GetOffset() != 3 {
		t.Errorf("GetUpdateById = %v, %v; want offset 3", byID, err)
	}
	_, err = h.updates.GetUpdateById(h.ctx, &v2.GetUpdateByIdRequest{UpdateId: "nope", UpdateFormat: format})
	requireCode(t, err, codes.NotFound, "UPDATE_NOT_FOUND")

	after := int64(10)
	bad, err := h.updates.GetUpdates(h.ctx, &v2.GetUpdatesRequest{BeginExclusive: after, UpdateFormat: format})
	if err == nil {
		_, err = bad.Recv()
	}
	requireCode(t, err, codes.OutOfRange, "OFFSET_AFTER_LEDGER_END")
}

func TestSubmitCompletionStream(t *testing.T) {
	h := start(t, Options{})
	alice := h.allocate("alice")
	stream, err := h.complete.CompletionStream(h.ctx, &v2.CompletionStreamRequest{UserId: "tester", Parties: []string{alice}})
	if err != nil {
		t.Fatal(err)
	}
	c := commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))))
	c.SubmissionId = "sub-1"
	if _, err := h.submit.Submit(h.ctx, &v2.SubmitRequest{Commands: c}); err != nil {
		t.Fatal(err)
	}
	_, err = h.submit.Submit(h.ctx, &v2.SubmitRequest{Commands: commands([]string{alice}, archiveCmd(asset, "00missing"))})
	requireCode(t, err, codes.NotFound, "CONTRACT_NOT_FOUND")
	for {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("CompletionStream: %v", err)
		}
		comp := resp.GetCompletion()
		if comp == nil {
			continue
		}
		if comp.GetCommandId() != c.CommandId || comp.GetSubmissionId() != "sub-1" || comp.GetOffset() != 1 || comp.GetUpdateId() == "" || comp.GetStatus().GetCode() != 0 {
			t.Errorf("completion = %v", comp)
		}
		return
	}
}

func TestDeduplicationPeriodExpires(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	h := start(t, Options{Clock: clk})
	alice := h.allocate("alice")
	c := commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))))
	c.DeduplicationPeriod = &v2.Commands_DeduplicationDuration{DeduplicationDuration: durationpb.New(time.Minute)}
	tx := h.mustSubmit(c)
	if got := tx.GetEffectiveAt().AsTime(); !got.Equal(clk.Now()) {
		t.Errorf("effective_at %v, want the clock's %v", got, clk.Now())
	}
	clk.Advance(30 * time.Second)
	_, err := h.submitTx(c)
	requireCode(t, err, codes.AlreadyExists, "DUPLICATE_COMMAND")
	clk.Advance(31 * time.Second)
	if _, err := h.submitTx(c); err != nil {
		t.Errorf("resubmission after the deduplication period: %v", err)
	}
}

func TestCompletionStreamFilters(t *testing.T) {
	h := start(t, Options{})
	alice, bob := h.allocate("alice"), h.allocate("bob")
	mine := commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))))
	h.mustSubmit(mine)
	otherUser := commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))))
	otherUser.UserId = "someone-else"
	h.mustSubmit(otherUser)
	h.mustSubmit(commands([]string{bob}, createCmd(asset, record("owner", partyValue(bob)))))
	last := commands([]string{alice}, createCmd(asset, record("owner", partyValue(alice))))
	h.mustSubmit(last)

	read := func(begin int64) []*v2.Completion {
		stream, err := h.complete.CompletionStream(h.ctx, &v2.CompletionStreamRequest{UserId: "tester", Parties: []string{alice}, BeginExclusive: begin})
		if err != nil {
			t.Fatal(err)
		}
		var out []*v2.Completion
		for {
			resp, err := stream.Recv()
			if err != nil {
				t.Fatalf("CompletionStream: %v", err)
			}
			if c := resp.GetCompletion(); c != nil {
				out = append(out, c)
			}
			// The checkpoint after catching up ends the read.
			if resp.GetOffsetCheckpoint().GetOffset() == 4 || (len(out) > 0 && out[len(out)-1].GetOffset() == 4) {
				return out
			}
		}
	}
	all := read(0)
	if len(all) != 2 || all[0].GetCommandId() != mine.CommandId || all[1].GetCommandId() != last.CommandId {
		t.Errorf("completions %v, want %s and %s only", all, mine.CommandId, last.CommandId)
	}
	if resumed := read(1); len(resumed) != 1 || resumed[0].GetOffset() != 4 {
		t.Errorf("completions after offset 1 = %v, want the one at offset 4", resumed)
	}
	stream, err := h.complete.CompletionStream(h.ctx, &v2.CompletionStreamRequest{UserId: "tester"})
	if err == nil {
		_, err = stream.Recv()
	}
	requireCode(t, err, codes.InvalidArgument, "MISSING_FIELD")
}
