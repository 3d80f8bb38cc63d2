package builtins

import (
	"fmt"
	"time"

	starlarktime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"
)

// timeMembers returns go.starlark.net's time module on the host's clock,
// with now and from_timestamp in UTC, plus Python's time.time() and
// time.time_ns(). now() returns go.starlark.net's time value, which has
// format(layout), unix, year and the other fields. Durations come from
// parse_duration and the constants second, minute, hour and so on.
func timeMembers(h *Host) starlark.StringDict {
	d := starlark.StringDict{}
	for k, v := range starlarktime.Module.Members {
		d[k] = v
	}
	d["now"] = starlark.NewBuiltin("now", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
			return nil, err
		}
		return starlarktime.Time(h.now()), nil
	})

	// Python's time.time() returns the seconds since the epoch as a float.
	// go.starlark.net's time(year=..., ...) constructor stays reachable
	// through the same name when called with arguments.
	construct := starlarktime.Module.Members["time"].(*starlark.Builtin)
	d["time"] = starlark.NewBuiltin("time", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if len(args) == 0 && len(kwargs) == 0 {
			return starlark.Float(float64(h.now().UnixNano()) / 1e9), nil
		}
		return starlark.Call(thread, construct, args, kwargs)
	})
	d["from_timestamp"] = starlark.NewBuiltin("from_timestamp", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var sec, nsec int64
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &sec, &nsec); err != nil {
			return nil, err
		}
		return starlarktime.Time(time.Unix(sec, nsec).UTC()), nil
	})

	d["time_ns"] = starlark.NewBuiltin("time_ns", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
			return nil, err
		}
		return starlark.MakeInt64(h.now().UnixNano()), nil
	})
	d["format"] = starlark.NewBuiltin("format", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var t starlarktime.Time
		layout := time.RFC3339
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "t", &t, "layout?", &layout); err != nil {
			return nil, err
		}
		return starlark.String(time.Time(t).UTC().Format(layout)), nil
	})

	d["sleep"] = starlark.NewBuiltin("sleep", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return nil, fmt.Errorf("sleep: handlers must not block; register events.time.periodic_interval instead")
	})
	return d
}
