package lf

import (
	"strings"
	"testing"
	"time"

	v1 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v1"
	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

func text(s string) *v2.Value      { return &v2.Value{Sum: &v2.Value_Text{Text: s}} }
func party(s string) *v2.Value     { return &v2.Value{Sum: &v2.Value_Party{Party: s}} }
func int64Value(n int64) *v2.Value { return &v2.Value{Sum: &v2.Value_Int64{Int64: n}} }
func none() *v2.Value              { return &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{}}} }
func record(fields ...*v2.RecordField) *v2.Value {
	return &v2.Value{Sum: &v2.Value_Record{Record: &v2.Record{Fields: fields}}}
}
func field(label string, v *v2.Value) *v2.RecordField { return &v2.RecordField{Label: label, Value: v} }

func TestDecodeRecordForms(t *testing.T) {
	c, pkg := loadCatalog(t, "dabl-integration-core-1.2.3.dar")
	seq := ConType(TemplateID{PackageID: pkg, Module: "Utility.Sequence", Entity: "Sequence"})
	want := NewMap("owner", "Alice", "name", "orders", "count", int64(3))
	forms := map[string]*v2.Value{
		"labelled":          record(field("owner", party("Alice")), field("name", text("orders")), field("count", int64Value(3))),
		"labelled reversed": record(field("count", int64Value(3)), field("name", text("orders")), field("owner", party("Alice"))),
		"unlabelled":        record(field("", party("Alice")), field("", text("orders")), field("", int64Value(3))),
		"mixed positional":  record(field("owner", party("Alice")), field("", text("orders")), field("count", int64Value(3))),
	}
	for name, v := range forms {
		t.Run(name, func(t *testing.T) {
			got, err := c.Decode(seq, v)
			if err != nil {
				t.Fatal(err)
			}
			if !ValuesEqual(got, want) {
				t.Errorf("got %s, want %s", formatValue(got), formatValue(want))
			}
		})
	}
}

func TestDecodeTrailingOptionalMissing(t *testing.T) {
	c, pkg := loadCatalog(t, "dabl-integration-core-1.2.3.dar")
	gen := ConType(TemplateID{PackageID: pkg, Module: "Utility.Sequence", Entity: "SequenceGenerator"})
	v := record(field("", party("A")), field("", text("p")), field("", int64Value(0)), field("", int64Value(10)))
	got, err := c.Decode(gen, v)
	if err != nil {
		t.Fatal(err)
	}
	if limit, ok := got.(*Map).Get("countLimit"); !ok || limit != nil {
		t.Errorf("countLimit = %v, %v; want nil, true", limit, ok)
	}
}

func TestCheckValueRejects(t *testing.T) {
	c, pkg := loadCatalog(t, "all-kinds-of-sdk-3.3.0.dar")
	pairType := ConType(TemplateID{PackageID: pkg, Module: "AllKindsOf", Entity: "MyPair"}, Prim(TypeInt64))
	colorType := ConType(TemplateID{PackageID: pkg, Module: "AllKindsOf", Entity: "Color"})
	vpairType := ConType(TemplateID{PackageID: pkg, Module: "AllKindsOf", Entity: "VPair"}, Prim(TypeInt64))
	cases := []struct {
		name string
		typ  *Type
		v    *v2.Value
		want string
	}{
		{"text for party", Prim(TypeParty), text("Alice"), "got Text value, want Party"},
		{"bad party", Prim(TypeParty), party("a/b"), `invalid party "a/b"`},
		{"numeric syntax", NumericType(10), &v2.Value{Sum: &v2.Value_Numeric{Numeric: "1e5"}}, `invalid numeric "1e5"`},
		{"numeric scale", NumericType(2), &v2.Value{Sum: &v2.Value_Numeric{Numeric: "1.001"}}, "does not fit Numeric 2"},
		{"numeric zero digits beyond scale", NumericType(2), &v2.Value{Sum: &v2.Value_Numeric{Numeric: "1.000"}}, ""},
		{"numeric integer part", NumericType(37), &v2.Value{Sum: &v2.Value_Numeric{Numeric: "12.0"}}, "more than 1 digits before the point"},
		{"date range", Prim(TypeDate), &v2.Value{Sum: &v2.Value_Date{Date: maxDateDays + 1}}, "outside 0001-01-01 to 9999-12-31"},
		{"timestamp range", Prim(TypeTimestamp), &v2.Value{Sum: &v2.Value_Timestamp{Timestamp: maxTimestamp + 1}}, "outside 0001-01-01 to 9999-12-31"},
		{"empty contract id", Prim(TypeContractID, Prim(TypeUnit)), &v2.Value{Sum: &v2.Value_ContractId{}}, "contract id cannot be empty"},
		{"missing value", Prim(TypeText), &v2.Value{}, "missing value"},
		{"unit", Prim(TypeUnit), text(""), "got Text value, want Unit"},
		{"list element", Prim(TypeList, Prim(TypeBool)), &v2.Value{Sum: &v2.Value_List{List: &v2.List{Elements: []*v2.Value{text("x")}}}}, "[0]: got Text value, want Bool"},
		{"textmap duplicate", Prim(TypeTextMap, Prim(TypeText)), &v2.Value{Sum: &v2.Value_TextMap{TextMap: &v2.TextMap{Entries: []*v2.TextMap_Entry{{Key: "k", Value: text("a")}, {Key: "k", Value: text("b")}}}}}, `duplicate key "k"`},
		{"genmap duplicate", Prim(TypeGenMap, Prim(TypeInt64), Prim(TypeText)), &v2.Value{Sum: &v2.Value_GenMap{GenMap: &v2.GenMap{Entries: []*v2.GenMap_Entry{{Key: int64Value(1), Value: text("a")}, {Key: int64Value(1), Value: text("b")}}}}}, "duplicate key at entry 1"},
		{"record duplicate label", pairType, record(field("left", int64Value(1)), field("left", int64Value(2))), "duplicate field left"},
		{"record unknown label", pairType, record(field("left", int64Value(1)), field("up", int64Value(2))), "unknown field up; fields of AllKindsOf:MyPair: left, right"},
		{"record wrong position", pairType, record(field("right", int64Value(1)), field("", int64Value(2))), "field 1 is labelled right, want left"},
		{"record too many", pairType, record(field("", int64Value(1)), field("", int64Value(2)), field("", int64Value(3))), "record has 3 fields"},
		{"record missing", pairType, record(field("left", int64Value(1))), "right: missing field of type Int64"},
		{"enum constructor", colorType, &v2.Value{Sum: &v2.Value_Enum{Enum: &v2.Enum{Constructor: "Pink"}}}, `unknown constructor "Pink"`},
		{"variant constructor", vpairType, &v2.Value{Sum: &v2.Value_Variant{Variant: &v2.Variant{Constructor: "Up", Value: int64Value(1)}}}, `unknown constructor "Up"`},
		{"variant argument", vpairType, &v2.Value{Sum: &v2.Value_Variant{Variant: &v2.Variant{Constructor: "Left", Value: text("x")}}}, "Left: got Text value, want Int64"},
		{"nested optional shape", Prim(TypeOptional, Prim(TypeOptional, Prim(TypeInt64))), &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{Value: int64Value(1)}}}, "got Int64 value, want Optional Int64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := c.CheckValue(tc.typ, tc.v)
			if tc.want == "" {
				if err != nil {
					t.Errorf("rejected a valid value: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %v", tc.v)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestUntypedRoundTrip(t *testing.T) {
	when := time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC)
	in := NewMap(
		"owner", "Alice::1220",
		"note", "hello",
		"count", 3,
		"rate", 1.25,
		"exact", mustDecimal(t, "10.500"),
		"day", DateFromDays(19844),
		"at", when,
		"maybe", nil,
		"tags", []any{"a", true},
	)

	isParty := func(s string) bool { return strings.Contains(s, "::") }
	v, err := EncodeUntyped(in, isParty)
	if err != nil {
		t.Fatal(err)
	}
	fields := v.GetRecord().GetFields()
	if fields[0].GetValue().GetParty() != "Alice::1220" {
		t.Errorf("owner = %v, want a Party", fields[0].GetValue())
	}
	if fields[1].GetValue().GetText() != "hello" {
		t.Errorf("note = %v, want Text", fields[1].GetValue())
	}
	if fields[4].GetValue().GetNumeric() != "10.5" {
		t.Errorf("exact = %v, want Numeric 10.5", fields[4].GetValue())
	}

	got, err := DecodeUntyped(v)
	if err != nil {
		t.Fatal(err)
	}
	want := NewMap(
		"owner", "Alice::1220", "note", "hello", "count", int64(3), "rate", mustDecimal(t, "1.25"),
		"exact", mustDecimal(t, "10.5"), "day", DateFromDays(19844), "at", when, "maybe", nil,
		"tags", []any{"a", true},
	)
	if !ValuesEqual(got, want) {
		t.Errorf("got %s, want %s", formatValue(got), formatValue(want))
	}
	if _, err := EncodeUntyped(struct{}{}, nil); err == nil || !strings.Contains(err.Error(), "got struct {}") {
		t.Errorf("unsupported value error = %v", err)
	}
}

func TestDecodeUntypedShapes(t *testing.T) {
	v := record(
		field("", &v2.Value{Sum: &v2.Value_Variant{Variant: &v2.Variant{Constructor: "Some", Value: &v2.Value{Sum: &v2.Value_Unit{Unit: &emptypb.Empty{}}}}}}),
		field("", &v2.Value{Sum: &v2.Value_Enum{Enum: &v2.Enum{Constructor: "Red"}}}),
		field("", &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{Value: none()}}}),
	)
	got, err := DecodeUntyped(v)
	if err != nil {
		t.Fatal(err)
	}
	want := NewMap("_1", NewMap("Some", &Map{}), "_2", "Red", "_3", []any{})
	if !ValuesEqual(got, want) {
		t.Errorf("got %s, want %s", formatValue(got), formatValue(want))
	}
}

func TestV1RoundTrip(t *testing.T) {
	c, pkg := loadCatalog(t, "all-kinds-of-sdk-3.3.0.dar")
	tid := TemplateID{PackageID: pkg, Module: "AllKindsOf", Entity: "OneOfEverything"}
	rec, err := c.EncodeCreate(tid, map[string]any{
		"operator": "Op", "someBoolean": true, "someInteger": 1, "someDecimal": "1.0",
		"someMaybe": 4, "someMaybeNot": nil, "someText": "t", "someDate": "2020-01-01",
		"someDatetime": "2020-01-01T00:00:00Z", "someSimpleList": []any{1},
		"someSimplePair":  map[string]any{"left": 1, "right": 2},
		"someNestedPair":  map[string]any{"left": map[string]any{"left": 1, "right": 2}, "right": map[string]any{"left": 3, "right": 4}},
		"someUglyNesting": map[string]any{"Right": map[string]any{"left": map[string]any{"left": 1, "right": 2}, "right": map[string]any{"left": 3, "right": 4}}},
		"someMeasurement": 1, "someEnum": "Blue", "theUnit": map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}

	old, err := RecordToV1(rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := old.GetFields()[14].GetValue().GetSum().(*v1.Value_Enum); !ok {
		t.Errorf("someEnum in v1 is %T", old.GetFields()[14].GetValue().GetSum())
	}
	back, err := RecordFromV1(old)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(rec, back) {
		t.Errorf("v1 round trip changed the record:\n%v\n%v", rec, back)
	}

	textMap := &v2.Value{Sum: &v2.Value_TextMap{TextMap: &v2.TextMap{Entries: []*v2.TextMap_Entry{{Key: "k", Value: text("v")}}}}}
	genMap := &v2.Value{Sum: &v2.Value_GenMap{GenMap: &v2.GenMap{Entries: []*v2.GenMap_Entry{{Key: int64Value(1), Value: text("v")}}}}}
	for _, v := range []*v2.Value{textMap, genMap, party("p"), &v2.Value{Sum: &v2.Value_ContractId{ContractId: "00"}}} {
		old, err := ValueToV1(v)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ValueFromV1(old)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(v, back) {
			t.Errorf("v1 round trip of %v gave %v", v, back)
		}
	}
}

func TestKeyExprNeedsLabels(t *testing.T) {
	c, pkg := loadCatalog(t, "dabl-integration-core-1.2.3.dar")
	tmpl, _ := c.Template(TemplateID{PackageID: pkg, Module: "Utility.Sequence", Entity: "Sequence"})
	unlabelled := record(field("", party("A")), field("", text("n")), field("", int64Value(1))).GetRecord()
	if _, err := tmpl.KeyExpr.Eval(unlabelled); err == nil || !strings.Contains(err.Error(), "labelled fields") {
		t.Errorf("error = %v, want one asking for labelled fields", err)
	}
	labelled := record(field("owner", party("A")), field("name", text("n")), field("count", int64Value(1))).GetRecord()
	key, err := tmpl.KeyExpr.Eval(labelled)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Decode(tmpl.Key, key)
	if err != nil {
		t.Fatal(err)
	}
	if want := NewMap("_1", "A", "_2", "n"); !ValuesEqual(got, want) {
		t.Errorf("key = %s, want %s", formatValue(got), formatValue(want))
	}
}
