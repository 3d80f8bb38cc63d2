package httpd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ditstar/ditstar/integration"
)

// Log levels accepted by the log-level route, as in Python's logging module.
const (
	minLogLevel = 0
	maxLogLevel = 50
)

// serveStatus sends the integration's status document. healthz and status
// send the same document.
func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	st := s.integ.Status()
	st.Self = selfURL(r)
	st.StartTime = st.StartTime.UTC()
	st.ErrorTime = utcPointer(st.ErrorTime)
	st.Webhooks = utcHandlers(st.Webhooks)
	st.LedgerEvents = utcHandlers(st.LedgerEvents)
	st.Timers = utcHandlers(st.Timers)
	st.Queues = utcHandlers(st.Queues)
	st.LogLevelOptions = nonNil(st.LogLevelOptions)
	writeJSON(w, http.StatusOK, st)
}

// utcHandlers returns a copy of list with its times in UTC, so that they
// encode with a Z. The copy leaves the runtime's values untouched, and an
// empty list becomes an empty array in the document, never null.
func utcHandlers(list []integration.HandlerStatus) []integration.HandlerStatus {
	out := make([]integration.HandlerStatus, len(list))
	for i, h := range list {
		h.ErrorTime = utcPointer(h.ErrorTime)
		out[i] = h
	}
	return out
}

func utcPointer(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	utc := t.UTC()
	return &utc
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// selfURL returns the URL the client used for this request, without its
// query, which may carry an access token.
func selfURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.EscapedPath()
}

// logLevelRequest is the body of a log-level request.
type logLevelRequest struct {
	LogLevel json.RawMessage `json:"log_level"`
}

// serveLogLevel sets the integration's log level from the body
// {"log_level": n}, n an integer from 0 to 50, and sends {"log_level": n}.
func (s *Server) serveLogLevel(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	level, err := parseLogLevel(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_log_level", err.Error())
		return
	}
	if err := s.integ.SetLogLevel(level); err != nil {
		s.log.Error("set log level failed", "integration", s.opts.InstanceID, "log_level", level, "error", err)
		writeError(w, http.StatusInternalServerError, "internal_error", fmt.Sprintf("set log level %d: %v", level, err))
		return
	}
	s.log.Info("log level changed", "integration", s.opts.InstanceID, "log_level", level)
	writeJSON(w, http.StatusOK, map[string]int{"log_level": s.integ.LogLevel()})
}

// parseLogLevel reads {"log_level": n} and checks that n is an integer in
// [minLogLevel, maxLogLevel].
func parseLogLevel(body []byte) (int, error) {
	const want = `want a JSON object such as {"log_level": 10}`
	dec := json.NewDecoder(bytes.NewReader(body))
	var req logLevelRequest
	if err := dec.Decode(&req); err != nil {
		return 0, fmt.Errorf("invalid log-level body: %v; %s", err, want)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("invalid log-level body: data after the JSON object; %s", want)
	}
	if req.LogLevel == nil || string(req.LogLevel) == "null" {
		return 0, fmt.Errorf("missing log_level: %s", want)
	}
	// ParseInt rejects strings, fractions, exponents and booleans.
	n, err := strconv.ParseInt(string(req.LogLevel), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid log_level %s: want an integer from %d to %d", req.LogLevel, minLogLevel, maxLogLevel)
	}
	if n < minLogLevel || n > maxLogLevel {
		return 0, fmt.Errorf("invalid log_level %d: want an integer from %d to %d", n, minLogLevel, maxLogLevel)
	}
	return int(n), nil
}
