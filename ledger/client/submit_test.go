package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

// activeCount returns how many asset contracts with number n are active.
func activeCount(t testing.TB, c *client.Client, n int64) int {
	t.Helper()
	count := 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := errors.New("boundary")
	err := c.Stream(ctx, client.Filter{Wildcard: true}, func(it client.Item) error {
		if it.Kind == client.ItemBoundary {
			return stop
		}
		if it.Kind == client.ItemActive && fieldInt64(it.Created.GetCreateArguments(), "n") == n {
			count++
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatal(err)
	}
	return count
}

// submitRequests decodes the submissions that reached the proxy.
func submitRequests(t testing.TB, p *faultProxy) []*v2.SubmitAndWaitForTransactionRequest {
	t.Helper()
	var out []*v2.SubmitAndWaitForTransactionRequest
	for _, b := range p.requestsOf(methodSubmit) {
		req := &v2.SubmitAndWaitForTransactionRequest{}
		if err := proto.Unmarshal(b, req); err != nil {
			t.Fatal(err)
		}
		out = append(out, req)
	}
	return out
}

// checkSameCommand checks that every attempt used the same command id and
// a different submission id.
func checkSameCommand(t testing.TB, reqs []*v2.SubmitAndWaitForTransactionRequest, commandID string) {
	t.Helper()
	seen := map[string]bool{}
	for i, r := range reqs {
		if got := r.GetCommands().GetCommandId(); got != commandID {
			t.Errorf("attempt %d command id = %q, want %q", i, got, commandID)
		}
		sid := r.GetCommands().GetSubmissionId()
		if sid == "" || seen[sid] {
			t.Errorf("attempt %d submission id %q is empty or reused", i, sid)
		}
		seen[sid] = true
	}
}

func TestSubmitCreateAndArchive(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	c := dial(t, client.Config{Address: addr, Party: party, UserID: "ditstar-test"})
	tx, err := c.Submit(context.Background(), client.Submission{
		CommandID: "create-1", WorkflowID: "wf-1",
		Commands: []*v2.Command{createCommand(assetTemplate, party, 7)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if tx.GetCommandId() != "create-1" {
		t.Errorf("command id = %q, want create-1", tx.GetCommandId())
	}
	if tx.GetWorkflowId() != "wf-1" {
		t.Errorf("workflow id = %q, want wf-1", tx.GetWorkflowId())
	}
	created := createdIn(tx)
	if len(created) != 1 {
		t.Fatalf("created events = %d, want 1", len(created))
	}
	if fieldInt64(created[0].GetCreateArguments(), "n") != 7 {
		t.Errorf("created arguments = %v, want n=7", created[0].GetCreateArguments())
	}

	cid := created[0].GetContractId()
	if _, err := c.Submit(context.Background(), client.Submission{Commands: []*v2.Command{archiveCommand(assetTemplate, cid)}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Submit(context.Background(), client.Submission{CommandID: "archive-again",
		Commands: []*v2.Command{archiveCommand(assetTemplate, cid)}})
	var se *client.SubmitError
	if !errors.As(err, &se) {
		t.Fatalf("second archive error = %v, want *SubmitError", err)
	}
	if se.Code != codes.NotFound {
		t.Errorf("second archive code = %v, want NotFound", se.Code)
	}
	if se.CommandID != "archive-again" {
		t.Errorf("SubmitError command id = %q, want archive-again", se.CommandID)
	}
}

func TestSubmitRejectsEmpty(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	c := dial(t, client.Config{Address: addr, Party: party})
	if _, err := c.Submit(context.Background(), client.Submission{}); err == nil || !strings.Contains(err.Error(), "no commands") {
		t.Errorf("empty submission error = %v", err)
	}
}

func TestSubmitRetries(t *testing.T) {
	unavailable := status.Error(codes.Unavailable, "connection reset")
	deadline := status.Error(codes.DeadlineExceeded, "REQUEST_TIME_OUT: the participant timed out")
	inFlight := status.Error(codes.Aborted, "SUBMISSION_ALREADY_IN_FLIGHT(2,abc): a submission with the same change id is in flight")
	backpressure := status.Error(codes.ResourceExhausted, "PARTICIPANT_BACKPRESSURE(2,abc): the participant is overloaded")
	retryLater, err := status.New(codes.FailedPrecondition, "NOT_CONNECTED_TO_ANY_SYNCHRONIZER(1,abc): try again").
		WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(20 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	// committed is set when an attempt reached the ledger before failing,
	// so that a later attempt gets ALREADY_EXISTS and the client reads the
	// committed transaction from the update stream.
	tests := []struct {
		name      string
		faults    []faultAction
		committed bool
	}{
		{"unavailable before commit", []faultAction{{Before: unavailable}, {Before: unavailable}}, false},
		{"deadline exceeded after commit", []faultAction{{After: deadline}}, true},
		{"unavailable after commit", []faultAction{{After: unavailable}}, true},
		{"aborted while in flight", []faultAction{{After: unavailable}, {Before: inFlight}}, true},
		{"deadline exceeded before commit", []faultAction{{Before: deadline}}, false},
		{"resource exhausted", []faultAction{{Before: backpressure}}, false},
		{"failed precondition with retry info", []faultAction{{Before: retryLater.Err()}}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, addr, party := startLedger(t, sandbox.Options{})
			proxy := startFaultProxy(t, addr)
			c := dial(t, client.Config{Address: proxy.addr, Party: party})
			proxy.inject(methodSubmit, tt.faults...)

			n := int64(100 + i)
			commandID := client.NewCommandID()
			tx, err := c.Submit(context.Background(), client.Submission{CommandID: commandID,
				Commands: []*v2.Command{createCommand(assetTemplate, party, n)}})
			if err != nil {
				t.Fatal(err)
			}
			if tx.GetCommandId() != commandID {
				t.Errorf("transaction command id = %q, want %q", tx.GetCommandId(), commandID)
			}
			if created := createdIn(tx); len(created) != 1 || fieldInt64(created[0].GetCreateArguments(), "n") != n {
				t.Errorf("transaction events = %v, want one create with n=%d", tx.GetEvents(), n)
			}
			if got, want := proxy.callCount(methodSubmit), len(tt.faults)+1; got != want {
				t.Errorf("attempts = %d, want %d", got, want)
			}
			checkSameCommand(t, submitRequests(t, proxy), commandID)
			if lookups := proxy.callCount(methodGetUpdates); (lookups > 0) != tt.committed {
				t.Errorf("update stream reads = %d; want them only after ALREADY_EXISTS (committed = %v)", lookups, tt.committed)
			}
			if got := activeCount(t, c, n); got != 1 {
				t.Errorf("active contracts with n=%d = %d, want 1", n, got)
			}
		})
	}
}

func TestSubmitAlreadyExistsFirstAttempt(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	c := dial(t, client.Config{Address: addr, Party: party})
	s := client.Submission{CommandID: "reused", Commands: []*v2.Command{createCommand(assetTemplate, party, 1)}}
	if _, err := c.Submit(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	_, err := c.Submit(context.Background(), s)
	var se *client.SubmitError
	if !errors.As(err, &se) {
		t.Fatalf("duplicate error = %v, want *SubmitError", err)
	}
	if se.Code != codes.AlreadyExists {
		t.Errorf("duplicate code = %v, want AlreadyExists", se.Code)
	}
	if id := client.ErrorID(err); id != "DUPLICATE_COMMAND" {
		t.Errorf("duplicate error id = %q, want DUPLICATE_COMMAND", id)
	}
}

func TestSubmitPermanentFailure(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	proxy.inject(methodSubmit, faultAction{Before: status.Error(codes.FailedPrecondition, "DAML_INTERPRETATION_ERROR: assertion failed")})
	_, err := c.Submit(context.Background(), client.Submission{CommandID: "fails",
		Commands: []*v2.Command{createCommand(assetTemplate, party, 1)}})
	var se *client.SubmitError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want *SubmitError", err)
	}
	if se.Code != codes.FailedPrecondition {
		t.Errorf("code = %v, want FailedPrecondition", se.Code)
	}
	if got := proxy.callCount(methodSubmit); got != 1 {
		t.Errorf("attempts = %d, want 1: a permanent failure is not retried", got)
	}
}

func TestSubmitTimeout(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	var faults []faultAction
	for range 1000 {
		faults = append(faults, faultAction{Before: status.Error(codes.Unavailable, "participant down")})
	}
	proxy.inject(methodSubmit, faults...)
	start := time.Now()
	_, err := c.Submit(context.Background(), client.Submission{CommandID: "times-out", Timeout: 2 * time.Second,
		Commands: []*v2.Command{createCommand(assetTemplate, party, 1)}})
	var se *client.SubmitError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want *SubmitError", err)
	}
	if se.Code != codes.DeadlineExceeded {
		t.Errorf("code = %v, want DeadlineExceeded", se.Code)
	}
	if !strings.Contains(err.Error(), "participant down") {
		t.Errorf("error %q does not name the last attempt's failure", err)
	}
	if elapsed := time.Since(start); elapsed > 30*time.Second {
		t.Errorf("Submit returned after %v, long after its 2s timeout", elapsed)
	}
	if got := proxy.callCount(methodSubmit); got < 2 {
		t.Errorf("attempts = %d, want retries until the timeout", got)
	}
}

func TestCloseWaitsForSubmission(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	proxy.inject(methodSubmit, faultAction{Before: status.Error(codes.Unavailable, "down")},
		faultAction{Before: status.Error(codes.Unavailable, "down")})
	done := make(chan error, 1)
	go func() {
		_, err := c.Submit(context.Background(), client.Submission{Commands: []*v2.Command{createCommand(assetTemplate, party, 1)}})
		done <- err
	}()
	for proxy.callCount(methodSubmit) == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Had Close not waited, the submission's retries would have found the
	// connection closed and failed.
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("submission running at Close failed: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("submission still running after Close returned")
	}
}

func TestCloseTimesOut(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	hang := make(chan struct{})
	defer close(hang)
	proxy.inject(methodSubmit, faultAction{Wait: hang})
	done := make(chan error, 1)
	go func() {
		_, err := c.Submit(context.Background(), client.Submission{CommandID: "hangs",
			Commands: []*v2.Command{createCommand(assetTemplate, party, 1)}})
		done <- err
	}()
	for proxy.callCount(methodSubmit) == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := c.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "submissions still running") {
		t.Errorf("Close error = %v, want one saying submissions are still running", err)
	}
	select {
	case err := <-done:
		var se *client.SubmitError
		if !errors.As(err, &se) {
			t.Errorf("submission cut by Close: error = %v, want *SubmitError", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("submission still running after Close closed the connection")
	}
}

func TestSubmitCanceled(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	hang := make(chan struct{})
	defer close(hang)
	proxy.inject(methodSubmit, faultAction{Wait: hang})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for proxy.callCount(methodSubmit) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Submit(ctx, client.Submission{CommandID: "canceled", Commands: []*v2.Command{createCommand(assetTemplate, party, 1)}})
	var se *client.SubmitError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want *SubmitError", err)
	}
	if se.Code != codes.Canceled {
		t.Errorf("code = %v, want Canceled", se.Code)
	}
	if se.CommandID != "canceled" {
		t.Errorf("command id = %q, want canceled", se.CommandID)
	}
}

func TestSubmitReusedCommandAfterRetry(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	s := client.Submission{CommandID: "used-twice", Commands: []*v2.Command{createCommand(assetTemplate, party, 1)}}
	if _, err := c.Submit(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	// The first attempt never reaches the ledger, so the retry's
	// ALREADY_EXISTS comes from the earlier Submit, not from this one.
	proxy.inject(methodSubmit, faultAction{Before: status.Error(codes.Unavailable, "connection reset")})
	_, err := c.Submit(context.Background(), s)
	var se *client.SubmitError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want *SubmitError", err)
	}
	if se.Code != codes.AlreadyExists {
		t.Errorf("code = %v, want AlreadyExists", se.Code)
	}
	if !strings.Contains(err.Error(), "an earlier submission used it") {
		t.Errorf("error %q does not say that the command id was used before", err)
	}
	if got := activeCount(t, c, 1); got != 1 {
		t.Errorf("active contracts = %d, want 1", got)
	}
}
