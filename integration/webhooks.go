package integration

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/builtins"
)

// Webhooks returns the webhook routes of the current script. The list
// changes when --watch reloads the script.
func (r *Runtime) Webhooks() []Webhook {
	gen := r.gen.Load()
	if gen == nil {
		return nil
	}
	out := make([]Webhook, len(gen.webhooks))
	for i, hs := range gen.webhooks {
		out[i] = Webhook{
			Index:  hs.index,
			Method: hs.h.Method,
			Suffix: hs.route,
			Params: hs.routeParams,
			Auth:   authLevel(hs.h.Auth),
			Label:  hs.label,
		}
	}
	return out
}

func authLevel(name string) AuthLevel {
	switch name {
	case "ANY_PARTY":
		return AuthAnyParty
	case "INTEGRATION_PARTY":
		return AuthIntegrationParty
	}
	return AuthPublic
}

// ErrNotRunning is returned by HandleWebhook when the integration failed to
// start or has stopped; the status document holds the reason.
var ErrNotRunning = errors.New("integration is not running; see the status for the error")

// SubmissionError is the error of a handler call whose commands failed to
// submit, because they could not be encoded or the ledger rejected them
// after the retries.
type SubmissionError struct {
	// Handler is the handler's label.
	Handler string
	Err     error
}

func (e *SubmissionError) Error() string {
	return fmt.Sprintf("commands of handler %q failed to submit: %v", e.Handler, e.Err)
}

func (e *SubmissionError) Unwrap() error { return e.Err }

// Code returns the code of the JSON error body that the HTTP server sends.
func (e *SubmissionError) Code() string { return "submission_failed" }

// HandleWebhook calls the webhook handler at index with req. The request
// waits for its turn; when more than Options.MaxWebhookWaiting requests
// wait, or the wait exceeds Options.WebhookWait, it returns ErrBusy. A
// failing handler is an error, which the HTTP server turns into a 500. The
// commands the handler returns are submitted before the response is
// returned. A failed submission is counted, passed to the error_handler if
// one was given, and returned as a *SubmissionError in place of the response.
func (r *Runtime) HandleWebhook(ctx context.Context, index int, req *WebhookRequest) (*WebhookResponse, error) {
	if n := r.webhookWaiting.Add(1); n > int64(r.opts.MaxWebhookWaiting) {
		r.webhookWaiting.Add(-1)
		return nil, ErrBusy
	}
	waitCtx, cancel := context.WithTimeout(ctx, r.opts.WebhookWait)
	defer cancel()
	acquired := false
	select {
	case <-r.ready:
		acquired = r.acquire(waitCtx)
	case <-r.done:
	case <-waitCtx.Done():
	}
	r.webhookWaiting.Add(-1)
	if !acquired {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		select {
		case <-r.done:
			return nil, ErrNotRunning
		default:
		}
		return nil, ErrBusy
	}
	defer r.release()
	select {
	case <-r.done:
		return nil, ErrNotRunning
	default:
	}

	gen := r.gen.Load()
	if index < 0 || index >= len(gen.webhooks) {
		return nil, fmt.Errorf("webhook %d not found: the integration has %d webhooks", index, len(gen.webhooks))
	}
	hs := gen.webhooks[index]
	request := builtins.NewRequest(builtins.RequestData{
		Method:  req.Method,
		Path:    req.Path,
		Header:  req.Header,
		Query:   req.Query,
		Params:  req.Params,
		Body:    req.Body,
		Parties: req.Parties,
	})
	start := time.Now()
	res, err := r.callHandler(ctx, gen, hs, starlark.Tuple{request}, true)
	var submitErr *SubmissionError
	if errors.As(err, &submitErr) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("webhook handler %q failed: %w", hs.label, err)
	}
	r.log.Debug("webhook handled", "handler", hs.name(), "method", req.Method, "path", req.Path, "duration", time.Since(start))
	if res.Response == nil {
		return &WebhookResponse{Status: http.StatusOK, Header: http.Header{}}, nil
	}
	header := res.Response.Header
	if header == nil {
		header = http.Header{}
	}
	status := res.Response.Status
	if status == 0 {
		status = http.StatusOK
	}
	return &WebhookResponse{Status: status, Header: header, Body: res.Response.Body}, nil
}
