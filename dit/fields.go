package dit

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ditstar/ditstar/ledger/lf"
)

// ConfigError lists every configuration problem found, so that a user can
// fix them all in one pass. The command exits with status 9 on it.
type ConfigError struct {
	Problems []string
}

func (e *ConfigError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid configuration: " + e.Problems[0]
	}
	return fmt.Sprintf("invalid configuration: %d problems:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// fieldKind is a parsed field_type.
type fieldKind struct {
	name          string   // text, clob, integer, number, party, contract_template, contract_choice, enum, bool
	choices       []string // enum choices
	templateField string   // contract_choice: the field that names the template
}

var fieldTypeNames = []string{"text", "clob", "integer", "number", "party", "contract_template",
	`contract_choice:{"templateNameField": "<field id>"}`, `enum:["A", "B"]`, "bool", "true|false"}

// parseFieldType parses a field_type as the metadata writes it. An empty
// type is text, as in the Python framework.
func parseFieldType(s string) (fieldKind, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "text":
		return fieldKind{name: "text"}, nil
	case "clob", "integer", "number", "party", "contract_template", "contract_choice":
		return fieldKind{name: s}, nil
	case "bool", "true|false":
		return fieldKind{name: "bool"}, nil
	}
	if rest, ok := strings.CutPrefix(s, "enum:"); ok {
		var choices []string
		if err := json.Unmarshal([]byte(rest), &choices); err != nil {
			return fieldKind{}, fmt.Errorf("invalid enum choices %q: want a JSON list of strings such as enum:[\"A\", \"B\"]", rest)
		}
		if len(choices) == 0 {
			return fieldKind{}, fmt.Errorf("enum %q has no choices", s)
		}
		return fieldKind{name: "enum", choices: choices}, nil
	}
	if rest, ok := strings.CutPrefix(s, "contract_choice:"); ok {
		var ctx struct {
			TemplateNameField string `json:"templateNameField"`
		}
		if err := json.Unmarshal([]byte(rest), &ctx); err != nil || ctx.TemplateNameField == "" {
			return fieldKind{}, fmt.Errorf("invalid contract_choice context %q: want a JSON object such as {\"templateNameField\": \"template\"}", rest)
		}
		return fieldKind{name: "contract_choice", templateField: ctx.TemplateNameField}, nil
	}
	return fieldKind{}, fmt.Errorf("unknown field_type %q; known types are %s", s, strings.Join(fieldTypeNames, ", "))
}

// convert turns a configured string into the value passed to the script.
func (k fieldKind) convert(value string) (any, error) {
	switch k.name {
	case "text":
		return strings.TrimSpace(value), nil
	case "clob", "contract_template", "contract_choice":
		return value, nil
	case "party":
		party := strings.TrimSpace(value)
		if strings.ContainsAny(party, " \t\r\n") {
			return nil, fmt.Errorf("got %q, want a party id without spaces", value)
		}
		return party, nil
	case "integer":
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("got %q, want integer", value)
		}
		return n, nil
	case "number":
		return parseNumber(value)
	case "enum":
		for _, c := range k.choices {
			if value == c {
				return value, nil
			}
		}
		return nil, fmt.Errorf("got %q, want one of %s", value, quoteAll(k.choices))
	case "bool":
		switch value {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("got %q, want true or false", value)
	}
	return nil, fmt.Errorf("unknown field type %q", k.name)
}

// zero is the value of an optional field that has neither a value nor a
// default: "" for string types and nil (None) for the others.
func (k fieldKind) zero() any {
	switch k.name {
	case "integer", "number", "bool":
		return nil
	}
	return ""
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// ResolveFields converts the configured values of t's fields to the types
// their field_type names, applies default_value and checks required. The result maps
// each field id to a string, int64, bool, lf.Decimal (number fields) or nil.
// Values for keys that are not fields (runAs, for example) are ignored.
// Every invalid field is reported in one *ConfigError, by id, with the
// value and the expected type.
func (t *IntegrationType) ResolveFields(values map[string]string) (map[string]any, error) {
	out := make(map[string]any, len(t.Fields))
	var problems []string
	for _, f := range t.Fields {
		kind := f.kind
		if kind.name == "" {
			var err error
			if kind, err = parseFieldType(f.FieldType); err != nil {
				problems = append(problems, fmt.Sprintf("field %s: %v", f.ID, err))
				continue
			}
		}
		value, ok := values[f.ID]
		if ok && value == "" && kind.name != "clob" {
			ok = false // an empty value counts as unset, as the console sent it
		}
		switch {
		case ok:
		case f.HasDefault:
			value = f.DefaultValue
		case f.Required:
			problems = append(problems, fmt.Sprintf("field %s: missing value for required %s field; set metadata.%s in the instance configuration", f.ID, f.FieldType, f.ID))
			continue
		default:
			out[f.ID] = kind.zero()
			continue
		}
		v, err := kind.convert(value)
		if err != nil {
			problems = append(problems, fmt.Sprintf("field %s: %v", f.ID, err))
			continue
		}
		out[f.ID] = v
	}
	if len(problems) > 0 {
		return nil, &ConfigError{Problems: problems}
	}
	return out, nil
}

// SampleFields returns a value for every field without reading any
// configuration: the default_value when there is one, else the first enum
// choice, else int64 1, lf.Decimal 1, false or "". Numbers are 1 rather than
// 0 because entrypoints often reject intervals and sizes below 1.
// `ditstar check` runs entrypoints with it. Invalid defaults are skipped,
// because ParseMetadata already reports them.
func (t *IntegrationType) SampleFields() map[string]any {
	out := make(map[string]any, len(t.Fields))
	for _, f := range t.Fields {
		kind := f.kind
		if kind.name == "" {
			var err error
			if kind, err = parseFieldType(f.FieldType); err != nil {
				continue
			}
		}
		if f.HasDefault {
			if v, err := kind.convert(f.DefaultValue); err == nil {
				out[f.ID] = v
				continue
			}
		}
		switch kind.name {
		case "integer":
			out[f.ID] = int64(1)
		case "number":
			out[f.ID] = lf.DecimalFromInt64(1)
		case "bool":
			out[f.ID] = false
		case "enum":
			out[f.ID] = kind.choices[0]
		default:
			out[f.ID] = ""
		}
	}
	return out
}
