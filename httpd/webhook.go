package httpd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/ditstar/ditstar/integration"
)

// coder is implemented by errors that carry the code of the JSON error body.
type coder interface{ Code() string }

// serveWebhook authenticates a webhook request, takes one of the MaxWaiting
// slots or rejects the request with 503, hands the request to the
// integration and sends its response.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request, hook integration.Webhook, ps httprouter.Params) {
	params := routeParams(hook, ps)
	if err := hook.Params.Check(params); err != nil {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no route for path %q: %v", r.URL.Path, err))
		return
	}
	p, ok := s.authenticate(w, r, hook.Auth)
	if !ok {
		return
	}
	select {
	case s.waiting <- struct{}{}:
		defer func() { <-s.waiting }()
	default:
		s.metrics.webhookRejected.Inc()
		writeBusy(w, "busy", fmt.Sprintf("too many webhook requests in flight (maximum %d): retry later", cap(s.waiting)))
		return
	}
	s.metrics.webhookWaiting.Inc()
	defer s.metrics.webhookWaiting.Dec()

	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	req := &integration.WebhookRequest{
		Method: r.Method,
		Path:   r.URL.Path,
		Header: r.Header.Clone(),
		Query:  r.URL.Query(),
		Params: params,
		Body:   body,
	}
	if p != nil {
		req.Parties = p.parties
	}

	ctx, cancel := context.WithTimeout(r.Context(), s.webhookTimeout())
	defer cancel()
	resp, err := s.integ.HandleWebhook(ctx, hook.Index, req)
	if err != nil {
		s.writeWebhookError(w, r, hook, err)
		return
	}
	if resp == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = append([]string(nil), v...)
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(resp.Body)
}

// routeParams returns the route parameters as the script's match_info. The
// value of a final catch-all parameter ("*path") loses the leading "/" that
// httprouter keeps, as in aiohttp, where the "/" before "{path:.*}" is part
// of the literal route.
func routeParams(hook integration.Webhook, ps httprouter.Params) map[string]string {
	params := make(map[string]string, len(ps))
	for _, p := range ps {
		value := p.Value
		if strings.HasSuffix(hook.Suffix, "/*"+p.Key) {
			value = strings.TrimPrefix(value, "/")
		}
		params[p.Key] = value
	}
	return params
}

// webhookTimeout is how long a webhook handler may take: 90% of the write
// timeout, so that the 503 still reaches the client before the connection's
// write deadline.
func (s *Server) webhookTimeout() time.Duration {
	return s.opts.WriteTimeout * 9 / 10
}

func (s *Server) writeWebhookError(w http.ResponseWriter, r *http.Request, hook integration.Webhook, err error) {
	attrs := []any{"integration", s.opts.InstanceID, "handler", hook.Index, "label", hook.Label, "path", r.URL.Path, "error", err}
	switch {
	case errors.Is(err, integration.ErrBusy):
		s.metrics.webhookRejected.Inc()
		writeBusy(w, "busy", err.Error()+": retry later")
	case errors.Is(err, integration.ErrNotRunning):
		s.log.Warn("webhook rejected: integration not running", attrs...)
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "not_running", err.Error())
	case errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil:
		s.log.Warn("webhook timed out", attrs...)
		writeBusy(w, "timeout", fmt.Sprintf("webhook handler timed out after %v: retry later", s.webhookTimeout()))
	case r.Context().Err() != nil:
		// The client is gone, so nobody reads this response.
		s.log.Debug("webhook client disconnected", attrs...)
		writeBusy(w, "canceled", "request canceled by the client")
	default:
		s.metrics.webhookErrors.Inc()
		s.log.Error("webhook failed", attrs...)
		code := "handler_error"
		var c coder
		if errors.As(err, &c) && c.Code() != "" {
			code = c.Code()
		}
		writeError(w, http.StatusInternalServerError, code, err.Error())
	}
}

// readBody reads the request body up to MaxBodyBytes. On failure it sends
// 413 for a body that is too large, 408 for a body that arrived too slowly
// and 400 otherwise, and returns false.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	limit := s.opts.MaxBodyBytes
	if r.ContentLength > limit {
		writeTooLarge(w, r.ContentLength, limit)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		return body, true
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeTooLarge(w, -1, limit)
	case errors.Is(err, os.ErrDeadlineExceeded):
		writeError(w, http.StatusRequestTimeout, "request_timeout",
			fmt.Sprintf("request body not received within the read timeout of %v", s.opts.ReadTimeout))
	default:
		writeError(w, http.StatusBadRequest, "invalid_body", "read request body: "+err.Error())
	}
	return nil, false
}

func writeTooLarge(w http.ResponseWriter, size, limit int64) {
	desc := fmt.Sprintf("request body exceeds the limit of %d bytes", limit)
	if size >= 0 {
		desc = fmt.Sprintf("request body of %d bytes exceeds the limit of %d bytes", size, limit)
	}
	w.Header().Set("Connection", "close")
	writeError(w, http.StatusRequestEntityTooLarge, "request_too_large", desc)
}
