package lf

import (
	"fmt"

	v1 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v1"
	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The codec works on Ledger API v2 values. Ledger API v1 (Daml 2.x
// participants) has the same value model with other field numbers, and a
// TextMap is called Map, so these two functions let the codec serve v1.

// ValueToV1 converts a v2 value to its Ledger API v1 form.
func ValueToV1(v *v2.Value) (*v1.Value, error) {
	if v == nil {
		return nil, nil
	}
	switch s := v.GetSum().(type) {
	case *v2.Value_Unit:
		return &v1.Value{Sum: &v1.Value_Unit{Unit: &emptypb.Empty{}}}, nil
	case *v2.Value_Bool:
		return &v1.Value{Sum: &v1.Value_Bool{Bool: s.Bool}}, nil
	case *v2.Value_Int64:
		return &v1.Value{Sum: &v1.Value_Int64{Int64: s.Int64}}, nil
	case *v2.Value_Date:
		return &v1.Value{Sum: &v1.Value_Date{Date: s.Date}}, nil
	case *v2.Value_Timestamp:
		return &v1.Value{Sum: &v1.Value_Timestamp{Timestamp: s.Timestamp}}, nil
	case *v2.Value_Numeric:
		return &v1.Value{Sum: &v1.Value_Numeric{Numeric: s.Numeric}}, nil
	case *v2.Value_Party:
		return &v1.Value{Sum: &v1.Value_Party{Party: s.Party}}, nil
	case *v2.Value_Text:
		return &v1.Value{Sum: &v1.Value_Text{Text: s.Text}}, nil
	case *v2.Value_ContractId:
		return &v1.Value{Sum: &v1.Value_ContractId{ContractId: s.ContractId}}, nil
	case *v2.Value_Optional:
		inner, err := ValueToV1(s.Optional.GetValue())
		if err != nil {
			return nil, err
		}
		return &v1.Value{Sum: &v1.Value_Optional{Optional: &v1.Optional{Value: inner}}}, nil
	case *v2.Value_List:
		out := &v1.List{}
		for _, e := range s.List.GetElements() {
			ev, err := ValueToV1(e)
			if err != nil {
				return nil, err
			}
			out.Elements = append(out.Elements, ev)
		}
		return &v1.Value{Sum: &v1.Value_List{List: out}}, nil
	case *v2.Value_TextMap:
		out := &v1.Map{}
		for _, e := range s.TextMap.GetEntries() {
			ev, err := ValueToV1(e.GetValue())
			if err != nil {
				return nil, err
			}
			out.Entries = append(out.Entries, &v1.Map_Entry{Key: e.GetKey(), Value: ev})
		}
		return &v1.Value{Sum: &v1.Value_Map{Map: out}}, nil
	case *v2.Value_GenMap:
		out := &v1.GenMap{}
		for _, e := range s.GenMap.GetEntries() {
			k, err := ValueToV1(e.GetKey())
			if err != nil {
				return nil, err
			}
			ev, err := ValueToV1(e.GetValue())
			if err != nil {
				return nil, err
			}
			out.Entries = append(out.Entries, &v1.GenMap_Entry{Key: k, Value: ev})
		}
		return &v1.Value{Sum: &v1.Value_GenMap{GenMap: out}}, nil
	case *v2.Value_Record:
		r, err := RecordToV1(s.Record)
		if err != nil {
			return nil, err
		}
		return &v1.Value{Sum: &v1.Value_Record{Record: r}}, nil
	case *v2.Value_Variant:
		inner, err := ValueToV1(s.Variant.GetValue())
		if err != nil {
			return nil, err
		}
		return &v1.Value{Sum: &v1.Value_Variant{Variant: &v1.Variant{
			VariantId: identifierToV1(s.Variant.GetVariantId()), Constructor: s.Variant.GetConstructor(), Value: inner,
		}}}, nil
	case *v2.Value_Enum:
		return &v1.Value{Sum: &v1.Value_Enum{Enum: &v1.Enum{
			EnumId: identifierToV1(s.Enum.GetEnumId()), Constructor: s.Enum.GetConstructor(),
		}}}, nil
	}
	return nil, fmt.Errorf("convert value to ledger api v1: unknown value kind %T", v.GetSum())
}

// RecordToV1 converts a v2 record to its Ledger API v1 form.
func RecordToV1(r *v2.Record) (*v1.Record, error) {
	if r == nil {
		return nil, nil
	}
	out := &v1.Record{RecordId: identifierToV1(r.GetRecordId())}
	for _, f := range r.GetFields() {
		fv, err := ValueToV1(f.GetValue())
		if err != nil {
			return nil, err
		}
		out.Fields = append(out.Fields, &v1.RecordField{Label: f.GetLabel(), Value: fv})
	}
	return out, nil
}

// ValueFromV1 converts a Ledger API v1 value to its v2 form.
func ValueFromV1(v *v1.Value) (*v2.Value, error) {
	if v == nil {
		return nil, nil
	}
	switch s := v.GetSum().(type) {
	case *v1.Value_Unit:
		return &v2.Value{Sum: &v2.Value_Unit{Unit: &emptypb.Empty{}}}, nil
	case *v1.Value_Bool:
		return &v2.Value{Sum: &v2.Value_Bool{Bool: s.Bool}}, nil
	case *v1.Value_Int64:
		return &v2.Value{Sum: &v2.Value_Int64{Int64: s.Int64}}, nil
	case *v1.Value_Date:
		return &v2.Value{Sum: &v2.Value_Date{Date: s.Date}}, nil
	case *v1.Value_Timestamp:
		return &v2.Value{Sum: &v2.Value_Timestamp{Timestamp: s.Timestamp}}, nil
	case *v1.Value_Numeric:
		return &v2.Value{Sum: &v2.Value_Numeric{Numeric: s.Numeric}}, nil
	case *v1.Value_Party:
		return &v2.Value{Sum: &v2.Value_Party{Party: s.Party}}, nil
	case *v1.Value_Text:
		return &v2.Value{Sum: &v2.Value_Text{Text: s.Text}}, nil
	case *v1.Value_ContractId:
		return &v2.Value{Sum: &v2.Value_ContractId{ContractId: s.ContractId}}, nil
	case *v1.Value_Optional:
		inner, err := ValueFromV1(s.Optional.GetValue())
		if err != nil {
			return nil, err
		}
		return &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{Value: inner}}}, nil
	case *v1.Value_List:
		out := &v2.List{}
		for _, e := range s.List.GetElements() {
			ev, err := ValueFromV1(e)
			if err != nil {
				return nil, err
			}
			out.Elements = append(out.Elements, ev)
		}
		return &v2.Value{Sum: &v2.Value_List{List: out}}, nil
	case *v1.Value_Map:
		out := &v2.TextMap{}
		for _, e := range s.Map.GetEntries() {
			ev, err := ValueFromV1(e.GetValue())
			if err != nil {
				return nil, err
			}
			out.Entries = append(out.Entries, &v2.TextMap_Entry{Key: e.GetKey(), Value: ev})
		}
		return &v2.Value{Sum: &v2.Value_TextMap{TextMap: out}}, nil
	case *v1.Value_GenMap:
		out := &v2.GenMap{}
		for _, e := range s.GenMap.GetEntries() {
			k, err := ValueFromV1(e.GetKey())
			if err != nil {
				return nil, err
			}
			ev, err := ValueFromV1(e.GetValue())
			if err != nil {
				return nil, err
			}
			out.Entries = append(out.Entries, &v2.GenMap_Entry{Key: k, Value: ev})
		}
		return &v2.Value{Sum: &v2.Value_GenMap{GenMap: out}}, nil
	case *v1.Value_Record:
		r, err := RecordFromV1(s.Record)
		if err != nil {
			return nil, err
		}
		return &v2.Value{Sum: &v2.Value_Record{Record: r}}, nil
	case *v1.Value_Variant:
		inner, err := ValueFromV1(s.Variant.GetValue())
		if err != nil {
			return nil, err
		}
		return &v2.Value{Sum: &v2.Value_Variant{Variant: &v2.Variant{
			VariantId: identifierFromV1(s.Variant.GetVariantId()), Constructor: s.Variant.GetConstructor(), Value: inner,
		}}}, nil
	case *v1.Value_Enum:
		return &v2.Value{Sum: &v2.Value_Enum{Enum: &v2.Enum{
			EnumId: identifierFromV1(s.Enum.GetEnumId()), Constructor: s.Enum.GetConstructor(),
		}}}, nil
	}
	return nil, fmt.Errorf("convert value from ledger api v1: unknown value kind %T", v.GetSum())
}

// RecordFromV1 converts a Ledger API v1 record to its v2 form.
func RecordFromV1(r *v1.Record) (*v2.Record, error) {
	if r == nil {
		return nil, nil
	}
	out := &v2.Record{RecordId: identifierFromV1(r.GetRecordId())}
	for _, f := range r.GetFields() {
		fv, err := ValueFromV1(f.GetValue())
		if err != nil {
			return nil, err
		}
		out.Fields = append(out.Fields, &v2.RecordField{Label: f.GetLabel(), Value: fv})
	}
	return out, nil
}

func identifierToV1(id *v2.Identifier) *v1.Identifier {
	if id == nil {
		return nil
	}
	return &v1.Identifier{PackageId: id.GetPackageId(), ModuleName: id.GetModuleName(), EntityName: id.GetEntityName()}
}

func identifierFromV1(id *v1.Identifier) *v2.Identifier {
	if id == nil {
		return nil
	}
	return &v2.Identifier{PackageId: id.GetPackageId(), ModuleName: id.GetModuleName(), EntityName: id.GetEntityName()}
}
