package httpd

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// recorder captures what a handler sent, for the access log and metrics.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	route  string
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush sends buffered data to the client, for handlers that stream.
func (r *recorder) Flush() {
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// observe wraps next with metrics and the access log. Requests to health
// and metrics routes are logged at debug level, because orchestrators and
// scrapers call them every few seconds. All others are logged at info.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, route: routeUnmatched}
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}

		s.metrics.requests.WithLabelValues(rec.route, methodLabel(r.Method), strconv.Itoa(rec.status)).Inc()
		s.metrics.duration.WithLabelValues(rec.route).Observe(elapsed.Seconds())

		level := slog.LevelInfo
		if rec.route == "/healthz" || rec.route == "/metrics" || rec.route == s.integrationPath()+"/healthz" {
			level = slog.LevelDebug
		}
		if !s.log.Enabled(r.Context(), level) {
			return
		}
		// The query is left out because it may carry an access token.
		s.log.Log(r.Context(), level, "http request",
			"integration", s.opts.InstanceID,
			"method", r.Method,
			"path", r.URL.Path,
			"route", rec.route,
			"status", rec.status,
			"bytes", rec.bytes,
			"duration", elapsed,
			"remote", r.RemoteAddr,
		)
	})
}

// methodLabel returns the method for the metrics label, or "other" for a
// method that net/http does not define, because clients choose the method
// and every distinct label value is a new time series.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "other"
}

// errorLogger passes promhttp's error messages to slog.
type errorLogger struct{ log *slog.Logger }

func (l errorLogger) Println(v ...any) {
	l.log.Error("metrics gathering failed", "error", fmt.Sprint(v...))
}
