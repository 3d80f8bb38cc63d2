package httpd

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/julienschmidt/httprouter"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ditstar/ditstar/integration"
)

// routeUnmatched is the route label of requests that matched no route.
const routeUnmatched = "unmatched"

// routeTable dispatches a request to a control route first, then to the
// webhook routes. The webhook router is rebuilt whenever the list returned
// by Integration.Webhooks changes.
type routeTable struct {
	s       *Server
	control *httprouter.Router
	mu      sync.Mutex // serializes rebuilds of hooks
	hooks   atomic.Pointer[webhookRouter]
}

// webhookRouter is the router built from one list of webhooks.
type webhookRouter struct {
	list   []integration.Webhook
	router *httprouter.Router
}

func newRouteTable(s *Server) *routeTable {
	t := &routeTable{s: s, control: httprouter.New()}
	prefix := s.integrationPath()
	status := func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, _ *principal) {
		s.serveStatus(w, r)
	}
	logLevel := func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, _ *principal) {
		s.serveLogLevel(w, r)
	}
	for _, base := range []string{"", prefix} {
		level := integration.AuthAnyParty
		if base == "" {
			level = integration.AuthPublic // internal routes: the bind address decides who reaches them
		}
		t.add(http.MethodGet, base+"/healthz", s.authenticated(level, status))
		t.add(http.MethodGet, base+"/status", s.authenticated(level, status))
		t.add(http.MethodPost, base+"/log-level", s.authenticated(level, logLevel))
	}
	metrics := promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{
		ErrorLog:      errorLogger{s.log},
		ErrorHandling: promhttp.ContinueOnError,
	})
	t.add(http.MethodGet, "/metrics", func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
		metrics.ServeHTTP(w, r)
	})
	return t
}

// add registers handle on the control router, and for GET also for HEAD.
func (t *routeTable) add(method, pattern string, handle httprouter.Handle) {
	labelled := withRoute(pattern, handle)
	t.control.Handle(method, pattern, labelled)
	if method == http.MethodGet {
		t.control.Handle(http.MethodHead, pattern, labelled)
	}
}

// withRoute records pattern as the request's route label before handling it.
func withRoute(pattern string, handle httprouter.Handle) httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		if rec, ok := w.(*recorder); ok {
			rec.route = pattern
		}
		handle(w, r, ps)
	}
}

func (t *routeTable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if handle, ps, _ := t.control.Lookup(r.Method, path); handle != nil {
		handle(w, r, ps)
		return
	}
	hooks := t.webhooks()
	if handle, ps, _ := hooks.router.Lookup(r.Method, path); handle != nil {
		handle(w, r, ps)
		return
	}

	allow := t.allowed(hooks.router, path)
	if allow == "" {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no route for path %q", path))
		return
	}
	w.Header().Set("Allow", allow)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeError(w, http.StatusMethodNotAllowed, "method_not_allowed",
		fmt.Sprintf("method %s is not allowed on %q: use one of %s", r.Method, path, allow))
}

// allowed returns the Allow header value for path, or "" when no route
// matches it with any method.
func (t *routeTable) allowed(hooks *httprouter.Router, path string) string {
	var methods []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		if h, _, _ := t.control.Lookup(m, path); h != nil {
			methods = append(methods, m)
		} else if h, _, _ := hooks.Lookup(m, path); h != nil {
			methods = append(methods, m)
		}
	}
	if len(methods) == 0 {
		return ""
	}
	methods = append(methods, http.MethodOptions)
	slices.Sort(methods)
	return strings.Join(methods, ", ")
}

// webhooks returns the router for the integration's current webhooks,
// rebuilding it when the list has changed since the last request.
func (t *routeTable) webhooks() *webhookRouter {
	list := t.s.integ.Webhooks()
	if cur := t.hooks.Load(); cur != nil && slices.Equal(cur.list, list) {
		return cur
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur := t.hooks.Load(); cur != nil && slices.Equal(cur.list, list) {
		return cur
	}
	built := t.buildWebhooks(slices.Clone(list))
	t.hooks.Store(built)
	return built
}

func (t *routeTable) buildWebhooks(list []integration.Webhook) *webhookRouter {
	router := httprouter.New()
	prefix := t.s.integrationPath()
	for _, hook := range list {
		pattern := prefix + normalizeSuffix(hook.Suffix)
		if err := t.addWebhook(router, hook, pattern); err != nil {
			t.s.log.Error("webhook route not served",
				"integration", t.s.opts.InstanceID, "handler", hook.Index, "label", hook.Label,
				"method", hook.Method, "path", pattern, "error", err)
		}
	}
	t.s.log.Debug("webhook routes updated", "integration", t.s.opts.InstanceID, "count", len(list))
	return &webhookRouter{list: list, router: router}
}

// addWebhook registers one webhook. httprouter panics on a pattern that
// conflicts with one already registered, so the panic becomes an error.
func (t *routeTable) addWebhook(router *httprouter.Router, hook integration.Webhook, pattern string) (err error) {
	methods := []string{hook.Method}
	switch hook.Method {
	case http.MethodGet:
		methods = append(methods, http.MethodHead)
	case http.MethodPost:
	default:
		return fmt.Errorf("unsupported method %q: want GET or POST", hook.Method)
	}
	if h, _, _ := t.control.Lookup(hook.Method, pattern); h != nil {
		return fmt.Errorf("path %q is a control route: choose another url_suffix", pattern)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("invalid or conflicting url_suffix %q: %v", hook.Suffix, p)
		}
	}()
	handle := withRoute(pattern, func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		t.s.serveWebhook(w, r, hook, ps)
	})
	for _, m := range methods {
		router.Handle(m, pattern, handle)
	}
	return nil
}

// normalizeSuffix makes a url_suffix start with "/" unless it is empty.
func normalizeSuffix(suffix string) string {
	if suffix == "" || strings.HasPrefix(suffix, "/") {
		return suffix
	}
	return "/" + suffix
}

// integrationPath returns /integration/{id}.
func (s *Server) integrationPath() string {
	return "/integration/" + s.opts.InstanceID
}
