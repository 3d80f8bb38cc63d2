package lf

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/protobuf/proto"
)

// Decode converts a Ledger API value of type t to a Go value (see the
// package documentation). It checks the value against the type as a
// participant checks a submitted value, so CheckValue is Decode without the
// result. Records may come with every field labelled, in any order, or
// positionally in declaration order. A missing Optional field decodes as
// nil, and with positional fields only trailing ones can be missing. A nil t
// decodes by the value's own shape, as DecodeUntyped does.
func (c *Catalog) Decode(t *Type, v *v2.Value) (any, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d := decoder{c: c}
	return d.decode(t, v, "")
}

// DecodeRecord decodes the create argument of a template into a *Map from
// field name to value, in declaration order.
func (c *Catalog) DecodeRecord(tid TemplateID, r *v2.Record) (*Map, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.lookupTemplate(tid)
	if !ok {
		return nil, fmt.Errorf("decode %s: %w", tid.Name(), c.templateNotFound(tid))
	}
	d := decoder{c: c, op: "decode " + tid.Name()}
	out, err := d.decode(ConType(t.ID), &v2.Value{Sum: &v2.Value_Record{Record: r}}, "")
	if err != nil {
		return nil, err
	}
	return out.(*Map), nil
}

// CheckValue checks that v is a valid value of type t, as a participant
// checks the values of a submitted command. The shape must match the type
// and Numerics must fit their scale. Party ids, dates and timestamps must be
// valid, record labels must match the fields, and map keys must be unique.
func (c *Catalog) CheckValue(t *Type, v *v2.Value) error {
	if t == nil {
		return fmt.Errorf("check value: missing type")
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	d := decoder{c: c, op: "check " + t.String()}
	_, err := d.decode(t, v, "")
	return err
}

// DecodeUntyped converts a value by its own shape. A record becomes a *Map
// by label, and its unlabelled fields are named _1, _2, and so on. A variant
// becomes a *Map with one entry and an enum its constructor name. An
// Optional becomes nil or its value, in the list form of the package
// documentation when it contains another Optional.
func DecodeUntyped(v *v2.Value) (any, error) {
	d := decoder{}
	return d.decode(nil, v, "")
}

// ValueError reports a Ledger API value that does not match its type.
type ValueError struct {
	Op   string // "decode Main:Asset", "check Main:Asset", or empty
	Path string // the location in the value, in the form of EncodeError.Path
	Msg  string
}

func (e *ValueError) Error() string {
	msg := ""
	if e.Op != "" {
		msg = e.Op + ": "
	}
	if e.Path != "" {
		msg += e.Path + ": "
	}
	return msg + e.Msg
}

type decoder struct {
	c  *Catalog
	op string
}

func (d *decoder) fail(path, format string, args ...any) error {
	return &ValueError{Op: d.op, Path: path, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) mismatch(path string, v *v2.Value, t *Type) error {
	return d.fail(path, "got %s value, want %s", valueKind(v), t)
}

// numericPattern is the Ledger API syntax of a Numeric.
var numericPattern = regexp.MustCompile(`^[+-]?\d{1,38}(\.\d{0,37})?$`)

func (d *decoder) decode(t *Type, v *v2.Value, path string) (any, error) {
	if v == nil || v.GetSum() == nil {
		return nil, d.fail(path, "missing value")
	}
	if t == nil {
		return d.untyped(v, path)
	}
	t, err := d.c.expand(t)
	if err != nil {
		return nil, d.fail(path, "%v", err)
	}
	switch t.Kind {
	case TypeUnit:
		if _, ok := v.GetSum().(*v2.Value_Unit); ok {
			return &Map{}, nil
		}
	case TypeBool:
		if s, ok := v.GetSum().(*v2.Value_Bool); ok {
			return s.Bool, nil
		}
	case TypeInt64:
		if s, ok := v.GetSum().(*v2.Value_Int64); ok {
			return s.Int64, nil
		}
	case TypeNumeric:
		s, ok := v.GetSum().(*v2.Value_Numeric)
		if !ok {
			break
		}
		scale, ok := t.Scale()
		if !ok {
			return nil, d.fail(path, "numeric type %s has no fixed scale", t)
		}
		return d.numeric(s.Numeric, scale, path)
	case TypeText:
		if s, ok := v.GetSum().(*v2.Value_Text); ok {
			return s.Text, nil
		}
	case TypeParty:
		if s, ok := v.GetSum().(*v2.Value_Party); ok {
			if err := checkParty(s.Party); err != nil {
				return nil, d.fail(path, "invalid party %q: %v", s.Party, err)
			}
			return s.Party, nil
		}
	case TypeContractID:
		if s, ok := v.GetSum().(*v2.Value_ContractId); ok {
			if err := checkContractID(s.ContractId); err != nil {
				return nil, d.fail(path, "%v", err)
			}
			return s.ContractId, nil
		}
	case TypeDate:
		if s, ok := v.GetSum().(*v2.Value_Date); ok {
			date := DateFromDays(s.Date)
			if !date.valid() {
				return nil, d.fail(path, "date %d days from 1970-01-01 is outside 0001-01-01 to 9999-12-31", s.Date)
			}
			return date, nil
		}
	case TypeTimestamp:
		if s, ok := v.GetSum().(*v2.Value_Timestamp); ok {
			if s.Timestamp < minTimestamp || s.Timestamp > maxTimestamp {
				return nil, d.fail(path, "timestamp %d µs from the epoch is outside 0001-01-01 to 9999-12-31", s.Timestamp)
			}
			return time.UnixMicro(s.Timestamp).UTC(), nil
		}
	case TypeOptional:
		if s, ok := v.GetSum().(*v2.Value_Optional); ok {
			return d.optional(t, s.Optional, path)
		}
	case TypeList:
		if s, ok := v.GetSum().(*v2.Value_List); ok {
			out := make([]any, len(s.List.GetElements()))
			for i, e := range s.List.GetElements() {
				item, err := d.decode(t.Args[0], e, fmt.Sprintf("%s[%d]", path, i))
				if err != nil {
					return nil, err
				}
				out[i] = item
			}
			return out, nil
		}
	case TypeTextMap:
		if s, ok := v.GetSum().(*v2.Value_TextMap); ok {
			out := &Map{}
			seen := map[string]bool{}
			for _, e := range s.TextMap.GetEntries() {
				if seen[e.GetKey()] {
					return nil, d.fail(path, "duplicate key %q in %s", e.GetKey(), t)
				}
				seen[e.GetKey()] = true
				item, err := d.decode(t.Args[0], e.GetValue(), fmt.Sprintf("%s[%q]", path, e.GetKey()))
				if err != nil {
					return nil, err
				}
				out.Keys = append(out.Keys, e.GetKey())
				out.Values = append(out.Values, item)
			}
			return out, nil
		}
	case TypeGenMap:
		if s, ok := v.GetSum().(*v2.Value_GenMap); ok {
			return d.genMap(t, s.GenMap, path)
		}
	case TypeCon:
		return d.data(t, v, path)
	case TypeVar:
		return nil, d.fail(path, "type variable %s is not bound to a type", t.Name)
	default:
		return nil, d.fail(path, "type %s cannot be part of a ledger value", t)
	}
	return nil, d.mismatch(path, v, t)
}

func (d *decoder) numeric(s string, scale int, path string) (Decimal, error) {
	if !numericPattern.MatchString(s) {
		return Decimal{}, d.fail(path, "invalid numeric %q", s)
	}
	n, err := ParseDecimal(s)
	if err != nil {
		return Decimal{}, d.fail(path, "invalid numeric %q", s)
	}
	if _, err := fitNumeric(n, scale); err != nil {
		return Decimal{}, d.fail(path, "numeric %s does not fit Numeric %d: %v", s, scale, err)
	}
	return n, nil
}

// optional mirrors encodeOptional.
func (d *decoder) optional(t *Type, o *v2.Optional, path string) (any, error) {
	if o.GetValue() == nil {
		return nil, nil
	}
	elem, err := d.c.expand(t.Args[0])
	if err != nil {
		return nil, d.fail(path, "%v", err)
	}
	if elem.Kind != TypeOptional {
		return d.decode(elem, o.GetValue(), path)
	}
	inner, ok := o.GetValue().GetSum().(*v2.Value_Optional)
	if !ok {
		return nil, d.mismatch(path, o.GetValue(), elem)
	}
	if inner.Optional.GetValue() == nil {
		return []any{}, nil
	}
	item, err := d.decode(elem.Args[0], inner.Optional.GetValue(), path+"[0]")
	if err != nil {
		return nil, err
	}
	return []any{item}, nil
}

func (d *decoder) genMap(t *Type, m *v2.GenMap, path string) (any, error) {
	out := &Map{}
	seen := make(map[string]bool, len(m.GetEntries()))
	for i, e := range m.GetEntries() {
		id, err := valueIdentity(e.GetKey())
		if err != nil {
			return nil, d.fail(path, "key at entry %d: %v", i, err)
		}
		if seen[id] {
			return nil, d.fail(path, "duplicate key at entry %d of %s", i, t)
		}
		seen[id] = true
		key, err := d.decode(t.Args[0], e.GetKey(), fmt.Sprintf("%s[key %d]", path, i))
		if err != nil {
			return nil, err
		}
		value, err := d.decode(t.Args[1], e.GetValue(), fmt.Sprintf("%s[%s]", path, shortValue(key)))
		if err != nil {
			return nil, err
		}
		out.Keys = append(out.Keys, key)
		out.Values = append(out.Values, value)
	}
	return out, nil
}

func (d *decoder) data(t *Type, v *v2.Value, path string) (any, error) {
	def, env, err := d.c.dataType(t)
	if err != nil {
		return nil, d.fail(path, "%v", err)
	}
	switch def.Kind {
	case RecordType:
		r, ok := v.GetSum().(*v2.Value_Record)
		if !ok {
			return nil, d.mismatch(path, v, t)
		}
		return d.record(t, def, env, r.Record, path)
	case VariantType:
		s, ok := v.GetSum().(*v2.Value_Variant)
		if !ok {
			return nil, d.mismatch(path, v, t)
		}
		ctor := s.Variant.GetConstructor()
		for _, f := range def.Fields {
			if f.Name == ctor {
				arg, err := d.decode(fieldType(f, env), s.Variant.GetValue(), joinPath(path, ctor))
				if err != nil {
					return nil, err
				}
				return &Map{Keys: []any{ctor}, Values: []any{arg}}, nil
			}
		}
		return nil, d.fail(path, "unknown constructor %q of %s; constructors: %s", ctor, t, constructorList(def))
	case EnumType:
		s, ok := v.GetSum().(*v2.Value_Enum)
		if !ok {
			return nil, d.mismatch(path, v, t)
		}
		for _, c := range def.Constructors {
			if c == s.Enum.GetConstructor() {
				return c, nil
			}
		}
		return nil, d.fail(path, "unknown constructor %q of %s; constructors: %s", s.Enum.GetConstructor(), t, constructorList(def))
	}
	return nil, d.fail(path, "%s %s cannot be part of a ledger value", def.Kind, t)
}

// record decodes a record whose fields are all labelled, matched by label,
// or all unlabelled, matched by position. A label on a positional field
// must name the field at that position.
func (d *decoder) record(t *Type, def *DataType, env map[string]*Type, r *v2.Record, path string) (*Map, error) {
	fields := r.GetFields()
	if len(fields) > len(def.Fields) {
		return nil, d.fail(path, "record has %d fields, %s has %d: %s", len(fields), t.Con.Name(), len(def.Fields), fieldList(def))
	}
	byLabel := map[string]*v2.Value{}
	labelled := 0
	for _, f := range fields {
		if f.GetLabel() == "" {
			continue
		}
		labelled++
		if _, dup := byLabel[f.GetLabel()]; dup {
			return nil, d.fail(path, "duplicate field %s", f.GetLabel())
		}
		if !hasField(def, f.GetLabel()) {
			return nil, d.fail(path, "unknown field %s; fields of %s: %s", f.GetLabel(), t.Con.Name(), fieldList(def))
		}
		byLabel[f.GetLabel()] = f.GetValue()
	}
	positional := labelled < len(fields)
	out := &Map{Keys: make([]any, 0, len(def.Fields)), Values: make([]any, 0, len(def.Fields))}
	for i, f := range def.Fields {
		ft := fieldType(f, env)
		var fv *v2.Value
		if positional {
			if i < len(fields) {
				if label := fields[i].GetLabel(); label != "" && label != f.Name {
					return nil, d.fail(path, "field %d is labelled %s, want %s or no label", i+1, label, f.Name)
				}
				fv = fields[i].GetValue()
			}
		} else {
			fv = byLabel[f.Name]
		}
		fieldPath := joinPath(path, f.Name)
		if fv == nil {
			expanded, err := d.c.expand(ft)
			if err != nil {
				return nil, d.fail(fieldPath, "%v", err)
			}
			if expanded.Kind != TypeOptional {
				return nil, d.fail(fieldPath, "missing field of type %s", ft)
			}
			out.Keys = append(out.Keys, f.Name)
			out.Values = append(out.Values, nil)
			continue
		}
		value, err := d.decode(ft, fv, fieldPath)
		if err != nil {
			return nil, err
		}
		out.Keys = append(out.Keys, f.Name)
		out.Values = append(out.Values, value)
	}
	return out, nil
}

func (d *decoder) untyped(v *v2.Value, path string) (any, error) {
	switch s := v.GetSum().(type) {
	case *v2.Value_Unit:
		return &Map{}, nil
	case *v2.Value_Bool:
		return s.Bool, nil
	case *v2.Value_Int64:
		return s.Int64, nil
	case *v2.Value_Numeric:
		if !numericPattern.MatchString(s.Numeric) {
			return nil, d.fail(path, "invalid numeric %q", s.Numeric)
		}
		return ParseDecimal(s.Numeric)
	case *v2.Value_Text:
		return s.Text, nil
	case *v2.Value_Party:
		return s.Party, nil
	case *v2.Value_ContractId:
		return s.ContractId, nil
	case *v2.Value_Date:
		return DateFromDays(s.Date), nil
	case *v2.Value_Timestamp:
		return time.UnixMicro(s.Timestamp).UTC(), nil
	case *v2.Value_Optional:
		inner := s.Optional.GetValue()
		if inner == nil {
			return nil, nil
		}
		if nested, ok := inner.GetSum().(*v2.Value_Optional); ok {
			if nested.Optional.GetValue() == nil {
				return []any{}, nil
			}
			item, err := d.untyped(nested.Optional.GetValue(), path+"[0]")
			if err != nil {
				return nil, err
			}
			return []any{item}, nil
		}
		return d.untyped(inner, path)
	case *v2.Value_List:
		out := make([]any, len(s.List.GetElements()))
		for i, e := range s.List.GetElements() {
			item, err := d.decode(nil, e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = item
		}
		return out, nil
	case *v2.Value_TextMap:
		out := &Map{}
		for _, e := range s.TextMap.GetEntries() {
			item, err := d.decode(nil, e.GetValue(), fmt.Sprintf("%s[%q]", path, e.GetKey()))
			if err != nil {
				return nil, err
			}
			out.Set(e.GetKey(), item)
		}
		return out, nil
	case *v2.Value_GenMap:
		out := &Map{}
		for i, e := range s.GenMap.GetEntries() {
			key, err := d.decode(nil, e.GetKey(), fmt.Sprintf("%s[key %d]", path, i))
			if err != nil {
				return nil, err
			}
			value, err := d.decode(nil, e.GetValue(), fmt.Sprintf("%s[%s]", path, shortValue(key)))
			if err != nil {
				return nil, err
			}
			out.Set(key, value)
		}
		return out, nil
	case *v2.Value_Record:
		out := &Map{}
		for i, f := range s.Record.GetFields() {
			label := f.GetLabel()
			if label == "" {
				label = "_" + strconv.Itoa(i+1)
			}
			value, err := d.decode(nil, f.GetValue(), joinPath(path, label))
			if err != nil {
				return nil, err
			}
			out.Set(label, value)
		}
		return out, nil
	case *v2.Value_Variant:
		ctor := s.Variant.GetConstructor()
		arg, err := d.decode(nil, s.Variant.GetValue(), joinPath(path, ctor))
		if err != nil {
			return nil, err
		}
		return &Map{Keys: []any{ctor}, Values: []any{arg}}, nil
	case *v2.Value_Enum:
		return s.Enum.GetConstructor(), nil
	}
	return nil, d.fail(path, "unknown value kind %T", v.GetSum())
}

// valueKind names the kind of a Ledger API value for messages.
func valueKind(v *v2.Value) string {
	switch v.GetSum().(type) {
	case *v2.Value_Unit:
		return "Unit"
	case *v2.Value_Bool:
		return "Bool"
	case *v2.Value_Int64:
		return "Int64"
	case *v2.Value_Numeric:
		return "Numeric"
	case *v2.Value_Text:
		return "Text"
	case *v2.Value_Party:
		return "Party"
	case *v2.Value_ContractId:
		return "ContractId"
	case *v2.Value_Date:
		return "Date"
	case *v2.Value_Timestamp:
		return "Timestamp"
	case *v2.Value_Optional:
		return "Optional"
	case *v2.Value_List:
		return "List"
	case *v2.Value_TextMap:
		return "TextMap"
	case *v2.Value_GenMap:
		return "GenMap"
	case *v2.Value_Record:
		return "Record"
	case *v2.Value_Variant:
		return "Variant"
	case *v2.Value_Enum:
		return "Enum"
	}
	return "empty"
}

// valueIdentity returns a string that two Ledger API values share exactly
// when proto.Equal holds for them: their deterministic encoding. GenMap
// keys are checked for repeats with it in linear time, where comparing
// every pair of keys took quadratic time.
func valueIdentity(v *v2.Value) (string, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode map key: %w", err)
	}
	return string(b), nil
}
