package dit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ditstar/ditstar/internal/testdata"
)

// copyFile copies a real DAR into a test package folder.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadDARsOwnModelFirst(t *testing.T) {
	dir := writeTree(t, map[string]string{"dit-meta.yaml": "subdeployments: [z/core.dar]\n"})
	copyFile(t, testdata.DAR(t, "dabl-integration-core-1.2.3.dar"), filepath.Join(dir, "z", "core.dar"))
	copyFile(t, testdata.DAR(t, "dabl-integration-slack-1.2.2.dar"), filepath.Join(dir, "a", "slack.dar"))
	p, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	dars, err := p.LoadDARs()
	if err != nil {
		t.Fatalf("LoadDARs: %v", err)
	}
	if len(dars) != 2 {
		t.Fatalf("got %d DARs, want 2", len(dars))
	}
	if !strings.HasPrefix(dars[0].MainPackageID, "9cdb8936e89c") {
		t.Errorf("first DAR main package = %s, want the core model 9cdb8936e89c...", dars[0].MainPackageID)
	}
	if !strings.HasPrefix(dars[1].MainPackageID, "214c1afa462f") {
		t.Errorf("second DAR main package = %s, want the slack model 214c1afa462f...", dars[1].MainPackageID)
	}
	m := p.Meta.DamlModel
	if m == nil || m.MainPackageID != dars[0].MainPackageID || m.Name != "dabl-integration-core" || m.Version != "1.2.3" {
		t.Errorf("daml_model = %+v, want the core model filled in", m)
	}
}

func TestLoadDARsCorrupt(t *testing.T) {
	dir := writeTree(t, map[string]string{"dit-meta.yaml": "{}\n", "bad.dar": "not a zip"})
	p, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.LoadDARs()
	if err == nil || !strings.Contains(err.Error(), "load the DARs of "+dir+": dar bad.dar") {
		t.Errorf("err = %v, want one naming bad.dar", err)
	}
}
