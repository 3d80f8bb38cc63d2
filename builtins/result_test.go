package builtins

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

func TestNormalizeResultNone(t *testing.T) {
	h, _ := testHost(t)
	for _, v := range []starlark.Value{nil, starlark.None, mustEval(t, h, "[]"), mustEval(t, h, "[None, []]")} {
		res, err := NormalizeResult(v, false)
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		if len(res.Commands) != 0 {
			t.Errorf("%v: got %d commands, want 0", v, len(res.Commands))
		}
		if res.CommandTimeout != DefaultCommandTimeout {
			t.Errorf("%v: command timeout %s, want %s", v, res.CommandTimeout, DefaultCommandTimeout)
		}
		if res.Response != nil || res.ErrorHandler != nil {
			t.Errorf("%v: got response %v, error handler %v, want neither", v, res.Response, res.ErrorHandler)
		}
	}
}

func TestNormalizeResultFlattensLists(t *testing.T) {
	h, _ := testHost(t)
	v := mustEval(t, h, `[archive("1"), [create("M:T", {}), (exercise("2", "C"), None)], []]`)
	res, err := NormalizeResult(v, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Commands {
		got = append(got, c.Kind.String()+" "+c.ContractID+c.Template)
	}
	want := "exercise 1,create M:T,exercise 2"
	if strings.Join(got, ",") != want {
		t.Errorf("commands %q, want %q", strings.Join(got, ","), want)
	}
}

func TestNormalizeResultSingleCommand(t *testing.T) {
	h, _ := testHost(t)
	res, err := NormalizeResult(mustEval(t, h, `create_and_exercise("M:T", {"a": 1}, "Go", {"b": 2})`), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Commands) != 1 {
		t.Fatalf("got %d commands, want 1", len(res.Commands))
	}
	c := res.Commands[0]
	if c.Kind != CommandCreateAndExercise || c.Template != "M:T" || c.Choice != "Go" {
		t.Errorf("command %+v", c)
	}
	arg, err := ToGo(c.Argument)
	if err != nil {
		t.Fatal(err)
	}
	if got := formatGo(arg); got != "{b: int64(2)}" {
		t.Errorf("argument %s, want {b: int64(2)}", got)
	}
}

func TestNormalizeResultIntegrationResponse(t *testing.T) {
	h, _ := testHost(t)
	v := mustEval(t, h, `IntegrationResponse(commands=[archive("1"), archive("2")], error_handler=lambda e: None, command_timeout=2.5)`)
	res, err := NormalizeResult(v, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Commands) != 2 {
		t.Errorf("got %d commands, want 2", len(res.Commands))
	}
	if res.ErrorHandler == nil {
		t.Error("error handler missing")
	}
	if res.CommandTimeout != 2500*time.Millisecond {
		t.Errorf("command timeout %s, want 2.5s", res.CommandTimeout)
	}
	one, err := NormalizeResult(mustEval(t, h, `IntegrationResponse(commands=archive("1"))`), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Commands) != 1 {
		t.Errorf("single command: got %d commands, want 1", len(one.Commands))
	}
}

func TestNormalizeResultWebhook(t *testing.T) {
	h, _ := testHost(t)
	v := mustEval(t, h, `IntegrationWebhookResponse(commands=[archive("1")], response=json_response({"ok": True}, status=202))`)
	res, err := NormalizeResult(v, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Commands) != 1 {
		t.Errorf("got %d commands, want 1", len(res.Commands))
	}
	if res.Response == nil {
		t.Fatal("response missing")
	}
	if res.Response.Status != http.StatusAccepted {
		t.Errorf("status %d, want 202", res.Response.Status)
	}
	if string(res.Response.Body) != "{\"ok\": true}\n" {
		t.Errorf("body %q", res.Response.Body)
	}
	if ct := res.Response.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}

	plain, err := NormalizeResult(mustEval(t, h, `not_found_response("missing", "no such order")`), true)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Response == nil || plain.Response.Status != http.StatusNotFound {
		t.Errorf("response %+v, want status 404", plain.Response)
	}

	// A webhook may also return a list of commands and no response.
	list, err := NormalizeResult(mustEval(t, h, `[archive("1")]`), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Commands) != 1 || list.Response != nil {
		t.Errorf("list result %+v", list)
	}
}

func TestNormalizeResultErrors(t *testing.T) {
	h, _ := testHost(t)
	cases := []struct {
		expr    string
		webhook bool
		want    string
	}{
		{`json_response({})`, false, "only webhook handlers may return an HTTP response"},
		{`IntegrationWebhookResponse(response=empty_success_response())`, false, "only webhook handlers"},
		{`{"a": 1}`, false, "handler result: got dict, want None, a command, a list of commands or IntegrationResponse"},
		{`"text"`, true, "handler result: got string, want None, a command, a list of commands, IntegrationWebhookResponse or a response"},
		{`[archive("1"), 2]`, false, "handler result: got int, want a command"},
	}
	for _, c := range cases {
		_, err := NormalizeResult(mustEval(t, h, c.expr), c.webhook)
		if err == nil {
			t.Errorf("%s: no error, want %q", c.expr, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to contain %q", c.expr, err, c.want)
		}
	}
}

func TestNormalizeResultNestingLimit(t *testing.T) {
	v := starlark.Value(starlark.NewList(nil))
	for range 70 {
		v = starlark.NewList([]starlark.Value{v})
	}
	if _, err := NormalizeResult(v, false); err == nil || !strings.Contains(err.Error(), "nested more than 64 deep") {
		t.Errorf("error %v, want a nesting error", err)
	}
}
