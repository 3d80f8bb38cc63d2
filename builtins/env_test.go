package builtins

import (
	"errors"
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

func TestEnvAttributes(t *testing.T) {
	var puts []string
	env, err := NewEnv(EnvConfig{
		Fields:    map[string]any{"greeting": "hi", "limit": int64(3), "ratio": 0.5, "enabled": true, "optional": nil},
		Party:     "alice::1220",
		DamlModel: &DamlModelInfo{Name: "model", Version: "1.0.0", MainPackageID: "abc"},
		QualifyTemplate: func(name string) (string, error) {
			if name == "bad" {
				return "", errors.New("bad has no module")
			}
			return "abc:" + name, nil
		},
		PutMessage: func(message starlark.Value, queueName string) error {
			if queueName == "full" {
				return errors.New("event queue is full")
			}
			puts = append(puts, queueName+"="+message.String())
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	thread := &starlark.Thread{Name: "test"}
	_, err = starlark.ExecFile(thread, "test.star", `
assert_eq = lambda got, want: fail("got %r, want %r" % (got, want)) if got != want else None
assert_eq(env.greeting, "hi")
assert_eq(env.limit, 3)
assert_eq(env.ratio, 0.5)
assert_eq(env.enabled, True)
assert_eq(env.optional, None)
assert_eq(env.party, "alice::1220")
assert_eq(env.daml_model.name, "model")
assert_eq(env.daml_model.version, "1.0.0")
assert_eq(env.daml_model.main_package_id, "abc")
assert_eq(env.tid("Main:Asset"), "abc:Main:Asset")
env.queue.put({"a": 1})
env.queue.put("x", queue_name="orders")
`, starlark.StringDict{"env": env})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`default={"a": 1}`, `orders="x"`}
	if strings.Join(puts, ",") != strings.Join(want, ",") {
		t.Errorf("puts = %q, want %q", puts, want)
	}

	errorCases := []struct{ src, want string }{
		{`env.missing`, `env has no field or attribute "missing"`},
		{`env.tid(1)`, "tid: name: got int, want string"},
		{`env.tid("bad")`, "tid: bad has no module"},
		{`env.queue.put(1, queue_name=2)`, "put: queue_name: got int, want string"},
		{`env.queue.put(1, queue_name="full")`, "put: event queue is full"},
		{`env.greeting = "x"`, "can't assign to .greeting field of env"},
	}
	for _, tt := range errorCases {
		_, err := starlark.ExecFile(thread, "test.star", tt.src, starlark.StringDict{"env": env})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want it to contain %q", tt.src, err, tt.want)
		}
	}
}

func TestEnvReservedField(t *testing.T) {
	_, err := NewEnv(EnvConfig{Fields: map[string]any{"party": "x"}})
	if err == nil || !strings.Contains(err.Error(), `field "party"`) {
		t.Errorf("error = %v, want it to name the field", err)
	}
}

func TestEnvWithoutModel(t *testing.T) {
	env, err := NewEnv(EnvConfig{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.Attr("daml_model")
	if err != nil || v != starlark.None {
		t.Errorf("daml_model = %v, %v, want None", v, err)
	}
}
