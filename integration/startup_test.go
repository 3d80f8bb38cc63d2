package integration

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ditstar/ditstar/dit"
)

// The script records every call in order and serves the record on webhook 0.
const startupScript = `
def main(env, events):
    calls = []

    @events.ledger.ledger_init()
    def on_init():
        calls.append("init")

    @events.ledger.contract_created("Utility.Sequence:Sequence")
    def first(event):
        calls.append("first %s %s" % (event.cdata["name"], event.initial))
        if event.initial and event.cdata["name"] == "a":
            return create("Utility.Sequence:Sequence", {"owner": env.party, "name": "during-sweep", "count": 0})

    @events.ledger.contract_created("Utility.Sequence:Sequence", sweep=False)
    def second(event):
        calls.append("second %s %s" % (event.cdata["name"], event.initial))

    @events.ledger.contract_created("Utility.Sequence:Sequence", flow=False)
    def third(event):
        calls.append("third %s %s" % (event.cdata["name"], event.initial))

    @events.ledger.ledger_ready()
    def on_ready():
        calls.append("ready")

    @events.webhook.get()
    def get_calls(request):
        return json_response(calls)
`

func TestStartupOrder(t *testing.T) {
	h := newHarness(t, startupScript)
	h.createSequence("a", 0)
	h.createSequence("b", 0)
	h.start()

	var calls []string
	waitFor(t, "the contract created during the sweep", func() bool {
		h.get(0, &calls)
		return len(calls) >= 8
	})
	h.createSequence("after", 0)
	waitFor(t, "the contract created after start", func() bool {
		h.get(0, &calls)
		return len(calls) >= 10
	})
	want := []string{
		"init",
		"first a True", "first b True",
		"third a True", "third b True",
		"ready",
		"first during-sweep False", "second during-sweep False",
		"first after False", "second after False",
	}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("calls:\n got %q\nwant %q", calls, want)
	}
	st := h.rt.Status()
	if !st.Running {
		t.Error("status running is false after start")
	}
}

func TestStartupFailureKeepsStatus(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    fail("cannot start")
`)
	err := h.startupError()
	var startup *StartupError
	if !errors.As(err, &startup) {
		t.Fatalf("Run error = %v, want *StartupError", err)
	}
	if !strings.Contains(err.Error(), "cannot start") {
		t.Errorf("Run error = %q, want the fail message", err)
	}
	st := h.rt.Status()
	if st.Running {
		t.Error("status running is true after a failed start")
	}
	if st.ErrorMessage == nil || !strings.Contains(*st.ErrorMessage, "cannot start") {
		t.Errorf("status error_message = %v, want the fail message", st.ErrorMessage)
	}
	if st.ErrorTime == nil {
		t.Error("status error_time is nil after a failed start")
	}
}

func TestEntrypointRunsOnce(t *testing.T) {
	var requests atomic.Int64
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
	}))
	defer server.Close()
	h := newHarness(t, strings.ReplaceAll(`
def main(env, events):
    http.get("URL")

    @events.ledger.contract_created("*")
    def created(event):
        pass
`, "URL", server.URL))
	h.createSequence("before", 0)
	h.start()
	h.createSequence("after", 0)
	waitFor(t, "the created event", func() bool { return h.rt.Status().LedgerEvents[0].UseCount == 2 })
	if n := requests.Load(); n != 1 {
		t.Errorf("entrypoint ran %d times, want 1", n)
	}
}

func TestConfigErrorFromNew(t *testing.T) {
	h := newHarness(t, `def main(env, events): pass`)
	h.opts.Config = map[string]string{"limit": "many"}
	_, err := h.newRuntime()
	var cfg *dit.ConfigError
	if !errors.As(err, &cfg) {
		t.Fatalf("New error = %v, want *dit.ConfigError", err)
	}
	if !strings.Contains(err.Error(), "limit") {
		t.Errorf("New error = %q, want it to name the field", err)
	}
}

func TestEnvValues(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.webhook.get()
    def get(request):
        return json_response({
            "greeting": env.greeting,
            "limit": env.limit,
            "party": env.party,
            "model": env.daml_model.name,
            "main": env.daml_model.main_package_id,
            "tid": env.tid("Utility.Sequence:Sequence"),
        })
`)
	h.opts.Config = map[string]string{"limit": "7"}
	h.start()
	var got map[string]any
	h.get(0, &got)
	want := map[string]any{
		"greeting": "hello",
		"limit":    float64(7),
		"party":    h.party,
		"model":    "dabl-integration-core",
		"main":     h.dar.MainPackageID,
		"tid":      h.dar.MainPackageID + ":Utility.Sequence:Sequence",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("env:\n got %v\nwant %v", got, want)
	}
}
