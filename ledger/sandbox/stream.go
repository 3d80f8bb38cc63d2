package sandbox

import (
	"context"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// follow calls send with every transaction after begin, in offset order,
// until the context ends, the ledger stops, send fails or the transaction
// at endInclusive (when set) was passed. It calls caughtUp with the ledger
// end whenever it has passed every committed transaction.
//
// Streams read the shared, append-only transaction log and hold Ledger.mu
// only to take a batch, never while sending, so a slow subscriber keeps no
// copy of the ledger and does not delay submissions. A subscriber
// that falls more than l.streamBuffer transactions behind the transactions
// committed after it subscribed is cut off with ABORTED, naming the offset
// to resume from.
func (l *Ledger) follow(ctx context.Context, begin int64, endInclusive *int64, send func(*transaction) error, caughtUp func(end int64) error) error {
	l.mu.RLock()
	liveFrom := int64(len(l.txs))
	l.mu.RUnlock()
	pos := begin
	for {
		l.mu.RLock()
		end := int64(len(l.txs))
		if endInclusive != nil && *endInclusive < end {
			end = *endInclusive
		}
		batch := l.txs[pos:end]
		wake := l.wake
		l.mu.RUnlock()

		for _, tx := range batch {
			if lag := l.end.Load() - max(pos, liveFrom); lag > int64(l.streamBuffer) {
				l.log.Info("slow stream subscriber cut off", "offset", pos, "lag", lag)
				return ledgerError(errSubscriberTooSlow, "", map[string]string{"offset": itoa(pos)},
					"the subscriber fell %d transactions behind the ledger end, more than the %d allowed; resubscribe with begin_exclusive set to the offset of the last update received (the server sent up to offset %d)",
					lag, l.streamBuffer, pos)
			}
			if err := send(tx); err != nil {
				return err
			}
			pos = tx.offset
		}
		if endInclusive != nil && pos >= *endInclusive {
			return nil
		}
		if err := caughtUp(pos); err != nil {
			return err
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		case <-l.stopped:
			return newf(errShuttingDown, "the ledger is stopping; resubscribe with begin_exclusive %d after it restarts", pos)
		}
	}
}

// checkOffset rejects an offset that is negative or after the ledger end.
// The caller holds l.mu.
func (l *Ledger) checkOffset(field string, offset int64) error {
	if offset < 0 {
		return newf(errInvalidField, "%s is %d: offsets are not negative", field, offset)
	}
	if end := int64(len(l.txs)); offset > end {
		return ledgerError(errOffsetAfterEnd, "", map[string]string{"ledger_end": itoa(end)},
			"%s %d is after the ledger end %d", field, offset, end)
	}
	return nil
}

type stateService struct {
	v2.UnimplementedStateServiceServer
	l *Ledger
}

func (s stateService) GetLedgerEnd(context.Context, *v2.GetLedgerEndRequest) (*v2.GetLedgerEndResponse, error) {
	return &v2.GetLedgerEndResponse{Offset: s.l.end.Load()}, nil
}

func (s stateService) GetLatestPrunedOffsets(context.Context, *v2.GetLatestPrunedOffsetsRequest) (*v2.GetLatestPrunedOffsetsResponse, error) {
	return &v2.GetLatestPrunedOffsetsResponse{}, nil
}

func (s stateService) GetConnectedSynchronizers(context.Context, *v2.GetConnectedSynchronizersRequest) (*v2.GetConnectedSynchronizersResponse, error) {
	return &v2.GetConnectedSynchronizersResponse{ConnectedSynchronizers: []*v2.GetConnectedSynchronizersResponse_ConnectedSynchronizer{{
		SynchronizerAlias: "sandbox",
		SynchronizerId:    s.l.synchronizerID(),
		Permission:        v2.ParticipantPermission_PARTICIPANT_PERMISSION_SUBMISSION,
	}}}, nil
}

// GetActiveContracts sends the contracts active at active_at_offset that
// the event format shows, in creation order. Offset 0 is before the first
// transaction, so nothing is active there.
func (s stateService) GetActiveContracts(req *v2.GetActiveContractsRequest, stream v2.StateService_GetActiveContractsServer) error {
	l := s.l
	offset := req.GetActiveAtOffset()
	l.mu.RLock()
	f, err := l.newEventFilter("event_format", req.GetEventFormat())
	if err == nil {
		err = l.checkOffset("active_at_offset", offset)
	}
	var active []*contract
	if err == nil {
		for _, k := range l.contracts {
			if k.createdAt > offset {
				break
			}
			if k.activeAt(offset) {
				active = append(active, k)
			}
		}
	}
	l.mu.RUnlock()
	if err != nil {
		return err
	}
	if err := l.requireRead(stream.Context(), f); err != nil {
		return err
	}

	for _, k := range active {
		w := f.witnesses(k, k.stakeholders)
		if len(w) == 0 {
			continue
		}
		resp := &v2.GetActiveContractsResponse{
			WorkflowId: k.workflowID,
			ContractEntry: &v2.GetActiveContractsResponse_ActiveContract{ActiveContract: &v2.ActiveContract{
				CreatedEvent:   f.createdEvent(k, w, true),
				SynchronizerId: l.synchronizerID(),
			}},
		}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
	return nil
}

type updateService struct {
	v2.UnimplementedUpdateServiceServer
	l *Ledger
}

// GetUpdates streams the transactions after begin_exclusive that the
// format shows. After catching up with the ledger end it sends an offset
// checkpoint whenever transactions were skipped since the last update, so
// that the client can resume from the end.
func (s updateService) GetUpdates(req *v2.GetUpdatesRequest, stream v2.UpdateService_GetUpdatesServer) error {
	l := s.l
	l.mu.RLock()
	err := l.checkOffset("begin_exclusive", req.GetBeginExclusive())
	if err == nil && req.EndInclusive != nil {
		err = l.checkOffset("end_inclusive", req.GetEndInclusive())
		if err == nil && req.GetEndInclusive() < req.GetBeginExclusive() {
			err = newf(errInvalidField, "end_inclusive %d is before begin_exclusive %d", req.GetEndInclusive(), req.GetBeginExclusive())
		}
	}
	var f *eventFilter
	var shape v2.TransactionShape
	if err == nil {
		if req.GetUpdateFormat() == nil {
			err = newf(errMissingField, "the update_format field is missing")
		} else if tf := req.GetUpdateFormat().GetIncludeTransactions(); tf != nil {
			f, shape, err = l.transactionFormat("update_format.include_transactions", tf)
		}
	}
	l.mu.RUnlock()
	if err != nil {
		return err
	}

	if f != nil {
		if err := l.requireRead(stream.Context(), f); err != nil {
			return err
		}
	}

	ctx := stream.Context()
	lastSent := req.GetBeginExclusive()
	send := func(tx *transaction) error {
		if f == nil {
			return nil
		}
		view := l.transactionView(tx, f, shape)
		if view == nil {
			return nil
		}
		lastSent = tx.offset
		return stream.Send(&v2.GetUpdatesResponse{Update: &v2.GetUpdatesResponse_Transaction{Transaction: view}})
	}
	checkpoint := func(end int64) error {
		if end <= lastSent {
			return nil
		}
		lastSent = end
		return stream.Send(&v2.GetUpdatesResponse{Update: &v2.GetUpdatesResponse_OffsetCheckpoint{OffsetCheckpoint: l.checkpoint(end)}})
	}
	err = l.follow(ctx, req.GetBeginExclusive(), req.EndInclusive, send, checkpoint)
	if err == nil && req.EndInclusive != nil {
		err = checkpoint(req.GetEndInclusive())
	}
	return streamEnd(stream.Context(), err)
}

// streamEnd turns the end of a stream's context into no error, since the
// client went away.
func streamEnd(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return nil
	}
	return err
}

func (l *Ledger) checkpoint(offset int64) *v2.OffsetCheckpoint {
	var at *timestamppb.Timestamp
	l.mu.RLock()
	if offset > 0 && offset <= int64(len(l.txs)) {
		at = timestamppb.New(l.txs[offset-1].recordTime)
	}
	l.mu.RUnlock()
	if at == nil {
		at = timestamppb.New(l.clock.Now())
	}
	return &v2.OffsetCheckpoint{Offset: offset, SynchronizerTimes: []*v2.SynchronizerTime{{SynchronizerId: l.synchronizerID(), RecordTime: at}}}
}

func (s updateService) GetUpdateByOffset(ctx context.Context, req *v2.GetUpdateByOffsetRequest) (*v2.GetUpdateResponse, error) {
	l := s.l
	l.mu.RLock()
	var tx *transaction
	if o := req.GetOffset(); o > 0 && o <= int64(len(l.txs)) {
		tx = l.txs[o-1]
	}
	l.mu.RUnlock()
	if tx == nil {
		return nil, newf(errUpdateNotFound, "no update at offset %d", req.GetOffset())
	}
	return s.view(ctx, tx, req.GetUpdateFormat())
}

func (s updateService) GetUpdateById(ctx context.Context, req *v2.GetUpdateByIdRequest) (*v2.GetUpdateResponse, error) {
	l := s.l
	l.mu.RLock()
	tx := l.txByID[req.GetUpdateId()]
	l.mu.RUnlock()
	if tx == nil {
		return nil, newf(errUpdateNotFound, "no update with id %q", req.GetUpdateId())
	}
	return s.view(ctx, tx, req.GetUpdateFormat())
}

// view returns one transaction as the format shows it; a transaction with no
// visible event is NOT_FOUND, as on Canton.
func (s updateService) view(ctx context.Context, tx *transaction, uf *v2.UpdateFormat) (*v2.GetUpdateResponse, error) {
	l := s.l
	if uf.GetIncludeTransactions() == nil {
		return nil, newf(errMissingField, "update_format.include_transactions is missing")
	}
	l.mu.RLock()
	f, shape, err := l.transactionFormat("update_format.include_transactions", uf.GetIncludeTransactions())
	l.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if err := l.requireRead(ctx, f); err != nil {
		return nil, err
	}
	view := l.transactionView(tx, f, shape)
	if view == nil {
		return nil, newf(errUpdateNotFound, "update %s at offset %d has no events visible to the requested parties", tx.updateID, tx.offset)
	}
	return &v2.GetUpdateResponse{Update: &v2.GetUpdateResponse_Transaction{Transaction: view}}, nil
}
