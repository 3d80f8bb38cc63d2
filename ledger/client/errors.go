package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// SubmitError is a submission that failed for good: the participant rejected
// it, or it kept failing transiently until the submission's timeout.
type SubmitError struct {
	Code      codes.Code // the gRPC status code of the last attempt
	CommandID string
	Err       error // the last attempt's error
}

func (e *SubmitError) Error() string {
	return fmt.Sprintf("submit command %s: %v", e.CommandID, e.Err)
}

func (e *SubmitError) Unwrap() error { return e.Err }

// ErrorID returns the upper-snake error id that participants put at the
// start of a status message ("DUPLICATE_COMMAND(10,abc): ..."), or "".
func ErrorID(err error) string {
	var se interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &se) {
		return ""
	}
	msg := se.GRPCStatus().Message()
	end := strings.IndexAny(msg, "(: ")
	if end <= 0 {
		return ""
	}
	for _, r := range msg[:end] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' {
			return ""
		}
	}
	return msg[:end]
}

// retryable reports whether a failed call may succeed when repeated, and
// the delay the participant asked for, if any. UNAVAILABLE,
// DEADLINE_EXCEEDED, ABORTED (contention, a submission still in flight) and
// RESOURCE_EXHAUSTED (back pressure) are transient. Canton marks the
// retryable cases of other codes, FAILED_PRECONDITION among them, with a
// google.rpc.RetryInfo detail.
func retryable(err error) (bool, time.Duration) {
	s, ok := status.FromError(err)
	if !ok {
		return false, 0
	}
	var delay time.Duration
	hasRetryInfo := false
	for _, d := range s.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			hasRetryInfo = true
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	switch s.Code() {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Aborted, codes.ResourceExhausted:
		return true, delay
	}
	return hasRetryInfo, delay
}

// ctxError returns the context error that err is or wraps, as a gRPC
// status or a plain error, or nil.
func ctxError(err error) error {
	switch {
	case errors.Is(err, context.Canceled), status.Code(err) == codes.Canceled:
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	return nil
}
