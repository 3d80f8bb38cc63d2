package dit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"go.yaml.in/yaml/v3"

	"github.com/ditstar/ditstar/internal/fsutil"
)

// InstanceConfig is the instance configuration (int_args.yaml): which type
// to run and the field values, all strings.
type InstanceConfig struct {
	TypeID   string
	Metadata map[string]string
	// Invalid lists the metadata keys whose values were rejected, so that a
	// caller can skip the problems that follow from their absence.
	Invalid []string
}

// Metadata keys that name the party an instance runs as.
const (
	RunAsKey       = "runAs"
	RunAsLegacyKey = "com.projectdabl.integrations.runAsParty"
)

// RunAs returns the party named by metadata.runAs, or by the older key
// com.projectdabl.integrations.runAsParty; "" when neither is set.
func (c *InstanceConfig) RunAs() string {
	if p := c.Metadata[RunAsKey]; p != "" {
		return p
	}
	return c.Metadata[RunAsLegacyKey]
}

// ReadInstanceConfig reads and parses an instance configuration file.
func ReadInstanceConfig(path string) (*InstanceConfig, error) {
	data, err := fsutil.ReadFile(path, maxConfigSize)
	if err != nil {
		return nil, fmt.Errorf("read instance configuration: %w", err)
	}
	return parseInstanceConfig(path, data)
}

// InstanceConfig reads the package's own instance configuration,
// int_args.yaml at the package root. It returns nil and no error when the
// package has none. file is the configuration's name in messages, such as
// "pkg/int_args.yaml" or "pkg.dit!int_args.yaml".
func (p *Package) InstanceConfig() (cfg *InstanceConfig, file string, err error) {
	data, err := fsutil.ReadFileFS(p.FS, InstanceConfigFile, maxConfigSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	file = p.displayName(InstanceConfigFile)
	if err != nil {
		return nil, file, fmt.Errorf("read instance configuration %s: %w", file, err)
	}
	cfg, err = parseInstanceConfig(file, data)
	return cfg, file, err
}

// ParseInstanceConfig parses an instance configuration. A value that is not
// a string (a number, a list, a missing value) is a *ConfigError naming the
// key, so that the user quotes it instead of the value changing silently.
// With a *ConfigError the returned config holds the valid values, and
// Invalid names the rejected keys.
func ParseInstanceConfig(data []byte) (*InstanceConfig, error) {
	return parseInstanceConfig("int_args.yaml", data)
}

func parseInstanceConfig(file string, data []byte) (*InstanceConfig, error) {
	cfg := &InstanceConfig{Metadata: map[string]string{}}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil
		}
		return cfg, &ConfigError{Problems: []string{fmt.Sprintf("%s: invalid YAML: %v", file, err)}}
	}

	d := &decoder{file: file}
	var root *yaml.Node
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	top := d.mapping(root, "")
	d.unknownKeys(top, "", "type_id", "metadata")
	for _, kv := range top {
		switch kv.key {
		case "type_id":
			cfg.TypeID = d.str(kv.value, "type_id")
		case "metadata":
			for _, m := range d.mapping(kv.value, "metadata") {
				path := "metadata." + m.key
				v := resolveAlias(m.value)
				if isNull(v) || v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
					cfg.Invalid = append(cfg.Invalid, m.key)
				}
				switch {
				case isNull(v):
					d.errorf(v, path, "missing value, want string (write \"\" for an empty value)")
				case v.Kind != yaml.ScalarNode:
					d.errorf(v, path, "got %s, want string", kindName(v))
				case v.ShortTag() != "!!str":
					d.errorf(v, path, "got %s, want string (quote the value: %q)", kindName(v), v.Value)
				default:
					cfg.Metadata[m.key] = v.Value
				}
			}
		}
	}

	// Unknown top-level keys are errors here: a misspelt "metadata" would
	// otherwise drop every value without a word.
	problems := append(d.errors, d.warnings...)
	if len(problems) > 0 {
		return cfg, &ConfigError{Problems: problems}
	}
	return cfg, nil
}
