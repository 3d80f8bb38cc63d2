package dit

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ditstar/ditstar/internal/testdata"
)

var packFilesFixture = map[string]string{
	"dabl-meta.yaml": `
catalog:
  name: hello
  version: 1.0.0
  description: Says hello.
  icon_file: icon.svg
integration_types:
  - id: hello.webhook
    name: Hello
    description: Answers a webhook.
    entrypoint: hello:main
    env_class: hello:Env
    fields:
      - id: greeting
        name: Greeting
        description: What to say.
        field_type: text
        default_value: hi
        field_context: {rows: 3, hints: [a, b]}
`,
	"hello.star":        "def main(env, events): pass\n",
	"icon.svg":          "<svg/>",
	"int_args.yaml":     "metadata: {runAs: Alice}\n",
	".git/config":       "x",
	".hidden":           "x",
	"old.dit":           "x",
	"lib/helpers.star":  "def f(): pass\n",
	"tests/hello.txtar": "-- x --\n",
}

var releaseDay = time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)

func packBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := PackWith(dir, &buf, PackOptions{ReleaseDate: releaseDay}); err != nil {
		t.Fatalf("PackWith: %v", err)
	}
	return buf.Bytes()
}

func zipNames(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names
}

func TestPackContentsAndRoundTrip(t *testing.T) {
	dir := writeTree(t, packFilesFixture)
	data := packBytes(t, dir)
	got := strings.Join(zipNames(t, data), " ")
	want := "dabl-meta.yaml dit-meta.yaml hello.star icon.svg lib/helpers.star tests/hello.txtar"
	if got != want {
		t.Errorf("entries = %s\nwant      %s", got, want)
	}
	out := filepath.Join(t.TempDir(), "hello-1.0.0.dit")
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Open(out)
	if err != nil {
		t.Fatalf("Open packed: %v", err)
	}
	if len(p.Meta.Warnings) != 0 {
		t.Errorf("packed metadata warnings: %q", p.Meta.Warnings)
	}
	if p.Meta.Catalog.ReleaseDate != "2026-03-04" {
		t.Errorf("release_date = %q", p.Meta.Catalog.ReleaseDate)
	}
	if p.Meta.Catalog.Name != "hello" || p.Meta.Catalog.IconFile != "icon.svg" {
		t.Errorf("catalog = %+v", p.Meta.Catalog)
	}
	typ, err := p.Type("")
	if err != nil {
		t.Fatal(err)
	}
	if typ.EnvClass != "hello:Env" || typ.Fields[0].DefaultValue != "hi" || !typ.Fields[0].Required {
		t.Errorf("type = %+v", typ)
	}
	ctx, ok := typ.Fields[0].FieldContext.(map[string]any)
	if !ok || ctx["rows"] != 3 {
		t.Errorf("field_context = %#v", typ.Fields[0].FieldContext)
	}
	meta, err := fs.ReadFile(p.FS, "dit-meta.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(meta), `{"catalog": {"author": null,`) {
		t.Errorf("normalised metadata starts %.60q", meta)
	}
}

func TestPackDeterministic(t *testing.T) {
	dir := writeTree(t, packFilesFixture)
	first := packBytes(t, dir)
	// File times must not matter.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "hello.star"), later, later); err != nil {
		t.Fatal(err)
	}
	second := packBytes(t, dir)
	if !bytes.Equal(first, second) {
		t.Errorf("two packs of the same files differ")
	}
	other := writeTree(t, packFilesFixture)
	if !bytes.Equal(first, packBytes(t, other)) {
		t.Errorf("packs of two copies of the same files differ")
	}
}

func TestPackProblems(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"dit-meta.yaml": `
catalog: {description: d, icon_file: missing.png}
subdeployments: [model.dar]
integration_types:
  - {id: a, name: A, description: d, entrypoint: nowhere:main, fields: []}
`,
	})
	err := Pack(dir, &bytes.Buffer{})
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ConfigError", err)
	}
	want := []string{
		"catalog.name: missing",
		"catalog.version: missing",
		`entrypoint module "nowhere" not found`,
		`catalog.icon_file: "missing.png" is not in the package`,
		`subdeployments: "model.dar" is not in the package`,
	}
	all := strings.Join(ce.Problems, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q; got:\n%s", w, all)
		}
	}
	if len(ce.Problems) != len(want) {
		t.Errorf("got %d problems, want %d", len(ce.Problems), len(want))
	}
}

func TestPackComputesDamlModel(t *testing.T) {
	files := map[string]string{}
	for k, v := range packFilesFixture {
		files[k] = v
	}
	dir := writeTree(t, files)
	copyFile(t, testdata.DAR(t, "dabl-integration-core-1.2.3.dar"), filepath.Join(dir, "dars", "core.dar"))
	out := filepath.Join(t.TempDir(), "x.dit")
	if err := os.WriteFile(out, packBytes(t, dir), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	m := p.Meta.DamlModel
	if m == nil || m.MainPackageID != "9cdb8936e89c8bee4cc1a883ac62ca0b7327a48610c4fb3da3324bbc0dd8c85d" {
		t.Fatalf("daml_model = %+v", m)
	}
	if m.Name != "dabl-integration-core" || m.Version != "1.2.3" {
		t.Errorf("daml_model name/version = %s/%s, want dabl-integration-core/1.2.3", m.Name, m.Version)
	}
	if strings.Join(p.Meta.Subdeployments, ",") != "dars/core.dar" {
		t.Errorf("subdeployments = %q", p.Meta.Subdeployments)
	}
}
