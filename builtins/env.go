package builtins

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// DamlModelInfo describes the integration's own Daml model, as scripts see
// it on env.daml_model.
type DamlModelInfo struct {
	Name, Version, MainPackageID string
}

// EnvConfig is the runtime's input for the env value.
type EnvConfig struct {
	// Fields are the configured field values by field id, already typed:
	// string, bool, int, int64, float64, or any value FromGo converts.
	Fields map[string]any
	Party  string
	// DamlModel is nil when the integration has no model of its own.
	DamlModel *DamlModelInfo
	// QualifyTemplate implements env.tid: it qualifies a template name with
	// the integration's own package as package_defaulting does.
	QualifyTemplate func(name string) (string, error)
	// PutMessage implements env.queue.put. It returns an error when the
	// message cannot be queued, for example because the queue is full.
	PutMessage func(message starlark.Value, queueName string) error
}

// Env is the env value an entrypoint receives: one attribute per configured
// field plus party, queue, daml_model and tid. It is immutable.
type Env struct {
	attrs starlark.StringDict
}

var (
	_ starlark.HasAttrs = (*Env)(nil)
)

// envReserved are the attribute names the runtime defines; a configured
// field with one of these ids is rejected because it would hide it.
var envReserved = map[string]bool{"party": true, "queue": true, "daml_model": true, "tid": true}

// NewEnv builds the env value. It fails when a field value has no Starlark
// form or a field id hides one of the runtime's attributes.
func NewEnv(cfg EnvConfig) (*Env, error) {
	attrs := starlark.StringDict{}
	ids := make([]string, 0, len(cfg.Fields))
	for id := range cfg.Fields {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if envReserved[id] {
			return nil, fmt.Errorf("env: field %q has the name of a built-in attribute of env; rename the field", id)
		}
		v, err := envFieldValue(cfg.Fields[id])
		if err != nil {
			return nil, fmt.Errorf("env: field %q: %w", id, err)
		}
		attrs[id] = v
	}
	attrs["party"] = starlark.String(cfg.Party)

	var model starlark.Value = starlark.None
	if cfg.DamlModel != nil {
		model = starlarkstruct.FromStringDict(starlark.String("DamlModelInfo"), starlark.StringDict{
			"name":            starlark.String(cfg.DamlModel.Name),
			"version":         starlark.String(cfg.DamlModel.Version),
			"main_package_id": starlark.String(cfg.DamlModel.MainPackageID),
		})
	}
	attrs["daml_model"] = model

	qualify := cfg.QualifyTemplate
	attrs["tid"] = starlark.NewBuiltin("tid", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var name starlark.Value
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name); err != nil {
			return nil, err
		}
		text, ok := starlark.AsString(name)
		if !ok {
			return nil, fmt.Errorf("tid: name: got %s, want string", name.Type())
		}
		if qualify == nil {
			return starlark.String(text), nil
		}
		qualified, err := qualify(text)
		if err != nil {
			return nil, fmt.Errorf("tid: %w", err)
		}
		return starlark.String(qualified), nil
	})

	put := cfg.PutMessage
	attrs["queue"] = &starlarkstruct.Module{Name: "env.queue", Members: starlark.StringDict{
		"put": starlark.NewBuiltin("put", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var message starlark.Value
			var queueName starlark.Value = starlark.String("default")
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "message", &message, "queue_name?", &queueName); err != nil {
				return nil, err
			}
			text, ok := starlark.AsString(queueName)
			if !ok {
				return nil, fmt.Errorf("put: queue_name: got %s, want string", queueName.Type())
			}
			if put == nil {
				return nil, fmt.Errorf("put: queues are not available in this context")
			}
			if err := put(message, text); err != nil {
				return nil, fmt.Errorf("put: %w", err)
			}
			return starlark.None, nil
		}),
	}}
	attrs.Freeze()
	return &Env{attrs: attrs}, nil
}

func envFieldValue(v any) (starlark.Value, error) {
	switch x := v.(type) {
	case nil:
		return starlark.None, nil
	case string:
		return starlark.String(x), nil
	case bool:
		return starlark.Bool(x), nil
	case int:
		return starlark.MakeInt(x), nil
	case int64:
		return starlark.MakeInt64(x), nil
	case float64:
		return starlark.Float(x), nil
	}
	return FromGo(v)
}

// String returns "<env>".
func (e *Env) String() string        { return "<env>" }
func (e *Env) Type() string          { return "env" }
func (e *Env) Freeze()               {}
func (e *Env) Truth() starlark.Bool  { return true }
func (e *Env) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: env") }

// Attr returns a field value or one of the runtime's attributes.
func (e *Env) Attr(name string) (starlark.Value, error) {
	if v, ok := e.attrs[name]; ok {
		return v, nil
	}
	return nil, starlark.NoSuchAttrError(fmt.Sprintf("env has no field or attribute %q; configured fields are the ids under fields in the integration metadata", name))
}

// AttrNames returns the attribute names in sorted order.
func (e *Env) AttrNames() []string { return e.attrs.Keys() }
