package integration

import (
	"context"
	"fmt"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/builtins"
	"github.com/ditstar/ditstar/ledger/lf"
)

// createdEvent is a created event with its contract data decoded once and
// shared by every handler that receives it.
type createdEvent struct {
	raw      *v2.CreatedEvent
	template lf.TemplateID
	cdata    starlark.Value
	offset   int64
}

// decodeCreated decodes the contract's arguments: typed when the catalog
// holds the template (fetching its package from the participant when
// needed), by the value's own shape otherwise.
func (r *Runtime) decodeCreated(ctx context.Context, ev *v2.CreatedEvent, offset int64) (*createdEvent, error) {
	tid := lf.TemplateIDFromIdentifier(ev.GetTemplateId())
	data, err := r.decodeArgs(ctx, tid, ev.GetCreateArguments())
	if err != nil {
		return nil, fmt.Errorf("decode contract %s of %s: %w", ev.GetContractId(), tid, err)
	}
	if offset == 0 {
		offset = ev.GetOffset()
	}
	return &createdEvent{raw: ev, template: tid, cdata: data, offset: offset}, nil
}

func (r *Runtime) decodeArgs(ctx context.Context, tid lf.TemplateID, args *v2.Record) (starlark.Value, error) {
	var value any
	var err error
	if r.typedTemplate(ctx, tid) {
		value, err = r.client.Catalog().DecodeRecord(tid, args)
	} else {
		value, err = lf.DecodeUntyped(&v2.Value{Sum: &v2.Value_Record{Record: args}})
	}
	if err != nil {
		return nil, err
	}
	data, err := builtins.FromGo(value)
	if err != nil {
		return nil, err
	}
	data.Freeze()
	return data, nil
}

func (e *createdEvent) value(initial bool) starlark.Value {
	return builtins.NewCreatedEvent(builtins.CreatedEvent{
		ContractID:  e.raw.GetContractId(),
		Data:        e.cdata,
		Initial:     initial,
		TemplateID:  e.template.String(),
		Signatories: e.raw.GetSignatories(),
		Observers:   e.raw.GetObservers(),
		Offset:      e.offset,
	})
}

func archivedEventValue(ev *v2.ArchivedEvent, offset int64) starlark.Value {
	return builtins.NewArchivedEvent(ev.GetContractId(), lf.TemplateIDFromIdentifier(ev.GetTemplateId()).String(), offset)
}

func transactionEventValue(name string, tx *v2.Transaction, contractEvents []starlark.Value) starlark.Value {
	return builtins.NewTransactionEvent(name, tx.GetCommandId(), tx.GetWorkflowId(), tx.GetOffset(), contractEvents)
}
