package lf

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/ditstar/ditstar/internal/testdata"
	"google.golang.org/protobuf/proto"
)

// loadCatalog reads a test DAR into a catalog and returns its main package id.
func loadCatalog(t *testing.T, name string) (*Catalog, string) {
	t.Helper()
	dar, err := ReadDAR(testdata.DAR(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return NewCatalog(dar.Packages...), dar.MainPackageID
}

func mustDecimal(t testing.TB, s string) Decimal {
	t.Helper()
	d, err := ParseDecimal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// roundTrip encodes a create argument, decodes it again and checks that
// the result equals want.
func roundTrip(t *testing.T, c *Catalog, tid TemplateID, arg any, want *Map) *v2.Record {
	t.Helper()
	rec, err := c.EncodeCreate(tid, arg)
	if err != nil {
		t.Fatalf("EncodeCreate: %v", err)
	}
	got, err := c.DecodeRecord(tid, rec)
	if err != nil {
		t.Fatalf("DecodeRecord: %v", err)
	}
	if !ValuesEqual(got, want) {
		t.Fatalf("round trip changed the value:\n got  %s\n want %s", formatValue(got), formatValue(want))
	}
	return rec
}

func formatValue(v any) string {
	switch x := v.(type) {
	case *Map:
		parts := make([]string, x.Len())
		for i := range x.Keys {
			parts[i] = formatValue(x.Keys[i]) + ": " + formatValue(x.Values[i])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i := range x {
			parts[i] = formatValue(x[i])
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case nil:
		return "None"
	}
	return describe(v)
}

func TestRoundTripPriceOraclePrice(t *testing.T) {
	c, pkg := loadCatalog(t, "dabl-integration-coindesk-1.1.2.dar")
	tid := TemplateID{PackageID: pkg, Module: "CoinDesk.PriceOracle", Entity: "PriceOraclePrice"}
	updated := time.Date(2021, 3, 4, 5, 6, 7, 123456000, time.UTC)
	arg := NewMap(
		"integrationParty", "Alice::1220abcd",
		"price", map[string]any{
			"currencyCode": "USD",
			"updatedAt":    "2021-03-04T05:06:07.123456Z",
			"rate":         "49234.1234",
		},
	)
	want := NewMap(
		"integrationParty", "Alice::1220abcd",
		"price", NewMap("currencyCode", "USD", "updatedAt", updated, "rate", mustDecimal(t, "49234.1234")),
	)
	rec := roundTrip(t, c, tid, arg, want)

	if got := rec.GetRecordId().GetEntityName(); got != "PriceOraclePrice" {
		t.Errorf("record id entity = %q", got)
	}
	price := rec.GetFields()[1].GetValue().GetRecord()
	if got := price.GetFields()[2].GetValue().GetNumeric(); got != "49234.1234000000" {
		t.Errorf("rate = %q, want 49234.1234000000 (scale 10)", got)
	}
	if got := price.GetFields()[1].GetValue().GetTimestamp(); got != updated.UnixMicro() {
		t.Errorf("updatedAt = %d µs, want %d", got, updated.UnixMicro())
	}
	if got := rec.GetFields()[0].GetValue().GetParty(); got != "Alice::1220abcd" {
		t.Errorf("integrationParty = %q, sent as %T", got, rec.GetFields()[0].GetValue().GetSum())
	}

	key, err := c.EncodeKey(tid, []any{"Alice::1220abcd", "USD"})
	if err != nil {
		t.Fatalf("EncodeKey: %v", err)
	}
	tmpl, _ := c.Template(tid)
	computed, err := tmpl.KeyExpr.Eval(rec)
	if err != nil {
		t.Fatalf("KeyExpr.Eval: %v", err)
	}
	if !proto.Equal(key, computed) {
		t.Errorf("key from the contract = %v, want %v", computed, key)
	}
}

func TestRoundTripOneOfEverything(t *testing.T) {
	c, pkg := loadCatalog(t, "all-kinds-of-sdk-3.3.0.dar")
	tid := TemplateID{PackageID: pkg, Module: "AllKindsOf", Entity: "OneOfEverything"}
	when := time.Date(2025, 4, 17, 12, 0, 0, 1000, time.UTC)
	date, _ := ParseDate("2025-04-17")
	pair := func(l, r any) *Map { return NewMap("left", l, "right", r) }
	arg := map[string]any{
		"operator":        "Operator::1220ff",
		"someBoolean":     true,
		"someInteger":     int64(-9223372036854775808),
		"someDecimal":     mustDecimal(t, "-12345678901234567890123456.1234567891"),
		"someMaybe":       int64(7),
		"someMaybeNot":    nil,
		"someText":        "héllo, \"world\"",
		"someDate":        date,
		"someDatetime":    when,
		"someSimpleList":  []any{int64(1), int64(2), int64(3)},
		"someSimplePair":  pair(int64(1), int64(2)),
		"someNestedPair":  pair(pair(int64(1), int64(2)), pair(int64(3), int64(4))),
		"someUglyNesting": NewMap("Both", NewMap("Left", pair(pair(int64(1), int64(2)), pair(int64(3), int64(4))))),
		"someMeasurement": 2.5,
		"someEnum":        "Green",
		"theUnit":         &Map{},
	}
	want := NewMap(
		"operator", "Operator::1220ff",
		"someBoolean", true,
		"someInteger", int64(-9223372036854775808),
		"someDecimal", mustDecimal(t, "-12345678901234567890123456.1234567891"),
		"someMaybe", int64(7),
		"someMaybeNot", nil,
		"someText", "héllo, \"world\"",
		"someDate", date,
		"someDatetime", when,
		"someSimpleList", []any{int64(1), int64(2), int64(3)},
		"someSimplePair", pair(int64(1), int64(2)),
		"someNestedPair", pair(pair(int64(1), int64(2)), pair(int64(3), int64(4))),
		"someUglyNesting", NewMap("Both", NewMap("Left", pair(pair(int64(1), int64(2)), pair(int64(3), int64(4))))),
		"someMeasurement", mustDecimal(t, "2.5"),
		"someEnum", "Green",
		"theUnit", &Map{},
	)
	rec := roundTrip(t, c, tid, arg, want)
	if got := rec.GetFields()[14].GetValue().GetEnum().GetConstructor(); got != "Green" {
		t.Errorf("someEnum constructor = %q", got)
	}
	if rec.GetFields()[5].GetValue().GetOptional().GetValue() != nil {
		t.Error("someMaybeNot is not None")
	}
}

func TestRoundTripMappyContract(t *testing.T) {
	c, pkg := loadCatalog(t, "all-kinds-of-sdk-3.3.0.dar")
	tid := TemplateID{PackageID: pkg, Module: "AllKindsOf", Entity: "MappyContract"}
	values := NewMap("b", "second", "a", "first")
	rec := roundTrip(t, c, tid, map[string]any{"operator": "Op", "value": values}, NewMap("operator", "Op", "value", values))
	entries := rec.GetFields()[1].GetValue().GetTextMap().GetEntries()
	if len(entries) != 2 || entries[0].GetKey() != "b" {
		t.Errorf("TextMap entries = %v, want b then a", entries)
	}
}

func TestRoundTripGenMapFungible(t *testing.T) {
	c, _ := loadCatalog(t, "quickstart-finance-sdk-2.5.0.dar")
	ids, err := c.Resolve("Daml.Finance.Holding.Fungible:Fungible", "")
	if err != nil {
		t.Fatal(err)
	}
	set := func(parties ...string) *Map {
		m := &Map{}
		for _, p := range parties {
			m.Set(p, &Map{})
		}
		return NewMap("map", m)
	}
	id := NewMap("unpack", "ID-1")
	arg := NewMap(
		"instrument", NewMap("depository", "Dep", "issuer", "Iss", "id", id, "version", "0"),
		"account", NewMap("custodian", "Bank", "owner", "Alice", "id", id),
		"amount", 100,
		"lock", NewMap("lockers", set("Bank"), "context", set("ctx"), "lockType", "Reentrant"),
		"observers", NewMap("public", set("Bob", "Carol")),
	)
	want := NewMap(
		"instrument", NewMap("depository", "Dep", "issuer", "Iss", "id", id, "version", "0"),
		"account", NewMap("custodian", "Bank", "owner", "Alice", "id", id),
		"amount", DecimalFromInt64(100),
		"lock", NewMap("lockers", set("Bank"), "context", set("ctx"), "lockType", "Reentrant"),
		"observers", NewMap("public", set("Bob", "Carol")),
	)
	rec := roundTrip(t, c, ids[0], arg, want)
	observers := rec.GetFields()[4].GetValue().GetGenMap().GetEntries()
	if len(observers) != 1 || observers[0].GetKey().GetText() != "public" {
		t.Errorf("observers = %v, want one Text key", observers)
	}
}

func TestRoundTripBuiltinTypes(t *testing.T) {
	c := NewCatalog()
	date, _ := ParseDate("1999-12-31")
	when := time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC)
	optOpt := Prim(TypeOptional, Prim(TypeOptional, Prim(TypeInt64)))
	optOptOpt := Prim(TypeOptional, optOpt)
	cases := []struct {
		name      string
		typ       *Type
		in, want  any
		wantValue *v2.Value
	}{
		{"unit", Prim(TypeUnit), map[string]any{}, &Map{}, nil},
		{"bool", Prim(TypeBool), false, false, nil},
		{"int64 max", Prim(TypeInt64), int64(9223372036854775807), int64(9223372036854775807), nil},
		{"int64 from int", Prim(TypeInt64), 42, int64(42), nil},
		{"int64 from string", Prim(TypeInt64), "-17", int64(-17), nil},
		{"int64 from big.Int", Prim(TypeInt64), big.NewInt(-5), int64(-5), nil},
		{"numeric from big.Int", NumericType(0), new(big.Int).Lsh(big.NewInt(1), 100), mustDecimal(t, "1267650600228229401496703205376"), nil},
		{"numeric 0", NumericType(0), "12345678901234567890123456789012345678", mustDecimal(t, "12345678901234567890123456789012345678"), nil},
		{"numeric 37", NumericType(37), "0.1234567890123456789012345678901234567", mustDecimal(t, "0.1234567890123456789012345678901234567"), nil},
		{"numeric float", NumericType(10), 0.1, mustDecimal(t, "0.1"), &v2.Value{Sum: &v2.Value_Numeric{Numeric: "0.1000000000"}}},
		{"numeric trailing zeros", NumericType(2), "1.500", mustDecimal(t, "1.5"), &v2.Value{Sum: &v2.Value_Numeric{Numeric: "1.50"}}},
		{"text", Prim(TypeText), "", "", nil},
		{"party", Prim(TypeParty), "Alice::1220", "Alice::1220", nil},
		{"contract id", Prim(TypeContractID, Prim(TypeUnit)), "00abc", "00abc", nil},
		{"date", Prim(TypeDate), date, date, &v2.Value{Sum: &v2.Value_Date{Date: 10956}}},
		{"date from string", Prim(TypeDate), "0001-01-01", DateFromDays(minDateDays), nil},
		{"date from time", Prim(TypeDate), time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC), date, nil},
		{"timestamp", Prim(TypeTimestamp), when, when, &v2.Value{Sum: &v2.Value_Timestamp{Timestamp: 1}}},
		{"timestamp from string", Prim(TypeTimestamp), "1970-01-01T01:00:00.000001+01:00", when, nil},
		{"optional none", Prim(TypeOptional, Prim(TypeText)), nil, nil, nil},
		{"optional some", Prim(TypeOptional, Prim(TypeText)), "x", "x", nil},
		{"nested optional none", optOpt, nil, nil, nil},
		{"nested optional some none", optOpt, []any{}, []any{}, nil},
		{"nested optional some some", optOpt, []any{int64(5)}, []any{int64(5)}, nil},
		{"triple optional some some none", optOptOpt, []any{nil}, []any{nil}, nil},
		{"triple optional some some some", optOptOpt, []any{int64(5)}, []any{int64(5)}, nil},
		{"list", Prim(TypeList, Prim(TypeText)), []string{"a", "b"}, []any{"a", "b"}, nil},
		{"empty list", Prim(TypeList, Prim(TypeText)), []any{}, []any{}, nil},
		{"textmap", Prim(TypeTextMap, Prim(TypeInt64)), NewMap("z", 1, "a", 2), NewMap("z", int64(1), "a", int64(2)), nil},
		{"genmap decimal keys", Prim(TypeGenMap, NumericType(2), Prim(TypeText)), NewMap(mustDecimal(t, "1.5"), "x", 2, "y"), NewMap(mustDecimal(t, "1.50"), "x", mustDecimal(t, "2"), "y"), nil},
		{"genmap list keys", Prim(TypeGenMap, Prim(TypeList, Prim(TypeInt64)), Prim(TypeBool)), NewMap([]any{1, 2}, true), NewMap([]any{int64(1), int64(2)}, true), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := c.Encode(tc.typ, tc.in)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if tc.wantValue != nil && !proto.Equal(v, tc.wantValue) {
				t.Errorf("Encode = %v, want %v", v, tc.wantValue)
			}
			if err := c.CheckValue(tc.typ, v); err != nil {
				t.Errorf("CheckValue: %v", err)
			}
			got, err := c.Decode(tc.typ, v)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !ValuesEqual(got, tc.want) {
				t.Errorf("Decode = %s, want %s", formatValue(got), formatValue(tc.want))
			}
		})
	}
}

func TestEncodeErrorMessage(t *testing.T) {
	c, pkg := loadCatalog(t, "dabl-integration-core-1.2.3.dar")
	tid := TemplateID{PackageID: pkg, Module: "Utility.Sequence", Entity: "Sequence"}
	_, err := c.EncodeCreate(tid, map[string]any{"owner": "Alice", "name": "n", "count": "x"})
	want := `create Utility.Sequence:Sequence: count: got string "x", want Int64`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}
	var ee *EncodeError
	if !errors.As(err, &ee) || ee.Path != "count" {
		t.Errorf("error is %T with path %q, want *EncodeError with path count", err, ee.Path)
	}
}

// inexactSum is 0.30000000000000004, which a variable keeps and a constant
// expression would not.
var inexactSum = func(a, b float64) float64 { return a + b }(0.1, 0.2)

func TestEncodeMismatches(t *testing.T) {
	c, pkg := loadCatalog(t, "all-kinds-of-sdk-3.3.0.dar")
	everything := TemplateID{PackageID: pkg, Module: "AllKindsOf", Entity: "OneOfEverything"}
	valid := func() map[string]any {
		return map[string]any{
			"operator": "Op", "someBoolean": true, "someInteger": 1, "someDecimal": "1.0",
			"someMaybe": nil, "someMaybeNot": nil, "someText": "t", "someDate": "2020-01-01",
			"someDatetime": "2020-01-01T00:00:00Z", "someSimpleList": []any{},
			"someSimplePair":  map[string]any{"left": 1, "right": 2},
			"someNestedPair":  map[string]any{"left": map[string]any{"left": 1, "right": 2}, "right": map[string]any{"left": 3, "right": 4}},
			"someUglyNesting": map[string]any{"Right": map[string]any{"left": map[string]any{"left": 1, "right": 2}, "right": map[string]any{"left": 3, "right": 4}}},
			"someMeasurement": 1, "someEnum": "Red", "theUnit": map[string]any{},
		}
	}
	if _, err := c.EncodeCreate(everything, valid()); err != nil {
		t.Fatalf("valid argument rejected: %v", err)
	}
	cases := []struct {
		field string
		value any
		want  string
	}{
		{"operator", 5, "operator: got int 5, want Party"},
		{"operator", "bad/party", `operator: got string "bad/party", want Party: invalid character '/'`},
		{"operator", "", `operator: got string "", want Party: a party id has 1 to 255 characters`},
		{"someBoolean", "true", `someBoolean: got string "true", want Bool`},
		{"someInteger", 1.5, "someInteger: got float 1.5, want Int64"},
		{"someInteger", "99999999999999999999", "want Int64: out of the Int64 range"},
		{"someInteger", uint64(1 << 63), "want Int64: out of the Int64 range"},
		{"someInteger", new(big.Int).Lsh(big.NewInt(1), 64), "want Int64: out of the Int64 range"},
		{"someDecimal", "1.12345678901", "want Numeric 10: more than 10 digits after the point would be lost"},
		{"someDecimal", "123456789012345678901234567890", "want Numeric 10: more than 28 digits before the point"},
		{"someDecimal", "abc", `someDecimal: got string "abc", want Numeric 10`},
		{"someDecimal", true, "someDecimal: got bool true, want Numeric 10"},
		{"someMeasurement", inexactSum, "more than 10 digits after the point would be lost"},
		{"someMaybe", "x", `someMaybe: got string "x", want Int64`},
		{"someText", 3, "someText: got int 3, want Text"},
		{"someDate", "2020-13-01", "want Date: want an ISO 8601 date"},
		{"someDate", 5, "someDate: got int 5, want Date"},
		{"someDatetime", "2020-01-01", "want Timestamp: want an ISO 8601 timestamp"},
		{"someDatetime", time.Date(2020, 1, 1, 0, 0, 0, 1, time.UTC), "precision below a microsecond"},
		{"someSimpleList", "abc", `someSimpleList: got string "abc", want List Int64`},
		{"someSimpleList", []any{1, "two"}, `someSimpleList[1]: got string "two", want Int64`},
		{"someSimplePair", map[string]any{"left": 1}, "someSimplePair.right: missing field of type Int64"},
		{"someSimplePair", map[string]any{"left": 1, "right": 2, "middle": 3}, `someSimplePair: got unknown field "middle", want fields of AllKindsOf:MyPair: left, right`},
		{"someSimplePair", []any{1, 2}, "someSimplePair: got list, want AllKindsOf:MyPair Int64"},
		{"someNestedPair", map[string]any{"left": map[string]any{"left": 1, "right": "x"}, "right": map[string]any{"left": 3, "right": 4}}, `someNestedPair.left.right: got string "x", want Int64`},
		{"someUglyNesting", map[string]any{"Middle": 1}, `someUglyNesting: got constructor "Middle", want one of Left, Right, Both`},
		{"someUglyNesting", map[string]any{"Left": 1, "Right": 2}, `someUglyNesting: got dict, want AllKindsOf:VPair`},
		{"someUglyNesting", map[string]any{"Both": map[string]any{"Left": 5}}, `someUglyNesting.Both.Left: got int 5, want AllKindsOf:MyPair`},
		{"someUglyNesting", "Left", `someUglyNesting: got string "Left", want {"Left": value of type AllKindsOf:MyPair (AllKindsOf:MyPair Int64)}`},
		{"someDatetime", "0001-01-01T00:30:00+01:00", "outside 0001-01-01 to 9999-12-31"},
		{"someEnum", "Purple", `someEnum: got string "Purple", want one of Red, Green, Blue`},
		{"someEnum", 1, "someEnum: got int 1, want AllKindsOf:Color"},
		{"theUnit", map[string]any{"x": 1}, "theUnit: got dict, want Unit"},
		{"theUnit", 0, "theUnit: got int 0, want Unit"},
	}
	for _, tc := range cases {
		t.Run(tc.field+" "+describe(tc.value), func(t *testing.T) {
			arg := valid()
			arg[tc.field] = tc.value
			_, err := c.EncodeCreate(everything, arg)
			if err == nil {
				t.Fatalf("accepted %s = %v", tc.field, tc.value)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "create AllKindsOf:OneOfEverything: ") {
				t.Errorf("error %q does not name the operation", err)
			}
		})
	}
}

func TestEncodeRecordFieldRules(t *testing.T) {
	c, pkg := loadCatalog(t, "dabl-integration-core-1.2.3.dar")
	gen := TemplateID{PackageID: pkg, Module: "Utility.Sequence", Entity: "SequenceGenerator"}
	full := map[string]any{"owner": "Alice", "prefix": "p", "offset": 0, "defaultBlockSize": 10}
	rec, err := c.EncodeCreate(gen, full)
	if err != nil {
		t.Fatalf("missing Optional field rejected: %v", err)
	}
	if limit := rec.GetFields()[4]; limit.GetLabel() != "countLimit" || limit.GetValue().GetOptional() == nil || limit.GetValue().GetOptional().GetValue() != nil {
		t.Errorf("countLimit = %v, want None", limit)
	}
	delete(full, "offset")
	if _, err := c.EncodeCreate(gen, full); err == nil || !strings.Contains(err.Error(), "offset: missing field of type Int64") {
		t.Errorf("missing field error = %v", err)
	}
	if _, err := c.EncodeCreate(gen, "text"); err == nil || !strings.Contains(err.Error(), `got string "text", want Utility.Sequence:SequenceGenerator`) {
		t.Errorf("non-record error = %v", err)
	}
}

func TestEncodeUnknownTemplate(t *testing.T) {
	c, pkg := loadCatalog(t, "dabl-integration-core-1.2.3.dar")
	_, err := c.EncodeCreate(TemplateID{PackageID: pkg, Module: "Utility.Sequence", Entity: "Sequense"}, map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "Utility.Sequence:Sequence") {
		t.Errorf("error = %v, want one listing the candidates", err)
	}
	_, err = c.EncodeChoiceArg(TemplateID{PackageID: pkg, Module: "Utility.Sequence", Entity: "Sequence"}, "Next", map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "choices: Archive, Sequence_Next") {
		t.Errorf("unknown choice error = %v", err)
	}
	_, err = c.EncodeKey(TemplateID{PackageID: pkg, Module: "Utility.Sequence", Entity: "Sequence"}, "Alice")
	if err == nil || !strings.Contains(err.Error(), `got string "Alice", want DA.Types:Tuple2 Party Text`) {
		t.Errorf("key error = %v", err)
	}
}

func TestEncodeChoiceArg(t *testing.T) {
	c, pkg := loadCatalog(t, "dabl-integration-coindesk-1.1.2.dar")
	tid := TemplateID{PackageID: pkg, Module: "CoinDesk.PriceOracle", Entity: "PriceOraclePrice"}
	v, err := c.EncodeChoiceArg(tid, "CurrentPriceOracle_Update", map[string]any{"newUpdatedAt": "2021-01-01T00:00:00Z", "newRate": "1.25"})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.GetRecord().GetFields()[1].GetValue().GetNumeric(); got != "1.2500000000" {
		t.Errorf("newRate = %q", got)
	}
	archive, err := c.EncodeChoiceArg(tid, "Archive", nil)
	if err != nil {
		t.Fatalf("Archive with no argument: %v", err)
	}
	if archive.GetRecord() == nil || len(archive.GetRecord().GetFields()) != 0 {
		t.Errorf("Archive argument = %v, want an empty record", archive)
	}
	_, err = c.EncodeChoiceArg(tid, "CurrentPriceOracle_Update", map[string]any{"newUpdatedAt": 5, "newRate": "1"})
	want := "exercise CoinDesk.PriceOracle:PriceOraclePrice CurrentPriceOracle_Update: newUpdatedAt: got int 5, want Timestamp"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestEncodeTupleForms(t *testing.T) {
	c, pkg := loadCatalog(t, "dabl-integration-core-1.2.3.dar")
	tid := TemplateID{PackageID: pkg, Module: "Utility.Sequence", Entity: "Sequence"}
	fromDict, err := c.EncodeKey(tid, map[string]any{"_1": "Alice", "_2": "orders"})
	if err != nil {
		t.Fatal(err)
	}
	fromList, err := c.EncodeKey(tid, []any{"Alice", "orders"})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(fromDict, fromList) {
		t.Errorf("dict form %v differs from list form %v", fromDict, fromList)
	}
	if _, err := c.EncodeKey(tid, []any{"Alice"}); err == nil {
		t.Error("a one-element list was accepted for a pair")
	}
}

func TestEncodeGenMapDuplicateKeys(t *testing.T) {
	c := NewCatalog()
	m := &Map{Keys: []any{DecimalFromInt64(1), mustDecimal(t, "1.0")}, Values: []any{"a", "b"}}
	_, err := c.Encode(Prim(TypeGenMap, NumericType(2), Prim(TypeText)), m)
	if err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("error = %v, want a duplicate key error", err)
	}
	tm := &Map{Keys: []any{"k", "k"}, Values: []any{1, 2}}
	_, err = c.Encode(Prim(TypeTextMap, Prim(TypeInt64)), tm)
	if err == nil || !strings.Contains(err.Error(), `key "k" appears twice`) {
		t.Errorf("error = %v, want a duplicate key error", err)
	}
	_, err = c.Encode(Prim(TypeTextMap, Prim(TypeInt64)), NewMap(1, 2))
	if err == nil || !strings.Contains(err.Error(), "got key int 1, want string keys") {
		t.Errorf("error = %v, want a key type error", err)
	}
}

func TestEncodeNestedOptionalErrors(t *testing.T) {
	c := NewCatalog()
	typ := Prim(TypeOptional, Prim(TypeOptional, Prim(TypeInt64)))
	if _, err := c.Encode(typ, int64(5)); err == nil || !strings.Contains(err.Error(), "[] for Some None") {
		t.Errorf("bare value error = %v", err)
	}
	if _, err := c.Encode(typ, []any{1, 2}); err == nil {
		t.Error("a two-element list was accepted")
	}
	if _, err := c.Encode(typ, []any{"x"}); err == nil || !strings.Contains(err.Error(), `[0]: got string "x", want Int64`) {
		t.Errorf("inner error = %v", err)
	}
}

// syntheticCatalog returns a catalog with one package that defines
// data V = A | B Int64, for cases no test DAR has.
func syntheticCatalog(t *testing.T) (*Catalog, *Type) {
	t.Helper()
	id := TemplateID{PackageID: "p", Module: "M", Entity: "V"}
	mod := newModule("M")
	mod.DataTypes["V"] = &DataType{ID: id, Kind: VariantType, Serializable: true, Fields: []Field{
		{Name: "A", Type: Prim(TypeUnit)},
		{Name: "B", Type: Prim(TypeInt64)},
	}}
	pkg := &Package{ID: "p", Name: "synthetic", Version: "1.0.0", Modules: []*Module{mod}}
	if err := finishPackage(pkg); err != nil {
		t.Fatal(err)
	}
	return NewCatalog(pkg), ConType(id)
}

func TestEncodeVariantBareConstructor(t *testing.T) {
	c, typ := syntheticCatalog(t)
	v, err := c.Encode(typ, "A")
	if err != nil {
		t.Fatal(err)
	}
	if v.GetVariant().GetConstructor() != "A" || v.GetVariant().GetValue().GetUnit() == nil {
		t.Errorf("Encode(A) = %v, want constructor A with Unit", v)
	}
	got, err := c.Decode(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	if want := NewMap("A", &Map{}); !ValuesEqual(got, want) {
		t.Errorf("Decode = %s, want %s", formatValue(got), formatValue(want))
	}
	if _, err := c.Encode(typ, "B"); err == nil || !strings.Contains(err.Error(), `want {"B": value of type Int64}`) {
		t.Errorf("bare B error = %v", err)
	}
}

func TestRoundTripContractIDsDvP(t *testing.T) {
	c, pkg := loadCatalog(t, "quickstart-finance-sdk-2.5.0.dar")
	tid := TemplateID{PackageID: pkg, Module: "Workflow.DvP", Entity: "Proposal"}
	instrument := NewMap("depository", "Dep", "issuer", "Iss", "id", NewMap("unpack", "USD"), "version", "0")
	quantity := func(amount any) *Map { return NewMap("unit", instrument, "amount", amount) }
	arg := NewMap(
		"recQuantity", quantity("10.5"),
		"payQuantity", quantity(3),
		"proposer", "Alice",
		"counterparty", "Bob",
		"routeProviderCid", "00a1b2c3",
		"settlementFactoryCid", "00d4e5f6",
		"id", "dvp-1",
	)
	want := NewMap(
		"recQuantity", quantity(mustDecimal(t, "10.5")),
		"payQuantity", quantity(DecimalFromInt64(3)),
		"proposer", "Alice",
		"counterparty", "Bob",
		"routeProviderCid", "00a1b2c3",
		"settlementFactoryCid", "00d4e5f6",
		"id", "dvp-1",
	)
	rec := roundTrip(t, c, tid, arg, want)
	if got := rec.GetFields()[4].GetValue().GetContractId(); got != "00a1b2c3" {
		t.Errorf("routeProviderCid = %q, sent as %T", got, rec.GetFields()[4].GetValue().GetSum())
	}
	arg.Set("routeProviderCid", "")
	if _, err := c.EncodeCreate(tid, arg); err == nil || !strings.Contains(err.Error(), "routeProviderCid") {
		t.Errorf("empty contract id error = %v", err)
	}
}
