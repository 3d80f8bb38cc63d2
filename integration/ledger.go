package integration

import (
	"context"
	"fmt"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/builtins"
	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
)

// streamLedger reads the active contract set and then the update stream of
// every template visible to the party. A wildcard filter is used so that a
// reloaded script may register templates the first one did not name.
func (r *Runtime) streamLedger(ctx context.Context) error {
	var active []*v2.CreatedEvent
	started := false
	return r.client.Stream(ctx, client.Filter{Wildcard: true}, func(it client.Item) error {
		switch it.Kind {
		case client.ItemActive:
			active = append(active, it.Created)
		case client.ItemBoundary:
			if started {
				return nil
			}
			started = true
			err := r.startLedger(ctx, active, it.Offset)
			active = nil
			return err
		case client.ItemTransaction:
			return r.deliverTransaction(ctx, it.Transaction)
		case client.ItemCheckpoint:
			r.metrics.observeOffset(it.Offset, nil)
		}
		return nil
	})
}

// startLedger runs the start-up sequence on the active contract set read at
// offset: ledger_init handlers, the sweeps in registration order, and
// ledger_ready handlers. It then marks the runtime running; the stream
// continues after offset.
func (r *Runtime) startLedger(ctx context.Context, active []*v2.CreatedEvent, offset int64) error {
	if !r.acquire(ctx) {
		return ctx.Err()
	}
	defer r.release()
	gen := r.gen.Load()
	r.log.Info("active contract set read", "offset", offset, "contracts", len(active))

	for _, ev := range active {
		r.contracts[ev.GetContractId()] = contractInfo{
			template: lf.TemplateIDFromIdentifier(ev.GetTemplateId()),
			args:     ev.GetCreateArguments(),
		}
	}
	for _, hs := range gen.byKind[builtins.KindLedgerInit] {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		_, _ = r.callHandler(ctx, gen, hs, nil, false)
	}

	decoded := make([]*createdEvent, len(active))
	for _, hs := range gen.byKind[builtins.KindContractCreated] {
		if !hs.h.Sweep {
			continue
		}
		for i, ev := range active {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !hs.h.Templates.Contains(lf.TemplateIDFromIdentifier(ev.GetTemplateId())) {
				continue
			}
			if decoded[i] == nil {
				d, err := r.decodeCreated(ctx, ev, offset)
				if err != nil {
					r.handlerFailed(hs, err)
					continue
				}
				decoded[i] = d
			}
			if !r.matches(ctx, gen, hs, decoded[i].cdata) {
				continue
			}
			_, _ = r.callHandler(ctx, gen, hs, starlark.Tuple{decoded[i].value(true)}, false)
		}
	}

	for _, hs := range gen.byKind[builtins.KindLedgerReady] {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		_, _ = r.callHandler(ctx, gen, hs, nil, false)
	}
	r.metrics.observeOffset(offset, nil)
	r.markReady()
	return nil
}

// deliverTransaction delivers one transaction: transaction_start handlers,
// then each created and archived event in ledger order to the matching
// flow handlers, then transaction_end handlers. The turn is held for the
// whole transaction. When ctx ends, the handler call in flight finishes and
// no further one starts.
func (r *Runtime) deliverTransaction(ctx context.Context, tx *v2.Transaction) error {
	r.pendingWork.Add(1)
	defer r.pendingWork.Add(-1)
	if !r.acquire(ctx) {
		return ctx.Err()
	}
	defer r.release()
	gen := r.gen.Load()

	type entry struct {
		created  *createdEvent
		archived *v2.ArchivedEvent
		value    starlark.Value
	}
	var entries []entry
	var values []starlark.Value
	for _, ev := range tx.GetEvents() {
		switch {
		case ev.GetCreated() != nil:
			c := ev.GetCreated()
			r.contracts[c.GetContractId()] = contractInfo{template: lf.TemplateIDFromIdentifier(c.GetTemplateId()), args: c.GetCreateArguments()}
			d, err := r.decodeCreated(ctx, c, tx.GetOffset())
			if err != nil {
				r.log.Error("contract data could not be decoded; handlers of its template skip it",
					"offset", tx.GetOffset(), "contract_id", c.GetContractId(), "error", err)
				continue
			}
			v := d.value(false)
			entries = append(entries, entry{created: d, value: v})
			values = append(values, v)
		case ev.GetArchived() != nil:
			a := ev.GetArchived()
			v := archivedEventValue(a, tx.GetOffset())
			entries = append(entries, entry{archived: a, value: v})
			values = append(values, v)
		}
	}

	if hs := gen.byKind[builtins.KindTransactionStart]; len(hs) > 0 {
		ev := transactionEventValue(builtins.TransactionStartEventName, tx, values)
		if err := r.callEach(ctx, gen, hs, ev); err != nil {
			return err
		}
	}
	for _, e := range entries {
		var err error
		if e.created != nil {
			err = r.deliverCreated(ctx, gen, e.created, e.value)
		} else {
			err = r.deliverArchived(ctx, gen, e.archived, e.value)
		}
		if err != nil {
			return err
		}
	}
	if hs := gen.byKind[builtins.KindTransactionEnd]; len(hs) > 0 {
		ev := transactionEventValue(builtins.TransactionEndEventName, tx, values)
		if err := r.callEach(ctx, gen, hs, ev); err != nil {
			return err
		}
	}
	r.metrics.observeOffset(tx.GetOffset(), tx.GetEffectiveAt())
	return nil
}

func (r *Runtime) callEach(ctx context.Context, gen *generation, handlers []*handlerState, event starlark.Value) error {
	for _, hs := range handlers {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		_, _ = r.callHandler(ctx, gen, hs, starlark.Tuple{event}, false)
	}
	return nil
}

func (r *Runtime) deliverCreated(ctx context.Context, gen *generation, ev *createdEvent, value starlark.Value) error {
	for _, hs := range gen.byKind[builtins.KindContractCreated] {
		if !hs.h.Flow || !hs.h.Templates.Contains(ev.template) {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !r.matches(ctx, gen, hs, ev.cdata) {
			continue
		}
		_, _ = r.callHandler(ctx, gen, hs, starlark.Tuple{value}, false)
	}
	return nil
}

// deliverArchived calls the contract_archived handlers of the template. The
// match argument of a handler is applied to the data the contract was
// created with, and a handler with a match skips contracts whose data the
// runtime never saw.
func (r *Runtime) deliverArchived(ctx context.Context, gen *generation, ev *v2.ArchivedEvent, value starlark.Value) error {
	tid := lf.TemplateIDFromIdentifier(ev.GetTemplateId())
	info, known := r.contracts[ev.GetContractId()]
	delete(r.contracts, ev.GetContractId())
	var cdata starlark.Value
	for _, hs := range gen.byKind[builtins.KindContractArchived] {
		if !hs.h.Templates.Contains(tid) {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if hs.h.Match != nil {
			if !known {
				continue
			}
			if cdata == nil {
				data, err := r.decodeArgs(ctx, tid, info.args)
				if err != nil {
					r.handlerFailed(hs, fmt.Errorf("decode archived contract %s: %w", ev.GetContractId(), err))
					continue
				}
				cdata = data
			}
			if !r.matches(ctx, gen, hs, cdata) {
				continue
			}
		}
		_, _ = r.callHandler(ctx, gen, hs, starlark.Tuple{value}, false)
	}
	return nil
}
