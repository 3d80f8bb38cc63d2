package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
)

// On a ledger that holds no package, "Module:Entity" matches that name in
// any package, so an example runs before its model is uploaded.
func TestSchemalessMatchesModuleEntity(t *testing.T) {
	h := newHarnessWith(t, `
def main(env, events):
    seen = []

    def on_note(event):
        seen.append(event.cdata["text"])

    events.ledger.contract_created("Main:Note")(on_note)

    def list_seen(request):
        return json_response({"seen": seen})

    events.webhook.get()(list_seen)
`, nil, false)
	h.start()

	h.createUntyped("1220cafe", "Main", "Note", "first")
	h.createUntyped("1220cafe", "Main", "Other", "skipped")
	h.createUntyped("1220beef", "Main", "Note", "second")

	var body struct{ Seen []string }
	waitFor(t, "both notes delivered", func() bool {
		h.get(0, &body)
		return len(body.Seen) == 2
	})
	if body.Seen[0] != "first" || body.Seen[1] != "second" {
		t.Errorf("seen = %q, want [first second]", body.Seen)
	}
	if !strings.Contains(h.logs.String(), "participant holds no packages") {
		t.Error("no warning logged for the name-only template match")
	}
}

// With a model loaded, a name that no package defines stays an error.
func TestUnknownTemplateWithModelFails(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    def on_note(event):
        pass

    events.ledger.contract_created("Main:Nope")(on_note)
`)
	err := h.startupError()
	if err == nil || !strings.Contains(err.Error(), "Main:Nope") {
		t.Fatalf("start-up error = %v, want one naming Main:Nope", err)
	}
}

// createUntyped creates a contract with one text field on a schemaless ledger.
func (h *harness) createUntyped(pkg, module, entity, text string) {
	h.t.Helper()
	cmd := &v2.Command{Command: &v2.Command_Create{Create: &v2.CreateCommand{
		TemplateId: (lf.TemplateID{PackageID: pkg, Module: module, Entity: entity}).Identifier(),
		CreateArguments: &v2.Record{Fields: []*v2.RecordField{
			{Label: "owner", Value: &v2.Value{Sum: &v2.Value_Party{Party: h.party}}},
			{Label: "text", Value: &v2.Value{Sum: &v2.Value_Text{Text: text}}},
		}},
	}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.client.Submit(ctx, client.Submission{Commands: []*v2.Command{cmd}}); err != nil {
		h.t.Fatalf("create %s:%s:%s: %v", pkg, module, entity, err)
	}
}

// On a ledger that holds no package, package-name references, env.tid and
// commands with "Module:Entity" names work by name as contract_created does.
func TestSchemalessNamesWithoutPackage(t *testing.T) {
	h := newHarnessWith(t, `
def main(env, events):
    seen = []
    tid = env.tid("Main:Note")

    def on_note(event):
        seen.append(event.cdata["text"])

    events.ledger.contract_created("#notes:Main:Note")(on_note)
    events.ledger.contract_created("#notes:Main:Note", sweep=False)(lambda event: None)

    def list_seen(request):
        return json_response({"seen": seen, "tid": tid})

    events.webhook.get()(list_seen)

    def add(request):
        return create("Main:Note", {"owner": env.party, "text": "from the webhook"})

    events.webhook.post()(add)
`, nil, false)
	h.start()

	h.createUntyped("1220cafe", "Main", "Note", "first")
	var body struct {
		Seen []string
		Tid  string
	}
	waitFor(t, "the first note delivered", func() bool {
		h.get(0, &body)
		return len(body.Seen) == 1
	})
	if body.Tid != "Main:Note" {
		t.Errorf(`env.tid("Main:Note") = %q, want the name unchanged`, body.Tid)
	}

	if _, err := h.rt.HandleWebhook(t.Context(), 1, &WebhookRequest{Method: "POST"}); err != nil {
		t.Fatalf("create of Main:Note: %v", err)
	}
	waitFor(t, "the webhook's note delivered", func() bool {
		h.get(0, &body)
		return len(body.Seen) == 2
	})
	if body.Seen[1] != "from the webhook" {
		t.Errorf("seen = %q, want the webhook's note second", body.Seen)
	}
	// Two registrations used "#notes:Main:Note" and env.tid and the create
	// used "Main:Note", and the warning is logged once for each reference.
	warnings := map[string]int{}
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(line, "resolving it by module and entity alone") {
			_, ref, _ := strings.Cut(line, "template=")
			warnings[ref]++
		}
	}
	want := map[string]int{"#notes:Main:Note": 1, "Main:Note": 1}
	if !reflect.DeepEqual(warnings, want) {
		t.Errorf("name-only match warnings by reference = %v, want %v", warnings, want)
	}
}

// With no package and no contract of the template seen, a command names the
// missing package id in its error.
func TestSchemalessCommandWithoutPackageFails(t *testing.T) {
	h := newHarnessWith(t, `
def main(env, events):
    def add(request):
        return create("Main:Note", {"owner": env.party, "text": "lost"})

    events.webhook.post()(add)
`, nil, false)
	h.start()
	_, err := h.rt.HandleWebhook(t.Context(), 0, &WebhookRequest{Method: "POST"})
	if err == nil || !strings.Contains(err.Error(), "<package-id>:Main:Note") {
		t.Errorf("create of Main:Note: error = %v, want one asking for the package id", err)
	}
}

// With a model loaded, env.tid and commands keep a typo an error, and so do
// commands in the "#package-name" form. env.tid returns a name that has a
// package unchanged.
func TestTemplateTypoWithModelFails(t *testing.T) {
	h := newHarness(t, `
def main(env, events):
    @events.webhook.post(url_suffix="/tid")
    def tid(request):
        return json_response(env.tid(request.json()["name"]))

    @events.webhook.post(url_suffix="/make")
    def make(request):
        return create(request.json()["name"], {"owner": env.party, "name": "typo", "count": 0})
`)
	h.start()
	for _, name := range []string{"Utility.Sequence:Sequense", "#dabl-integration-core:Utility.Sequence:Sequense"} {
		for index := range 2 {
			if index == 0 && strings.HasPrefix(name, "#") {
				continue
			}
			body, _ := json.Marshal(map[string]string{"name": name})
			_, err := h.rt.HandleWebhook(t.Context(), index, &WebhookRequest{
				Method: "POST",
				Header: http.Header{"Content-Type": {"application/json"}},
				Body:   body,
			})
			if err == nil || !strings.Contains(err.Error(), "Sequense") {
				t.Errorf("webhook %d with %q: error = %v, want one naming the template", index, name, err)
			}
		}
	}
	if strings.Contains(h.logs.String(), "resolving it by module and entity alone") {
		t.Error("a name-only match was used although the model is loaded")
	}
}
