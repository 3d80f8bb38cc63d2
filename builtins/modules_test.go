package builtins

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

func TestModulesPaths(t *testing.T) {
	h, _ := testHost(t)
	mods := Modules(h)
	for _, path := range []string{"json", "datetime", "time", "math", "base64", "hashlib", "hmac", "uuid", "http", "decimal", ModuleAPI, ModuleWeb, ModuleDazl} {
		if len(mods[path]) == 0 {
			t.Errorf("module %q missing or empty", path)
		}
	}
	for _, name := range []string{"create", "exercise", "exercise_by_key", "create_and_exercise", "archive"} {
		if mods[ModuleDazl][name] == nil || mods[ModuleAPI][name] == nil {
			t.Errorf("%s: want it in dazl and daml_dit_if.api", name)
		}
	}
	for _, name := range []string{"json_response", "empty_success_response", "blob_success_response", "unauthorized_response",
		"forbidden_response", "not_found_response", "bad_request", "internal_server_error", "IntegrationResponse", "IntegrationWebhookResponse"} {
		if mods[ModuleWeb][name] == nil || mods[ModuleAPI][name] == nil {
			t.Errorf("%s: want it in daml_dit_if.main.web and daml_dit_if.api", name)
		}
	}
	if mods["datetime"]["datetime"] == nil || mods["decimal"]["Decimal"] == nil {
		t.Error("datetime.datetime or decimal.Decimal missing")
	}
}

func TestModulesFrozen(t *testing.T) {
	h, _ := testHost(t)
	_, err := eval(t, h, `json.extra = 1`)
	if err == nil {
		t.Error("assigning to a module member succeeded")
	}
	v := Modules(h)["datetime"]["timedelta"]
	other := Modules(h)["datetime"]["timedelta"]
	if v == other {
		t.Error("Modules returned the same class value twice, want fresh values per call")
	}
}

func TestPredeclaredNames(t *testing.T) {
	h, _ := testHost(t)
	pre := Predeclared(h)
	for _, name := range []string{"json", "datetime", "http", "create", "json_response", "AuthorizationLevel",
		"getIntegrationLogger", "get_request_parties", "get_single_request_party", "float", "int", "abs"} {
		if pre[name] == nil {
			t.Errorf("%s is not predeclared", name)
		}
	}
	if _, ok := pre["datetime"].(starlark.HasAttrs); !ok {
		t.Errorf("datetime is a %s, want a module", pre["datetime"].Type())
	}
}

func TestRegisterAPIDuplicatePanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), `"get_request_parties" registered twice`) {
			t.Errorf("recover() = %v, want a duplicate registration panic", r)
		}
	}()
	RegisterAPI("get_request_parties", starlark.None)
}

func TestAnnotationPlaceholders(t *testing.T) {
	h, _ := testHost(t)
	_, err := eval(t, h, `IntegrationEvents()`)
	if err == nil || !strings.Contains(err.Error(), "IntegrationEvents is a type name for annotations only") {
		t.Errorf("calling IntegrationEvents: error %v, want the annotation-only message", err)
	}
}

func TestImportHints(t *testing.T) {
	hints := ImportHints()
	if !strings.Contains(hints["aiohttp"], "http") {
		t.Errorf("aiohttp hint %q, want the http module", hints["aiohttp"])
	}
	mods := Modules(&Host{})
	for name := range hints {
		if mods[name] != nil {
			t.Errorf("%s has a hint but is importable", name)
		}
	}
}

func TestHostClockDrivesModules(t *testing.T) {
	h, vc := testHost(t)
	before := mustEval(t, h, `datetime.datetime.utcnow()`)
	vc.Advance(90 * time.Minute)
	after := mustEval(t, h, `datetime.datetime.utcnow()`)
	if before.String() != "2024-03-05 14:30:15.123456" {
		t.Errorf("before %s", before)
	}
	if after.String() != "2024-03-05 16:00:15.123456" {
		t.Errorf("after advancing 90 minutes: %s", after)
	}
	if got := mustEval(t, h, `time.time()`); got != starlark.Float(1709654415.123456789) {
		t.Errorf("time.time() = %s, want 1709654415.123456789", got)
	}
}

func TestUUIDFromHostRand(t *testing.T) {
	h := &Host{Rand: bytes.NewReader(make([]byte, 16))}
	if got := mustEval(t, h, `str(uuid.uuid4())`); got.String() != `"00000000-0000-4000-8000-000000000000"` {
		t.Errorf("uuid4 from zero bytes = %s", got)
	}
	// The 16 bytes are used up, so the next call fails.
	_, err := eval(t, h, `uuid.uuid4()`)
	if err == nil || !strings.Contains(err.Error(), "uuid4: reading the host's random source failed") {
		t.Errorf("error %v, want a random source failure", err)
	}
}
