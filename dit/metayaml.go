package dit

import (
	"bytes"
	"fmt"
	"sort"

	"go.yaml.in/yaml/v3"
)

// MarshalMetadata writes metadata in the normalised form that pack puts in
// a .dit: every known key present (null when unset), keys sorted and string
// values double-quoted. ddit wrote this shape with PyYAML's
// yaml.dump(default_flow_style=True, default_style='"') over its metadata
// dataclasses (package_meta_yaml in daml_dit_ddit/common.py). PyYAML also
// quoted booleans and nulls behind explicit tags; they are plain here, which
// YAML readers take as the same values. Warnings are not written.
func MarshalMetadata(m *Metadata) ([]byte, error) {
	types := make([]any, len(m.IntegrationTypes))
	for i := range m.IntegrationTypes {
		types[i] = integrationTypeMap(&m.IntegrationTypes[i])
	}
	var model any
	if m.DamlModel != nil {
		model = map[string]any{
			"name":            m.DamlModel.Name,
			"version":         m.DamlModel.Version,
			"main_package_id": m.DamlModel.MainPackageID,
		}
	}
	root := map[string]any{
		"catalog":           catalogMap(&m.Catalog),
		"daml_model":        model,
		"subdeployments":    stringList(m.Subdeployments),
		"integration_types": types,
	}

	node, err := toNode(root)
	if err != nil {
		return nil, err
	}
	node.Style = yaml.FlowStyle

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(node); err != nil {
		return nil, fmt.Errorf("write metadata: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write metadata: %w", err)
	}
	return buf.Bytes(), nil
}

func catalogMap(c *CatalogInfo) map[string]any {
	var experimental any
	if c.Experimental != nil {
		experimental = *c.Experimental
	}
	return map[string]any{
		"name":              c.Name,
		"version":           c.Version,
		"description":       c.Description,
		"release_date":      optional(c.ReleaseDate),
		"author":            optional(c.Author),
		"url":               optional(c.URL),
		"email":             optional(c.Email),
		"license":           optional(c.License),
		"experimental":      experimental,
		"demo_url":          optional(c.DemoURL),
		"source_url":        optional(c.SourceURL),
		"tags":              stringList(c.Tags),
		"short_description": optional(c.ShortDescription),
		"group_id":          optional(c.GroupID),
		"icon_file":         optional(c.IconFile),
	}
}

func integrationTypeMap(t *IntegrationType) map[string]any {
	fields := make([]any, len(t.Fields))
	for i, f := range t.Fields {
		var def any
		if f.HasDefault {
			def = f.DefaultValue
		}
		fields[i] = map[string]any{
			"id":            f.ID,
			"name":          f.Name,
			"description":   f.Description,
			"field_type":    f.FieldType,
			"default_value": def,
			"required":      f.Required,
			"help_url":      optional(f.HelpURL),
			"tags":          stringList(f.Tags),
			"field_context": f.FieldContext,
		}
	}
	return map[string]any{
		"id":                t.ID,
		"name":              t.Name,
		"description":       t.Description,
		"entrypoint":        t.EntrypointRef,
		"env_class":         optional(t.EnvClass),
		"runtime":           optional(t.Runtime),
		"help_url":          optional(t.HelpURL),
		"instance_template": optional(t.InstanceTemplate),
		"artifact_hash":     optional(t.ArtifactHash),
		"tags":              stringList(t.Tags),
		"fields":            fields,
	}
}

// optional maps "" to null, as an unset Optional[str] of the dataclasses.
func optional(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func stringList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// toNode builds the YAML tree with sorted keys and double-quoted strings.
func toNode(v any) (*yaml.Node, error) {
	switch v := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Style: yaml.DoubleQuotedStyle}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}, nil
	case int, int64, float64:
		n := &yaml.Node{}
		if err := n.Encode(v); err != nil {
			return nil, err
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, item := range v {
			child, err := toNode(item)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, child)
		}
		return n, nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range keys {
			child, err := toNode(v[k])
			if err != nil {
				return nil, err
			}
			key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k, Style: yaml.DoubleQuotedStyle}
			n.Content = append(n.Content, key, child)
		}
		return n, nil
	}
	// field_context is free-form YAML: encode whatever it decoded to.
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return nil, fmt.Errorf("write metadata: %w", err)
	}
	return n, nil
}
