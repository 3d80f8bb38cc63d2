package dit

import (
	"errors"
	"strings"
	"testing"
)

// A document that is not a mapping is reported without an empty key path
// in front of the message.
func TestTopLevelNotMapping(t *testing.T) {
	for _, doc := range []string{"- 1\n", "just text\n", "42\n"} {
		_, err := ParseMetadata("dit-meta.yaml", []byte(doc))
		var cerr *ConfigError
		if !errors.As(err, &cerr) {
			t.Fatalf("ParseMetadata(%q) error = %v, want a ConfigError", doc, err)
		}
		msg := strings.Join(cerr.Problems, "\n")
		if strings.Contains(msg, ": : ") {
			t.Errorf("ParseMetadata(%q) problem %q has an empty key path", doc, msg)
		}
		if !strings.Contains(msg, "dit-meta.yaml:1:1: got ") || !strings.Contains(msg, "want mapping") {
			t.Errorf("ParseMetadata(%q) problem = %q, want the position and \"want mapping\"", doc, msg)
		}

		_, err = ParseInstanceConfig([]byte(doc))
		if err == nil {
			t.Fatalf("ParseInstanceConfig(%q) succeeded, want an error", doc)
		}
		if strings.Contains(err.Error(), ": : ") {
			t.Errorf("ParseInstanceConfig(%q) error %q has an empty key path", doc, err)
		}
	}
}
