package lf

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ParseJSONValue decodes JSON text, such as a create or exercise argument
// typed on a command line, into the Go values of the codec. Objects become
// *Map with keys in their written order, integers that fit become int64 and
// other numbers Decimal, so that no digit is lost to float64. Strings,
// booleans and null become string, bool and nil, and arrays []any.
func ParseJSONValue(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	v, err := decodeJSONValue(dec)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON %q: %w", text, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON %q: text after the value", text)
	}
	return v, nil
}

// decodeJSONValue decodes the next value of dec.
func decodeJSONValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := NewMap()
			for dec.More() {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeJSONValue(dec)
				if err != nil {
					return nil, err
				}
				// json.Decoder returns only strings as object keys.
				m.Set(key.(string), v)
			}
			_, err := dec.Token()
			return m, err
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeJSONValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i, nil
		}
		d, err := ParseDecimal(string(t))
		if err != nil {
			return nil, fmt.Errorf("number %s: %w", t, err)
		}
		return d, nil
	}
	return tok, nil
}

// JSONKind names the JSON kind of a value from ParseJSONValue, such as
// "object" or "number", for messages about an argument of the wrong kind.
func JSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case *Map:
		return "object"
	}
	return "number"
}
