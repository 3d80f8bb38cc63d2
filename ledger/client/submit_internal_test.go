package client

import (
	"testing"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
)

func TestACSDeltaConversion(t *testing.T) {
	tid := &v2.Identifier{PackageId: "p", ModuleName: "Main", EntityName: "Asset"}
	tx := &v2.Transaction{UpdateId: "u1", CommandId: "c1", WorkflowId: "w1", Offset: 7, Events: []*v2.Event{
		{Event: &v2.Event_Exercised{Exercised: &v2.ExercisedEvent{ContractId: "old", TemplateId: tid, Consuming: true, AcsDelta: true, NodeId: 0, WitnessParties: []string{"a"}}}},
		{Event: &v2.Event_Created{Created: &v2.CreatedEvent{ContractId: "new", TemplateId: tid, AcsDelta: true, NodeId: 1}}},
		{Event: &v2.Event_Created{Created: &v2.CreatedEvent{ContractId: "transient", TemplateId: tid, AcsDelta: false, NodeId: 2}}},
		{Event: &v2.Event_Exercised{Exercised: &v2.ExercisedEvent{ContractId: "kept", TemplateId: tid, Consuming: false, AcsDelta: false, NodeId: 3}}},
	}}
	got := acsDelta(tx)
	if got.GetUpdateId() != "u1" || got.GetCommandId() != "c1" || got.GetWorkflowId() != "w1" || got.GetOffset() != 7 {
		t.Errorf("header = %v, want the transaction's header", got)
	}
	if len(got.GetEvents()) != 2 {
		t.Fatalf("events = %d, want 2 (one archived, one created)", len(got.GetEvents()))
	}
	ar := got.GetEvents()[0].GetArchived()
	if ar.GetContractId() != "old" {
		t.Errorf("first event = %v, want old archived", got.GetEvents()[0])
	}
	if len(ar.GetWitnessParties()) != 1 {
		t.Errorf("archived witnesses = %v, want [a]", ar.GetWitnessParties())
	}
	if cr := got.GetEvents()[1].GetCreated(); cr.GetContractId() != "new" {
		t.Errorf("second event = %v, want new created", got.GetEvents()[1])
	}
}
