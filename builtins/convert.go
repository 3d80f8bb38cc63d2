package builtins

import (
	"fmt"
	"sort"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	starlarktime "go.starlark.net/lib/time"

	"github.com/ditstar/ditstar/ledger/lf"
)

// maxValueDepth bounds the nesting ToGo and FromGo follow, which also stops
// a list that contains itself.
const maxValueDepth = 100

// ToGo converts a Starlark value to the ledger/lf value model:
//
//   - None to nil, bool to bool, int to int64, float to float64, string to string
//   - Decimal to lf.Decimal, date to lf.Date, UUID to its string
//   - datetime and time values to time.Time in UTC (a naive datetime is read
//     as UTC, and a time value is truncated to microseconds)
//   - list and tuple to []any
//   - dict to *lf.Map in insertion order, struct to *lf.Map in field name order
//
// Other values are an error that names the path of the value inside v,
// such as `owner.items[2]: got function, want ...`.
func ToGo(v starlark.Value) (any, error) {
	return toGo(v, "", 0)
}

const toGoWant = "None, bool, int, float, string, Decimal, datetime, date, list, tuple or dict"

func toGo(v starlark.Value, path string, depth int) (any, error) {
	if depth > maxValueDepth {
		return nil, pathError(path, fmt.Errorf("value nested more than %d deep (does it contain itself?)", maxValueDepth))
	}
	switch v := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bool:
		return bool(v), nil
	case starlark.Int:
		n, ok := v.Int64()
		if !ok {
			return nil, pathError(path, fmt.Errorf("int %s is outside the Int64 range", v))
		}
		return n, nil
	case starlark.Float:
		return float64(v), nil
	case starlark.String:
		return string(v), nil
	case Decimal:
		return v.D, nil
	case *DateTime:
		return v.t.UTC(), nil
	case *Date:
		return lf.DateOf(v.t), nil
	case starlarktime.Time:
		// Daml timestamps hold microseconds, and time.now() has nanoseconds.
		return time.Time(v).UTC().Truncate(time.Microsecond), nil
	case *UUID:
		return v.String(), nil
	case *starlark.List:
		return toGoSequence(v, path, depth)
	case starlark.Tuple:
		return toGoSequence(v, path, depth)
	case *starlark.Dict:
		m := &lf.Map{}
		for _, item := range v.Items() {
			key, err := toGo(item[0], path+"[key "+item[0].String()+"]", depth+1)
			if err != nil {
				return nil, err
			}
			val, err := toGo(item[1], elemPath(path, item[0]), depth+1)
			if err != nil {
				return nil, err
			}
			m.Keys = append(m.Keys, key)
			m.Values = append(m.Values, val)
		}
		return m, nil
	case *starlarkstruct.Struct:
		m := &lf.Map{}
		for _, name := range v.AttrNames() {
			field, _ := v.Attr(name)
			val, err := toGo(field, fieldPath(path, name), depth+1)
			if err != nil {
				return nil, err
			}
			m.Keys = append(m.Keys, name)
			m.Values = append(m.Values, val)
		}
		return m, nil
	}
	return nil, pathError(path, fmt.Errorf("got %s, want %s", v.Type(), toGoWant))
}

func toGoSequence(v starlark.Indexable, path string, depth int) ([]any, error) {
	out := make([]any, v.Len())
	for i := range out {
		val, err := toGo(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = val
	}
	return out, nil
}

func elemPath(path string, key starlark.Value) string {
	if s, ok := key.(starlark.String); ok {
		return fieldPath(path, string(s))
	}
	return path + "[" + key.String() + "]"
}

func fieldPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func pathError(path string, err error) error {
	if path == "" {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}

// FromGo converts a value of the ledger/lf model to Starlark:
//
//   - nil to None, bool to bool, integers to int, float64 to float, string to string
//   - lf.Decimal to Decimal, lf.Date to date, time.Time to an aware UTC datetime
//   - []any and []string to list
//   - *lf.Map to dict in entry order, map[string]any to dict in key order
//   - a map key that is a record or list (a GenMap key) to a struct or tuple,
//     because dict keys must be hashable
//
// A starlark.Value passes through unchanged.
func FromGo(v any) (starlark.Value, error) {
	return fromGo(v, 0)
}

func fromGo(v any, depth int) (starlark.Value, error) {
	if depth > maxValueDepth {
		return nil, fmt.Errorf("value nested more than %d deep", maxValueDepth)
	}
	switch v := v.(type) {
	case nil:
		return starlark.None, nil
	case starlark.Value:
		return v, nil
	case bool:
		return starlark.Bool(v), nil
	case int:
		return starlark.MakeInt(v), nil
	case int32:
		return starlark.MakeInt64(int64(v)), nil
	case int64:
		return starlark.MakeInt64(v), nil
	case uint64:
		return starlark.MakeUint64(v), nil
	case float64:
		return starlark.Float(v), nil
	case string:
		return starlark.String(v), nil
	case lf.Decimal:
		return Decimal{v}, nil
	case time.Time:
		return newAwareUTC(v), nil
	case lf.Date:
		return newDate(v.Time()), nil
	case []string:
		elems := make([]starlark.Value, len(v))
		for i, s := range v {
			elems[i] = starlark.String(s)
		}
		return starlark.NewList(elems), nil
	case []any:
		elems := make([]starlark.Value, len(v))
		for i, e := range v {
			sv, err := fromGo(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			elems[i] = sv
		}
		return starlark.NewList(elems), nil
	case *lf.Map:
		d := starlark.NewDict(len(v.Keys))
		for i, k := range v.Keys {
			sk, err := fromGoKey(k, depth+1)
			if err != nil {
				return nil, fmt.Errorf("key %v: %w", k, err)
			}
			sv, err := fromGo(v.Values[i], depth+1)
			if err != nil {
				return nil, fmt.Errorf("%v: %w", k, err)
			}
			if err := d.SetKey(sk, sv); err != nil {
				return nil, fmt.Errorf("key %v: %w", k, err)
			}
		}
		return d, nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := starlark.NewDict(len(keys))
		for _, k := range keys {
			sv, err := fromGo(v[k], depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			_ = d.SetKey(starlark.String(k), sv)
		}
		return d, nil
	}
	return nil, fmt.Errorf("cannot convert Go value of type %T to Starlark", v)
}

// fromGoKey converts a map key. Starlark dict keys must be hashable, so a
// GenMap key that is a record becomes a struct and a list becomes a tuple,
// recursively. ToGo turns both back into the same ledger values.
func fromGoKey(k any, depth int) (starlark.Value, error) {
	if depth > maxValueDepth {
		return nil, fmt.Errorf("value nested more than %d deep", maxValueDepth)
	}
	switch k := k.(type) {
	case []any:
		elems := make(starlark.Tuple, len(k))
		for i, e := range k {
			sv, err := fromGoKey(e, depth+1)
			if err != nil {
				return nil, err
			}
			elems[i] = sv
		}
		return elems, nil
	case *lf.Map:
		fields := starlark.StringDict{}
		for i, name := range k.Keys {
			s, ok := name.(string)
			if !ok {
				return nil, fmt.Errorf("a map key with non-string field %v cannot be a Starlark dict key", name)
			}
			sv, err := fromGoKey(k.Values[i], depth+1)
			if err != nil {
				return nil, err
			}
			fields[s] = sv
		}
		return starlarkstruct.FromStringDict(starlarkstruct.Default, fields), nil
	}
	return fromGo(k, depth)
}
