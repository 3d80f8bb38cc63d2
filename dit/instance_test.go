package dit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseInstanceConfig(t *testing.T) {
	cfg, err := ParseInstanceConfig([]byte(`
type_id: com.example.timer
metadata:
  interval: "30"
  runAs: Alice::1220
  label: ""
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TypeID != "com.example.timer" {
		t.Errorf("TypeID = %q", cfg.TypeID)
	}
	if cfg.Metadata["interval"] != "30" || cfg.Metadata["label"] != "" {
		t.Errorf("Metadata = %v", cfg.Metadata)
	}
	if cfg.RunAs() != "Alice::1220" {
		t.Errorf("RunAs = %q", cfg.RunAs())
	}
}

func TestInstanceConfigRunAsLegacyKey(t *testing.T) {
	cfg, err := ParseInstanceConfig([]byte("metadata:\n  com.projectdabl.integrations.runAsParty: Bob\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RunAs() != "Bob" {
		t.Errorf("RunAs = %q, want Bob", cfg.RunAs())
	}
}

func TestParseInstanceConfigNonStrings(t *testing.T) {
	cfg, err := ParseInstanceConfig([]byte(`
type_id: t
metadata:
  interval: 30
  enabled: true
  missing:
  list: [a]
  ok: "x"
metdata: {}
`))
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ConfigError", err)
	}
	want := []string{
		`metadata.interval: got int 30, want string (quote the value: "30")`,
		`metadata.enabled: got bool true, want string`,
		`metadata.missing: missing value, want string`,
		`metadata.list: got list, want string`,
		`metdata: unknown key`,
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
	if cfg == nil || cfg.Metadata["ok"] != "x" || len(cfg.Metadata) != 1 {
		t.Fatalf("partial config = %+v, want only ok=x", cfg)
	}
	if got := strings.Join(cfg.Invalid, ","); got != "interval,enabled,missing,list" {
		t.Errorf("Invalid = %s", got)
	}
}

func TestReadInstanceConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "int_args.yaml")
	if err := os.WriteFile(path, []byte("metadata: [1]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadInstanceConfig(path)
	if err == nil || !strings.Contains(err.Error(), path+":1:11: metadata: got list, want mapping") {
		t.Errorf("err = %v", err)
	}
	_, err = ReadInstanceConfig(filepath.Join(t.TempDir(), "absent.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want not-exist", err)
	}
	cfg, err := ParseInstanceConfig(nil)
	if err != nil || cfg.TypeID != "" || len(cfg.Metadata) != 0 {
		t.Errorf("empty config = %+v, %v", cfg, err)
	}
}
