package dit

import (
	"errors"
	"os"
	"testing"
)

// FuzzParseMetadata checks that any input gives metadata or a *ConfigError,
// never a panic, and that valid metadata survives the normalised form.
func FuzzParseMetadata(f *testing.F) {
	seed, err := os.ReadFile("testdata/timer-meta.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("integrations: [{id: a, fields: [{field_type: 'enum:[\"x\"]'}]}]"))
	f.Add([]byte("catalog: &a {name: *a}\n"))
	f.Add([]byte("- 1\n- 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMetadata("m.yaml", data)
		var ce *ConfigError
		if err != nil {
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("error %v is not a *ConfigError with problems", err)
			}
			return
		}
		out, err := MarshalMetadata(m)
		if err != nil {
			t.Fatalf("MarshalMetadata: %v", err)
		}
		again, err := ParseMetadata("normalised.yaml", out)
		if err != nil {
			t.Fatalf("normalised metadata does not parse: %v\n%s", err, out)
		}
		if len(again.IntegrationTypes) != len(m.IntegrationTypes) {
			t.Fatalf("normalised metadata has %d types, want %d", len(again.IntegrationTypes), len(m.IntegrationTypes))
		}
	})
}

// FuzzParseInstanceConfig checks that any input gives a configuration or a
// *ConfigError, never a panic.
func FuzzParseInstanceConfig(f *testing.F) {
	f.Add([]byte("type_id: t\nmetadata: {a: \"1\", runAs: Alice}\n"))
	f.Add([]byte("metadata: {a: 1, b: [x], c: }\n"))
	f.Add([]byte("metadata: *x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseInstanceConfig(data)
		var ce *ConfigError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("error %v is not a *ConfigError", err)
		}
		if cfg == nil {
			t.Fatalf("nil configuration for %q", data)
		}
		_ = cfg.RunAs()
	})
}
