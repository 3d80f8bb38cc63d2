package builtins

import (
	"context"
	"fmt"
	"log/slog"

	"go.starlark.net/starlark"
)

// LevelCritical is the slog level of logger.critical, above slog.LevelError
// as Python's CRITICAL is above ERROR.
const LevelCritical = slog.LevelError + 4

func loggerBuiltin(h *Host) *starlark.Builtin {
	return starlark.NewBuiltin("getIntegrationLogger", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
			return nil, err
		}
		return &Logger{host: h}, nil
	})
}

// Logger is the value of getIntegrationLogger(). It finds the handler's
// slog.Logger on the calling thread at each call, so a logger created at
// the top of a script logs with the attributes of whichever handler uses it.
type Logger struct {
	host *Host
}

var _ starlark.HasAttrs = (*Logger)(nil)

// String returns <Logger integration>.
func (l *Logger) String() string { return "<Logger integration>" }

// Type returns "Logger".
func (l *Logger) Type() string { return "Logger" }

// Freeze does nothing: the logger has no mutable state.
func (l *Logger) Freeze() {}

// Truth returns True.
func (l *Logger) Truth() starlark.Bool { return true }

// Hash fails: loggers are not dictionary keys.
func (l *Logger) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: Logger") }

var loggerLevels = map[string]slog.Level{
	"debug":     slog.LevelDebug,
	"info":      slog.LevelInfo,
	"warning":   slog.LevelWarn,
	"warn":      slog.LevelWarn,
	"error":     slog.LevelError,
	"exception": slog.LevelError,
	"critical":  LevelCritical,
}

// Attr returns the logging methods and isEnabledFor(level).
func (l *Logger) Attr(name string) (starlark.Value, error) {
	if level, ok := loggerLevels[name]; ok {
		return starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, l.log(thread, b.Name(), level, args, kwargs)
		}).BindReceiver(l), nil
	}
	if name == "isEnabledFor" {
		return starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var level int
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "level", &level); err != nil {
				return nil, err
			}
			return starlark.Bool(l.host.logger(thread).Enabled(context.Background(), pythonLevel(level))), nil
		}).BindReceiver(l), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (l *Logger) AttrNames() []string {
	return []string{"critical", "debug", "error", "exception", "info", "isEnabledFor", "warn", "warning"}
}

// pythonLevel maps Python's numeric levels (10 DEBUG to 50 CRITICAL) to slog.
func pythonLevel(n int) slog.Level {
	switch {
	case n <= 10:
		return slog.LevelDebug
	case n <= 20:
		return slog.LevelInfo
	case n <= 30:
		return slog.LevelWarn
	case n <= 40:
		return slog.LevelError
	}
	return LevelCritical
}

// log formats msg % args as Python's logging does and writes one record.
// As in Python, a message is formatted only when args are given, and a
// formatting error does not fail the handler: the raw message is logged
// with the error in the format_error attribute. exception() adds the
// Starlark call stack, because Starlark has no exception to attach.
func (l *Logger) log(thread *starlark.Thread, fn string, level slog.Level, args starlark.Tuple, kwargs []starlark.Tuple) error {
	for _, kv := range kwargs {
		switch kv[0].(starlark.String) {
		case "exc_info", "stack_info", "stacklevel", "extra":
		default:
			return fmt.Errorf("%s: unexpected keyword argument %s", fn, kv[0])
		}
	}
	if len(args) == 0 {
		return fmt.Errorf("%s: missing argument for msg", fn)
	}

	logger := l.host.logger(thread)
	ctx := context.Background()
	if !logger.Enabled(ctx, level) {
		return nil
	}

	msg, ok := starlark.AsString(args[0])
	if !ok {
		msg = args[0].String()
	}
	var attrs []slog.Attr
	if rest := args[1:]; len(rest) > 0 {
		var operand starlark.Value = rest
		if len(rest) == 1 {
			if _, isDict := rest[0].(*starlark.Dict); isDict {
				// Python: a single dict argument serves %(name)s lookups.
				operand = rest[0]
			}
		}
		formatted, err := pyFormat(msg, operand)
		if err != nil {
			attrs = append(attrs, slog.String("format_error", err.Error()), slog.String("args", rest.String()))
		} else {
			msg = formatted
		}
	}
	if fn == "exception" && thread != nil {
		attrs = append(attrs, slog.String("stack", thread.CallStack().String()))
	}
	logger.LogAttrs(ctx, level, msg, attrs...)
	return nil
}
