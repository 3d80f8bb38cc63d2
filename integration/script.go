package integration

import (
	"context"
	"fmt"
	"log/slog"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/builtins"
	"github.com/ditstar/ditstar/interp"
)

// generation is the handler set of one load of the script. A reload under
// --watch builds a new generation and swaps it in between two events.
type generation struct {
	id     int64
	interp *interp.Interp
	events *builtins.Events

	handlers []*handlerState // registration order

	// The status lists; a handler's index is its position in its list.
	webhooks []*handlerState
	ledger   []*handlerState
	timers   []*handlerState
	queues   []*handlerState

	byKind      map[builtins.HandlerKind][]*handlerState
	queueByName map[string]*handlerState
}

// loadGeneration compiles the script, runs its entrypoint with fresh env and
// events values, and returns the handlers it registered.
func (r *Runtime) loadGeneration(ctx context.Context) (*generation, error) {
	in := interp.New(interp.Options{
		Predeclared: builtins.Predeclared(r.host),
		Modules:     builtins.Modules(r.host),
		ImportHints: builtins.ImportHints(),
		Limits:      r.opts.Limits,
		Print: func(thread *starlark.Thread, msg string) {
			r.threadLogger(thread).Info(msg, "source", "print")
		},
	})
	globals, err := in.LoadFile(ctx, r.opts.Package.FS, r.file)
	if err != nil {
		return nil, fmt.Errorf("load %s: %s", r.file, interp.FormatError(err))
	}
	entry, ok := globals[r.fn]
	if !ok {
		return nil, fmt.Errorf("load %s: entrypoint function %q is not defined in the file; check entrypoint in the integration metadata", r.file, r.fn)
	}
	if _, ok := entry.(starlark.Callable); !ok {
		return nil, fmt.Errorf("load %s: entrypoint %q: got %s, want a function of (env, events)", r.file, r.fn, entry.Type())
	}

	events := builtins.NewEvents(r.resolveTemplates)
	env, err := builtins.NewEnv(builtins.EnvConfig{
		Fields:          r.fields,
		Party:           r.Party(),
		DamlModel:       r.model,
		QualifyTemplate: r.qualifyTemplate,
		PutMessage:      r.putMessage,
	})
	if err != nil {
		return nil, err
	}
	r.loading.Store(true)
	defer r.loading.Store(false)
	setup := r.threadSetup("entrypoint")
	result, err := in.Call(ctx, entry, starlark.Tuple{env, events.Value()}, nil, setup)
	events.Close()
	if err != nil {
		return nil, fmt.Errorf("entrypoint %s:%s failed: %s", r.file, r.fn, interp.FormatError(err))
	}
	if result != starlark.None {
		r.log.Warn("the entrypoint returned a value, which is ignored", "type", result.Type())
	}
	gen := newGeneration(r.genCount.Add(1), in, events)
	r.log.Info("entrypoint registered handlers", "generation", gen.id, "handlers", len(gen.handlers),
		"webhooks", len(gen.webhooks), "ledger", len(gen.ledger), "timers", len(gen.timers), "queues", len(gen.queues))
	return gen, nil
}

func newGeneration(id int64, in *interp.Interp, events *builtins.Events) *generation {
	gen := &generation{
		id:          id,
		interp:      in,
		events:      events,
		byKind:      map[builtins.HandlerKind][]*handlerState{},
		queueByName: map[string]*handlerState{},
	}
	for _, h := range events.Handlers() {
		hs := &handlerState{h: h}
		switch h.Kind {
		case builtins.KindWebhook:
			hs.index = len(gen.webhooks)
			hs.route = routePattern(h.URLSuffix)
			hs.routeParams = routeParams(h.URLSuffix)
			gen.webhooks = append(gen.webhooks, hs)
		case builtins.KindTimer:
			hs.index = len(gen.timers)
			gen.timers = append(gen.timers, hs)
		case builtins.KindQueue:
			hs.index = len(gen.queues)
			gen.queues = append(gen.queues, hs)
			gen.queueByName[h.QueueName] = hs
		default:
			hs.index = len(gen.ledger)
			gen.ledger = append(gen.ledger, hs)
		}
		hs.label = handlerLabel(h)
		gen.handlers = append(gen.handlers, hs)
		gen.byKind[h.Kind] = append(gen.byKind[h.Kind], hs)
	}
	return gen
}

// threadSetup returns the function that prepares a handler call's thread:
// the logger that getIntegrationLogger and the http module write to.
func (r *Runtime) threadSetup(handler string) func(*starlark.Thread) {
	logger := r.log.With("handler", handler)
	return func(thread *starlark.Thread) {
		thread.SetLocal(builtins.ThreadLogger, logger)
	}
}

func (r *Runtime) threadLogger(thread *starlark.Thread) *slog.Logger {
	if thread != nil {
		if l, ok := thread.Local(builtins.ThreadLogger).(*slog.Logger); ok {
			return l
		}
	}
	return r.log
}
