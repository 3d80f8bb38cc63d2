package dit

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder walks a parsed YAML document and collects every problem it finds,
// so that one run reports all of them. Problems are errors (wrong types,
// missing required keys) or warnings (unknown or deprecated keys).
type decoder struct {
	file     string
	errors   []string
	warnings []string
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errors = append(d.errors, d.position(n)+pathPrefix(path)+fmt.Sprintf(format, args...))
}

func (d *decoder) warnf(n *yaml.Node, path, format string, args ...any) {
	d.warnings = append(d.warnings, d.position(n)+pathPrefix(path)+fmt.Sprintf(format, args...))
}

// pathPrefix returns the key path that starts a message, or "" for the
// document itself, whose position alone names it.
func pathPrefix(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

func (d *decoder) position(n *yaml.Node) string {
	if n == nil || n.Line == 0 {
		return d.file + ": "
	}
	return fmt.Sprintf("%s:%d:%d: ", d.file, n.Line, n.Column)
}

// kindName names a node's YAML type for "got X, want Y" messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return kindName(n.Alias)
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "bool " + n.Value
		case "!!int":
			return "int " + n.Value
		case "!!float":
			return "float " + n.Value
		case "!!timestamp":
			return "date " + n.Value
		}
		return fmt.Sprintf("string %q", n.Value)
	}
	return "unknown"
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping returns the keys and values of a mapping node in document order.
// It reports a problem and returns nil when n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path string) []keyValue {
	n = resolveAlias(n)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "got %s, want mapping", kindName(n))
		return nil
	}
	seen := map[string]bool{}
	var out []keyValue
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			d.errorf(k, join(path, k.Value), "duplicate key")
			continue
		}
		seen[k.Value] = true
		out = append(out, keyValue{key: k.Value, keyNode: k, value: v})
	}
	return out
}

type keyValue struct {
	key     string
	keyNode *yaml.Node
	value   *yaml.Node
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// str reads a scalar as a string. YAML numbers, booleans and dates are
// accepted as their text, because metadata authors often leave versions
// (1.0) and dates unquoted.
func (d *decoder) str(n *yaml.Node, path string) string {
	n = resolveAlias(n)
	if n == nil || isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "got %s, want string", kindName(n))
		return ""
	}
	return n.Value
}

func (d *decoder) boolean(n *yaml.Node, path string) (value, ok bool) {
	n = resolveAlias(n)
	if n == nil || isNull(n) {
		return false, false
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			return b, true
		}
	}
	d.errorf(n, path, "got %s, want bool (true or false)", kindName(n))
	return false, false
}

func (d *decoder) strings(n *yaml.Node, path string) []string {
	n = resolveAlias(n)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "got %s, want list of strings", kindName(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		item = resolveAlias(item)
		p := fmt.Sprintf("%s[%d]", path, i)
		if item.Kind != yaml.ScalarNode || isNull(item) {
			d.errorf(item, p, "got %s, want string", kindName(item))
			continue
		}
		out = append(out, item.Value)
	}
	return out
}

// unknownKeys warns about keys not in known, listing the known ones.
func (d *decoder) unknownKeys(kvs []keyValue, path string, known ...string) {
	set := map[string]bool{}
	for _, k := range known {
		set[k] = true
	}
	for _, kv := range kvs {
		if !set[kv.key] {
			sorted := append([]string(nil), known...)
			sort.Strings(sorted)
			d.warnf(kv.keyNode, join(path, kv.key), "unknown key; known keys are %s", strings.Join(sorted, ", "))
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
