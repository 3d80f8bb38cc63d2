package lf

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
)

// EncodeUntyped encodes v without a Daml-LF type, for templates that no
// loaded package describes. Each Go value maps to the Ledger API value of
// its own kind. A string is a Party when isParty returns true for it, and
// Text otherwise (isParty may be nil). Integers are Int64. A float64 or a
// Decimal is a Numeric with as many decimal places as it needs. nil is
// None, a *Map or map[string]any is a record labelled by its keys, and a
// slice is a List. Participants reject values whose shape does not match
// the template, so this mode suits integrations that already send the
// right shape.
func EncodeUntyped(v any, isParty func(string) bool) (*v2.Value, error) {
	return encodeUntyped(v, isParty, "")
}

func encodeUntyped(v any, isParty func(string) bool, path string) (*v2.Value, error) {
	fail := func(want string) error {
		return &EncodeError{Path: path, Got: describe(v), Want: want}
	}
	switch x := v.(type) {
	case nil:
		return &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{}}}, nil
	case bool:
		return &v2.Value{Sum: &v2.Value_Bool{Bool: x}}, nil
	case string:
		if isParty != nil && isParty(x) {
			return &v2.Value{Sum: &v2.Value_Party{Party: x}}, nil
		}
		return &v2.Value{Sum: &v2.Value_Text{Text: x}}, nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, *big.Int:
		n, err := toInt64(x)
		if err != nil {
			return nil, &EncodeError{Path: path, Got: describe(v), Want: "Int64", Err: err}
		}
		return &v2.Value{Sum: &v2.Value_Int64{Int64: n}}, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fail("a finite number")
		}
		d, err := ParseDecimal(strconv.FormatFloat(x, 'f', -1, 64))
		if err != nil {
			return nil, fail("a number")
		}
		return untypedNumeric(d, v, path)
	case Decimal:
		return untypedNumeric(x, v, path)
	case Date:
		return &v2.Value{Sum: &v2.Value_Date{Date: x.Days()}}, nil
	case time.Time:
		us, err := toTimestamp(x)
		if err != nil {
			return nil, &EncodeError{Path: path, Got: describe(v), Want: "Timestamp", Err: err}
		}
		return &v2.Value{Sum: &v2.Value_Timestamp{Timestamp: us}}, nil
	}
	if m, ok := asMap(v); ok {
		rec := &v2.Record{}
		for i, k := range m.Keys {
			label, ok := k.(string)
			if !ok {
				return nil, &EncodeError{Path: path, Got: "key " + describe(k), Want: "string field names"}
			}
			fv, err := encodeUntyped(m.Values[i], isParty, joinPath(path, label))
			if err != nil {
				return nil, err
			}
			rec.Fields = append(rec.Fields, &v2.RecordField{Label: label, Value: fv})
		}
		return &v2.Value{Sum: &v2.Value_Record{Record: rec}}, nil
	}
	if items, ok := asList(v); ok {
		list := &v2.List{}
		for i, item := range items {
			ev, err := encodeUntyped(item, isParty, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			list.Elements = append(list.Elements, ev)
		}
		return &v2.Value{Sum: &v2.Value_List{List: list}}, nil
	}
	return nil, fail("a value that maps to a Daml type")
}

// untypedNumeric writes d with its own scale, trailing zeros removed.
func untypedNumeric(d Decimal, v any, path string) (*v2.Value, error) {
	d = d.TrimScale(0)
	if _, err := fitNumeric(d, min(d.Scale(), 37)); err != nil {
		return nil, &EncodeError{Path: path, Got: describe(v), Want: "Numeric", Err: err}
	}
	return &v2.Value{Sum: &v2.Value_Numeric{Numeric: d.String()}}, nil
}
