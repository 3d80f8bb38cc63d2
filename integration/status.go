package integration

import (
	"fmt"
	"log/slog"
	"time"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/builtins"
)

// handlerState is a registered handler with its counters. The counters are
// guarded by Runtime.statusMu.
type handlerState struct {
	h     *builtins.Handler
	index int
	label string
	// route is a webhook's url_suffix as an httprouter pattern, and
	// routeParams the regular expressions of its parameters.
	route       string
	routeParams *RouteParams

	useCount     int64
	commandCount int64
	errorCount   int64
	errorMessage *string
	errorTime    *time.Time
}

// name identifies the handler in logs and metrics: its kind and index.
func (hs *handlerState) name() string {
	return fmt.Sprintf("%s[%d]", hs.h.Kind, hs.index)
}

// handlerLabel returns the label shown in the status document. Unlabelled
// handlers get the Python framework's labels; a timer's label ends with its
// interval, and an unlabelled timer is named after its function.
func handlerLabel(h *builtins.Handler) string {
	label := h.Label
	if h.Kind == builtins.KindTimer {
		if label == "" {
			label = h.Func.Name()
		}
		return fmt.Sprintf("%s (%ss)", label, secondsText(h.Seconds))
	}
	if label != "" {
		return label
	}
	switch h.Kind {
	case builtins.KindLedgerInit:
		return "Ledger Init"
	case builtins.KindLedgerReady:
		return "Ledger Ready"
	case builtins.KindTransactionStart:
		return "Transaction Start"
	case builtins.KindTransactionEnd:
		return "Transaction End"
	case builtins.KindContractCreated:
		return "Contract Create"
	case builtins.KindContractArchived:
		return "Contract Archive"
	case builtins.KindWebhook:
		return "Webhook " + h.Method
	case builtins.KindQueue:
		return "Queue Message (" + h.QueueName + ")"
	}
	return h.Kind.String()
}

func secondsText(v starlark.Value) string {
	if v == nil {
		return "?"
	}
	if f, ok := v.(starlark.Float); ok && float64(f) == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return v.String()
}

func (r *Runtime) recordUse(hs *handlerState) {
	r.statusMu.Lock()
	hs.useCount++
	r.statusMu.Unlock()
}

func (r *Runtime) recordCommands(hs *handlerState, commands int) {
	r.statusMu.Lock()
	hs.commandCount += int64(commands)
	r.statusMu.Unlock()
}

func (r *Runtime) recordHandlerError(hs *handlerState, err error) {
	msg := err.Error()
	now := r.clock.Now()
	r.statusMu.Lock()
	hs.errorCount++
	hs.errorMessage = &msg
	hs.errorTime = &now
	r.statusMu.Unlock()
}

// recordRuntimeError sets the integration-level error of the status.
func (r *Runtime) recordRuntimeError(err error) {
	msg := err.Error()
	now := r.clock.Now()
	r.statusMu.Lock()
	r.errMsg = &msg
	r.errTime = &now
	r.statusMu.Unlock()
}

func (r *Runtime) setRunning(running bool) {
	r.statusMu.Lock()
	r.running = running
	r.statusMu.Unlock()
}

// Status returns the status document. Self is left empty for the HTTP
// server to fill in.
func (r *Runtime) Status() Status {
	gen := r.gen.Load()
	queue := r.fifo.stats()
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	s := Status{
		Running:         r.running,
		StartTime:       r.startTime,
		ErrorMessage:    r.errMsg,
		ErrorTime:       r.errTime,
		PendingEvents:   queue.PendingEvents,
		EventQueue:      queue,
		Webhooks:        []HandlerStatus{},
		LedgerEvents:    []HandlerStatus{},
		Timers:          []HandlerStatus{},
		Queues:          []HandlerStatus{},
		LogLevel:        r.logLevel,
		LogLevelOptions: logLevelOptions(),
	}
	if gen == nil {
		return s
	}
	for _, hs := range gen.webhooks {
		st := hs.statusLocked()
		st.URLPath = hs.h.URLSuffix
		st.Method = hs.h.Method
		s.Webhooks = append(s.Webhooks, st)
	}
	for _, hs := range gen.ledger {
		st := hs.statusLocked()
		switch hs.h.Kind {
		case builtins.KindContractCreated:
			st.TemplateID = hs.h.TemplateRef
			sweep, flow := hs.h.Sweep, hs.h.Flow
			st.SweepEnabled, st.FlowEnabled = &sweep, &flow
		case builtins.KindContractArchived:
			st.TemplateID = hs.h.TemplateRef
			sweep, flow := false, true
			st.SweepEnabled, st.FlowEnabled = &sweep, &flow
		}
		s.LedgerEvents = append(s.LedgerEvents, st)
	}
	for _, hs := range gen.timers {
		s.Timers = append(s.Timers, hs.statusLocked())
	}
	for _, hs := range gen.queues {
		s.Queues = append(s.Queues, hs.statusLocked())
	}
	return s
}

func (hs *handlerState) statusLocked() HandlerStatus {
	return HandlerStatus{
		Index:        hs.index,
		Label:        hs.label,
		CommandCount: hs.commandCount,
		UseCount:     hs.useCount,
		ErrorCount:   hs.errorCount,
		ErrorMessage: hs.errorMessage,
		ErrorTime:    hs.errorTime,
	}
}

// Log levels as DABL_LOG_LEVEL numbers them: 0 to 50, where 10 or more
// switches the integration logger to debug, as the Python framework did.
const (
	minLogLevel   = 0
	maxLogLevel   = 50
	debugLogLevel = 10
)

func logLevelOptions() []LogLevelLabel {
	return []LogLevelLabel{{Label: "Info", Value: 0}, {Label: "Debug", Value: debugLogLevel}}
}

func levelNumber(l slog.Level) int {
	if l <= slog.LevelDebug {
		return debugLogLevel
	}
	return 0
}

// LogLevel returns the current log level number.
func (r *Runtime) LogLevel() int {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	return r.logLevel
}

// SetLogLevel sets the log level number: 10 or more logs at debug, less at
// info. A number outside 0 to 50 is an error and changes nothing.
func (r *Runtime) SetLogLevel(n int) error {
	if n < minLogLevel || n > maxLogLevel {
		return fmt.Errorf("invalid log level %d: want a number from %d to %d (%d or more logs at debug)", n, minLogLevel, maxLogLevel, debugLogLevel)
	}
	r.statusMu.Lock()
	r.logLevel = n
	r.statusMu.Unlock()
	if n >= debugLogLevel {
		r.opts.LogLevel.Set(slog.LevelDebug)
	} else {
		r.opts.LogLevel.Set(slog.LevelInfo)
	}
	r.log.Info("log level changed", "log_level", n)
	return nil
}
