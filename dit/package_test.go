package dit

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const twoTypesMeta = `
catalog: {name: demo, version: 1.0.0, description: Demo}
subdeployments: [models/own.dar]
integration_types:
  - id: t.one
    name: One
    description: d
    entrypoint: pkg.one:main
    fields: []
  - id: t.two
    name: Two
    description: d
    entrypoint: two.py:run
    fields: []
`

// writeTree writes files (name to content) under a new temporary folder.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func zipTree(t *testing.T, prefix string, files map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pkg.dit")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(prefix); err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	zw.SetOffset(int64(len(prefix)))
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

var demoFiles = map[string]string{
	"dabl-meta.yaml":  twoTypesMeta,
	"pkg/one.star":    "def main(env, events): pass\n",
	"two.py":          "def run(env, events): pass\n",
	"models/own.dar":  "",
	"extra/other.dar": "",
	"a.dar":           "",
	".git/x.dar":      "",
}

func TestOpenDirectoryAndZip(t *testing.T) {
	for name, path := range map[string]string{
		"dir": writeTree(t, demoFiles),
		"zip": zipTree(t, "", demoFiles),
		"pex": zipTree(t, "#!/usr/bin/env python3\n", demoFiles),
	} {
		t.Run(name, func(t *testing.T) {
			p, err := Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if p.MetaFile != "dabl-meta.yaml" {
				t.Errorf("MetaFile = %q", p.MetaFile)
			}
			if got := strings.Join(p.DARFiles(), ","); got != "models/own.dar,a.dar,extra/other.dar" {
				t.Errorf("DARFiles = %s", got)
			}
			one, err := p.Type("t.one")
			if err != nil {
				t.Fatal(err)
			}
			file, fn, err := one.Entrypoint(p.FS)
			if err != nil || file != "pkg/one.star" || fn != "main" {
				t.Errorf("Entrypoint = %q, %q, %v", file, fn, err)
			}
			two, err := p.Type("t.two")
			if err != nil {
				t.Fatal(err)
			}
			file, fn, err = two.Entrypoint(p.FS)
			if err != nil || file != "two.py" || fn != "run" {
				t.Errorf("Entrypoint = %q, %q, %v", file, fn, err)
			}
		})
	}
}

func TestOpenPrefersDitMeta(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"dabl-meta.yaml": "catalog: {name: old, version: 1.0.0, description: d}\n",
		"dit-meta.yaml":  "catalog: {name: new, version: 1.0.0, description: d}\n",
	})
	p, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.MetaFile != "dit-meta.yaml" || p.Meta.Catalog.Name != "new" {
		t.Errorf("MetaFile = %q, name = %q; want dit-meta.yaml, new", p.MetaFile, p.Meta.Catalog.Name)
	}
}

func TestOpenWithMetaOverride(t *testing.T) {
	dir := writeTree(t, demoFiles)
	meta := filepath.Join(t.TempDir(), "other.yaml")
	if err := os.WriteFile(meta, []byte("catalog: {name: other, version: 1.0.0, description: d}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := OpenWithMeta(dir, meta)
	if err != nil {
		t.Fatal(err)
	}
	if p.Meta.Catalog.Name != "other" || p.MetaFile != meta {
		t.Errorf("name = %q, MetaFile = %q", p.Meta.Catalog.Name, p.MetaFile)
	}
	if got := p.displayName(p.MetaFile); got != meta {
		t.Errorf("displayName = %q, want the path on disk %q", got, meta)
	}
}

func TestOpenWithMetaInsidePackage(t *testing.T) {
	files := map[string]string{"custom/meta.yaml": "catalog: {name: inside, version: 1.0.0, description: d}\n"}
	for name, content := range demoFiles {
		files[name] = content
	}
	p, err := OpenWithMeta(zipTree(t, "", files), "custom/meta.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Meta.Catalog.Name != "inside" || p.MetaFile != "custom/meta.yaml" {
		t.Errorf("name = %q, MetaFile = %q", p.Meta.Catalog.Name, p.MetaFile)
	}
	_, err = OpenWithMeta(writeTree(t, demoFiles), "absent.yaml")
	if err == nil || !strings.Contains(err.Error(), "absent.yaml: not found in the current folder or the package") {
		t.Errorf("absent: err = %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	var ce *ConfigError
	_, err := Open(writeTree(t, map[string]string{"main.star": ""}))
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "no dit-meta.yaml or dabl-meta.yaml found") {
		t.Errorf("no metadata: err = %v", err)
	}
	_, err = Open(filepath.Join(t.TempDir(), "absent"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent: err = %v", err)
	}
	notZip := filepath.Join(t.TempDir(), "x.dit")
	if err := os.WriteFile(notZip, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(notZip)
	if err == nil || !strings.Contains(err.Error(), "not a directory or a valid .dit zip file") {
		t.Errorf("not zip: err = %v", err)
	}
	dir := writeTree(t, map[string]string{"dit-meta.yaml": "integration_types: 5\n"})
	_, err = Open(dir)
	if !errors.As(err, &ce) || !strings.Contains(ce.Problems[0], filepath.ToSlash(dir)+"/dit-meta.yaml:1:20: integration_types: got int 5") {
		t.Errorf("bad metadata: err = %v", err)
	}
}

func TestPackageType(t *testing.T) {
	p, err := Open(writeTree(t, demoFiles))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Type("")
	if err == nil || !strings.Contains(err.Error(), "package has 2 integration types; choose one with --type or DABL_INTEGRATION_TYPE_ID: t.one, t.two") {
		t.Errorf("empty id: err = %v", err)
	}
	_, err = p.Type("t.three")
	if err == nil || !strings.Contains(err.Error(), `integration type "t.three" not found in the package; its types are: t.one, t.two`) {
		t.Errorf("unknown id: err = %v", err)
	}
	p.Meta.IntegrationTypes = p.Meta.IntegrationTypes[:1]
	one, err := p.Type("")
	if err != nil || one.ID != "t.one" {
		t.Errorf("only type: %v, %v", one, err)
	}
}

func TestEntrypointErrors(t *testing.T) {
	fsys := os.DirFS(writeTree(t, map[string]string{"src/core_int/timer.py": ""}))
	typ := &IntegrationType{ID: "x", EntrypointRef: "core_int.timer:main"}
	file, _, err := typ.Entrypoint(fsys)
	if err != nil || file != "src/core_int/timer.py" {
		t.Errorf("src layout: %q, %v", file, err)
	}
	typ.EntrypointRef = "missing.mod:main"
	_, _, err = typ.Entrypoint(fsys)
	if err == nil || !strings.Contains(err.Error(), `entrypoint module "missing.mod" not found; looked for missing/mod.star, missing/mod.py, src/missing/mod.star, src/missing/mod.py`) {
		t.Errorf("missing: err = %v", err)
	}
	typ.EntrypointRef = "../up.star:main"
	_, _, err = typ.Entrypoint(fsys)
	if err == nil || !strings.Contains(err.Error(), "outside the package") {
		t.Errorf("outside: err = %v", err)
	}
	typ.EntrypointRef = "main"
	_, _, err = typ.Entrypoint(fsys)
	if err == nil || !strings.Contains(err.Error(), "want module:function") {
		t.Errorf("no function: err = %v", err)
	}
}

func TestOpenInvalidMetadataKeepsPackage(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"dit-meta.yaml": `integration_types:
  - id: m
    name: M
    description: d
    entrypoint: main:main
    fields: [{id: size, name: S, description: d, field_type: integer, default_value: "big"}]
`,
		"main.star": "def main(env, events): pass\n",
	})
	p, err := Open(dir)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("Open: err = %v, want *ConfigError", err)
	}
	if len(ce.Problems) != 1 || !strings.Contains(ce.Problems[0], "default_value") {
		t.Errorf("problems = %q, want one about default_value", ce.Problems)
	}
	if p == nil || p.Meta == nil {
		t.Fatal("Open returned no package with the readable metadata")
	}
	if len(p.Meta.IntegrationTypes) != 1 || p.Meta.IntegrationTypes[0].ID != "m" {
		t.Errorf("IntegrationTypes = %+v, want type m", p.Meta.IntegrationTypes)
	}
}

func TestPackageInstanceConfig(t *testing.T) {
	files := map[string]string{
		"dit-meta.yaml": "integration_types:\n  - {id: t, name: T, description: d, entrypoint: main:main, fields: []}\n",
		"main.star":     "def main(env, events): pass\n",
		"int_args.yaml": "type_id: t\nmetadata:\n  runAs: alice\n",
	}
	for name, path := range map[string]string{"dir": writeTree(t, files), "zip": zipTree(t, "", files)} {
		t.Run(name, func(t *testing.T) {
			p, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, file, err := p.InstanceConfig()
			if err != nil {
				t.Fatal(err)
			}
			if cfg == nil {
				t.Fatal("InstanceConfig returned nil for a package with int_args.yaml")
			}
			if cfg.TypeID != "t" {
				t.Errorf("TypeID = %q, want t", cfg.TypeID)
			}
			if cfg.RunAs() != "alice" {
				t.Errorf("RunAs = %q, want alice", cfg.RunAs())
			}
			if !strings.HasSuffix(file, "int_args.yaml") {
				t.Errorf("file = %q, want a name ending in int_args.yaml", file)
			}
		})
	}

	p, err := Open(writeTree(t, map[string]string{"dit-meta.yaml": files["dit-meta.yaml"], "main.star": files["main.star"]}))
	if err != nil {
		t.Fatal(err)
	}
	cfg, file, err := p.InstanceConfig()
	if cfg != nil || file != "" || err != nil {
		t.Errorf("InstanceConfig without the file = %v, %q, %v; want nil, \"\", nil", cfg, file, err)
	}
}
