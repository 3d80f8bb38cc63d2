package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"testing"
)

// writeZip writes files to a new zip file at path.
func writeZip(t *testing.T, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPrepareReadsDitOwnConfig(t *testing.T) {
	dir := t.TempDir()
	ditFile := filepath.Join(dir, "pkg.dit")
	writeZip(t, ditFile, map[string]string{
		"dit-meta.yaml": `integration_types:
  - id: t.one
    name: One
    description: d
    entrypoint: main:main
    fields:
      - {id: target, name: T, description: d, field_type: text}
`,
		"main.star":     "def main(env, events): pass\n",
		"int_args.yaml": "type_id: t.one\nmetadata:\n  runAs: zipparty\n  target: from the zip\n",
	})
	t.Chdir(t.TempDir())

	p, problems, err := prepare(&runConfig{pkgPath: ditFile, configPath: defaultConfigFile}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("problems: %q", problems)
	}
	if got, want := p.configFile, ditFile+"!int_args.yaml"; got != want {
		t.Errorf("configFile = %q, want %q", got, want)
	}
	if got := p.values["target"]; got != "from the zip" {
		t.Errorf("target = %q, want %q", got, "from the zip")
	}
	if p.party != "zipparty" {
		t.Errorf("party = %q, want zipparty", p.party)
	}
}

func TestPrepareExplicitConfigSkipsOwn(t *testing.T) {
	dir := t.TempDir()
	ditFile := filepath.Join(dir, "pkg.dit")
	writeZip(t, ditFile, map[string]string{
		"dit-meta.yaml": "integration_types:\n  - {id: t.one, name: One, description: d, entrypoint: main:main, fields: []}\n",
		"main.star":     "def main(env, events): pass\n",
		"int_args.yaml": "metadata:\n  runAs: zipparty\n",
	})
	t.Chdir(t.TempDir())

	_, problems, err := prepare(&runConfig{pkgPath: ditFile, configPath: "absent.yaml", configSet: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 {
		t.Fatalf("problems = %q, want one about absent.yaml", problems)
	}
	if want := "instance configuration absent.yaml not found; fix --config or DABL_INTEGRATION_METADATA_PATH"; problems[0] != want {
		t.Errorf("problem = %q, want %q", problems[0], want)
	}
}
