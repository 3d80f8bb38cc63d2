package sandbox

import (
	"context"
	"slices"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

type commandService struct {
	v2.UnimplementedCommandServiceServer
	l *Ledger
}

func (s commandService) SubmitAndWait(ctx context.Context, req *v2.SubmitAndWaitRequest) (*v2.SubmitAndWaitResponse, error) {
	tx, err := s.l.submitLogged(ctx, req.GetCommands())
	if err != nil {
		return nil, err
	}
	return &v2.SubmitAndWaitResponse{UpdateId: tx.updateID, CompletionOffset: tx.offset}, nil
}

// SubmitAndWaitForTransaction submits and returns the transaction. Without
// a transaction_format it shows the ACS delta, every template, to the
// submitting parties, verbose.
func (s commandService) SubmitAndWaitForTransaction(ctx context.Context, req *v2.SubmitAndWaitForTransactionRequest) (*v2.SubmitAndWaitForTransactionResponse, error) {
	l := s.l
	tf := req.GetTransactionFormat()
	if tf == nil {
		byParty := map[string]*v2.Filters{}
		for _, p := range req.GetCommands().GetActAs() {
			if p != "" { // the submission reports the empty party itself
				byParty[p] = &v2.Filters{}
			}
		}
		tf = &v2.TransactionFormat{
			EventFormat:      &v2.EventFormat{FiltersByParty: byParty, Verbose: true},
			TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_ACS_DELTA,
		}
	}
	var f *eventFilter
	var shape v2.TransactionShape
	var err error
	if len(tf.GetEventFormat().GetFiltersByParty()) > 0 || req.GetTransactionFormat() != nil {
		l.mu.RLock()
		f, shape, err = l.transactionFormat("transaction_format", tf)
		l.mu.RUnlock()
		if err != nil {
			return nil, err
		}
		if err := l.requireRead(ctx, f); err != nil {
			return nil, err
		}
	}

	tx, err := l.submitLogged(ctx, req.GetCommands())
	if err != nil {
		return nil, err
	}

	view := l.transactionView(tx, f, shape)
	if view == nil {
		view = &v2.Transaction{
			UpdateId:       tx.updateID,
			CommandId:      tx.commandID,
			WorkflowId:     tx.workflowID,
			EffectiveAt:    timestamppb.New(tx.effectiveAt),
			Offset:         tx.offset,
			SynchronizerId: l.synchronizerID(),
			RecordTime:     timestamppb.New(tx.recordTime),
		}
	}
	return &v2.SubmitAndWaitForTransactionResponse{Transaction: view}, nil
}

// submitLogged submits and logs the outcome with the command's ids.
func (l *Ledger) submitLogged(ctx context.Context, cmds *v2.Commands) (*transaction, error) {
	tx, err := l.submit(cmds, authUser(ctx))
	if err != nil {
		l.log.Info("command rejected", "command_id", cmds.GetCommandId(), "user_id", cmds.GetUserId(), "act_as", cmds.GetActAs(), "error", err)
		return nil, err
	}
	l.log.Debug("transaction committed", "command_id", tx.commandID, "update_id", tx.updateID, "offset", tx.offset)
	return tx, nil
}

type commandSubmissionService struct {
	v2.UnimplementedCommandSubmissionServiceServer
	l *Ledger
}

// Submit runs the commands at once. A rejection is the call's error, as
// Canton reports errors found before sequencing, and adds no completion;
// an accepted submission's completion is on CompletionStream.
func (s commandSubmissionService) Submit(ctx context.Context, req *v2.SubmitRequest) (*v2.SubmitResponse, error) {
	if _, err := s.l.submitLogged(ctx, req.GetCommands()); err != nil {
		return nil, err
	}
	return &v2.SubmitResponse{}, nil
}

type commandCompletionService struct {
	v2.UnimplementedCommandCompletionServiceServer
	l *Ledger
}

// CompletionStream streams the completions of the user's submissions that
// act as one of the requested parties, after begin_exclusive.
func (s commandCompletionService) CompletionStream(req *v2.CompletionStreamRequest, stream v2.CommandCompletionService_CompletionStreamServer) error {
	l := s.l
	ctx := stream.Context()
	userID := req.GetUserId()
	if u := authUser(ctx); u != nil {
		if userID == "" {
			userID = u.id
		}
		r := l.rightsOf(u)
		if userID != u.id && !r.admin {
			return newf(errPermissionDenied, "user %q may not read the completions of user %q", u.id, userID)
		}
		for _, p := range req.GetParties() {
			if !r.admin && !r.canReadAs(p) {
				return newf(errPermissionDenied, "user %q may not read as %s", u.id, p)
			}
		}
	}
	if userID == "" {
		return newf(errMissingField, "the user_id field is missing")
	}
	if len(req.GetParties()) == 0 {
		return newf(errMissingField, "the parties field is empty: name the submitting parties to follow")
	}

	l.mu.RLock()
	err := l.checkOffset("begin_exclusive", req.GetBeginExclusive())
	l.mu.RUnlock()
	if err != nil {
		return err
	}

	lastSent := req.GetBeginExclusive()
	send := func(tx *transaction) error {
		if tx.userID != userID || !slices.ContainsFunc(tx.actAs, func(p string) bool { return slices.Contains(req.GetParties(), p) }) {
			return nil
		}
		lastSent = tx.offset
		return stream.Send(&v2.CompletionStreamResponse{CompletionResponse: &v2.CompletionStreamResponse_Completion{Completion: completion(tx, l.synchronizerID())}})
	}
	checkpoint := func(end int64) error {
		if end <= lastSent {
			return nil
		}
		lastSent = end
		return stream.Send(&v2.CompletionStreamResponse{CompletionResponse: &v2.CompletionStreamResponse_OffsetCheckpoint{OffsetCheckpoint: l.checkpoint(end)}})
	}
	return streamEnd(ctx, l.follow(ctx, req.GetBeginExclusive(), nil, send, checkpoint))
}

func completion(tx *transaction, synchronizerID string) *v2.Completion {
	return &v2.Completion{
		CommandId:           tx.commandID,
		Status:              &status.Status{Code: 0},
		UpdateId:            tx.updateID,
		UserId:              tx.userID,
		ActAs:               tx.actAs,
		SubmissionId:        tx.submissionID,
		DeduplicationPeriod: &v2.Completion_DeduplicationDuration{DeduplicationDuration: durationpb.New(tx.deduplication)},
		Offset:              tx.offset,
		SynchronizerTime:    &v2.SynchronizerTime{SynchronizerId: synchronizerID, RecordTime: timestamppb.New(tx.recordTime)},
	}
}
