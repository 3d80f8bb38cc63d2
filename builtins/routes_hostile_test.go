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
