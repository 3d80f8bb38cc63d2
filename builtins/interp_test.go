package builtins

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/interp"
)

// newInterp returns an interpreter with the modules of h, as the runtime
// builds it.
func newInterp(h *Host, limits interp.Limits) *interp.Interp {
	return interp.New(interp.Options{
		Predeclared: Predeclared(h),
		Modules:     Modules(h),
		Limits:      limits,
	})
}

// TestPythonPort loads a script written as for daml-dit-if, with Python's
// import lines, and runs one handler through the interpreter.
func TestPythonPort(t *testing.T) {
	h, _ := testHost(t)
	src := `
import json
import datetime as dtmod
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from daml_dit_if.api import IntegrationEnvironment, IntegrationEvents, getIntegrationLogger, \
    IntegrationWebhookResponse, json_response, AuthorizationLevel
from daml_dit_if.main.web import bad_request
from dazl import create, exercise

LOG = getIntegrationLogger()

def handle(request: 'dict') -> 'IntegrationWebhookResponse':
    now = datetime.now(timezone.utc)
    stamp = datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S")
    later = now + timedelta(minutes=5)
    LOG.info("handling %r at %s", request, stamp)
    if "amount" not in request:
        return bad_request("missing_amount", "amount is required")
    return IntegrationWebhookResponse(
        commands=[create("Main:Order", {"amount": Decimal(request["amount"]), "due": later}),
                  exercise("00cid", "Touch")],
        response=json_response({"at": stamp, "iso": dtmod.datetime.fromisoformat("2024-01-01").isoformat(),
                                "auth": str(AuthorizationLevel.PUBLIC)}))
`
	in := newInterp(h, interp.Limits{})
	fsys := fstest.MapFS{"port.star": {Data: []byte(src)}}
	globals, err := in.LoadFile(context.Background(), fsys, "port.star")
	if err != nil {
		t.Fatal(interp.FormatError(err))
	}
	req := starlark.NewDict(1)
	_ = req.SetKey(starlark.String("amount"), starlark.String("12.50"))
	v, err := in.Call(context.Background(), globals["handle"], starlark.Tuple{req}, nil, nil)
	if err != nil {
		t.Fatal(interp.FormatError(err))
	}
	res, err := NormalizeResult(v, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Commands) != 2 {
		t.Fatalf("got %d commands, want 2", len(res.Commands))
	}
	payload, err := ToGo(res.Commands[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	if got := formatGo(payload); got != "{amount: Decimal(12.50), due: Time(2024-03-05T14:35:15.123456Z)}" {
		t.Errorf("payload %s", got)
	}
	wantBody := `{"at": "2024-03-05T14:30:15", "iso": "2024-01-01T00:00:00", "auth": "AuthorizationLevel.PUBLIC"}` + "\n"
	if res.Response == nil || string(res.Response.Body) != wantBody {
		t.Errorf("response %+v, want body %q", res.Response, wantBody)
	}

	bad, err := in.Call(context.Background(), globals["handle"], starlark.Tuple{starlark.NewDict(0)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	badRes, err := NormalizeResult(bad, true)
	if err != nil {
		t.Fatal(err)
	}
	if badRes.Response == nil || badRes.Response.Status != http.StatusBadRequest {
		t.Errorf("response %+v, want 400", badRes.Response)
	}
}

// TestHTTPDeadline checks that a request ends with the handler call's
// deadline even when its own timeout is longer.
func TestHTTPDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	h, _ := httpHost(t)
	in := newInterp(h, interp.Limits{Timeout: 300 * time.Millisecond})
	src := "def fetch(url):\n    return http.get(url, timeout=60)\n"
	globals, err := in.LoadFile(context.Background(), fstest.MapFS{"d.star": {Data: []byte(src)}}, "d.star")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = in.Call(context.Background(), globals["fetch"], starlark.Tuple{starlark.String(srv.URL)}, nil, nil)
	if err == nil {
		t.Fatal("no error, want the deadline")
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("call took %s, want about 0.3s", elapsed)
	}
	if !strings.Contains(err.Error(), "timed out") && !strings.Contains(err.Error(), "timeout") {
		t.Errorf("error %q, want a timeout", err)
	}
}
