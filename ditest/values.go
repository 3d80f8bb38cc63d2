package ditest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/ledger/lf"
)

// renderRecord writes a record as compact JSON with its fields in
// declaration order: Int64 as a number, Numeric as its decimal string,
// Date as YYYY-MM-DD, Timestamp as RFC 3339 in UTC, None as null, a variant
// as {"Constructor": value}, an enum as its constructor and a GenMap as a
// list of [key, value] pairs.
func renderRecord(r *v2.Record) string {
	var b strings.Builder
	writeRecord(&b, r)
	return b.String()
}

func renderValue(v *v2.Value) string {
	var b strings.Builder
	writeValue(&b, v)
	return b.String()
}

func writeRecord(b *strings.Builder, r *v2.Record) {
	b.WriteByte('{')
	for i, f := range r.GetFields() {
		if i > 0 {
			b.WriteByte(',')
		}
		label := f.GetLabel()
		if label == "" {
			label = "_" + strconv.Itoa(i+1)
		}
		writeString(b, label)
		b.WriteByte(':')
		writeValue(b, f.GetValue())
	}
	b.WriteByte('}')
}

func writeString(b *strings.Builder, s string) {
	data, _ := json.Marshal(s)
	b.Write(data)
}

func writeValue(b *strings.Builder, v *v2.Value) {
	switch s := v.GetSum().(type) {
	case *v2.Value_Unit:
		b.WriteString("{}")
	case *v2.Value_Bool:
		b.WriteString(strconv.FormatBool(s.Bool))
	case *v2.Value_Int64:
		b.WriteString(strconv.FormatInt(s.Int64, 10))
	case *v2.Value_Numeric:
		writeString(b, s.Numeric)
	case *v2.Value_Text:
		writeString(b, s.Text)
	case *v2.Value_Party:
		writeString(b, s.Party)
	case *v2.Value_ContractId:
		writeString(b, s.ContractId)
	case *v2.Value_Date:
		writeString(b, lf.DateFromDays(s.Date).String())
	case *v2.Value_Timestamp:
		writeString(b, time.UnixMicro(s.Timestamp).UTC().Format(time.RFC3339Nano))
	case *v2.Value_Optional:
		if s.Optional.GetValue() == nil {
			b.WriteString("null")
			return
		}
		writeValue(b, s.Optional.GetValue())
	case *v2.Value_List:
		b.WriteByte('[')
		for i, e := range s.List.GetElements() {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, e)
		}
		b.WriteByte(']')
	case *v2.Value_TextMap:
		b.WriteByte('{')
		for i, e := range s.TextMap.GetEntries() {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, e.GetKey())
			b.WriteByte(':')
			writeValue(b, e.GetValue())
		}
		b.WriteByte('}')
	case *v2.Value_GenMap:
		b.WriteByte('[')
		for i, e := range s.GenMap.GetEntries() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('[')
			writeValue(b, e.GetKey())
			b.WriteByte(',')
			writeValue(b, e.GetValue())
			b.WriteByte(']')
		}
		b.WriteByte(']')
	case *v2.Value_Record:
		writeRecord(b, s.Record)
	case *v2.Value_Variant:
		b.WriteByte('{')
		writeString(b, s.Variant.GetConstructor())
		b.WriteByte(':')
		writeValue(b, s.Variant.GetValue())
		b.WriteByte('}')
	case *v2.Value_Enum:
		writeString(b, s.Enum.GetConstructor())
	default:
		b.WriteString("null")
	}
}
