package integration

import (
	"reflect"
	"strings"
	"testing"
)

func TestRegistrationArgumentErrors(t *testing.T) {
	tests := []struct {
		name, call, want string
	}{
		{"template type", `events.ledger.contract_created(1)`, "contract_created: template: got int, want string"},
		{"archived template type", `events.ledger.contract_archived(None)`, "contract_archived: template: got NoneType, want string"},
		{"sweep type", `events.ledger.contract_created("*", sweep="yes")`, "contract_created: sweep: got string, want bool"},
		{"match type", `events.ledger.contract_created("*", match=3)`, "contract_created: match: got int, want dict, function or None"},
		{"star package", `events.ledger.contract_created("*:Sequence")`, `"*:Sequence" is not a template reference`},
		{"no colon", `events.ledger.contract_created("Sequence")`, `"Sequence" has no module`},
		{"unknown template", `events.ledger.contract_created("Utility.Sequence:Nope")`, "Utility.Sequence:Nope"},
		{"seconds type", `events.time.periodic_interval("10")`, "periodic_interval: seconds: got string, want int or float"},
		{"seconds zero", `events.time.periodic_interval(0)`, "periodic_interval: seconds: got 0, want a positive number of seconds"},
		{"queue twice", "events.queue.message()(lambda m: None)\n    events.queue.message()", `message: queue "default" already has a handler`},
		{"webhook auth", `events.webhook.get(auth="ROOT")`, "get: auth: got string \"ROOT\""},
		{"handler type", `events.ledger.ledger_init()(5)`, "ledger_init: handler: got int, want function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, "def main(env, events):\n    "+tt.call+"\n")
			err := h.startupError()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("start-up error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRegistrationAfterEntrypoint(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.webhook.get()
    def late(request):
        events.ledger.ledger_init()
`)
	h.start()
	_, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "GET"})
	if err == nil || !strings.Contains(err.Error(), "only be registered while the entrypoint runs") {
		t.Errorf("late registration error = %v", err)
	}
}

func TestTemplateReferenceForms(t *testing.T) {
	h := newHarness(t, "")
	pkg := h.dar.MainPackageID
	script := `
def main(env, events):
    seen = {}

    def record(name):
        def handler(event):
            seen[name] = seen.get(name, 0) + 1
        return handler

    events.ledger.contract_created("*")(record("any"))
    events.ledger.contract_created("Utility.Sequence:Sequence")(record("defaulted"))
    events.ledger.contract_created("Utility.Sequence:Sequence", package_defaulting=False)(record("undefaulted"))
    events.ledger.contract_created("PKG:Utility.Sequence:Sequence")(record("package id"))
    events.ledger.contract_created("#dabl-integration-core:Utility.Sequence:Sequence")(record("package name"))
    events.ledger.contract_created("PKG:*")(record("package wildcard"))
    events.ledger.contract_created("Utility.Sequence:SequenceGenerator")(record("other template"))

    @events.webhook.get()
    def get(request):
        return json_response(seen)
`
	writeFile(t, h.dir+"/main.star", strings.ReplaceAll(script, "PKG", pkg))
	h.createSequence("x", 1)
	h.start()
	var seen map[string]int
	waitFor(t, "the sweep", func() bool {
		h.get(0, &seen)
		return seen["any"] == 1
	})
	want := map[string]int{"any": 1, "defaulted": 1, "undefaulted": 1, "package id": 1, "package name": 1, "package wildcard": 1}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("handlers called:\n got %v\nwant %v", seen, want)
	}
}

func TestMatchFilters(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    seen = []

    @events.ledger.contract_created("Utility.Sequence:Sequence", match={"name": "wanted"})
    def by_dict(event):
        seen.append("dict " + event.cdata["name"])

    @events.ledger.contract_created("Utility.Sequence:Sequence", match=lambda cdata: cdata["count"] > 5)
    def by_function(event):
        seen.append("function " + event.cdata["name"])

    @events.ledger.contract_archived("Utility.Sequence:Sequence", match={"name": "wanted"})
    def archived(event):
        seen.append("archived " + event.cid)

    @events.webhook.get()
    def get(request):
        return json_response(seen)
`)
	h.start()
	wanted := h.createSequence("wanted", 1)
	h.createSequence("other", 9)
	other := h.createSequence("other2", 0)
	h.archive(other)
	h.archive(wanted)
	var seen []string
	waitFor(t, "the archive of the wanted contract", func() bool {
		h.get(0, &seen)
		return len(seen) >= 3
	})
	want := []string{"dict wanted", "function other", "archived " + wanted}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("calls:\n got %q\nwant %q", seen, want)
	}
}

func TestTransactionEvents(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    seen = []

    @events.ledger.transaction_start()
    def start(event):
        seen.append("start %s %s" % (str(event).split("(")[0], [str(e).split("(")[0] for e in event.contract_events]))

    @events.ledger.contract_created("*")
    def created(event):
        seen.append("created " + event.cdata["name"])

    @events.ledger.contract_archived("*")
    def archived(event):
        seen.append("archived " + event.template_id.split(":")[-1])

    @events.ledger.transaction_end()
    def end(event):
        seen.append("end %s %d" % (str(event).split("(")[0], len(event.contract_events)))

    @events.webhook.get()
    def get(request):
        return json_response(seen)
`)
	h.start()
	cid := h.createSequence("t", 0)
	h.archive(cid)
	var seen []string
	waitFor(t, "two transactions", func() bool {
		h.get(0, &seen)
		return len(seen) >= 6
	})
	want := []string{
		`start TransactionStartEvent ["ContractCreateEvent"]`,
		"created t",
		"end TransactionEndEvent 1",
		`start TransactionStartEvent ["ContractArchiveEvent"]`,
		"archived Sequence",
		"end TransactionEndEvent 1",
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("calls:\n got %q\nwant %q", seen, want)
	}
}

func TestSchemalessLedger(t *testing.T) {
	h := newHarnessWith(t, `
def main(env, events):
    seen = []

    @events.ledger.contract_created("untyped-pkg:Main:Asset")
    def created(event):
        seen.append(event.cdata)
        if event.cdata["n"] == 1:
            return exercise(event.cid, "Archive")

    @events.ledger.contract_archived("untyped-pkg:*")
    def archived(event):
        seen.append("archived " + event.template_id)

    @events.webhook.post()
    def make(request):
        return create("untyped-pkg:Main:Asset", {"owner": env.party, "n": 1, "note": "hi"})

    @events.webhook.get()
    def get(request):
        return json_response(seen)
`, nil, false)
	h.start()
	if _, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"}); err != nil {
		t.Fatal(err)
	}
	var seen []any
	waitFor(t, "the archive", func() bool {
		h.get(1, &seen)
		return len(seen) == 2
	})
	want := []any{
		map[string]any{"owner": h.party, "n": float64(1), "note": "hi"},
		"archived untyped-pkg:Main:Asset",
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("calls:\n got %v\nwant %v", seen, want)
	}
}
