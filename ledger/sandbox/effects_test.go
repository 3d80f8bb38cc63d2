package sandbox

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/grpc/codes"
)

const (
	generator = "#dabl-integration-core:Utility.Sequence:SequenceGenerator"
	channel   = "#dabl-integration-slack:SlackIntegration.Messages:OutboundMessageChannel"
)

// lockedBuffer is a log destination safe for concurrent handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestNonconsumingExerciseShapes(t *testing.T) {
	var logs lockedBuffer
	h := start(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	h.uploadDARs()
	alice := h.allocate("alice")
	cid := h.create(alice, generator, record(
		"owner", partyValue(alice), "prefix", text("INV-"), "offset", int64v(0), "defaultBlockSize", int64v(10),
		"countLimit", &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{}}},
	))
	for range 2 {
		h.mustSubmit(commands([]string{alice}, exerciseCmd(generator, cid, "SequenceGenerator_CreateDefaultBlock", recordValue())))
	}

	effects := func(shape v2.TransactionShape) []*v2.GetUpdatesResponse {
		end := int64(3)
		stream, err := h.updates.GetUpdates(h.ctx, &v2.GetUpdatesRequest{BeginExclusive: 1, EndInclusive: &end, UpdateFormat: &v2.UpdateFormat{
			IncludeTransactions: &v2.TransactionFormat{EventFormat: wildcardFor(false, alice), TransactionShape: shape},
		}})
		if err != nil {
			t.Fatal(err)
		}
		var out []*v2.GetUpdatesResponse
		for {
			resp, err := stream.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Fatalf("GetUpdates %s: %v", shape, err)
				}
				return out
			}
			out = append(out, resp)
		}
	}
	ledgerEffects := effects(v2.TransactionShape_TRANSACTION_SHAPE_LEDGER_EFFECTS)
	if len(ledgerEffects) != 2 {
		t.Fatalf("LEDGER_EFFECTS gave %d updates, want 2 transactions", len(ledgerEffects))
	}
	ex := ledgerEffects[0].GetTransaction().GetEvents()[0].GetExercised()
	if ex.GetConsuming() || ex.GetAcsDelta() || ex.GetChoice() != "SequenceGenerator_CreateDefaultBlock" {
		t.Errorf("exercised event = %v, want the non-consuming choice outside the ACS delta", ex)
	}
	if w := ex.GetWitnessParties(); len(w) != 1 || w[0] != alice {
		t.Errorf("witnesses %v, want [%s]", w, alice)
	}

	acsDelta := effects(v2.TransactionShape_TRANSACTION_SHAPE_ACS_DELTA)
	if len(acsDelta) != 1 || acsDelta[0].GetOffsetCheckpoint().GetOffset() != 3 {
		t.Errorf("ACS_DELTA gave %v, want only a checkpoint at offset 3", acsDelta)
	}
	if _, active := h.acs(wildcardFor(false, alice)); len(active) != 1 {
		t.Errorf("%d active contracts after non-consuming exercises, want 1", len(active))
	}
	if n := strings.Count(logs.String(), "choice body not evaluated"); n != 1 {
		t.Errorf("logged %d times that the choice body is not evaluated, want once", n)
	}
}

func TestTypedVisibilityFromPartyFields(t *testing.T) {
	h := start(t, Options{})
	h.uploadDARs()
	integration, sender, stranger := h.allocate("integration"), h.allocate("sender"), h.allocate("stranger")
	h.create(integration, channel, record(
		"integrationParty", partyValue(integration), "sender", partyValue(sender),
		"channelName", text("general"), "slackChannel", text("C123"),
	))
	_, seen := h.acs(wildcardFor(false, sender))
	if len(seen) != 1 {
		t.Fatalf("sender sees %d contracts, want 1", len(seen))
	}
	if s := seen[0].GetSignatories(); len(s) != 1 || s[0] != integration {
		t.Errorf("signatories %v, want the submitter %s", s, integration)
	}
	if o := seen[0].GetObservers(); len(o) != 1 || o[0] != sender {
		t.Errorf("observers %v, want %s", o, sender)
	}
	if _, none := h.acs(wildcardFor(false, stranger)); len(none) != 0 {
		t.Errorf("a party in no field sees %d contracts", len(none))
	}
	// A party that does not see a contract cannot exercise it.
	_, err := h.submitTx(commands([]string{stranger}, archiveCmd(channel, seen[0].GetContractId())))
	requireCode(t, err, codes.NotFound, "CONTRACT_NOT_FOUND")
}
