package builtins

import (
	"fmt"
	"strings"

	"go.starlark.net/starlark"
)

// CommandKind is the kind of a ledger command.
type CommandKind int

const (
	// CommandCreate creates Template with Payload.
	CommandCreate CommandKind = iota + 1
	// CommandExercise exercises Choice on ContractID with Argument.
	// archive(cid) is an exercise of the choice "Archive" with {}, as in dazl.
	CommandExercise
	// CommandExerciseByKey exercises Choice on the contract of Template
	// whose key is Key.
	CommandExerciseByKey
	// CommandCreateAndExercise creates Template with Payload and exercises
	// Choice on the new contract in the same command.
	CommandCreateAndExercise
)

// String returns the script function that builds commands of the kind.
func (k CommandKind) String() string {
	switch k {
	case CommandCreate:
		return "create"
	case CommandExercise:
		return "exercise"
	case CommandExerciseByKey:
		return "exercise_by_key"
	case CommandCreateAndExercise:
		return "create_and_exercise"
	}
	return fmt.Sprintf("CommandKind(%d)", int(k))
}

// Command is a ledger command that a handler returns. Template is the
// reference as the script wrote it (the runtime resolves it); Payload,
// Argument and Key are Starlark values that ToGo converts. Fields that do
// not apply to Kind are empty or nil.
type Command struct {
	Kind       CommandKind
	Template   string
	ContractID string
	Choice     string
	Payload    starlark.Value
	Argument   starlark.Value
	Key        starlark.Value
}

var _ starlark.HasAttrs = (*Command)(nil)

// String returns a Python-like constructor call, for logs and repr().
func (c *Command) String() string {
	var b strings.Builder
	b.WriteString(c.Kind.String())
	b.WriteString("(")
	var parts []string
	add := func(name string, v starlark.Value) {
		if v != nil {
			parts = append(parts, name+"="+v.String())
		}
	}
	switch c.Kind {
	case CommandCreate:
		add("template", starlark.String(c.Template))
		add("payload", c.Payload)
	case CommandExercise:
		add("cid", starlark.String(c.ContractID))
		add("choice", starlark.String(c.Choice))
		add("argument", c.Argument)
	case CommandExerciseByKey:
		add("template", starlark.String(c.Template))
		add("key", c.Key)
		add("choice", starlark.String(c.Choice))
		add("argument", c.Argument)
	case CommandCreateAndExercise:
		add("template", starlark.String(c.Template))
		add("payload", c.Payload)
		add("choice", starlark.String(c.Choice))
		add("argument", c.Argument)
	}
	b.WriteString(strings.Join(parts, ", "))
	b.WriteString(")")
	return b.String()
}

// Type returns "Command".
func (c *Command) Type() string { return "Command" }

// Freeze freezes the values the command carries.
func (c *Command) Freeze() {
	for _, v := range []starlark.Value{c.Payload, c.Argument, c.Key} {
		if v != nil {
			v.Freeze()
		}
	}
}

// Truth returns True.
func (c *Command) Truth() starlark.Bool { return true }

// Hash fails: commands carry mutable values.
func (c *Command) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: Command") }

// Attr returns the command's fields: kind, template, cid, choice, payload,
// argument and key (None where they do not apply).
func (c *Command) Attr(name string) (starlark.Value, error) {
	orNone := func(v starlark.Value) starlark.Value {
		if v == nil {
			return starlark.None
		}
		return v
	}
	orNoneString := func(s string) starlark.Value {
		if s == "" {
			return starlark.None
		}
		return starlark.String(s)
	}
	switch name {
	case "kind":
		return starlark.String(c.Kind.String()), nil
	case "template":
		return orNoneString(c.Template), nil
	case "cid":
		return orNoneString(c.ContractID), nil
	case "choice":
		return orNoneString(c.Choice), nil
	case "payload":
		return orNone(c.Payload), nil
	case "argument":
		return orNone(c.Argument), nil
	case "key":
		return orNone(c.Key), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (c *Command) AttrNames() []string {
	return []string{"argument", "choice", "cid", "key", "kind", "payload", "template"}
}

func commandMembers() starlark.StringDict {
	return starlark.StringDict{
		"create":              starlark.NewBuiltin("create", createCommand),
		"exercise":            starlark.NewBuiltin("exercise", exerciseCommand),
		"exercise_by_key":     starlark.NewBuiltin("exercise_by_key", exerciseByKeyCommand),
		"create_and_exercise": starlark.NewBuiltin("create_and_exercise", createAndExerciseCommand),
		"archive":             starlark.NewBuiltin("archive", archiveCommand),
	}
}

// nonEmpty unpacks a string argument that must not be empty.
type nonEmpty string

func (s *nonEmpty) Unpack(v starlark.Value) error {
	str, ok := v.(starlark.String)
	if !ok {
		return fmt.Errorf("got %s, want string", v.Type())
	}
	if str == "" {
		return fmt.Errorf("got empty string, want a non-empty string")
	}
	*s = nonEmpty(str)
	return nil
}

// checkLedgerValue reports whether v converts to the ledger value model,
// so that a bad payload fails at the line that built the command.
func checkLedgerValue(fn, param string, v starlark.Value) error {
	if _, err := ToGo(v); err != nil {
		return fmt.Errorf("%s: %s: %w", fn, param, err)
	}
	return nil
}

func checkRecordArg(fn, param string, v starlark.Value) error {
	switch v.(type) {
	case *starlark.Dict:
	default:
		return fmt.Errorf("%s: %s: got %s, want dict", fn, param, v.Type())
	}
	return checkLedgerValue(fn, param, v)
}

func emptyArgument(arg starlark.Value) starlark.Value {
	if arg == nil || arg == starlark.None {
		return starlark.NewDict(0)
	}
	return arg
}

func createCommand(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var template nonEmpty
	var payload starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "template", &template, "payload", &payload); err != nil {
		return nil, err
	}
	if err := checkRecordArg(b.Name(), "payload", payload); err != nil {
		return nil, err
	}
	return &Command{Kind: CommandCreate, Template: string(template), Payload: payload}, nil
}

func exerciseCommand(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cid, choice nonEmpty
	var argument starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "cid", &cid, "choice", &choice, "argument?", &argument); err != nil {
		return nil, err
	}
	argument = emptyArgument(argument)
	if err := checkLedgerValue(b.Name(), "argument", argument); err != nil {
		return nil, err
	}
	return &Command{Kind: CommandExercise, ContractID: string(cid), Choice: string(choice), Argument: argument}, nil
}

func exerciseByKeyCommand(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var template, choice nonEmpty
	var key, argument starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "template", &template, "key", &key, "choice", &choice, "argument?", &argument); err != nil {
		return nil, err
	}
	if err := checkLedgerValue(b.Name(), "key", key); err != nil {
		return nil, err
	}
	argument = emptyArgument(argument)
	if err := checkLedgerValue(b.Name(), "argument", argument); err != nil {
		return nil, err
	}
	return &Command{Kind: CommandExerciseByKey, Template: string(template), Key: key, Choice: string(choice), Argument: argument}, nil
}

func createAndExerciseCommand(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var template, choice nonEmpty
	var payload, argument starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "template", &template, "payload", &payload, "choice", &choice, "argument?", &argument); err != nil {
		return nil, err
	}
	if err := checkRecordArg(b.Name(), "payload", payload); err != nil {
		return nil, err
	}
	argument = emptyArgument(argument)
	if err := checkLedgerValue(b.Name(), "argument", argument); err != nil {
		return nil, err
	}
	return &Command{Kind: CommandCreateAndExercise, Template: string(template), Payload: payload, Choice: string(choice), Argument: argument}, nil
}

func archiveCommand(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cid nonEmpty
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "cid", &cid); err != nil {
		return nil, err
	}
	return &Command{Kind: CommandExercise, ContractID: string(cid), Choice: "Archive", Argument: starlark.NewDict(0)}, nil
}
