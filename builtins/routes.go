package builtins

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// controlRoutes are the routes that the HTTP server serves under an
// integration's path before any webhook, by method and path relative to
// that path. A webhook registered on one of them would never be called.
var controlRoutes = map[string]string{
	http.MethodGet + " /healthz":    "health",
	http.MethodGet + " /status":     "status",
	http.MethodPost + " /log-level": "log-level",
}

// routeProbePrefix is the integration's path in the routers that routeSet
// builds, so that an empty url_suffix is a route too.
const routeProbePrefix = "/integration/probe"

// RoutePattern turns a url_suffix ("/orders/{id}" or "/orders/:id") into an
// httprouter pattern ("/orders/:id"). A final "{name:.*}" or "{name:.+}"
// becomes the catch-all "*name". httprouter matches any value of the other
// parameters, so their regular expressions must be checked after routing.
func RoutePattern(suffix string) string {
	if suffix == "" {
		return ""
	}
	if !strings.HasPrefix(suffix, "/") {
		suffix = "/" + suffix
	}
	segments := strings.Split(suffix, "/")
	for i, seg := range segments {
		if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
			continue
		}
		inner := seg[1 : len(seg)-1]
		name, pattern, hasPattern := strings.Cut(inner, ":")
		if hasPattern && (pattern == ".*" || pattern == ".+") && i == len(segments)-1 {
			segments[i] = "*" + name
			continue
		}
		segments[i] = ":" + name
	}
	return strings.Join(segments, "/")
}

// webhookRoute is one registered webhook route.
type webhookRoute struct {
	index   int // position among the webhooks, as in the status document
	method  string
	suffix  string
	pattern string
}

// routeSet contains the webhook routes registered so far, with one router per
// method built from them, to reject a route the HTTP server cannot serve.
type routeSet struct {
	routes  []webhookRoute
	byRoute map[string]int // "METHOD pattern" to the webhook's index
	routers map[string]*httprouter.Router
}

// add checks the route of a webhook with the given url_suffix against the
// control routes and the earlier webhooks, and records it when it fits.
// httprouter rejects (by panicking) a route equal to an earlier one and a
// literal or parameter segment beside a parameter of another name.
func (s *routeSet) add(method, suffix string) error {
	pattern := RoutePattern(suffix)
	path := showSuffix(suffix)
	if name, ok := controlRoutes[method+" "+pattern]; ok {
		return fmt.Errorf("%s %q is the integration's %s route; choose another url_suffix", method, path, name)
	}
	key := method + " " + pattern
	if index, ok := s.byRoute[key]; ok {
		return fmt.Errorf("%s %q is already registered by webhook %d; register one handler per method and path", method, path, index)
	}
	if s.routers == nil {
		s.routers = map[string]*httprouter.Router{}
		s.byRoute = map[string]int{}
	}
	router := s.routers[method]
	if router == nil {
		router = httprouter.New()
		s.routers[method] = router
	}
	if err := handleRoute(router, method, pattern); err != nil {
		// The failed insertion may have left the router half changed.
		s.routers[method] = s.rebuild(method)
		return s.conflict(method, suffix, pattern, err)
	}
	s.byRoute[key] = len(s.routes)
	s.routes = append(s.routes, webhookRoute{index: len(s.routes), method: method, suffix: suffix, pattern: pattern})
	return nil
}

// conflict names the earlier route that the route of suffix conflicts
// with, trying each earlier route of the same method on its own.
func (s *routeSet) conflict(method, suffix, pattern string, routerErr error) error {
	for _, r := range s.routes {
		if r.method != method {
			continue
		}
		pair := httprouter.New()
		if handleRoute(pair, method, r.pattern) != nil {
			continue
		}
		if handleRoute(pair, method, pattern) != nil {
			return fmt.Errorf("conflicts with %s %q of webhook %d, because a path segment cannot be both a parameter and literal text or another parameter name; change one of the url_suffix values",
				method, showSuffix(r.suffix), r.index)
		}
	}
	return fmt.Errorf("cannot be routed beside the earlier webhooks: %w", routerErr)
}

// showSuffix returns suffix with the leading slash that routing adds, or ""
// for the integration's own path.
func showSuffix(suffix string) string {
	if suffix == "" {
		return ""
	}
	return "/" + strings.TrimPrefix(suffix, "/")
}

func (s *routeSet) rebuild(method string) *httprouter.Router {
	router := httprouter.New()
	for _, r := range s.routes {
		if r.method == method {
			// Each of these routes was accepted into a router holding the
			// same earlier routes, so it cannot fail here.
			_ = handleRoute(router, method, r.pattern)
		}
	}
	return router
}

// handleRoute adds pattern to router, turning httprouter's panic on an
// invalid or conflicting route into an error.
func handleRoute(router *httprouter.Router, method, pattern string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	router.Handle(method, routeProbePrefix+pattern, func(http.ResponseWriter, *http.Request, httprouter.Params) {})
	return nil
}
