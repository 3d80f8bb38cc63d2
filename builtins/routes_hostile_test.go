package builtins

import (
	"strings"
	"testing"
)

// A webhook route that the HTTP server cannot serve must fail its
// registration, so that the entrypoint (and ditstar check) reports it
// instead of the route silently never being called.
func TestWebhookRouteClashRejected(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"same route twice", `
events.webhook.get(url_suffix="/a")(h)
events.webhook.get(url_suffix="a")(h)`,
			`get: url_suffix "a": GET "/a" is already registered by webhook 0`},
		{"literal beside parameter", `
events.webhook.post(url_suffix="/b/{id}")(h)
events.webhook.post(url_suffix="/b/x")(h)`,
			`post: url_suffix "/b/x": conflicts with POST "/b/{id}" of webhook 0`},
		{"two parameter names", `
events.webhook.get(url_suffix="/c/:id/z")(h)
events.webhook.get(url_suffix="/c/{other}/z")(h)`,
			`get: url_suffix "/c/{other}/z": conflicts with GET "/c/:id/z" of webhook 0`},
		{"after catch-all", `
events.webhook.get(url_suffix="/d/{rest:.*}")(h)
events.webhook.get(url_suffix="/d/x/q")(h)`,
			`conflicts with GET "/d/{rest:.*}" of webhook 0`},
		{"status route", `events.webhook.get(url_suffix="/status")(h)`,
			`get: url_suffix "/status": GET "/status" is the integration's status route`},
		{"healthz route", `events.webhook.get(url_suffix="healthz")(h)`,
			`GET "/healthz" is the integration's health route`},
		{"log-level route", `events.webhook.post(url_suffix="/log-level")(h)`,
			`POST "/log-level" is the integration's log-level route`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			events, err := execEvents(t, "def h(r):\n    pass\n"+c.src)
			if err == nil {
				t.Fatalf("registration succeeded with %d handlers, want error containing %q", len(events.Handlers()), c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %q, want it to contain %q", err, c.want)
			}
		})
	}
}

// Routes that the server can serve side by side stay accepted.
func TestWebhookRoutesWithoutClash(t *testing.T) {
	events, err := execEvents(t, `
def h(r):
    pass
events.webhook.get(url_suffix="/a")(h)
events.webhook.post(url_suffix="/a")(h)
events.webhook.get(url_suffix="/b/{id}")(h)
events.webhook.get(url_suffix="/b/{id}/c")(h)
events.webhook.post(url_suffix="/status")(h)
events.webhook.get(url_suffix="/log-level")(h)
events.webhook.get()(h)
`)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(events.Handlers()); got != 7 {
		t.Errorf("registered %d handlers, want 7", got)
	}
}

// A url_suffix with a query, a fragment or a dot segment names a path that
// no request reaches, because clients send "?" and "#" as separators and
// remove dot segments before sending.
func TestURLSuffixUnreachableRejected(t *testing.T) {
	for _, suffix := range []string{"/x?y=1", "/x#top", "/a/../b", "/./a", "/a/.."} {
		err := CheckURLSuffix(suffix)
		if err == nil {
			t.Errorf("CheckURLSuffix(%q) = nil, want an error", suffix)
			continue
		}
		if !strings.Contains(err.Error(), suffix) {
			t.Errorf("CheckURLSuffix(%q) = %q, want it to name the suffix", suffix, err)
		}
	}
}

// A "?" inside a parameter's regular expression is part of the regex.
func TestURLSuffixRegexQuestionMark(t *testing.T) {
	if err := CheckURLSuffix(`/items/{id:\d+?}`); err != nil {
		t.Errorf("CheckURLSuffix = %v, want nil", err)
	}
}
