package builtins

import (
	"fmt"

	"go.starlark.net/starlark"
)

// pyClass is a callable Starlark value with attributes: the stand-in for a
// Python class such as datetime.datetime, whose call constructs a value and
// whose attributes are class methods and constants.
type pyClass struct {
	name    string
	call    func(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)
	members starlark.StringDict
}

var (
	_ starlark.Callable = (*pyClass)(nil)
	_ starlark.HasAttrs = (*pyClass)(nil)
)

func (c *pyClass) Name() string                             { return c.name }
func (c *pyClass) String() string                           { return fmt.Sprintf("<class '%s'>", c.name) }
func (c *pyClass) Type() string                             { return "type" }
func (c *pyClass) Freeze()                                  { c.members.Freeze() }
func (c *pyClass) Truth() starlark.Bool                     { return true }
func (c *pyClass) Hash() (uint32, error)                    { return starlark.String(c.name).Hash() }
func (c *pyClass) Attr(name string) (starlark.Value, error) { return c.members[name], nil }
func (c *pyClass) AttrNames() []string                      { return c.members.Keys() }

func (c *pyClass) CallInternal(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return c.call(thread, args, kwargs)
}

// method returns a builtin bound to recv, for the methods of a value.
func method(recv starlark.Value, name string, fn func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return fn(b, args, kwargs)
	}).BindReceiver(recv)
}

// noArgMethod returns a method bound to recv that takes no arguments.
func noArgMethod(recv starlark.Value, name string, result func() (starlark.Value, error)) *starlark.Builtin {
	return method(recv, name, func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
			return nil, err
		}
		return result()
	})
}
