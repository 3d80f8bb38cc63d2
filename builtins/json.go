package builtins

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	starlarktime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// jsonOptions selects between the compact, sorted output of json.encode
// and Python's json.dumps layout.
type jsonOptions struct {
	sortKeys    bool
	sep, keySep string // between items, and between a key and its value
	indent      string // non-empty: one line per item, nested by this string
	prefix      string // written before every indented line after the first
	ensureASCII bool   // escape non-ASCII characters as \uXXXX, as Python does
	// fallback, when set, converts a value JSON cannot hold, as the
	// default= argument of Python's json.dumps does.
	fallback func(starlark.Value) (starlark.Value, error)
}

func jsonMembers() starlark.StringDict {
	return starlark.StringDict{
		"encode":        starlark.NewBuiltin("encode", jsonEncode),
		"encode_indent": starlark.NewBuiltin("encode_indent", jsonEncodeIndent),
		"decode":        starlark.NewBuiltin("decode", jsonDecode),
		"indent":        starlark.NewBuiltin("indent", jsonIndent),
		"dumps":         starlark.NewBuiltin("dumps", jsonDumps),
		"loads":         starlark.NewBuiltin("loads", jsonLoads),
	}
}

// jsonEncode implements json.encode(x): compact, keys sorted.
func jsonEncode(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &x); err != nil {
		return nil, err
	}
	data, err := encodeJSON(x, jsonOptions{sortKeys: true, sep: ",", keySep: ":"})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.String(data), nil
}

// jsonEncodeIndent implements json.encode_indent(x, prefix="", indent="\t").
func jsonEncodeIndent(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	prefix, indent := "", "\t"
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "x", &x, "prefix?", &prefix, "indent?", &indent); err != nil {
		return nil, err
	}
	data, err := encodeJSON(x, jsonOptions{sortKeys: true, sep: ",", keySep: ": ", indent: indent, prefix: prefix})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.String(data), nil
}

// jsonIndent implements json.indent(str, prefix="", indent="\t").
func jsonIndent(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var str string
	prefix, indent := "", "\t"
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "str", &str, "prefix?", &prefix, "indent?", &indent); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(str), prefix, indent); err != nil {
		return nil, fmt.Errorf("%s: invalid JSON: %w", b.Name(), err)
	}
	return starlark.String(out.String()), nil
}

// jsonDumps implements Python's json.dumps(obj, indent=None,
// sort_keys=False, separators=None, ensure_ascii=True, default=None) with Python's
// defaults: ", " and ": " separators (", " becomes "," when indenting) and
// keys in insertion order.
func jsonDumps(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var obj starlark.Value
	var indent, separators, dflt starlark.Value = starlark.None, starlark.None, starlark.None
	sortKeys, ensureASCII := false, true
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "obj", &obj, "indent?", &indent,
		"sort_keys?", &sortKeys, "separators?", &separators, "ensure_ascii?", &ensureASCII,
		"default?", &dflt); err != nil {
		return nil, err
	}

	opts := jsonOptions{sortKeys: sortKeys, sep: ", ", keySep: ": ", ensureASCII: ensureASCII}
	if dflt != starlark.None {
		fn, ok := dflt.(starlark.Callable)
		if !ok {
			return nil, fmt.Errorf("%s: default: got %s, want callable or None", b.Name(), dflt.Type())
		}
		opts.fallback = func(v starlark.Value) (starlark.Value, error) {
			return starlark.Call(thread, fn, starlark.Tuple{v}, nil)
		}
	}
	if err := setIndent(&opts, b.Name(), indent); err != nil {
		return nil, err
	}
	if err := setSeparators(&opts, b.Name(), separators); err != nil {
		return nil, err
	}

	data, err := encodeJSON(obj, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.String(data), nil
}

// setIndent applies dumps' indent: a number of spaces or a string. With an
// indent, items are separated by "," because the newline follows.
func setIndent(opts *jsonOptions, fn string, indent starlark.Value) error {
	switch v := indent.(type) {
	case starlark.NoneType:
	case starlark.Int:
		n, ok := v.Int64()
		if !ok || n < 0 || n > 64 {
			return fmt.Errorf("%s: indent: got %s, want 0 to 64 spaces", fn, v)
		}
		opts.indent, opts.sep = strings.Repeat(" ", int(n)), ","
		if n == 0 {
			// Python starts a new line per item even with indent=0.
			opts.indent = "\x00"
		}
	case starlark.String:
		opts.indent, opts.sep = string(v), ","
		if v == "" {
			opts.indent = "\x00"
		}
	default:
		return fmt.Errorf("%s: indent: got %s, want int, string or None", fn, indent.Type())
	}
	return nil
}

// setSeparators applies dumps' separators=(item, key) tuple.
func setSeparators(opts *jsonOptions, fn string, separators starlark.Value) error {
	if separators == starlark.None {
		return nil
	}
	t, ok := separators.(starlark.Tuple)
	if !ok || len(t) != 2 {
		return fmt.Errorf("%s: separators: got %s, want a tuple of two strings such as (\",\", \":\")", fn, separators.Type())
	}
	item, ok1 := t[0].(starlark.String)
	key, ok2 := t[1].(starlark.String)
	if !ok1 || !ok2 {
		return fmt.Errorf("%s: separators: want a tuple of two strings such as (\",\", \":\")", fn)
	}
	opts.sep, opts.keySep = string(item), string(key)
	return nil
}

// encodeJSON writes v as JSON. Decimal values encode as decimal strings,
// datetime and time values as ISO 8601 UTC strings ending in Z, dates as
// YYYY-MM-DD, UUIDs as their string. Dict keys that are int, float, bool or
// None become strings, as in Python.
func encodeJSON(v starlark.Value, opts jsonOptions) ([]byte, error) {
	e := &jsonEncoder{opts: opts}
	if err := e.value(v, 0); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

type jsonEncoder struct {
	buf  bytes.Buffer
	opts jsonOptions
	// steps locate the value being encoded, from the top-level value
	// inward. They are formatted only for an error message, because a path
	// formatted for every element doubled the allocations of an encode.
	steps []jsonStep
}

// jsonStep is a dict key, or a list or tuple index when index >= 0.
type jsonStep struct {
	key   string
	index int
}

// errorAt wraps err with the path of the value being encoded, such as
// "a.b[2].c" for a key c of the third element of the list at a.b.
func (e *jsonEncoder) errorAt(err error) error {
	path := ""
	for _, step := range e.steps {
		if step.index >= 0 {
			path = fmt.Sprintf("%s[%d]", path, step.index)
		} else {
			path = fieldPath(path, step.key)
		}
	}
	return pathError(path, err)
}

func (e *jsonEncoder) newline(depth int) {
	if e.opts.indent == "" {
		return
	}
	e.buf.WriteByte('\n')
	e.buf.WriteString(e.opts.prefix)
	if e.opts.indent != "\x00" {
		for range depth {
			e.buf.WriteString(e.opts.indent)
		}
	}
}

func (e *jsonEncoder) value(v starlark.Value, depth int) error {
	if depth > maxValueDepth {
		return e.errorAt(fmt.Errorf("value nested more than %d deep (does it contain itself?)", maxValueDepth))
	}
	switch v := v.(type) {
	case starlark.NoneType:
		e.buf.WriteString("null")
	case starlark.Bool:
		if v {
			e.buf.WriteString("true")
		} else {
			e.buf.WriteString("false")
		}
	case starlark.Int:
		e.buf.WriteString(v.String())
	case starlark.Float:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return e.errorAt(fmt.Errorf("cannot encode non-finite float %v", v))
		}
		e.buf.WriteString(pythonFloatRepr(f))
	case starlark.String:
		e.str(string(v))
	case Decimal:
		e.str(v.String())
	case *DateTime:
		e.str(v.JSONString())
	case *Date:
		e.str(v.String())
	case starlarktime.Time:
		e.str(time.Time(v).UTC().Format(time.RFC3339Nano))
	case *UUID:
		e.str(v.String())
	case *starlark.List, starlark.Tuple:
		seq := v.(starlark.Indexable)
		e.buf.WriteByte('[')
		for i := 0; i < seq.Len(); i++ {
			if i > 0 {
				e.buf.WriteString(e.opts.sep)
			}
			e.newline(depth + 1)
			e.steps = append(e.steps, jsonStep{index: i})
			if err := e.value(seq.Index(i), depth+1); err != nil {
				return err
			}
			e.steps = e.steps[:len(e.steps)-1]
		}
		if seq.Len() > 0 {
			e.newline(depth)
		}
		e.buf.WriteByte(']')
	case *starlark.Dict:
		items := v.Items()
		keys := make([]string, len(items))
		for i, item := range items {
			k, err := jsonKey(item[0])
			if err != nil {
				return e.errorAt(err)
			}
			keys[i] = k
		}
		order := make([]int, len(items))
		for i := range order {
			order[i] = i
		}
		if e.opts.sortKeys {
			sort.SliceStable(order, func(i, j int) bool { return keys[order[i]] < keys[order[j]] })
		}
		e.buf.WriteByte('{')
		for n, i := range order {
			if n > 0 {
				e.buf.WriteString(e.opts.sep)
			}
			e.newline(depth + 1)
			e.str(keys[i])
			e.buf.WriteString(e.opts.keySep)
			e.steps = append(e.steps, jsonStep{key: keys[i], index: -1})
			if err := e.value(items[i][1], depth+1); err != nil {
				return err
			}
			e.steps = e.steps[:len(e.steps)-1]
		}
		if len(items) > 0 {
			e.newline(depth)
		}
		e.buf.WriteByte('}')
	case *starlarkstruct.Struct:
		d := starlark.NewDict(len(v.AttrNames()))
		for _, name := range v.AttrNames() {
			field, _ := v.Attr(name)
			_ = d.SetKey(starlark.String(name), field)
		}
		return e.value(d, depth)
	default:
		if e.opts.fallback != nil {
			converted, err := e.opts.fallback(v)
			if err != nil {
				return e.errorAt(err)
			}
			return e.value(converted, depth+1)
		}
		return e.errorAt(fmt.Errorf("cannot encode %s as JSON", v.Type()))
	}
	return nil
}

func jsonKey(k starlark.Value) (string, error) {
	switch k := k.(type) {
	case starlark.String:
		return string(k), nil
	case starlark.Int:
		return k.String(), nil
	case starlark.Float:
		return pythonFloatRepr(float64(k)), nil
	case starlark.Bool:
		if k {
			return "true", nil
		}
		return "false", nil
	case starlark.NoneType:
		return "null", nil
	}
	return "", fmt.Errorf("dict key %s: got %s, want string, int, float, bool or None", k, k.Type())
}

// pythonFloatRepr formats a finite float as Python's repr does: the
// shortest digits that read back exactly, in positional form for exponents
// from -4 to 15 ("1000000.0", "0.0001") and in exponent form otherwise
// ("1e+16", "1e-05"). Starlark's str uses exponent form from 1e+06 on.
func pythonFloatRepr(f float64) string {
	exp := strconv.FormatFloat(f, 'e', -1, 64)
	mantissa, power, _ := strings.Cut(exp, "e")
	n, _ := strconv.Atoi(power)
	if n < -4 || n >= 16 {
		return mantissa + "e" + power
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func (e *jsonEncoder) str(s string) {
	e.buf.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			e.buf.WriteString(`\"`)
		case r == '\\':
			e.buf.WriteString(`\\`)
		case r == '\n':
			e.buf.WriteString(`\n`)
		case r == '\r':
			e.buf.WriteString(`\r`)
		case r == '\t':
			e.buf.WriteString(`\t`)
		case r == '\b':
			e.buf.WriteString(`\b`)
		case r == '\f':
			e.buf.WriteString(`\f`)
		case r < 0x20, r == utf8.RuneError, e.opts.ensureASCII && r > 0x7e:
			if r > 0xffff {
				r -= 0x10000
				fmt.Fprintf(&e.buf, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			} else {
				fmt.Fprintf(&e.buf, `\u%04x`, r)
			}
		default:
			e.buf.WriteRune(r)
		}
	}
	e.buf.WriteByte('"')
}

// jsonDecode implements json.decode(x, default=unset).
func jsonDecode(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	var dflt starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "x", &x, "default?", &dflt); err != nil {
		return nil, err
	}
	data, err := bytesOrString(x)
	if err != nil {
		return nil, fmt.Errorf("%s: x: %w", b.Name(), err)
	}
	v, err := decodeJSON(thread, data, nil)
	if err != nil {
		if dflt != nil {
			return dflt, nil
		}
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return v, nil
}

// jsonLoads implements Python's json.loads(s, parse_float=None); with
// parse_float=Decimal, numbers with a fraction or exponent decode exactly.
func jsonLoads(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s starlark.Value
	var parseFloat starlark.Value = starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "s", &s, "parse_float?", &parseFloat); err != nil {
		return nil, err
	}
	data, err := bytesOrString(s)
	if err != nil {
		return nil, fmt.Errorf("%s: s: %w", b.Name(), err)
	}
	var fn starlark.Callable
	if parseFloat != starlark.None {
		c, ok := parseFloat.(starlark.Callable)
		if !ok {
			return nil, fmt.Errorf("%s: parse_float: got %s, want callable or None", b.Name(), parseFloat.Type())
		}
		fn = c
	}
	v, err := decodeJSON(thread, data, fn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return v, nil
}

// decodeJSON decodes one JSON value, keeping object keys in document order.
// Integers become int (of any size), other numbers float, or the result of
// parseFloat when given.
func decodeJSON(thread *starlark.Thread, data []byte, parseFloat starlark.Callable) (starlark.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSONValue(thread, dec, parseFloat, 0)
	if err != nil {
		return nil, invalidJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON: unexpected data after the value at offset %d", dec.InputOffset())
	}
	return v, nil
}

func invalidJSON(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("invalid JSON at offset %d: %v", syn.Offset, syn)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("invalid JSON: unexpected end of input")
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func decodeJSONValue(thread *starlark.Thread, dec *json.Decoder, parseFloat starlark.Callable, depth int) (starlark.Value, error) {
	if depth > maxValueDepth {
		return nil, fmt.Errorf("nested more than %d deep", maxValueDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case nil:
		return starlark.None, nil
	case bool:
		return starlark.Bool(tok), nil
	case string:
		return starlark.String(tok), nil
	case json.Number:
		return decodeJSONNumber(thread, string(tok), parseFloat)
	case json.Delim:
		switch tok {
		case '[':
			var elems []starlark.Value
			for dec.More() {
				v, err := decodeJSONValue(thread, dec, parseFloat, depth+1)
				if err != nil {
					return nil, err
				}
				elems = append(elems, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return starlark.NewList(elems), nil
		case '{':
			d := starlark.NewDict(0)
			for dec.More() {
				keyTok, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := keyTok.(string)
				if !ok {
					return nil, fmt.Errorf("object key: got %v, want string", keyTok)
				}
				v, err := decodeJSONValue(thread, dec, parseFloat, depth+1)
				if err != nil {
					return nil, err
				}
				_ = d.SetKey(starlark.String(key), v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return d, nil
		}
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func decodeJSONNumber(thread *starlark.Thread, text string, parseFloat starlark.Callable) (starlark.Value, error) {
	if !strings.ContainsAny(text, ".eE") {
		if err := checkDigits(text); err != nil {
			return nil, fmt.Errorf("integer %s: %w", quoteInput(text), err)
		}
		n, ok := new(big.Int).SetString(text, 10)
		if !ok {
			return nil, fmt.Errorf("invalid number %s", quoteInput(text))
		}
		return starlark.MakeBigInt(n), nil
	}
	if parseFloat != nil {
		return starlark.Call(thread, parseFloat, starlark.Tuple{starlark.String(text)}, nil)
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, fmt.Errorf("number %s is out of the float range", quoteInput(text))
	}
	return starlark.Float(f), nil
}
