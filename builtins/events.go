package builtins

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ditstar/ditstar/ledger/lf"
)

// HandlerKind is the kind of event a registered handler receives.
type HandlerKind int

// Handler kinds, one for each registration function of the events value.
const (
	KindLedgerInit HandlerKind = iota
	KindLedgerReady
	KindTransactionStart
	KindTransactionEnd
	KindContractCreated
	KindContractArchived
	KindWebhook
	KindTimer
	KindQueue
)

// String returns the registration function's name for the kind.
func (k HandlerKind) String() string {
	switch k {
	case KindLedgerInit:
		return "ledger_init"
	case KindLedgerReady:
		return "ledger_ready"
	case KindTransactionStart:
		return "transaction_start"
	case KindTransactionEnd:
		return "transaction_end"
	case KindContractCreated:
		return "contract_created"
	case KindContractArchived:
		return "contract_archived"
	case KindWebhook:
		return "webhook"
	case KindTimer:
		return "periodic_interval"
	case KindQueue:
		return "message"
	}
	return fmt.Sprintf("HandlerKind(%d)", int(k))
}

// Handler is one registration made by an entrypoint. Only the fields of the
// handler's kind are set.
type Handler struct {
	Kind HandlerKind
	Func starlark.Callable
	// Label is the label argument, or "" when the script gave none.
	Label string

	// TemplateRef is the template argument of contract_created and
	// contract_archived as written, and Templates the set it resolved to.
	TemplateRef string
	Templates   TemplateSet
	// Match is nil, a *starlark.Dict of required field values, or a
	// starlark.Callable that takes the contract data and returns a truth value.
	Match starlark.Value
	Sweep bool
	Flow  bool

	// Method is GET or POST for webhooks. URLSuffix is the url_suffix
	// argument as written (an aiohttp-style pattern), "" when absent.
	Method    string
	URLSuffix string
	// Auth is PUBLIC, ANY_PARTY or INTEGRATION_PARTY.
	Auth string

	// Interval is the period of a timer; Seconds is the same period as the
	// script wrote it, for labels.
	Interval time.Duration
	Seconds  starlark.Value

	// QueueName is the queue a message handler reads.
	QueueName string
}

// TemplateSet is the set of templates whose contracts a ledger handler
// receives.
type TemplateSet struct {
	// Any is set for the "*" reference: every template.
	Any bool
	// PackageID is set for "<package-id>:*": every template of that package.
	PackageID string
	// IDs are the templates named by every other form of reference.
	IDs []lf.TemplateID
	// Module and Entity, when set, match that template name in any package.
	// They stand for a "Module:Entity" reference that no loaded package
	// defines, as on a schemaless ledger.
	Module, Entity string
}

// Contains reports whether the set includes the template.
func (s TemplateSet) Contains(id lf.TemplateID) bool {
	if s.Any {
		return true
	}
	if s.PackageID != "" {
		return s.PackageID == id.PackageID
	}
	if s.Entity != "" && s.Module == id.Module && s.Entity == id.Entity {
		return true
	}
	for _, candidate := range s.IDs {
		if candidate == id {
			return true
		}
	}
	return false
}

// TemplateResolver turns a template reference into the set of templates it
// names. packageDefaulting qualifies a reference without a package with the
// integration's own model. The error explains what is wrong with ref.
type TemplateResolver func(ref string, packageDefaulting bool) (TemplateSet, error)

// Events is the events value an entrypoint receives: events.ledger,
// events.webhook, events.time and events.queue hold the registration
// functions. Registrations are accepted until Close, which the runtime calls
// when the entrypoint returns.
type Events struct {
	resolve TemplateResolver

	mu       sync.Mutex
	closed   bool
	handlers []*Handler
	queues   map[string]bool
	routes   routeSet

	value *starlarkstruct.Module
}

// NewEvents returns an Events value that resolves template references with
// resolve.
func NewEvents(resolve TemplateResolver) *Events {
	e := &Events{resolve: resolve, queues: map[string]bool{}}
	e.value = e.buildValue()
	return e
}

// Value returns the Starlark value passed to the entrypoint.
func (e *Events) Value() starlark.Value { return e.value }

// Close ends registration: later registration calls fail.
func (e *Events) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
}

// Handlers returns the registrations in the order they were made.
func (e *Events) Handlers() []*Handler {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*Handler(nil), e.handlers...)
}

func (e *Events) buildValue() *starlarkstruct.Module {
	module := func(name string, members starlark.StringDict) *starlarkstruct.Module {
		return &starlarkstruct.Module{Name: name, Members: members}
	}
	ledger := module("events.ledger", starlark.StringDict{
		"ledger_init":       e.simpleRegistration("ledger_init", KindLedgerInit),
		"ledger_ready":      e.simpleRegistration("ledger_ready", KindLedgerReady),
		"transaction_start": e.simpleRegistration("transaction_start", KindTransactionStart),
		"transaction_end":   e.simpleRegistration("transaction_end", KindTransactionEnd),
		"contract_created":  starlark.NewBuiltin("contract_created", e.contractCreated),
		"contract_archived": starlark.NewBuiltin("contract_archived", e.contractArchived),
	})
	webhook := module("events.webhook", starlark.StringDict{
		"get":  e.webhookRegistration("get", "GET"),
		"post": e.webhookRegistration("post", "POST"),
	})
	timers := module("events.time", starlark.StringDict{
		"periodic_interval": starlark.NewBuiltin("periodic_interval", e.periodicInterval),
	})
	queue := module("events.queue", starlark.StringDict{
		"message": starlark.NewBuiltin("message", e.queueMessage),
	})
	return module("events", starlark.StringDict{
		"ledger":  ledger,
		"webhook": webhook,
		"time":    timers,
		"queue":   queue,
	})
}

// decorator returns the function that a registration call returns: applied
// to the handler function, it records the registration and returns the
// function unchanged, so that it works both as a decorator and as a plain
// call, events.ledger.ledger_init()(on_init).
func (e *Events) decorator(name string, h *Handler) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if len(kwargs) > 0 || len(args) != 1 {
			return nil, fmt.Errorf("%s: got %d arguments, want 1 (the handler function)", name, len(args)+len(kwargs))
		}
		fn, ok := args[0].(starlark.Callable)
		if !ok {
			return nil, fmt.Errorf("%s: handler: got %s, want function", name, args[0].Type())
		}
		if err := e.add(name, h, fn); err != nil {
			return nil, err
		}
		return fn, nil
	})
}

func (e *Events) add(name string, h *Handler, fn starlark.Callable) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return fmt.Errorf("%s: handlers can only be registered while the entrypoint runs", name)
	}
	if h.Kind == KindQueue {
		if e.queues[h.QueueName] {
			return fmt.Errorf("%s: queue %q already has a handler; register one handler per queue_name", name, h.QueueName)
		}
		e.queues[h.QueueName] = true
	}
	if h.Kind == KindWebhook {
		if err := e.routes.add(h.Method, h.URLSuffix); err != nil {
			return fmt.Errorf("%s: url_suffix %q: %w", name, h.URLSuffix, err)
		}
	}
	registered := *h
	registered.Func = fn
	e.handlers = append(e.handlers, &registered)
	return nil
}

// checkOpen reports the error of a registration call made after the
// entrypoint returned, so that it surfaces at the call and not only when the
// decorator is applied.
func (e *Events) checkOpen(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return fmt.Errorf("%s: handlers can only be registered while the entrypoint runs", name)
	}
	return nil
}

func (e *Events) simpleRegistration(name string, kind HandlerKind) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var label starlark.Value = starlark.None
		if err := starlark.UnpackArgs(name, args, kwargs, "label?", &label); err != nil {
			return nil, err
		}
		labelText, err := optionalString(name, "label", label)
		if err != nil {
			return nil, err
		}
		if err := e.checkOpen(name); err != nil {
			return nil, err
		}
		return e.decorator(name, &Handler{Kind: kind, Label: labelText}), nil
	})
}

func (e *Events) contractCreated(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	name := b.Name()
	var template, match, label starlark.Value = nil, starlark.None, starlark.None
	var sweep, flow, defaulting starlark.Value = starlark.True, starlark.True, starlark.True
	if err := starlark.UnpackArgs(name, args, kwargs,
		"template", &template, "match?", &match, "sweep?", &sweep, "flow?", &flow,
		"package_defaulting?", &defaulting, "label?", &label); err != nil {
		return nil, err
	}
	h := &Handler{Kind: KindContractCreated}
	var err error
	if h.Sweep, err = requireBool(name, "sweep", sweep); err != nil {
		return nil, err
	}
	if h.Flow, err = requireBool(name, "flow", flow); err != nil {
		return nil, err
	}
	if err := e.fillContractHandler(name, h, template, match, defaulting, label); err != nil {
		return nil, err
	}
	return e.decorator(name, h), nil
}

func (e *Events) contractArchived(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	name := b.Name()
	var template, match, label starlark.Value = nil, starlark.None, starlark.None
	var defaulting starlark.Value = starlark.True
	if err := starlark.UnpackArgs(name, args, kwargs,
		"template", &template, "match?", &match, "package_defaulting?", &defaulting, "label?", &label); err != nil {
		return nil, err
	}
	h := &Handler{Kind: KindContractArchived}
	if err := e.fillContractHandler(name, h, template, match, defaulting, label); err != nil {
		return nil, err
	}
	return e.decorator(name, h), nil
}

// fillContractHandler checks the arguments shared by contract_created and
// contract_archived and resolves the template reference.
func (e *Events) fillContractHandler(name string, h *Handler, template, match, defaulting, label starlark.Value) error {
	ref, ok := starlark.AsString(template)
	if !ok {
		return fmt.Errorf("%s: template: got %s, want string", name, template.Type())
	}
	packageDefaulting, err := requireBool(name, "package_defaulting", defaulting)
	if err != nil {
		return err
	}
	switch match.(type) {
	case starlark.NoneType:
		match = nil
	case *starlark.Dict, starlark.Callable:
	default:
		return fmt.Errorf("%s: match: got %s, want dict, function or None", name, match.Type())
	}
	if h.Label, err = optionalString(name, "label", label); err != nil {
		return err
	}
	if err := e.checkOpen(name); err != nil {
		return err
	}
	set, err := e.resolve(ref, packageDefaulting)
	if err != nil {
		return fmt.Errorf("%s: template: %w", name, err)
	}
	h.TemplateRef = ref
	h.Templates = set
	h.Match = match
	return nil
}

func (e *Events) webhookRegistration(name, method string) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var suffix, label, auth starlark.Value = starlark.None, starlark.None, starlark.None
		if err := starlark.UnpackArgs(name, args, kwargs, "url_suffix?", &suffix, "label?", &label, "auth?", &auth); err != nil {
			return nil, err
		}
		h := &Handler{Kind: KindWebhook, Method: method}
		var err error
		if h.URLSuffix, err = optionalString(name, "url_suffix", suffix); err != nil {
			return nil, err
		}
		if err := CheckURLSuffix(h.URLSuffix); err != nil {
			return nil, fmt.Errorf("%s: url_suffix: %w", name, err)
		}
		if h.Label, err = optionalString(name, "label", label); err != nil {
			return nil, err
		}
		if h.Auth, err = authLevelName(name, auth); err != nil {
			return nil, err
		}
		if err := e.checkOpen(name); err != nil {
			return nil, err
		}
		return e.decorator(name, h), nil
	})
}

// CheckURLSuffix accepts the route patterns that the runtime can serve:
// literal path segments and whole-segment parameters in the httprouter form
// ":name" or the aiohttp forms "{name}" and "{name:regex}". The regex uses
// Go's RE2 syntax and must match the whole segment. Only the last segment
// may use the regex ".*" or ".+" to match the rest of the path.
func CheckURLSuffix(suffix string) error {
	segments := strings.Split(strings.TrimPrefix(suffix, "/"), "/")
	for i, seg := range segments {
		if seg == "." || seg == ".." {
			return fmt.Errorf("invalid segment %q in %q: clients remove . and .. segments before sending a request; write the path without them", seg, suffix)
		}
		if strings.HasPrefix(seg, ":") {
			if !isIdentifier(seg[1:]) {
				return fmt.Errorf("invalid parameter %q in %q: the name must be an identifier, as in :id", seg, suffix)
			}
			continue
		}
		if !strings.HasPrefix(seg, "{") {
			if strings.ContainsAny(seg, "?#") {
				return fmt.Errorf("invalid segment %q in %q: a request path never contains ? or #, which start the query and the fragment; read query values from request.query", seg, suffix)
			}
			if strings.ContainsAny(seg, "{}:*") {
				return fmt.Errorf("invalid segment %q in %q: a segment is literal text without {, }, : or *, or one whole :name or {name} parameter", seg, suffix)
			}
			continue
		}
		if !strings.HasSuffix(seg, "}") {
			return fmt.Errorf("invalid parameter %q in %q: a parameter fills its whole segment, as in /orders/{id}", seg, suffix)
		}
		param, pattern, hasPattern := strings.Cut(seg[1:len(seg)-1], ":")
		if !isIdentifier(param) {
			return fmt.Errorf("invalid parameter %q in %q: the name must be an identifier, as in {id}", seg, suffix)
		}
		if pattern == ".*" || pattern == ".+" {
			if i != len(segments)-1 {
				return fmt.Errorf("invalid parameter %q in %q: a parameter matching the rest of the path must be the last segment", seg, suffix)
			}
			continue
		}
		if hasPattern {
			if _, err := CompileRouteRegexp(pattern); err != nil {
				return fmt.Errorf("invalid regular expression %q of parameter %q in %q: %w", pattern, param, suffix, err)
			}
		}
	}
	return nil
}

// CompileRouteRegexp compiles the regex of a "{name:regex}" route parameter
// so that it matches only a whole parameter value, as aiohttp matches it.
func CompileRouteRegexp(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile("^(?:" + pattern + ")$")
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// authLevelName accepts None (PUBLIC), a level name as a string, or any value
// whose str() ends in a level name, such as the AuthorizationLevel members.
func authLevelName(fn string, v starlark.Value) (string, error) {
	if v == starlark.None {
		return "PUBLIC", nil
	}
	text, ok := starlark.AsString(v)
	if !ok {
		text = v.String()
	}
	for _, level := range []string{"INTEGRATION_PARTY", "ANY_PARTY", "PUBLIC"} {
		if text == level || strings.HasSuffix(text, "."+level) {
			return level, nil
		}
	}
	return "", fmt.Errorf("%s: auth: got %s %s, want AuthorizationLevel.PUBLIC, ANY_PARTY or INTEGRATION_PARTY", fn, v.Type(), v.String())
}

func (e *Events) periodicInterval(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	name := b.Name()
	var seconds, label starlark.Value = nil, starlark.None
	if err := starlark.UnpackArgs(name, args, kwargs, "seconds", &seconds, "label?", &label); err != nil {
		return nil, err
	}
	var value float64
	switch s := seconds.(type) {
	case starlark.Int:
		f, _ := starlark.AsFloat(s)
		value = f
	case starlark.Float:
		value = float64(s)
	default:
		return nil, fmt.Errorf("%s: seconds: got %s, want int or float", name, seconds.Type())
	}
	if !(value > 0) || math.IsNaN(value) {
		return nil, fmt.Errorf("%s: seconds: got %s, want a positive number of seconds", name, seconds.String())
	}
	if value > math.MaxInt64/float64(time.Second) {
		return nil, fmt.Errorf("%s: seconds: got %s, want at most %d seconds (about 292 years)", name, seconds.String(), math.MaxInt64/int64(time.Second))
	}
	interval := time.Duration(value * float64(time.Second))
	if interval <= 0 {
		return nil, fmt.Errorf("%s: seconds: got %s, want at least one nanosecond", name, seconds.String())
	}
	labelText, err := optionalString(name, "label", label)
	if err != nil {
		return nil, err
	}
	if err := e.checkOpen(name); err != nil {
		return nil, err
	}
	h := &Handler{Kind: KindTimer, Label: labelText, Interval: interval, Seconds: seconds}
	return e.decorator(name, h), nil
}

func (e *Events) queueMessage(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	name := b.Name()
	var queueName starlark.Value = starlark.String("default")
	var label starlark.Value = starlark.None
	if err := starlark.UnpackArgs(name, args, kwargs, "queue_name?", &queueName, "label?", &label); err != nil {
		return nil, err
	}
	text, ok := starlark.AsString(queueName)
	if !ok {
		return nil, fmt.Errorf("%s: queue_name: got %s, want string", name, queueName.Type())
	}
	labelText, err := optionalString(name, "label", label)
	if err != nil {
		return nil, err
	}
	// A second handler for the same queue is rejected here, at the call,
	// so that the error points at the registration line.
	e.mu.Lock()
	taken := e.queues[text]
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("%s: handlers can only be registered while the entrypoint runs", name)
	}
	if taken {
		return nil, fmt.Errorf("%s: queue %q already has a handler; register one handler per queue_name", name, text)
	}
	return e.decorator(name, &Handler{Kind: KindQueue, Label: labelText, QueueName: text}), nil
}

func requireBool(fn, param string, v starlark.Value) (bool, error) {
	b, ok := v.(starlark.Bool)
	if !ok {
		return false, fmt.Errorf("%s: %s: got %s, want bool", fn, param, v.Type())
	}
	return bool(b), nil
}

func optionalString(fn, param string, v starlark.Value) (string, error) {
	if v == starlark.None {
		return "", nil
	}
	s, ok := starlark.AsString(v)
	if !ok {
		return "", fmt.Errorf("%s: %s: got %s, want string or None", fn, param, v.Type())
	}
	return s, nil
}
