package builtins

import (
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// Constructor names of the ledger event structs. str(event) shows them, so a
// script can tell the kinds apart.
const (
	CreatedEventName          = "ContractCreateEvent"
	ArchivedEventName         = "ContractArchiveEvent"
	TransactionStartEventName = "TransactionStartEvent"
	TransactionEndEventName   = "TransactionEndEvent"
)

// CreatedEvent is the content of the event value that contract_created
// handlers receive.
type CreatedEvent struct {
	ContractID string
	// Data is the contract's create arguments, frozen.
	Data        starlark.Value
	Initial     bool
	TemplateID  string
	Signatories []string
	Observers   []string
	Offset      int64
}

// NewCreatedEvent returns the frozen event value of a created contract.
func NewCreatedEvent(e CreatedEvent) starlark.Value {
	s := starlarkstruct.FromStringDict(starlark.String(CreatedEventName), starlark.StringDict{
		"cid":         starlark.String(e.ContractID),
		"cdata":       e.Data,
		"initial":     starlark.Bool(e.Initial),
		"template_id": starlark.String(e.TemplateID),
		"signatories": frozenStrings(e.Signatories),
		"observers":   frozenStrings(e.Observers),
		"offset":      starlark.MakeInt64(e.Offset),
	})
	s.Freeze()
	return s
}

// NewArchivedEvent returns the frozen event value of an archived contract.
func NewArchivedEvent(contractID, templateID string, offset int64) starlark.Value {
	s := starlarkstruct.FromStringDict(starlark.String(ArchivedEventName), starlark.StringDict{
		"cid":         starlark.String(contractID),
		"template_id": starlark.String(templateID),
		"offset":      starlark.MakeInt64(offset),
	})
	s.Freeze()
	return s
}

// NewTransactionEvent returns the frozen transaction_start or
// transaction_end event value; name is TransactionStartEventName or
// TransactionEndEventName.
func NewTransactionEvent(name, commandID, workflowID string, offset int64, contractEvents []starlark.Value) starlark.Value {
	events := starlark.NewList(contractEvents)
	events.Freeze()
	s := starlarkstruct.FromStringDict(starlark.String(name), starlark.StringDict{
		"command_id":      starlark.String(commandID),
		"workflow_id":     starlark.String(workflowID),
		"offset":          starlark.MakeInt64(offset),
		"contract_events": events,
	})
	s.Freeze()
	return s
}

func frozenStrings(ss []string) *starlark.List {
	values := make([]starlark.Value, len(ss))
	for i, s := range ss {
		values[i] = starlark.String(s)
	}
	l := starlark.NewList(values)
	l.Freeze()
	return l
}
