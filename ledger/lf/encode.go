package lf

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/protobuf/types/known/emptypb"
)

// EncodeCreate encodes the create argument of a template. The argument is a
// *Map or map[string]any from field name to value.
func (c *Catalog) EncodeCreate(tid TemplateID, arg any) (*v2.Record, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	op := "create " + tid.Name()
	t, ok := c.lookupTemplate(tid)
	if !ok {
		return nil, &EncodeError{Op: op, Err: c.templateNotFound(tid)}
	}
	e := encoder{c: c, op: op}
	v, err := e.encode(ConType(t.ID), arg, "")
	if err != nil {
		return nil, err
	}
	return v.GetRecord(), nil
}

// EncodeChoiceArg encodes the argument of a choice of a template, of an
// interface the template implements, or of an interface.
func (c *Catalog) EncodeChoiceArg(tid TemplateID, choice string, arg any) (*v2.Value, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	op := "exercise " + tid.Name() + " " + choice
	ch, err := c.lookupChoice(tid, choice)
	if err != nil {
		return nil, &EncodeError{Op: op, Err: err}
	}
	e := encoder{c: c, op: op}
	return e.encode(ch.ArgType, arg, "")
}

// EncodeKey encodes a contract key of a template.
func (c *Catalog) EncodeKey(tid TemplateID, key any) (*v2.Value, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	op := "key " + tid.Name()
	t, ok := c.lookupTemplate(tid)
	if !ok {
		return nil, &EncodeError{Op: op, Err: c.templateNotFound(tid)}
	}
	if t.Key == nil {
		return nil, &EncodeError{Op: op, Want: "template " + tid.Name() + " has no contract key"}
	}
	e := encoder{c: c, op: op}
	return e.encode(t.Key, key, "")
}

// Encode encodes v as a Ledger API value of type t. Each type accepts the Go
// values of the package documentation, and some accept more. Int64 accepts
// any Go integer, *big.Int and a decimal integer string. Numeric accepts
// those, decimal strings and a float64 whose shortest representation fits
// the scale. Date and Timestamp accept ISO 8601 strings. A record accepts a
// map[string]any, a record with no fields accepts nil, and a Daml tuple
// accepts a list of its components.
func (c *Catalog) Encode(t *Type, v any) (*v2.Value, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e := encoder{c: c}
	return e.encode(t, v, "")
}

func (c *Catalog) templateNotFound(tid TemplateID) error {
	if _, ok := c.lookupPackage(tid.PackageID); !ok {
		return fmt.Errorf("package %s not found; packages: %s", tid.PackageID, c.packageList())
	}
	return fmt.Errorf("template %s not found%s", tid, c.suggest(tid.Module, tid.Entity))
}

type encoder struct {
	c  *Catalog
	op string
}

func (e *encoder) mismatch(path string, v any, want *Type) error {
	return &EncodeError{Op: e.op, Path: path, Got: describe(v), Want: want.String()}
}

func (e *encoder) invalid(path string, v any, want *Type, err error) error {
	if err == errMismatch {
		err = nil
	}
	return &EncodeError{Op: e.op, Path: path, Got: describe(v), Want: want.String(), Err: err}
}

func (e *encoder) typeError(path string, err error) error {
	return &EncodeError{Op: e.op, Path: path, Want: "invalid type", Err: err}
}

func (e *encoder) encode(t *Type, v any, path string) (*v2.Value, error) {
	t, err := e.c.expand(t)
	if err != nil {
		return nil, e.typeError(path, err)
	}
	if t == nil {
		return nil, e.typeError(path, fmt.Errorf("missing type"))
	}
	switch t.Kind {
	case TypeUnit:
		if m, ok := asMap(v); ok && m.Len() == 0 {
			return &v2.Value{Sum: &v2.Value_Unit{Unit: &emptypb.Empty{}}}, nil
		}
		return nil, e.mismatch(path, v, t)
	case TypeBool:
		if b, ok := v.(bool); ok {
			return &v2.Value{Sum: &v2.Value_Bool{Bool: b}}, nil
		}
		return nil, e.mismatch(path, v, t)
	case TypeInt64:
		n, err := toInt64(v)
		if err != nil {
			return nil, e.invalid(path, v, t, err)
		}
		return &v2.Value{Sum: &v2.Value_Int64{Int64: n}}, nil
	case TypeNumeric:
		scale, ok := t.Scale()
		if !ok {
			return nil, e.typeError(path, fmt.Errorf("numeric type %s has no fixed scale", t))
		}
		d, err := toNumeric(v, scale)
		if err != nil {
			return nil, e.invalid(path, v, t, err)
		}
		return &v2.Value{Sum: &v2.Value_Numeric{Numeric: d.String()}}, nil
	case TypeText:
		if s, ok := v.(string); ok {
			return &v2.Value{Sum: &v2.Value_Text{Text: s}}, nil
		}
		return nil, e.mismatch(path, v, t)
	case TypeParty:
		s, ok := v.(string)
		if !ok {
			return nil, e.mismatch(path, v, t)
		}
		if err := checkParty(s); err != nil {
			return nil, e.invalid(path, v, t, err)
		}
		return &v2.Value{Sum: &v2.Value_Party{Party: s}}, nil
	case TypeContractID:
		s, ok := v.(string)
		if !ok {
			return nil, e.mismatch(path, v, t)
		}
		if err := checkContractID(s); err != nil {
			return nil, e.invalid(path, v, t, err)
		}
		return &v2.Value{Sum: &v2.Value_ContractId{ContractId: s}}, nil
	case TypeDate:
		d, err := toDate(v)
		if err != nil {
			return nil, e.invalid(path, v, t, err)
		}
		return &v2.Value{Sum: &v2.Value_Date{Date: d.Days()}}, nil
	case TypeTimestamp:
		us, err := toTimestamp(v)
		if err != nil {
			return nil, e.invalid(path, v, t, err)
		}
		return &v2.Value{Sum: &v2.Value_Timestamp{Timestamp: us}}, nil
	case TypeOptional:
		return e.encodeOptional(t, v, path)
	case TypeList:
		items, ok := asList(v)
		if !ok {
			return nil, e.mismatch(path, v, t)
		}
		list := &v2.List{Elements: make([]*v2.Value, len(items))}
		for i, item := range items {
			ev, err := e.encode(t.Args[0], item, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			list.Elements[i] = ev
		}
		return &v2.Value{Sum: &v2.Value_List{List: list}}, nil
	case TypeTextMap:
		return e.encodeTextMap(t, v, path)
	case TypeGenMap:
		return e.encodeGenMap(t, v, path)
	case TypeCon:
		return e.encodeData(t, v, path)
	case TypeVar:
		return nil, e.typeError(path, fmt.Errorf("type variable %s is not bound to a type", t.Name))
	}
	return nil, e.typeError(path, fmt.Errorf("type %s cannot be part of a ledger value", t))
}

// encodeOptional encodes an Optional. When the element type is itself an
// Optional, Some x is written as a list: [] when x is None and [y] when x is
// Some y, because nil cannot stand for both None and Some None.
func (e *encoder) encodeOptional(t *Type, v any, path string) (*v2.Value, error) {
	if v == nil {
		return &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{}}}, nil
	}
	elem, err := e.c.expand(t.Args[0])
	if err != nil {
		return nil, e.typeError(path, err)
	}
	if elem.Kind != TypeOptional {
		inner, err := e.encode(elem, v, path)
		if err != nil {
			return nil, err
		}
		return &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{Value: inner}}}, nil
	}
	items, ok := asList(v)
	if !ok || len(items) > 1 {
		return nil, &EncodeError{Op: e.op, Path: path, Got: describe(v), Want: t.String() + " (None, [] for Some None, or [x] for Some x)"}
	}
	var inner *v2.Value
	if len(items) == 0 {
		inner = &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{}}}
	} else {
		some, err := e.encode(elem.Args[0], items[0], path+"[0]")
		if err != nil {
			return nil, err
		}
		inner = &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{Value: some}}}
	}
	return &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{Value: inner}}}, nil
}

func (e *encoder) encodeTextMap(t *Type, v any, path string) (*v2.Value, error) {
	m, ok := asMap(v)
	if !ok {
		return nil, e.mismatch(path, v, t)
	}
	out := &v2.TextMap{Entries: make([]*v2.TextMap_Entry, 0, m.Len())}
	seen := make(map[string]bool, m.Len())
	for i, k := range m.Keys {
		key, ok := k.(string)
		if !ok {
			return nil, &EncodeError{Op: e.op, Path: path, Got: "key " + describe(k), Want: "string keys in " + t.String()}
		}
		if seen[key] {
			return nil, &EncodeError{Op: e.op, Path: path, Want: fmt.Sprintf("unique keys in %s; key %q appears twice", t, key)}
		}
		seen[key] = true
		ev, err := e.encode(t.Args[0], m.Values[i], fmt.Sprintf("%s[%q]", path, key))
		if err != nil {
			return nil, err
		}
		out.Entries = append(out.Entries, &v2.TextMap_Entry{Key: key, Value: ev})
	}
	return &v2.Value{Sum: &v2.Value_TextMap{TextMap: out}}, nil
}

func (e *encoder) encodeGenMap(t *Type, v any, path string) (*v2.Value, error) {
	m, ok := asMap(v)
	if !ok {
		return nil, e.mismatch(path, v, t)
	}
	out := &v2.GenMap{Entries: make([]*v2.GenMap_Entry, 0, m.Len())}
	seen := make(map[string]bool, m.Len())
	for i, k := range m.Keys {
		keyPath := fmt.Sprintf("%s[%s]", path, shortValue(k))
		ek, err := e.encode(t.Args[0], k, keyPath)
		if err != nil {
			return nil, err
		}
		id, err := valueIdentity(ek)
		if err != nil {
			return nil, e.typeError(keyPath, err)
		}
		if seen[id] {
			return nil, &EncodeError{Op: e.op, Path: keyPath, Want: "unique keys in " + t.String() + "; this key appears twice"}
		}
		seen[id] = true
		ev, err := e.encode(t.Args[1], m.Values[i], keyPath)
		if err != nil {
			return nil, err
		}
		out.Entries = append(out.Entries, &v2.GenMap_Entry{Key: ek, Value: ev})
	}
	return &v2.Value{Sum: &v2.Value_GenMap{GenMap: out}}, nil
}

func (e *encoder) encodeData(t *Type, v any, path string) (*v2.Value, error) {
	def, env, err := e.c.dataType(t)
	if err != nil {
		return nil, e.typeError(path, err)
	}
	id := def.ID.Identifier()
	switch def.Kind {
	case RecordType:
		return e.encodeRecord(t, def, env, v, path)
	case VariantType:
		ctor, arg, bare, ok := variantParts(v)
		if !ok {
			return nil, &EncodeError{Op: e.op, Path: path, Got: describe(v), Want: t.String() + ` as {"Constructor": value}`}
		}
		for _, f := range def.Fields {
			if f.Name != ctor {
				continue
			}
			argType := fieldType(f, env)
			if bare {
				expanded, err := e.c.expand(argType)
				if err != nil {
					return nil, e.typeError(path, err)
				}
				if expanded.Kind != TypeUnit {
					return nil, &EncodeError{Op: e.op, Path: path, Got: describe(v), Want: fmt.Sprintf(`{%q: value of type %s}`, ctor, argType)}
				}
			}
			ev, err := e.encode(argType, arg, joinPath(path, ctor))
			if err != nil {
				return nil, err
			}
			return &v2.Value{Sum: &v2.Value_Variant{Variant: &v2.Variant{VariantId: id, Constructor: ctor, Value: ev}}}, nil
		}
		return nil, &EncodeError{Op: e.op, Path: path, Got: "constructor " + strconv.Quote(ctor), Want: "one of " + constructorList(def)}
	case EnumType:
		s, ok := v.(string)
		if !ok {
			return nil, e.mismatch(path, v, t)
		}
		for _, c := range def.Constructors {
			if c == s {
				return &v2.Value{Sum: &v2.Value_Enum{Enum: &v2.Enum{EnumId: id, Constructor: s}}}, nil
			}
		}
		return nil, &EncodeError{Op: e.op, Path: path, Got: describe(v), Want: "one of " + constructorList(def)}
	}
	return nil, e.typeError(path, fmt.Errorf("%s %s cannot be part of a ledger value", def.Kind, t))
}

func (e *encoder) encodeRecord(t *Type, def *DataType, env map[string]*Type, v any, path string) (*v2.Value, error) {
	m, ok := asMap(v)
	if !ok && v == nil && len(def.Fields) == 0 {
		m, ok = &Map{}, true
	}
	if !ok && isTuple(def) {
		// A Daml tuple may also be written as a list of its components.
		if items, isList := asList(v); isList && len(items) == len(def.Fields) {
			m, ok = &Map{}, true
			for i, item := range items {
				m.Set(def.Fields[i].Name, item)
			}
		}
	}
	if !ok {
		return nil, e.mismatch(path, v, t)
	}
	for _, k := range m.Keys {
		name, isString := k.(string)
		if !isString || !hasField(def, name) {
			return nil, &EncodeError{Op: e.op, Path: path, Got: "unknown field " + shortValue(k), Want: "fields of " + t.Con.Name() + ": " + fieldList(def)}
		}
	}
	rec := &v2.Record{RecordId: def.ID.Identifier(), Fields: make([]*v2.RecordField, 0, len(def.Fields))}
	for _, f := range def.Fields {
		ft := fieldType(f, env)
		fv, present := m.Get(f.Name)
		if !present {
			expanded, err := e.c.expand(ft)
			if err != nil {
				return nil, e.typeError(joinPath(path, f.Name), err)
			}
			if expanded.Kind != TypeOptional {
				return nil, &EncodeError{Op: e.op, Path: joinPath(path, f.Name), Want: "missing field of type " + ft.String()}
			}
		}
		ev, err := e.encode(ft, fv, joinPath(path, f.Name))
		if err != nil {
			return nil, err
		}
		rec.Fields = append(rec.Fields, &v2.RecordField{Label: f.Name, Value: ev})
	}
	return &v2.Value{Sum: &v2.Value_Record{Record: rec}}, nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func hasField(def *DataType, name string) bool {
	for _, f := range def.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func fieldList(def *DataType) string {
	names := make([]string, len(def.Fields))
	for i, f := range def.Fields {
		names[i] = f.Name
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func constructorList(def *DataType) string {
	var names []string
	if def.Kind == EnumType {
		names = def.Constructors
	} else {
		for _, f := range def.Fields {
			names = append(names, f.Name)
		}
	}
	return strings.Join(names, ", ")
}

// isTuple reports whether a record type is a Daml tuple, DA.Types:TupleN.
func isTuple(def *DataType) bool {
	return def.ID.Module == "DA.Types" && strings.HasPrefix(def.ID.Entity, "Tuple")
}

// variantParts splits {"Constructor": value}. A bare constructor name, for
// a constructor whose argument is Unit, gives an empty map and bare = true.
func variantParts(v any) (ctor string, arg any, bare, ok bool) {
	if s, isString := v.(string); isString {
		return s, &Map{}, true, true
	}
	m, isMap := asMap(v)
	if !isMap || m.Len() != 1 {
		return "", nil, false, false
	}
	ctor, ok = m.Keys[0].(string)
	return ctor, m.Values[0], false, ok
}

// asMap returns v as a *Map when it is one or a map with string keys. A
// map[string]any gives its entries sorted by key.
func asMap(v any) (*Map, bool) {
	switch m := v.(type) {
	case *Map:
		if m == nil {
			return &Map{}, true
		}
		return m, true
	case map[string]any:
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := &Map{Keys: make([]any, len(keys)), Values: make([]any, len(keys))}
		for i, k := range keys {
			out.Keys[i] = k
			out.Values[i] = m[k]
		}
		return out, true
	}
	return nil, false
}

// asList returns the elements of a slice of any element type except bytes.
func asList(v any) ([]any, bool) {
	if items, ok := v.([]any); ok {
		return items, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array || rv.Type().Elem().Kind() == reflect.Uint8 {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

func toInt64(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int8:
		return int64(n), nil
	case int16:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case int64:
		return n, nil
	case uint8:
		return int64(n), nil
	case uint16:
		return int64(n), nil
	case uint32:
		return int64(n), nil
	case uint:
		if uint64(n) > math.MaxInt64 {
			return 0, fmt.Errorf("out of the Int64 range")
		}
		return int64(n), nil
	case uint64:
		if n > math.MaxInt64 {
			return 0, fmt.Errorf("out of the Int64 range")
		}
		return int64(n), nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return 0, fmt.Errorf("out of the Int64 range")
			}
			return 0, errMismatch
		}
		return i, nil
	case *big.Int:
		if n == nil || !n.IsInt64() {
			return 0, fmt.Errorf("out of the Int64 range")
		}
		return n.Int64(), nil
	case Decimal:
		r, ok := n.Rescale(0)
		if !ok || !r.coefficient().IsInt64() {
			return 0, fmt.Errorf("not an integer in the Int64 range")
		}
		return r.coefficient().Int64(), nil
	}
	return 0, errMismatch
}

// errMismatch marks a Go value of the wrong kind. EncodeError leaves it out
// of the message, which already names both types.
var errMismatch = &mismatchError{}

type mismatchError struct{}

func (*mismatchError) Error() string { return "" }

// toNumeric converts v to a Decimal with the given scale, without rounding.
// maxNumericText bounds a numeric string before it is parsed, because
// parsing takes time quadratic in its length. A Numeric has at most 38
// digits, so the bound leaves ample room for signs, zeros and exponents.
const maxNumericText = 1000

func toNumeric(v any, scale int) (Decimal, error) {
	var d Decimal
	switch n := v.(type) {
	case Decimal:
		d = n
	case string:
		text := strings.TrimSpace(n)
		if len(text) > maxNumericText {
			return Decimal{}, fmt.Errorf("numeric string of %d bytes is over the limit of %d", len(text), maxNumericText)
		}
		parsed, err := ParseDecimal(text)
		if err != nil {
			return Decimal{}, errMismatch
		}
		d = parsed
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return Decimal{}, fmt.Errorf("not a finite number")
		}
		// The shortest representation is what the script wrote, so 0.1
		// stays 0.1 instead of 0.1000000000000000055511151231257827.
		parsed, err := ParseDecimal(strconv.FormatFloat(n, 'f', -1, 64))
		if err != nil {
			return Decimal{}, err
		}
		d = parsed
	case float32:
		return toNumeric(float64(n), scale)
	case *big.Int:
		if n == nil {
			return Decimal{}, errMismatch
		}
		d = Decimal{coef: new(big.Int).Set(n)}
	default:
		i, err := toInt64(v)
		if err != nil {
			return Decimal{}, errMismatch
		}
		d = DecimalFromInt64(i)
	}
	return fitNumeric(d, scale)
}

// fitNumeric checks that d fits Numeric scale: no non-zero digit after
// scale places and at most 38 - scale digits before the point.
func fitNumeric(d Decimal, scale int) (Decimal, error) {
	if scale < 0 || scale > 37 {
		return Decimal{}, fmt.Errorf("numeric scale %d is outside 0 to 37", scale)
	}
	r, ok := d.Rescale(scale)
	if !ok {
		return Decimal{}, fmt.Errorf("more than %d digits after the point would be lost", scale)
	}
	if r.IntegerDigits() > 38-scale {
		return Decimal{}, fmt.Errorf("more than %d digits before the point", 38-scale)
	}
	return r, nil
}

func toDate(v any) (Date, error) {
	var d Date
	switch x := v.(type) {
	case Date:
		d = x
	case time.Time:
		d = DateOf(x)
	case string:
		parsed, err := ParseDate(strings.TrimSpace(x))
		if err != nil {
			return Date{}, fmt.Errorf("want an ISO 8601 date, YYYY-MM-DD")
		}
		d = parsed
	default:
		return Date{}, errMismatch
	}
	if !d.valid() {
		return Date{}, fmt.Errorf("outside 0001-01-01 to 9999-12-31")
	}
	return d, nil
}

// Range of Daml timestamps in microseconds since the epoch:
// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z.
const (
	minTimestamp = -62135596800000000
	maxTimestamp = 253402300799999999
)

// toTimestamp converts v to microseconds since the epoch. It rejects a
// time with a non-zero part below a microsecond instead of dropping it.
func toTimestamp(v any) (int64, error) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case string:
		parsed, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("want an ISO 8601 timestamp with a time zone, such as 2024-05-01T12:30:00Z")
		}
		t = parsed
	default:
		return 0, errMismatch
	}
	if t.Nanosecond()%1000 != 0 {
		return 0, fmt.Errorf("has precision below a microsecond, which Daml timestamps cannot hold")
	}
	if year := t.UTC().Year(); year < 1 || year > 9999 {
		return 0, fmt.Errorf("outside 0001-01-01 to 9999-12-31")
	}
	return t.UnixMicro(), nil
}

// checkParty checks the Daml-LF party id syntax: 1 to 255 characters from
// letters, digits, ':', '-', '_' and space.
func checkParty(s string) error {
	if s == "" || len(s) > 255 {
		return fmt.Errorf("a party id has 1 to 255 characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':' || c == '-' || c == '_' || c == ' ') {
			return fmt.Errorf("invalid character %q in party id; allowed are letters, digits, ':', '-', '_' and space", c)
		}
	}
	return nil
}

func checkContractID(s string) error {
	if s == "" {
		return fmt.Errorf("a contract id cannot be empty")
	}
	return nil
}

// describe returns the kind and, for scalars, the value of a Go value in
// the words scripts use: `string "x"`, `int 5`, `dict`.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case *Map, map[string]any:
		return "dict"
	case []any:
		return "list"
	case bool:
		return "bool " + strconv.FormatBool(x)
	case string, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, *big.Int, Decimal, Date, time.Time:
		return kindName(v) + " " + shortValue(v)
	}
	if _, ok := asList(v); ok {
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

func kindName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float32, float64:
		return "float"
	case Decimal:
		return "Decimal"
	case Date:
		return "date"
	case time.Time:
		return "datetime"
	}
	return "int"
}

// shortValue formats a scalar for a message, cutting long strings.
func shortValue(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 40 {
			x = x[:37] + "..."
		}
		return strconv.Quote(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}
