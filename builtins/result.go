package builtins

import (
	"fmt"
	"math"
	"time"

	"go.starlark.net/starlark"
)

// DefaultCommandTimeout is how long the runtime keeps retrying a submission
// when the handler's IntegrationResponse gives no command_timeout, as in
// daml-dit-if.
const DefaultCommandTimeout = 30 * time.Second

// IntegrationResponse is the Starlark value of IntegrationResponse(...) and,
// with Webhook set, of IntegrationWebhookResponse(...).
type IntegrationResponse struct {
	Webhook        bool
	Commands       starlark.Value // None, a Command or a list of them
	ErrorHandler   starlark.Value // None or a callable
	CommandTimeout starlark.Value // seconds, int or float
	Response       starlark.Value // None or a *Response (webhook only)
}

var _ starlark.HasAttrs = (*IntegrationResponse)(nil)

// String returns a Python-like constructor call.
func (r *IntegrationResponse) String() string {
	if r.Webhook {
		return fmt.Sprintf("IntegrationWebhookResponse(commands=%s, error_handler=%s, command_timeout=%s, response=%s)",
			r.Commands, r.ErrorHandler, r.CommandTimeout, r.Response)
	}
	return fmt.Sprintf("IntegrationResponse(commands=%s, error_handler=%s, command_timeout=%s)",
		r.Commands, r.ErrorHandler, r.CommandTimeout)
}

// Type returns the Python class name.
func (r *IntegrationResponse) Type() string {
	if r.Webhook {
		return "IntegrationWebhookResponse"
	}
	return "IntegrationResponse"
}

// Freeze freezes the fields.
func (r *IntegrationResponse) Freeze() {
	for _, v := range []starlark.Value{r.Commands, r.ErrorHandler, r.CommandTimeout, r.Response} {
		v.Freeze()
	}
}

// Truth returns True.
func (r *IntegrationResponse) Truth() starlark.Bool { return true }

// Hash fails: the value carries mutable lists.
func (r *IntegrationResponse) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: %s", r.Type())
}

// Attr returns the constructor's fields.
func (r *IntegrationResponse) Attr(name string) (starlark.Value, error) {
	switch name {
	case "commands":
		return r.Commands, nil
	case "error_handler":
		return r.ErrorHandler, nil
	case "command_timeout":
		return r.CommandTimeout, nil
	case "response":
		if r.Webhook {
			return r.Response, nil
		}
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (r *IntegrationResponse) AttrNames() []string {
	names := []string{"command_timeout", "commands", "error_handler"}
	if r.Webhook {
		names = append(names, "response")
	}
	return names
}

func newIntegrationResponse(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return unpackIntegrationResponse(b.Name(), false, args, kwargs)
}

func newIntegrationWebhookResponse(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return unpackIntegrationResponse(b.Name(), true, args, kwargs)
}

func unpackIntegrationResponse(fn string, webhook bool, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	r := &IntegrationResponse{
		Webhook:        webhook,
		Commands:       starlark.None,
		ErrorHandler:   starlark.None,
		CommandTimeout: starlark.MakeInt(int(DefaultCommandTimeout / time.Second)),
		Response:       starlark.None,
	}
	pairs := []any{"commands?", &r.Commands, "error_handler?", &r.ErrorHandler, "command_timeout?", &r.CommandTimeout}
	if webhook {
		pairs = append(pairs, "response?", &r.Response)
	}
	if err := starlark.UnpackArgs(fn, args, kwargs, pairs...); err != nil {
		return nil, err
	}
	if _, err := flattenCommands(fn+": commands", r.Commands); err != nil {
		return nil, err
	}
	if r.ErrorHandler != starlark.None {
		if _, ok := r.ErrorHandler.(starlark.Callable); !ok {
			return nil, fmt.Errorf("%s: error_handler: got %s, want callable or None", fn, r.ErrorHandler.Type())
		}
	}
	if _, err := commandTimeout(fn, r.CommandTimeout); err != nil {
		return nil, err
	}
	if webhook && r.Response != starlark.None {
		if _, ok := r.Response.(*Response); !ok {
			return nil, fmt.Errorf("%s: response: got %s, want a Response from json_response or another response helper", fn, r.Response.Type())
		}
	}
	return r, nil
}

func commandTimeout(fn string, v starlark.Value) (time.Duration, error) {
	var seconds float64
	switch v := v.(type) {
	case starlark.Int:
		n, ok := v.Int64()
		if !ok {
			return 0, fmt.Errorf("%s: command_timeout: %s is out of range", fn, v)
		}
		seconds = float64(n)
	case starlark.Float:
		seconds = float64(v)
	default:
		return 0, fmt.Errorf("%s: command_timeout: got %s, want int or float seconds", fn, v.Type())
	}
	if !(seconds > 0) || seconds > math.MaxInt64/float64(time.Second) {
		return 0, fmt.Errorf("%s: command_timeout: got %v, want a positive number of seconds", fn, v)
	}
	return time.Duration(seconds * float64(time.Second)), nil
}

// flattenCommands returns the commands in v: None, one Command, or a list
// or tuple whose elements are commands, None or nested lists.
func flattenCommands(what string, v starlark.Value) ([]*Command, error) {
	var out []*Command
	var walk func(v starlark.Value, depth int) error
	walk = func(v starlark.Value, depth int) error {
		if depth > 64 {
			return fmt.Errorf("%s: lists nested more than 64 deep", what)
		}
		switch v := v.(type) {
		case starlark.NoneType:
			return nil
		case *Command:
			out = append(out, v)
			return nil
		case *starlark.List, starlark.Tuple:
			iter := starlark.Iterate(v)
			defer iter.Done()
			var elem starlark.Value
			for iter.Next(&elem) {
				if err := walk(elem, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		return fmt.Errorf("%s: got %s, want a command from create, exercise, exercise_by_key, create_and_exercise or archive", what, v.Type())
	}
	if err := walk(v, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// Result is a handler's return value in the form the runtime submits.
type Result struct {
	Commands     []*Command
	ErrorHandler starlark.Callable // nil when none was given
	// CommandTimeout bounds the submission and its retries.
	CommandTimeout time.Duration
	// Response is the webhook reply; nil means the runtime's default (200,
	// empty body).
	Response *HTTPResponse
}

// NormalizeResult converts what a handler returned: None, a command, a list
// of commands (nested lists are flattened, None elements skipped), an
// IntegrationResponse, or for webhooks (webhook=true) also an
// IntegrationWebhookResponse or a Response. Anything else is an error that
// names the type returned.
func NormalizeResult(v starlark.Value, webhook bool) (*Result, error) {
	res := &Result{CommandTimeout: DefaultCommandTimeout}
	if v == nil {
		return res, nil
	}
	switch v := v.(type) {
	case *Response:
		if !webhook {
			return nil, fmt.Errorf("handler result: got %s, but only webhook handlers may return an HTTP response", v.Type())
		}
		resp := v.HTTP
		res.Response = &resp
		return res, nil
	case *IntegrationResponse:
		if v.Webhook && !webhook && v.Response != starlark.None {
			return nil, fmt.Errorf("handler result: got %s with a response, but only webhook handlers may return an HTTP response", v.Type())
		}
		cmds, err := flattenCommands("handler result: commands", v.Commands)
		if err != nil {
			return nil, err
		}
		res.Commands = cmds
		if c, ok := v.ErrorHandler.(starlark.Callable); ok {
			res.ErrorHandler = c
		}
		if res.CommandTimeout, err = commandTimeout("handler result", v.CommandTimeout); err != nil {
			return nil, err
		}
		if r, ok := v.Response.(*Response); ok {
			resp := r.HTTP
			res.Response = &resp
		}
		return res, nil
	}
	want := "None, a command, a list of commands or IntegrationResponse"
	if webhook {
		want = "None, a command, a list of commands, IntegrationWebhookResponse or a response"
	}
	switch v.(type) {
	case starlark.NoneType, *Command, *starlark.List, starlark.Tuple:
	default:
		return nil, fmt.Errorf("handler result: got %s, want %s", v.Type(), want)
	}
	cmds, err := flattenCommands("handler result", v)
	if err != nil {
		return nil, err
	}
	res.Commands = cmds
	return res, nil
}
