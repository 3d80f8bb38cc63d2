package dit

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func readTimerMeta(t *testing.T) *Metadata {
	t.Helper()
	data, err := os.ReadFile("testdata/timer-meta.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMetadata("timer-meta.yaml", data)
	if err != nil {
		t.Fatalf("ParseMetadata: %v", err)
	}
	return m
}

func TestParseMetadataValid(t *testing.T) {
	m := readTimerMeta(t)
	if len(m.Warnings) != 0 {
		t.Errorf("warnings = %q, want none", m.Warnings)
	}
	if m.Catalog.Name != "dabl-integration-core" || m.Catalog.Version != "1.2.3" {
		t.Errorf("catalog = %+v", m.Catalog)
	}
	if m.Catalog.Experimental == nil || *m.Catalog.Experimental {
		t.Errorf("experimental = %v, want false", m.Catalog.Experimental)
	}
	if got := strings.Join(m.Catalog.Tags, ","); got != "timer,core" {
		t.Errorf("tags = %q", got)
	}
	if len(m.IntegrationTypes) != 1 {
		t.Fatalf("types = %d, want 1", len(m.IntegrationTypes))
	}
	typ := m.IntegrationTypes[0]
	if line, col := typ.Position(); line != 10 || col != 5 {
		t.Errorf("Position = %d:%d, want 10:5", line, col)
	}
	if typ.EntrypointRef != "core_int.integration_timer:integration_timer_main" {
		t.Errorf("entrypoint = %q", typ.EntrypointRef)
	}
	if len(typ.Fields) != 8 {
		t.Fatalf("fields = %d, want 8", len(typ.Fields))
	}
	interval := typ.Fields[0]
	if !interval.HasDefault || interval.DefaultValue != "30" || !interval.Required {
		t.Errorf("interval field = %+v", interval)
	}
	if typ.Fields[2].Required {
		t.Errorf("choiceName required = true, want false")
	}
}

func TestParseMetadataDeprecatedKey(t *testing.T) {
	src := `
catalog: {name: x, version: 1.0.0, description: d}
integrations:
  - id: a
    name: A
    description: d
    entrypoint: main:main
    fields: []
`
	m, err := ParseMetadata("dabl-meta.yaml", []byte(src))
	if err != nil {
		t.Fatalf("ParseMetadata: %v", err)
	}
	if len(m.IntegrationTypes) != 1 || m.IntegrationTypes[0].ID != "a" {
		t.Fatalf("types = %+v", m.IntegrationTypes)
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "deprecated key; rename it to integration_types") {
		t.Errorf("warnings = %q", m.Warnings)
	}
}

func TestParseMetadataUnknownKeyWarns(t *testing.T) {
	src := "catalog: {name: x, version: 1.0.0, description: d, colour: red}\nintegration_types: []\n"
	m, err := ParseMetadata("m.yaml", []byte(src))
	if err != nil {
		t.Fatalf("ParseMetadata: %v", err)
	}
	if len(m.Warnings) != 1 || !strings.HasPrefix(m.Warnings[0], "m.yaml:1:") || !strings.Contains(m.Warnings[0], "catalog.colour: unknown key") {
		t.Errorf("warnings = %q", m.Warnings)
	}
}

// TestParseMetadataErrors checks that every problem in one file is reported,
// each with its key path.
func TestParseMetadataErrors(t *testing.T) {
	src := `
catalog:
  name: x
  version: 1.0.0
  description: d
  tags: notalist
  experimental: maybe
  release_date: yesterday
subdeployments: {a: b}
integration_types:
  - id: a
    name: A
    entrypoint: nocolon
    fields:
      - id: f
        name: F
        description: d
        field_type: integer
        default_value: 10
      - id: g
        name: G
        description: d
        field_type: widget
      - id: h
        name: H
        description: d
        field_type: 'enum:["x", "y"]'
        default_value: z
        required: "yes"
      - id: c
        name: C
        description: d
        field_type: 'contract_choice:{"templateNameField": "tpl"}'
      - id: f
        name: F2
        description: d
        field_type: text
  - id: a
    name: A2
    description: d
    entrypoint: m:f
    fields: []
`
	_, err := ParseMetadata("dabl-meta.yaml", []byte(src))
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ConfigError", err)
	}
	want := []string{
		`catalog.tags: got string "notalist", want list of strings`,
		`catalog.experimental: got string "maybe", want bool`,
		`catalog.release_date: got "yesterday", want a date as YYYY-MM-DD`,
		`subdeployments: got mapping, want list of strings`,
		`integration_types[0].description: missing required key`,
		`integration_types[0].entrypoint: invalid entrypoint "nocolon"`,
		`integration_types[0].fields[0].default_value: got int 10, want string (quote the value)`,
		`integration_types[0].fields[1].field_type: unknown field_type "widget"`,
		`integration_types[0].fields[2].required: got string "yes", want bool`,
		`integration_types[0].fields[2].default_value: got "z", want one of "x", "y"`,
		`integration_types[0].fields[3].field_type: templateNameField "tpl" is not a field`,
		`integration_types[0].fields[4].id: duplicate field id "f"`,
		`integration_types[1].id: duplicate integration type id "a"`,
	}
	all := strings.Join(ce.Problems, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q; got:\n%s", w, all)
		}
	}
	if len(ce.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(ce.Problems), len(want), all)
	}
	for _, p := range ce.Problems {
		if !strings.HasPrefix(p, "dabl-meta.yaml:") {
			t.Errorf("problem %q lacks the file:line:col prefix", p)
		}
	}
}

func TestParseMetadataInvalidYAML(t *testing.T) {
	_, err := ParseMetadata("m.yaml", []byte("catalog: [unclosed\n"))
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(ce.Problems[0], "m.yaml: invalid YAML") {
		t.Fatalf("err = %v", err)
	}
	_, err = ParseMetadata("m.yaml", []byte("- a\n- b\n"))
	if !errors.As(err, &ce) || !strings.Contains(ce.Problems[0], "got list, want mapping") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseMetadataMissingCatalogWarns(t *testing.T) {
	m, err := ParseMetadata("m.yaml", []byte("catalog: {version: one}\n"))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(m.Warnings, "\n")
	for _, w := range []string{"catalog.name: missing", "catalog.description: missing", `catalog.version: "one" is not a semantic version`} {
		if !strings.Contains(all, w) {
			t.Errorf("warnings lack %q; got:\n%s", w, all)
		}
	}
}
