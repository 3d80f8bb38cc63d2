package sandbox

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/protobuf/proto"
)

// Daml-LF value limits.
const (
	maxValueDepth = 100
	minDateDays   = -719162 // 0001-01-01
	maxDateDays   = 2932896 // 9999-12-31
	minTimestamp  = -62135596800000000
	maxTimestamp  = 253402300799999999
)

// numericText is the Ledger API's syntax of a Numeric value.
var numericText = regexp.MustCompile(`^[+-]?\d{1,38}(\.\d{0,37})?$`)

// checkUntyped checks that a value is well formed without knowing its
// type: every sum is set, numerics, dates and timestamps are in range,
// record labels and map keys are unique and every party is allocated. The caller holds
// l.mu. path names the value in errors.
func (l *Ledger) checkUntyped(path string, v *v2.Value, depth int) error {
	if depth > maxValueDepth {
		return fmt.Errorf("%s: value nested deeper than %d levels", path, maxValueDepth)
	}
	if v == nil || v.Sum == nil {
		return fmt.Errorf("%s: value is missing or empty", path)
	}
	switch s := v.Sum.(type) {
	case *v2.Value_Numeric:
		if !numericText.MatchString(s.Numeric) {
			return fmt.Errorf("%s: invalid numeric %q: want up to 38 digits with an optional fraction", path, s.Numeric)
		}
	case *v2.Value_Date:
		if s.Date < minDateDays || s.Date > maxDateDays {
			return fmt.Errorf("%s: date %d days from the epoch is outside 0001-01-01..9999-12-31", path, s.Date)
		}
	case *v2.Value_Timestamp:
		if s.Timestamp < minTimestamp || s.Timestamp > maxTimestamp {
			return fmt.Errorf("%s: timestamp %d µs from the epoch is outside 0001-01-01..9999-12-31", path, s.Timestamp)
		}
	case *v2.Value_Party:
		if _, ok := l.parties[s.Party]; !ok {
			return newf(errPartyNotKnown, "%s: party %q is not allocated on this participant; allocate it first", path, s.Party)
		}
	case *v2.Value_ContractId:
		if s.ContractId == "" {
			return fmt.Errorf("%s: empty contract id", path)
		}
	case *v2.Value_Optional:
		if s.Optional == nil {
			return fmt.Errorf("%s: optional message is missing", path)
		}
		if s.Optional.Value != nil {
			return l.checkUntyped(path+".Some", s.Optional.Value, depth+1)
		}
	case *v2.Value_List:
		for i, e := range s.List.GetElements() {
			if err := l.checkUntyped(fmt.Sprintf("%s[%d]", path, i), e, depth+1); err != nil {
				return err
			}
		}
	case *v2.Value_TextMap:
		seen := map[string]bool{}
		for _, e := range s.TextMap.GetEntries() {
			if seen[e.GetKey()] {
				return fmt.Errorf("%s: duplicate text map key %q", path, e.GetKey())
			}
			seen[e.GetKey()] = true
			if err := l.checkUntyped(fmt.Sprintf("%s[%q]", path, e.GetKey()), e.GetValue(), depth+1); err != nil {
				return err
			}
		}
	case *v2.Value_GenMap:
		seen := map[string]bool{}
		for i, e := range s.GenMap.GetEntries() {
			if err := l.checkUntyped(fmt.Sprintf("%s.key[%d]", path, i), e.GetKey(), depth+1); err != nil {
				return err
			}
			// Equal keys have equal deterministic encodings.
			key, err := proto.MarshalOptions{Deterministic: true}.Marshal(e.GetKey())
			if err != nil {
				return fmt.Errorf("%s.key[%d]: %w", path, i, err)
			}
			if seen[string(key)] {
				return fmt.Errorf("%s.key[%d]: duplicate gen map key", path, i)
			}
			seen[string(key)] = true
			if err := l.checkUntyped(fmt.Sprintf("%s.value[%d]", path, i), e.GetValue(), depth+1); err != nil {
				return err
			}
		}
	case *v2.Value_Record:
		return l.checkUntypedRecord(path, s.Record, depth+1)
	case *v2.Value_Variant:
		if s.Variant == nil || s.Variant.Constructor == "" {
			return fmt.Errorf("%s: variant without a constructor", path)
		}
		return l.checkUntyped(path+"."+s.Variant.Constructor, s.Variant.Value, depth+1)
	case *v2.Value_Enum:
		if s.Enum == nil || s.Enum.Constructor == "" {
			return fmt.Errorf("%s: enum without a constructor", path)
		}
	}
	return nil
}

func (l *Ledger) checkUntypedRecord(path string, r *v2.Record, depth int) error {
	if r == nil {
		return fmt.Errorf("%s: record is missing", path)
	}
	seen := map[string]bool{}
	for i, f := range r.GetFields() {
		name := f.GetLabel()
		if name == "" {
			name = fmt.Sprintf("_%d", i+1)
		} else if seen[name] {
			return fmt.Errorf("%s: duplicate record field %q", path, name)
		}
		seen[name] = true
		p := name
		if path != "" {
			p = path + "." + name
		}
		if err := l.checkUntyped(p, f.GetValue(), depth); err != nil {
			return err
		}
	}
	return nil
}

// partiesIn returns the parties a record mentions, sorted and without
// duplicates: every Party value and, when textParties is set, every Text
// equal to an allocated party id. The caller holds l.mu.
func (l *Ledger) partiesIn(r *v2.Record, textParties bool) []string {
	set := map[string]bool{}
	var walk func(v *v2.Value)
	walk = func(v *v2.Value) {
		switch s := v.GetSum().(type) {
		case *v2.Value_Party:
			set[s.Party] = true
		case *v2.Value_Text:
			if _, ok := l.parties[s.Text]; ok && textParties {
				set[s.Text] = true
			}
		case *v2.Value_Optional:
			if s.Optional.GetValue() != nil {
				walk(s.Optional.GetValue())
			}
		case *v2.Value_List:
			for _, e := range s.List.GetElements() {
				walk(e)
			}
		case *v2.Value_TextMap:
			for _, e := range s.TextMap.GetEntries() {
				walk(e.GetValue())
			}
		case *v2.Value_GenMap:
			for _, e := range s.GenMap.GetEntries() {
				walk(e.GetKey())
				walk(e.GetValue())
			}
		case *v2.Value_Record:
			for _, f := range s.Record.GetFields() {
				walk(f.GetValue())
			}
		case *v2.Value_Variant:
			walk(s.Variant.GetValue())
		}
	}
	for _, f := range r.GetFields() {
		walk(f.GetValue())
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// stripValue returns a copy of v without record labels and record ids, the
// form of values in non-verbose responses.
func stripValue(v *v2.Value) *v2.Value {
	if v == nil {
		return nil
	}
	switch s := v.Sum.(type) {
	case *v2.Value_Record:
		return &v2.Value{Sum: &v2.Value_Record{Record: stripRecord(s.Record)}}
	case *v2.Value_Variant:
		return &v2.Value{Sum: &v2.Value_Variant{Variant: &v2.Variant{Constructor: s.Variant.GetConstructor(), Value: stripValue(s.Variant.GetValue())}}}
	case *v2.Value_Enum:
		return &v2.Value{Sum: &v2.Value_Enum{Enum: &v2.Enum{Constructor: s.Enum.GetConstructor()}}}
	case *v2.Value_Optional:
		return &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{Value: stripValue(s.Optional.GetValue())}}}
	case *v2.Value_List:
		out := make([]*v2.Value, len(s.List.GetElements()))
		for i, e := range s.List.GetElements() {
			out[i] = stripValue(e)
		}
		return &v2.Value{Sum: &v2.Value_List{List: &v2.List{Elements: out}}}
	case *v2.Value_TextMap:
		out := make([]*v2.TextMap_Entry, len(s.TextMap.GetEntries()))
		for i, e := range s.TextMap.GetEntries() {
			out[i] = &v2.TextMap_Entry{Key: e.GetKey(), Value: stripValue(e.GetValue())}
		}
		return &v2.Value{Sum: &v2.Value_TextMap{TextMap: &v2.TextMap{Entries: out}}}
	case *v2.Value_GenMap:
		out := make([]*v2.GenMap_Entry, len(s.GenMap.GetEntries()))
		for i, e := range s.GenMap.GetEntries() {
			out[i] = &v2.GenMap_Entry{Key: stripValue(e.GetKey()), Value: stripValue(e.GetValue())}
		}
		return &v2.Value{Sum: &v2.Value_GenMap{GenMap: &v2.GenMap{Entries: out}}}
	}
	return v
}

func stripRecord(r *v2.Record) *v2.Record {
	if r == nil {
		return nil
	}
	out := &v2.Record{Fields: make([]*v2.RecordField, len(r.GetFields()))}
	for i, f := range r.GetFields() {
		out.Fields[i] = &v2.RecordField{Value: stripValue(f.GetValue())}
	}
	return out
}

// keyIndex returns the index entry of a contract key: the template name and
// the deterministic encoding of the key without labels, so that a key sent
// with or without labels finds the same contract.
func keyIndex(packageName string, templateID *v2.Identifier, key *v2.Value) (string, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(stripValue(key))
	if err != nil {
		return "", fmt.Errorf("encode contract key: %w", err)
	}
	return strings.Join([]string{packageName, templateID.GetModuleName(), templateID.GetEntityName(), string(b)}, "\x00"), nil
}
