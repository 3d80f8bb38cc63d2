package client

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestErrorID(t *testing.T) {
	tests := map[error]string{
		status.Error(codes.AlreadyExists, "DUPLICATE_COMMAND(10,abc): A command with the given command id has already been successfully processed"): "DUPLICATE_COMMAND",
		status.Error(codes.Aborted, "SUBMISSION_ALREADY_IN_FLIGHT: in flight"):                                                                      "SUBMISSION_ALREADY_IN_FLIGHT",
		status.Error(codes.Unavailable, "connection refused"):                                                                                       "",
		errors.New("plain"): "",
		fmt.Errorf("wrapped: %w", status.Error(codes.NotFound, "CONTRACT_NOT_FOUND(11,x): gone")): "CONTRACT_NOT_FOUND",
	}
	for err, want := range tests {
		if got := ErrorID(err); got != want {
			t.Errorf("ErrorID(%v) = %q, want %q", err, got, want)
		}
	}
}

func TestRetryable(t *testing.T) {
	withRetryInfo, err := status.New(codes.FailedPrecondition, "NO_SYNCHRONIZER_AVAILABLE: try later").
		WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(3 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		err   error
		ok    bool
		delay time.Duration
	}{
		{status.Error(codes.Unavailable, "down"), true, 0},
		{status.Error(codes.DeadlineExceeded, "REQUEST_TIME_OUT"), true, 0},
		{status.Error(codes.Aborted, "SUBMISSION_ALREADY_IN_FLIGHT"), true, 0},
		{status.Error(codes.ResourceExhausted, "PARTICIPANT_BACKPRESSURE"), true, 0},
		{withRetryInfo.Err(), true, 3 * time.Second},
		{status.Error(codes.FailedPrecondition, "DAML_INTERPRETATION_ERROR: assertion failed"), false, 0},
		{status.Error(codes.InvalidArgument, "COMMAND_PREPROCESSING_FAILED"), false, 0},
		{status.Error(codes.AlreadyExists, "DUPLICATE_COMMAND"), false, 0},
		{errors.New("not a status"), false, 0},
	}
	for _, tt := range tests {
		ok, delay := retryable(tt.err)
		if ok != tt.ok {
			t.Errorf("retryable(%v) = %v, want %v", tt.err, ok, tt.ok)
		}
		if delay != tt.delay {
			t.Errorf("retryable(%v) delay = %v, want %v", tt.err, delay, tt.delay)
		}
	}
}

func TestSubmitErrorAs(t *testing.T) {
	inner := status.Error(codes.NotFound, "CONTRACT_NOT_FOUND: gone")
	var err error = fmt.Errorf("handler: %w", &SubmitError{Code: codes.NotFound, CommandID: "c1", Err: inner})
	var se *SubmitError
	if !errors.As(err, &se) {
		t.Fatal("errors.As found no *SubmitError")
	}
	if se.CommandID != "c1" {
		t.Errorf("CommandID = %q", se.CommandID)
	}
	if status.Code(err) != codes.NotFound {
		t.Errorf("status.Code through the wrap = %v, want NotFound", status.Code(err))
	}
}
