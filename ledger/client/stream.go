package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ItemKind is the kind of an Item.
type ItemKind int

// Item kinds, in the order a Stream delivers them.
const (
	ItemActive      ItemKind = iota + 1 // a contract of the active contract set
	ItemBoundary                        // the end of the active contract set
	ItemTransaction                     // a transaction after the snapshot
	ItemCheckpoint                      // an offset checkpoint: no transaction for the filter up to Offset
)

func (k ItemKind) String() string {
	switch k {
	case ItemActive:
		return "active"
	case ItemBoundary:
		return "boundary"
	case ItemTransaction:
		return "transaction"
	case ItemCheckpoint:
		return "checkpoint"
	}
	return fmt.Sprintf("ItemKind(%d)", int(k))
}

// Item is one element of the sequence a Stream delivers.
type Item struct {
	Kind        ItemKind
	Created     *v2.CreatedEvent // for ItemActive
	Transaction *v2.Transaction  // for ItemTransaction
	// Offset is the snapshot offset for ItemActive and ItemBoundary, the
	// transaction's offset for ItemTransaction and the checkpoint's offset
	// for ItemCheckpoint.
	Offset int64
}

// Stream reads the ledger end, the active contract set at that offset (one
// ItemActive each), one ItemBoundary, and then the transactions and offset
// checkpoints that follow, calling fn once per item, in order and never
// concurrently. After a failed call it reconnects with capped exponential
// backoff: while reading the snapshot it reads the same offset again and
// skips the contracts already delivered, and afterwards it resumes after the
// last delivered offset, so no item is delivered twice or skipped.
//
// Stream returns ctx.Err() when ctx ends, ErrClosed when the client is
// closed, and fn's error when fn fails. It also returns when the participant
// rejects the request in a way a retry cannot fix: an invalid filter,
// permission denied or a pruned offset.
func (c *Client) Stream(ctx context.Context, f Filter, fn func(Item) error) error {
	format, err := c.eventFormat(f)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(c.closing, cancel)
	defer stop()

	s := &subscription{c: c, format: format, fn: fn, snapshot: -1, seen: map[string]struct{}{}}
	failures := 0
	for {
		progressed, err := s.run(ctx)
		if err == nil {
			err = errors.New("the update stream ended")
		}
		if ctx.Err() != nil {
			if c.closing.Err() != nil {
				return ErrClosed
			}
			return ctx.Err()
		}
		var fnErr *handlerError
		if errors.As(err, &fnErr) {
			return fnErr.err
		}
		if permanentStreamError(err) {
			pruned := s.snapshot
			if !s.restartSnapshot(err) {
				return fmt.Errorf("read ledger updates after offset %d: %w", s.resumeOffset(), err)
			}
			c.log.Warn("ledger snapshot offset is no longer readable; reading a new snapshot",
				"offset", pruned, "error", err)
		}
		if progressed {
			failures = 0
		}
		delay := jittered(c.backoff.Delay(failures))
		failures++
		c.log.Warn("ledger stream failed; reconnecting", "phase", s.phase(), "offset", s.resumeOffset(),
			"attempt", failures, "retry_in", delay, "error", err)
		if !sleep(ctx, delay) {
			if c.closing.Err() != nil {
				return ErrClosed
			}
			return ctx.Err()
		}
	}
}

// subscription is the resumption state of one Stream.
type subscription struct {
	c      *Client
	format *v2.EventFormat
	fn     func(Item) error

	snapshot int64               // the snapshot offset; -1 until read
	seen     map[string]struct{} // contract ids delivered from the snapshot; nil after the boundary
	resume   int64               // the last delivered offset, once streaming
}

// handlerError wraps an error of the Stream callback so that the retry loop
// can tell it from a ledger failure.
type handlerError struct{ err error }

func (e *handlerError) Error() string { return e.err.Error() }

// restartSnapshot forgets the snapshot offset after the participant
// rejected it as pruned (PARTICIPANT_PRUNED_DATA_ACCESSED), when no contract
// of it was delivered yet, and reports whether it did. Later failures cannot
// restart, because the consumer already has items of the old snapshot.
func (s *subscription) restartSnapshot(err error) bool {
	if s.seen == nil || len(s.seen) > 0 || ErrorID(err) != "PARTICIPANT_PRUNED_DATA_ACCESSED" {
		return false
	}
	s.snapshot = -1
	return true
}

func (s *subscription) phase() string {
	if s.seen != nil {
		return "snapshot"
	}
	return "updates"
}

func (s *subscription) resumeOffset() int64 {
	if s.seen != nil {
		return s.snapshot
	}
	return s.resume
}

func (s *subscription) deliver(it Item) error {
	if err := s.fn(it); err != nil {
		return &handlerError{err}
	}
	return nil
}

// run reads until the first failure and reports whether it delivered or
// received anything, which resets the backoff.
func (s *subscription) run(ctx context.Context) (progressed bool, err error) {
	if s.seen != nil {
		progressed, err = s.readSnapshot(ctx)
		if err != nil {
			return progressed, err
		}
	}
	more, err := s.readUpdates(ctx)
	return progressed || more, err
}

func (s *subscription) readSnapshot(ctx context.Context) (bool, error) {
	if s.snapshot < 0 {
		end, err := s.c.state.GetLedgerEnd(ctx, &v2.GetLedgerEndRequest{})
		if err != nil {
			return false, fmt.Errorf("read the ledger end: %w", err)
		}
		if end.GetOffset() < 0 {
			return false, fmt.Errorf("read the ledger end: %w: offset %d is negative", errInvalidResponse, end.GetOffset())
		}
		s.snapshot = end.GetOffset()
	}
	progressed := false
	if s.snapshot > 0 {
		// Offset 0 is before the first transaction, so nothing is active
		// there and the call is skipped.
		acs, err := s.c.state.GetActiveContracts(ctx, &v2.GetActiveContractsRequest{
			ActiveAtOffset: s.snapshot,
			EventFormat:    s.format,
		})
		if err != nil {
			return false, fmt.Errorf("read the active contracts at offset %d: %w", s.snapshot, err)
		}
		for {
			resp, err := acs.Recv()
			if err == io.EOF {
				break
			}
			if err != nil {
				return progressed, fmt.Errorf("read the active contracts at offset %d: %w", s.snapshot, err)
			}
			progressed = true
			// NOTE: contracts in reassignment between synchronizers
			// (IncompleteAssigned, IncompleteUnassigned) are not delivered.
			ev := resp.GetActiveContract().GetCreatedEvent()
			if ev == nil {
				continue
			}
			if _, dup := s.seen[ev.GetContractId()]; dup {
				continue
			}
			s.c.ensurePackages(ctx, ev.GetTemplateId())
			if err := s.deliver(Item{Kind: ItemActive, Created: ev, Offset: s.snapshot}); err != nil {
				return progressed, err
			}
			s.seen[ev.GetContractId()] = struct{}{}
		}
	}
	if err := s.deliver(Item{Kind: ItemBoundary, Offset: s.snapshot}); err != nil {
		return progressed, err
	}
	s.seen = nil
	s.resume = s.snapshot
	return true, nil
}

func (s *subscription) readUpdates(ctx context.Context) (bool, error) {
	stream, err := s.c.updates.GetUpdates(ctx, &v2.GetUpdatesRequest{
		BeginExclusive: s.resume,
		UpdateFormat: &v2.UpdateFormat{IncludeTransactions: &v2.TransactionFormat{
			EventFormat:      s.format,
			TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_ACS_DELTA,
		}},
	})
	if err != nil {
		return false, fmt.Errorf("subscribe to updates: %w", err)
	}
	progressed := false
	for {
		resp, err := stream.Recv()
		if err != nil {
			return progressed, err
		}
		progressed = true
		switch u := resp.GetUpdate().(type) {
		case *v2.GetUpdatesResponse_Transaction:
			tx := u.Transaction
			if tx.GetOffset() <= s.resume {
				// Participants send only offsets after begin_exclusive. The
				// check keeps delivery exactly-once even if one did not.
				continue
			}
			for _, ev := range tx.GetEvents() {
				if cr := ev.GetCreated(); cr != nil {
					s.c.ensurePackages(ctx, cr.GetTemplateId())
				}
			}
			if err := s.deliver(Item{Kind: ItemTransaction, Transaction: tx, Offset: tx.GetOffset()}); err != nil {
				return progressed, err
			}
			s.resume = tx.GetOffset()
		case *v2.GetUpdatesResponse_OffsetCheckpoint:
			off := u.OffsetCheckpoint.GetOffset()
			if off <= s.resume {
				continue
			}
			if err := s.deliver(Item{Kind: ItemCheckpoint, Offset: off}); err != nil {
				return progressed, err
			}
			s.resume = off
		}
	}
}

// errInvalidResponse marks a response that breaks the Ledger API contract.
// Reconnecting to the same participant is not expected to fix it.
var errInvalidResponse = errors.New("invalid response from the participant")

// permanentStreamError reports whether reconnecting cannot help.
// UNAUTHENTICATED is retried because a token file may be replaced.
func permanentStreamError(err error) bool {
	if errors.Is(err, errInvalidResponse) {
		return true
	}
	switch status.Code(err) {
	case codes.InvalidArgument, codes.NotFound, codes.PermissionDenied, codes.Unimplemented:
		return true
	case codes.FailedPrecondition, codes.OutOfRange:
		// Pruned offsets (PARTICIPANT_PRUNED_DATA_ACCESSED) and offsets
		// beyond the ledger end cannot be read by retrying.
		ok, _ := retryable(err)
		return !ok
	}
	return false
}

// sleep waits for d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
