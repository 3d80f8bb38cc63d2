package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Submission is one atomic batch of commands.
type Submission struct {
	CommandID  string // empty: a fresh random id
	WorkflowID string
	Commands   []*v2.Command
	Timeout    time.Duration // bound on all attempts; 0: DefaultSubmitTimeout
}

// NewCommandID returns a fresh random command id.
func NewCommandID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Submit sends the commands with SubmitAndWaitForTransaction as the acting
// party and returns the committed transaction, in the ACS_DELTA shape and
// with the events of every contract the client reads.
//
// Transient failures are retried with backoff and the same command id until
// the timeout, each attempt with a new submission id, so the participant's
// command deduplication lets at most one attempt commit. ALREADY_EXISTS
// after a retry means an earlier attempt committed: Submit then reads that
// transaction from the update stream and returns it. Every other failure is
// a *SubmitError carrying the gRPC status code and the command id.
func (c *Client) Submit(ctx context.Context, s Submission) (*v2.Transaction, error) {
	if len(s.Commands) == 0 {
		return nil, errors.New("submit: no commands: a submission needs at least one command")
	}
	if err := c.begin(); err != nil {
		return nil, err
	}
	defer c.inflight.Done()

	if s.CommandID == "" {
		s.CommandID = NewCommandID()
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultSubmitTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	format := c.wildcardFormat()
	// startOffset is the ledger end before the first attempt, where the
	// search for an earlier attempt's transaction begins.
	startOffset := int64(-1)
	// lastErr is the previous attempt's error. cause is the latest error not
	// caused by a deadline, which explains why the submission kept failing when
	// its own deadline ends it.
	var lastErr, cause error
	// sent counts the attempts that reached SubmitAndWaitForTransaction.
	sent := 0
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			_, hint := retryable(lastErr)
			delay := max(jittered(c.backoff.Delay(attempt-1)), hint)
			c.log.Warn("ledger submission failed; retrying", "command_id", s.CommandID, "attempt", attempt,
				"retry_in", delay, "error", lastErr)
			if !sleep(ctx, delay) {
				return nil, c.timedOut(ctx, s.CommandID, cause)
			}
		}
		if startOffset < 0 {
			end, err := c.state.GetLedgerEnd(ctx, &v2.GetLedgerEndRequest{})
			if err != nil {
				cause = causeOf(err, cause)
				if ok, _ := retryable(err); ok && ctx.Err() == nil {
					lastErr = err
					continue
				}
				return nil, c.failed(ctx, s.CommandID, cause, err)
			}
			startOffset = end.GetOffset()
		}

		sent++
		resp, err := c.commands.SubmitAndWaitForTransaction(ctx, &v2.SubmitAndWaitForTransactionRequest{
			Commands: &v2.Commands{
				WorkflowId:   s.WorkflowID,
				UserId:       c.userID,
				CommandId:    s.CommandID,
				Commands:     s.Commands,
				ActAs:        c.actAs,
				ReadAs:       c.readAs,
				SubmissionId: NewCommandID(),
			},
			TransactionFormat: format,
		})
		if err == nil {
			if attempt > 0 {
				c.log.Info("ledger submission committed after retries", "command_id", s.CommandID, "attempts", attempt+1)
			}
			return resp.GetTransaction(), nil
		}
		cause = causeOf(err, cause)
		if ctx.Err() != nil {
			return nil, c.timedOut(ctx, s.CommandID, cause)
		}
		if status.Code(err) == codes.AlreadyExists && sent > 1 {
			c.log.Info("ledger submission was committed by an earlier attempt", "command_id", s.CommandID, "error", err)
			tx, ferr := c.findTransactionWithRetries(ctx, s.CommandID, startOffset, format)
			switch {
			case ferr != nil:
				return nil, &SubmitError{Code: codes.AlreadyExists, CommandID: s.CommandID,
					Err: fmt.Errorf("committed by an earlier attempt, but reading its transaction failed: %w", ferr)}
			case tx == nil:
				// The ledger has the command id from before this submission:
				// the caller reused a command id.
				return nil, &SubmitError{Code: codes.AlreadyExists, CommandID: s.CommandID,
					Err: fmt.Errorf("no transaction with this command id after offset %d, so an earlier submission used it: %w", startOffset, err)}
			}
			return tx, nil
		}
		if ok, _ := retryable(err); !ok {
			return nil, c.failed(ctx, s.CommandID, cause, err)
		}
		lastErr = err
	}
}

// causeOf returns err unless a deadline or cancellation caused it, and
// previous then.
func causeOf(err, previous error) error {
	switch status.Code(err) {
	case codes.DeadlineExceeded, codes.Canceled:
		return previous
	}
	return err
}

// failed returns the error of a submission whose attempt failed for good
// with err. When the submission's context ended, it is a timeout that names
// cause, the latest error no deadline caused.
func (c *Client) failed(ctx context.Context, commandID string, cause, err error) error {
	if ctx.Err() != nil {
		return c.timedOut(ctx, commandID, cause)
	}
	return &SubmitError{Code: status.Code(err), CommandID: commandID, Err: err}
}

// timedOut returns the error of a submission whose context ended, naming
// cause when there is one.
func (c *Client) timedOut(ctx context.Context, commandID string, cause error) error {
	code := codes.DeadlineExceeded
	if errors.Is(ctx.Err(), context.Canceled) {
		code = codes.Canceled
	}
	err := ctx.Err()
	if cause != nil {
		err = fmt.Errorf("%w; last failure: %w", ctx.Err(), cause)
	}
	return &SubmitError{Code: code, CommandID: commandID, Err: err}
}

// findTransactionWithRetries runs findTransaction until it succeeds, fails
// permanently or ctx ends.
func (c *Client) findTransactionWithRetries(ctx context.Context, commandID string, from int64, format *v2.TransactionFormat) (*v2.Transaction, error) {
	for attempt := 0; ; attempt++ {
		tx, err := c.findTransaction(ctx, commandID, from, format)
		if err == nil {
			return tx, nil
		}
		if ok, _ := retryable(err); !ok || ctx.Err() != nil {
			return nil, err
		}
		delay := jittered(c.backoff.Delay(attempt))
		c.log.Warn("reading the committed transaction failed; retrying", "command_id", commandID,
			"attempt", attempt+1, "retry_in", delay, "error", err)
		if !sleep(ctx, delay) {
			return nil, err
		}
	}
}

// findTransaction reads the transactions after offset from, up to the
// current ledger end, and returns the one with the given command id, or nil
// when there is none.
// It reads as the acting party, which submitted the command, because
// participants may hide command ids from parties that did not submit it.
func (c *Client) findTransaction(ctx context.Context, commandID string, from int64, format *v2.TransactionFormat) (*v2.Transaction, error) {
	end, err := c.state.GetLedgerEnd(ctx, &v2.GetLedgerEndRequest{})
	if err != nil {
		return nil, fmt.Errorf("read the ledger end: %w", err)
	}
	if tx, err := c.scanForCommand(ctx, commandID, from, end.GetOffset(), format); tx != nil || err != nil {
		return tx, err
	}
	// A transaction with no created or archived event for the reading
	// parties (a non-consuming choice) is absent from the ACS_DELTA stream,
	// so search the ledger effects and keep the transaction's header.
	effects := &v2.TransactionFormat{EventFormat: format.GetEventFormat(),
		TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_LEDGER_EFFECTS}
	tx, err := c.scanForCommand(ctx, commandID, from, end.GetOffset(), effects)
	if err != nil {
		return nil, err
	}
	if tx == nil {
		return nil, nil
	}
	return acsDelta(tx), nil
}

func (c *Client) scanForCommand(ctx context.Context, commandID string, from, to int64, format *v2.TransactionFormat) (*v2.Transaction, error) {
	if to <= from {
		return nil, nil
	}
	stream, err := c.updates.GetUpdates(ctx, &v2.GetUpdatesRequest{
		BeginExclusive: from,
		EndInclusive:   &to,
		UpdateFormat:   &v2.UpdateFormat{IncludeTransactions: format},
	})
	if err != nil {
		return nil, fmt.Errorf("read updates after offset %d: %w", from, err)
	}
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read updates after offset %d: %w", from, err)
		}
		if tx := resp.GetTransaction(); tx.GetCommandId() == commandID {
			return tx, nil
		}
	}
}

// acsDelta converts a transaction in the LEDGER_EFFECTS shape to the
// ACS_DELTA shape: created events that change the active contract set stay,
// consuming exercises of such contracts become archived events, and every
// other event is dropped.
func acsDelta(tx *v2.Transaction) *v2.Transaction {
	out := &v2.Transaction{
		UpdateId:       tx.GetUpdateId(),
		CommandId:      tx.GetCommandId(),
		WorkflowId:     tx.GetWorkflowId(),
		EffectiveAt:    tx.GetEffectiveAt(),
		Offset:         tx.GetOffset(),
		SynchronizerId: tx.GetSynchronizerId(),
		TraceContext:   tx.GetTraceContext(),
		RecordTime:     tx.GetRecordTime(),
	}
	for _, ev := range tx.GetEvents() {
		if cr := ev.GetCreated(); cr != nil && cr.GetAcsDelta() {
			out.Events = append(out.Events, ev)
		}
		if ex := ev.GetExercised(); ex != nil && ex.GetConsuming() && ex.GetAcsDelta() {
			out.Events = append(out.Events, &v2.Event{Event: &v2.Event_Archived{Archived: &v2.ArchivedEvent{
				Offset:                ex.GetOffset(),
				NodeId:                ex.GetNodeId(),
				ContractId:            ex.GetContractId(),
				TemplateId:            ex.GetTemplateId(),
				WitnessParties:        ex.GetWitnessParties(),
				PackageName:           ex.GetPackageName(),
				ImplementedInterfaces: ex.GetImplementedInterfaces(),
			}}})
		}
	}
	return out
}
