package dit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// Metadata is the content of dit-meta.yaml or dabl-meta.yaml.
type Metadata struct {
	Catalog   CatalogInfo
	DamlModel *DamlModel
	// Subdeployments are file names inside the package, normally DARs. The
	// first DAR listed is the integration's own model.
	Subdeployments   []string
	IntegrationTypes []IntegrationType
	// Warnings lists problems that do not stop the package from running:
	// unknown keys, the deprecated integrations key, missing catalog entries.
	// Each is "file:line:col: key.path: message".
	Warnings []string
}

// CatalogInfo is the catalog section: how the package is listed.
type CatalogInfo struct {
	Name             string
	Version          string
	Description      string
	ReleaseDate      string // YYYY-MM-DD
	Author           string
	URL              string
	Email            string
	License          string
	Experimental     *bool
	DemoURL          string
	SourceURL        string
	Tags             []string
	ShortDescription string
	GroupID          string
	IconFile         string
}

// DamlModel names the integration's own Daml model.
type DamlModel struct {
	Name          string
	Version       string
	MainPackageID string
}

// IntegrationType is one runnable kind of integration in a package.
type IntegrationType struct {
	ID          string
	Name        string
	Description string
	// EntrypointRef is the entrypoint as written, "module:function". The
	// Entrypoint method resolves it to a file.
	EntrypointRef string
	// EnvClass is accepted for compatibility and has no meaning in Starlark.
	EnvClass         string
	Runtime          string
	HelpURL          string
	InstanceTemplate string
	ArtifactHash     string
	Tags             []string
	Fields           []Field

	line, col int // position of the type in the metadata file
}

// Position returns the line and column of the type in the metadata file,
// or 0, 0 when it was not parsed from one.
func (t *IntegrationType) Position() (line, col int) { return t.line, t.col }

// Field is one configuration value of an integration type.
type Field struct {
	ID           string
	Name         string
	Description  string
	FieldType    string // as written, for example `enum:["A", "B"]`
	DefaultValue string
	// HasDefault is true when default_value is given, even as "".
	HasDefault bool
	Required   bool
	HelpURL    string
	Tags       []string
	// FieldContext is passed through unchanged: the hosting console used it
	// for presentation hints.
	FieldContext any

	kind fieldKind
}

// semverPattern is the semantic versioning 2.0.0 grammar.
var semverPattern = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ParseMetadata parses package metadata. file names the source in messages.
// Every type error and missing required key is reported in one *ConfigError;
// unknown keys only become Warnings.
func ParseMetadata(file string, data []byte) (*Metadata, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ConfigError{Problems: []string{file + ": empty metadata file; it needs at least integration_types"}}
		}
		return nil, &ConfigError{Problems: []string{fmt.Sprintf("%s: invalid YAML: %v", file, err)}}
	}

	d := &decoder{file: file}
	m := &Metadata{}
	var root *yaml.Node
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	top := d.mapping(root, "")
	d.unknownKeys(top, "", "catalog", "daml_model", "subdeployments", "integration_types", "integrations")

	var types, deprecated *keyValue
	for i := range top {
		kv := &top[i]
		switch kv.key {
		case "catalog":
			d.catalog(kv.value, &m.Catalog)
		case "daml_model":
			m.DamlModel = d.damlModel(kv.value)
		case "subdeployments":
			m.Subdeployments = d.strings(kv.value, "subdeployments")
		case "integration_types":
			types = kv
		case "integrations":
			deprecated = kv
		}
	}

	switch {
	case types != nil:
		m.IntegrationTypes = d.integrationTypes(types.value, "integration_types")
		if deprecated != nil {
			d.warnf(deprecated.keyNode, "integrations", "ignored because integration_types is also given")
		}
	case deprecated != nil:
		d.warnf(deprecated.keyNode, "integrations", "deprecated key; rename it to integration_types")
		m.IntegrationTypes = d.integrationTypes(deprecated.value, "integrations")
	}

	d.checkCatalog(root, m)
	m.Warnings = d.warnings
	if len(d.errors) > 0 {
		return m, &ConfigError{Problems: d.errors}
	}
	return m, nil
}

func (d *decoder) catalog(n *yaml.Node, c *CatalogInfo) {
	kvs := d.mapping(n, "catalog")
	strFields := map[string]*string{
		"name": &c.Name, "version": &c.Version, "description": &c.Description,
		"release_date": &c.ReleaseDate, "author": &c.Author, "url": &c.URL,
		"email": &c.Email, "license": &c.License, "demo_url": &c.DemoURL,
		"source_url": &c.SourceURL, "short_description": &c.ShortDescription,
		"group_id": &c.GroupID, "icon_file": &c.IconFile,
	}
	known := []string{"experimental", "tags"}
	for k := range strFields {
		known = append(known, k)
	}
	d.unknownKeys(kvs, "catalog", known...)
	for _, kv := range kvs {
		path := "catalog." + kv.key
		switch kv.key {
		case "experimental":
			if b, ok := d.boolean(kv.value, path); ok {
				c.Experimental = &b
			}
		case "tags":
			c.Tags = d.strings(kv.value, path)
		default:
			if p, ok := strFields[kv.key]; ok {
				*p = d.str(kv.value, path)
			}
		}
		if kv.key == "release_date" && c.ReleaseDate != "" && !datePattern.MatchString(c.ReleaseDate) {
			d.errorf(kv.value, path, "got %q, want a date as YYYY-MM-DD", c.ReleaseDate)
		}
	}
}

// checkCatalog warns about catalog entries that pack and a catalog need but
// a package under development can run without.
func (d *decoder) checkCatalog(root *yaml.Node, m *Metadata) {
	c := &m.Catalog
	for _, required := range []struct{ key, value string }{
		{"name", c.Name}, {"version", c.Version}, {"description", c.Description},
	} {
		if required.value == "" {
			d.warnf(root, "catalog."+required.key, "missing; pack and a package catalog need it")
		}
	}
	if c.Version != "" && !semverPattern.MatchString(c.Version) {
		d.warnf(root, "catalog.version", "%q is not a semantic version such as 1.2.3", c.Version)
	}
}

func (d *decoder) damlModel(n *yaml.Node) *DamlModel {
	n = resolveAlias(n)
	if n == nil || isNull(n) {
		return nil
	}
	kvs := d.mapping(n, "daml_model")
	d.unknownKeys(kvs, "daml_model", "name", "version", "main_package_id")
	m := &DamlModel{}
	for _, kv := range kvs {
		path := "daml_model." + kv.key
		switch kv.key {
		case "name":
			m.Name = d.str(kv.value, path)
		case "version":
			m.Version = d.str(kv.value, path)
		case "main_package_id":
			m.MainPackageID = d.str(kv.value, path)
		}
	}
	return m
}

func (d *decoder) integrationTypes(n *yaml.Node, path string) []IntegrationType {
	n = resolveAlias(n)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "got %s, want list of integration types", kindName(n))
		return nil
	}
	seen := map[string]bool{}
	var out []IntegrationType
	for i, item := range n.Content {
		t := d.integrationType(item, fmt.Sprintf("%s[%d]", path, i))
		if t.ID != "" && seen[t.ID] {
			d.errorf(item, fmt.Sprintf("%s[%d].id", path, i), "duplicate integration type id %q", t.ID)
		}
		seen[t.ID] = true
		out = append(out, t)
	}
	return out
}

func (d *decoder) integrationType(n *yaml.Node, path string) IntegrationType {
	var t IntegrationType
	if n != nil {
		t.line, t.col = n.Line, n.Column
	}
	kvs := d.mapping(n, path)
	strFields := map[string]*string{
		"id": &t.ID, "name": &t.Name, "description": &t.Description,
		"entrypoint": &t.EntrypointRef, "env_class": &t.EnvClass,
		"runtime": &t.Runtime, "help_url": &t.HelpURL,
		"instance_template": &t.InstanceTemplate, "artifact_hash": &t.ArtifactHash,
	}
	known := []string{"tags", "fields"}
	for k := range strFields {
		known = append(known, k)
	}
	d.unknownKeys(kvs, path, known...)

	present := map[string]bool{}
	var fieldsNode *yaml.Node
	for _, kv := range kvs {
		present[kv.key] = true
		switch kv.key {
		case "tags":
			t.Tags = d.strings(kv.value, path+".tags")
		case "fields":
			fieldsNode = kv.value
		default:
			if p, ok := strFields[kv.key]; ok {
				*p = d.str(kv.value, path+"."+kv.key)
			}
		}
	}

	for _, key := range []string{"id", "name", "description", "entrypoint", "fields"} {
		if !present[key] {
			d.errorf(n, path+"."+key, "missing required key")
		}
	}
	if t.EntrypointRef != "" {
		if _, _, err := splitEntrypoint(t.EntrypointRef); err != nil {
			d.errorf(n, path+".entrypoint", "%v", err)
		}
	}
	t.Fields = d.fields(fieldsNode, path+".fields")
	return t
}

func (d *decoder) fields(n *yaml.Node, path string) []Field {
	n = resolveAlias(n)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "got %s, want list of fields", kindName(n))
		return nil
	}
	seen := map[string]bool{}
	var out []Field
	for i, item := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		f := d.field(item, p)
		if f.ID != "" && seen[f.ID] {
			d.errorf(item, p+".id", "duplicate field id %q", f.ID)
		}
		seen[f.ID] = true
		out = append(out, f)
	}
	// A contract_choice field names the field that holds its template, which
	// must exist in the same type.
	for i, f := range out {
		if f.kind.name == "contract_choice" && f.kind.templateField != "" && !seen[f.kind.templateField] {
			d.errorf(n.Content[i], fmt.Sprintf("%s[%d].field_type", path, i),
				"templateNameField %q is not a field of this integration type", f.kind.templateField)
		}
	}
	return out
}

func (d *decoder) field(n *yaml.Node, path string) Field {
	f := Field{Required: true}
	kvs := d.mapping(n, path)
	d.unknownKeys(kvs, path, "id", "name", "description", "field_type", "default_value",
		"required", "help_url", "tags", "field_context")
	present := map[string]bool{}
	var typeNode, defaultNode *yaml.Node
	for _, kv := range kvs {
		present[kv.key] = true
		p := path + "." + kv.key
		switch kv.key {
		case "id":
			f.ID = d.str(kv.value, p)
		case "name":
			f.Name = d.str(kv.value, p)
		case "description":
			f.Description = d.str(kv.value, p)
		case "field_type":
			f.FieldType = d.str(kv.value, p)
			typeNode = kv.value
		case "default_value":
			defaultNode = resolveAlias(kv.value)
			if defaultNode.Kind == yaml.ScalarNode && !isNull(defaultNode) && defaultNode.ShortTag() != "!!str" {
				d.errorf(defaultNode, p, "got %s, want string (quote the value)", kindName(defaultNode))
			} else if !isNull(defaultNode) {
				f.DefaultValue = d.str(defaultNode, p)
				f.HasDefault = true
			}
		case "required":
			if b, ok := d.boolean(kv.value, p); ok {
				f.Required = b
			}
		case "help_url":
			f.HelpURL = d.str(kv.value, p)
		case "tags":
			f.Tags = d.strings(kv.value, p)
		case "field_context":
			if err := kv.value.Decode(&f.FieldContext); err != nil {
				d.errorf(kv.value, p, "invalid value: %v", err)
			}
		}
	}
	for _, key := range []string{"id", "name", "description", "field_type"} {
		if !present[key] {
			d.errorf(n, path+"."+key, "missing required key")
		}
	}
	if present["field_type"] {
		kind, err := parseFieldType(f.FieldType)
		if err != nil {
			d.errorf(typeNode, path+".field_type", "%v", err)
		}
		f.kind = kind
	}
	if f.HasDefault && f.kind.name != "" {
		if _, err := f.kind.convert(f.DefaultValue); err != nil {
			d.errorf(defaultNode, path+".default_value", "%v", err)
		}
	}
	return f
}
