package integration

import (
	"context"
	"fmt"
	"strings"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/builtins"
	"github.com/ditstar/ditstar/ledger/lf"
)

// contractInfo is the record the runtime keeps of a contract it has seen.
type contractInfo struct {
	template lf.TemplateID
	// args are the contract's create arguments, for match on archive events.
	args *v2.Record
}

// ledgerCommands converts the commands of one handler result to Ledger API
// commands. Values are encoded with the Daml-LF types when the catalog
// contains the template's package, and by their own shape otherwise.
func (r *Runtime) ledgerCommands(ctx context.Context, cmds []*builtins.Command) ([]*v2.Command, error) {
	out := make([]*v2.Command, 0, len(cmds))
	for i, c := range cmds {
		cmd, err := r.ledgerCommand(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("command %d (%s): %w", i+1, c.Kind, err)
		}
		out = append(out, cmd)
	}
	return out, nil
}

func (r *Runtime) ledgerCommand(ctx context.Context, c *builtins.Command) (*v2.Command, error) {
	switch c.Kind {
	case builtins.CommandCreate:
		tid, err := r.commandTemplate(c.Template)
		if err != nil {
			return nil, err
		}
		args, err := r.encodeCreate(ctx, tid, c.Payload)
		if err != nil {
			return nil, err
		}
		return &v2.Command{Command: &v2.Command_Create{Create: &v2.CreateCommand{
			TemplateId: tid.Identifier(), CreateArguments: args,
		}}}, nil

	case builtins.CommandExercise:
		info, ok := r.contracts[c.ContractID]
		if !ok {
			return nil, fmt.Errorf("contract %s is not active or not visible to party %s, so its template is unknown; exercise only contracts this integration has seen", c.ContractID, r.Party())
		}
		arg, err := r.encodeChoiceArg(ctx, info.template, c.Choice, c.Argument)
		if err != nil {
			return nil, err
		}
		return &v2.Command{Command: &v2.Command_Exercise{Exercise: &v2.ExerciseCommand{
			TemplateId: info.template.Identifier(), ContractId: c.ContractID, Choice: c.Choice, ChoiceArgument: arg,
		}}}, nil

	case builtins.CommandExerciseByKey:
		tid, err := r.commandTemplate(c.Template)
		if err != nil {
			return nil, err
		}
		key, err := r.encodeKey(ctx, tid, c.Key)
		if err != nil {
			return nil, err
		}
		arg, err := r.encodeChoiceArg(ctx, tid, c.Choice, c.Argument)
		if err != nil {
			return nil, err
		}
		return &v2.Command{Command: &v2.Command_ExerciseByKey{ExerciseByKey: &v2.ExerciseByKeyCommand{
			TemplateId: tid.Identifier(), ContractKey: key, Choice: c.Choice, ChoiceArgument: arg,
		}}}, nil

	case builtins.CommandCreateAndExercise:
		tid, err := r.commandTemplate(c.Template)
		if err != nil {
			return nil, err
		}
		args, err := r.encodeCreate(ctx, tid, c.Payload)
		if err != nil {
			return nil, err
		}
		arg, err := r.encodeChoiceArg(ctx, tid, c.Choice, c.Argument)
		if err != nil {
			return nil, err
		}
		return &v2.Command{Command: &v2.Command_CreateAndExercise{CreateAndExercise: &v2.CreateAndExerciseCommand{
			TemplateId: tid.Identifier(), CreateArguments: args, Choice: c.Choice, ChoiceArgument: arg,
		}}}, nil
	}
	return nil, fmt.Errorf("unknown command kind %d", int(c.Kind))
}

// typedTemplate reports whether the catalog holds the template's type
// information, fetching its package from the participant when needed.
func (r *Runtime) typedTemplate(ctx context.Context, tid lf.TemplateID) bool {
	cat := r.client.Catalog()
	if _, ok := cat.Template(tid); ok {
		return true
	}
	if tid.PackageID == "" || strings.HasPrefix(tid.PackageID, "#") {
		return false
	}
	fetchCtx, cancel := context.WithTimeout(ctx, packageFetchTimeout)
	defer cancel()
	if _, err := r.client.Package(fetchCtx, tid.PackageID); err != nil {
		return false
	}
	_, ok := cat.Template(tid)
	return ok
}

func (r *Runtime) encodeCreate(ctx context.Context, tid lf.TemplateID, payload starlark.Value) (*v2.Record, error) {
	value, err := toGoValue("payload", payload)
	if err != nil {
		return nil, err
	}
	if r.typedTemplate(ctx, tid) {
		return r.client.Catalog().EncodeCreate(tid, value)
	}
	v, err := lf.EncodeUntyped(value, isPartyID)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	rec := v.GetRecord()
	if rec == nil {
		return nil, fmt.Errorf("payload: got %s, want dict of the template's fields", payload.Type())
	}
	return rec, nil
}

func (r *Runtime) encodeChoiceArg(ctx context.Context, tid lf.TemplateID, choice string, argument starlark.Value) (*v2.Value, error) {
	if argument == nil {
		argument = starlark.NewDict(0)
	}
	value, err := toGoValue("argument", argument)
	if err != nil {
		return nil, err
	}
	if r.typedTemplate(ctx, tid) {
		return r.client.Catalog().EncodeChoiceArg(tid, choice, value)
	}
	v, err := lf.EncodeUntyped(value, isPartyID)
	if err != nil {
		return nil, fmt.Errorf("argument: %w", err)
	}
	return v, nil
}

func (r *Runtime) encodeKey(ctx context.Context, tid lf.TemplateID, key starlark.Value) (*v2.Value, error) {
	value, err := toGoValue("key", key)
	if err != nil {
		return nil, err
	}
	if r.typedTemplate(ctx, tid) {
		return r.client.Catalog().EncodeKey(tid, value)
	}
	v, err := lf.EncodeUntyped(value, isPartyID)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	return v, nil
}

func toGoValue(what string, v starlark.Value) (any, error) {
	if v == nil {
		return nil, nil
	}
	value, err := builtins.ToGo(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return value, nil
}

// isPartyID reports whether untyped encoding sends s as a party, because
// party ids have the form "hint::fingerprint".
func isPartyID(s string) bool {
	hint, fingerprint, ok := strings.Cut(s, "::")
	return ok && hint != "" && fingerprint != ""
}
