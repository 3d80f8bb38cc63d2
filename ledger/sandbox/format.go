package sandbox

import (
	"slices"
	"sort"
	"strings"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ditstar/ditstar/ledger/lf"
)

// eventFilter is a validated EventFormat: the events each party receives.
type eventFilter struct {
	byParty  map[string]*partyFilter
	anyParty *partyFilter // nil unless filters_for_any_party is set
	verbose  bool
}

// partyFilter is the union of the cumulative filters of one party.
type partyFilter struct {
	wildcard   bool
	templates  []*v2.Identifier
	interfaces []*v2.Identifier // resolved to package ids
}

// newEventFilter validates an EventFormat. Template and interface filters
// must name loaded templates unless the ledger is schemaless and the
// package is unknown. The caller holds l.mu.
func (l *Ledger) newEventFilter(field string, ef *v2.EventFormat) (*eventFilter, error) {
	if ef == nil {
		return nil, newf(errMissingField, "the %s field is missing", field)
	}
	if len(ef.GetFiltersByParty()) == 0 && ef.GetFiltersForAnyParty() == nil {
		return nil, newf(errInvalidArgument, "%s selects no party: set filters_by_party or filters_for_any_party", field)
	}
	f := &eventFilter{byParty: map[string]*partyFilter{}, verbose: ef.GetVerbose()}
	for p, filters := range ef.GetFiltersByParty() {
		if p == "" {
			return nil, newf(errInvalidField, "%s.filters_by_party has an empty party", field)
		}
		pf, err := l.newPartyFilter(field+".filters_by_party["+p+"]", filters)
		if err != nil {
			return nil, err
		}
		f.byParty[p] = pf
	}
	if any := ef.GetFiltersForAnyParty(); any != nil {
		pf, err := l.newPartyFilter(field+".filters_for_any_party", any)
		if err != nil {
			return nil, err
		}
		f.anyParty = pf
	}
	return f, nil
}

func (l *Ledger) newPartyFilter(field string, filters *v2.Filters) (*partyFilter, error) {
	pf := &partyFilter{}
	if len(filters.GetCumulative()) == 0 {
		pf.wildcard = true
	}
	for i, c := range filters.GetCumulative() {
		switch f := c.GetIdentifierFilter().(type) {
		case *v2.CumulativeFilter_WildcardFilter:
			pf.wildcard = true
		case *v2.CumulativeFilter_TemplateFilter:
			id := f.TemplateFilter.GetTemplateId()
			if _, err := l.resolveTemplate(field+".template_filter.template_id", id); err != nil {
				return nil, err
			}
			pf.templates = append(pf.templates, cloneIdentifier(id))
		case *v2.CumulativeFilter_InterfaceFilter:
			id := f.InterfaceFilter.GetInterfaceId()
			iface, ok := l.packages.catalog.Interface(lf.TemplateIDFromIdentifier(id))
			if !ok {
				return nil, newf(errTemplateNotFound, "%s.interface_filter: interface %s is not defined in the loaded packages", field, lf.TemplateIDFromIdentifier(id))
			}
			// TODO: compute interface views, which are Daml-LF code. Until
			// then include_interface_view is accepted and no view is sent.
			pf.interfaces = append(pf.interfaces, iface.ID.Identifier())
		default:
			return nil, newf(errInvalidField, "%s.cumulative[%d] is empty: set a wildcard, template or interface filter", field, i)
		}
	}
	return pf, nil
}

func (pf *partyFilter) matches(k *contract) bool {
	if pf.wildcard {
		return true
	}
	for _, t := range pf.templates {
		if sameTemplate(t, k) {
			return true
		}
	}
	for _, i := range pf.interfaces {
		for _, impl := range k.interfaces {
			if sameIdentifier(i, impl) {
				return true
			}
		}
	}
	return false
}

func sameIdentifier(a, b *v2.Identifier) bool {
	return a.GetPackageId() == b.GetPackageId() && a.GetModuleName() == b.GetModuleName() && a.GetEntityName() == b.GetEntityName()
}

// witnesses returns the parties among candidates that see an event on k
// under the filter, sorted.
func (f *eventFilter) witnesses(k *contract, candidates []string) []string {
	var out []string
	if f.anyParty != nil && f.anyParty.matches(k) {
		return slices.Clone(candidates)
	}
	for _, p := range candidates {
		if pf := f.byParty[p]; pf != nil && pf.matches(k) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// readsAny reports whether the filter reads as one of the parties.
func (f *eventFilter) readsAny(parties []string) bool {
	if f.anyParty != nil {
		return true
	}
	for _, p := range parties {
		if f.byParty[p] != nil {
			return true
		}
	}
	return false
}

func (f *eventFilter) record(r *v2.Record) *v2.Record {
	if f.verbose {
		return r
	}
	return stripRecord(r)
}

func (f *eventFilter) value(v *v2.Value) *v2.Value {
	if f.verbose {
		return v
	}
	return stripValue(v)
}

func (f *eventFilter) createdEvent(k *contract, witnesses []string, acsDelta bool) *v2.CreatedEvent {
	return &v2.CreatedEvent{
		Offset:          k.createdAt,
		NodeId:          k.nodeID,
		ContractId:      k.id,
		TemplateId:      k.templateID,
		ContractKey:     f.value(k.key),
		CreateArguments: f.record(k.arguments),
		WitnessParties:  witnesses,
		Signatories:     k.signatories,
		Observers:       k.observers,
		CreatedAt:       timestamppb.New(k.createdTime),
		PackageName:     k.packageName,
		AcsDelta:        acsDelta,
	}
}

// transactionView returns tx as the filter and shape show it, or nil when
// no event of tx passes the filter.
func (l *Ledger) transactionView(tx *transaction, f *eventFilter, shape v2.TransactionShape) *v2.Transaction {
	var events []*v2.Event
	for _, n := range tx.nodes {
		k := n.contract
		switch {
		case !n.exercise && (shape == v2.TransactionShape_TRANSACTION_SHAPE_LEDGER_EFFECTS || !n.transient):
			if w := f.witnesses(k, k.stakeholders); len(w) > 0 {
				events = append(events, &v2.Event{Event: &v2.Event_Created{Created: f.createdEvent(k, w, !n.transient)}})
			}
		case n.exercise && shape == v2.TransactionShape_TRANSACTION_SHAPE_LEDGER_EFFECTS:
			if w := f.witnesses(k, n.witnesses); len(w) > 0 {
				events = append(events, &v2.Event{Event: &v2.Event_Exercised{Exercised: &v2.ExercisedEvent{
					Offset:                tx.offset,
					NodeId:                n.id,
					ContractId:            k.id,
					TemplateId:            k.templateID,
					InterfaceId:           n.interfaceID,
					Choice:                n.choice,
					ChoiceArgument:        f.value(n.choiceArgument),
					ActingParties:         n.actingParties,
					Consuming:             n.consuming,
					WitnessParties:        w,
					LastDescendantNodeId:  n.id,
					ExerciseResult:        f.value(n.result),
					PackageName:           k.packageName,
					ImplementedInterfaces: k.interfaces,
					AcsDelta:              n.consuming && !n.createdInTransaction,
				}}})
			}
		case n.exercise && n.consuming && !n.createdInTransaction:
			if w := f.witnesses(k, k.stakeholders); len(w) > 0 {
				events = append(events, &v2.Event{Event: &v2.Event_Archived{Archived: &v2.ArchivedEvent{
					Offset:                tx.offset,
					NodeId:                n.id,
					ContractId:            k.id,
					TemplateId:            k.templateID,
					WitnessParties:        w,
					PackageName:           k.packageName,
					ImplementedInterfaces: k.interfaces,
				}}})
			}
		}
	}
	if len(events) == 0 {
		return nil
	}
	out := &v2.Transaction{
		UpdateId:       tx.updateID,
		WorkflowId:     tx.workflowID,
		EffectiveAt:    timestamppb.New(tx.effectiveAt),
		Events:         events,
		Offset:         tx.offset,
		SynchronizerId: l.synchronizerID(),
		RecordTime:     timestamppb.New(tx.recordTime),
	}
	// As on Canton, only readers of a submitting party learn the command id.
	if f.readsAny(tx.actAs) {
		out.CommandId = tx.commandID
	}
	return out
}

// synchronizerID names the one synchronizer this participant is connected to.
func (l *Ledger) synchronizerID() string {
	return strings.ReplaceAll(l.participantID, "::", "-") + "-synchronizer::" + l.namespace
}

// transactionFormat validates a TransactionFormat. The caller holds l.mu.
func (l *Ledger) transactionFormat(field string, tf *v2.TransactionFormat) (*eventFilter, v2.TransactionShape, error) {
	if tf == nil {
		return nil, 0, newf(errMissingField, "the %s field is missing", field)
	}
	shape := tf.GetTransactionShape()
	if shape != v2.TransactionShape_TRANSACTION_SHAPE_ACS_DELTA && shape != v2.TransactionShape_TRANSACTION_SHAPE_LEDGER_EFFECTS {
		return nil, 0, newf(errInvalidField, "%s.transaction_shape is %s: set ACS_DELTA or LEDGER_EFFECTS", field, shape)
	}
	f, err := l.newEventFilter(field+".event_format", tf.GetEventFormat())
	if err != nil {
		return nil, 0, err
	}
	return f, shape, nil
}
