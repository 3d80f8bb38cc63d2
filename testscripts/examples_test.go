package testscripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestExamplesPassCheck runs `ditstar check` on every example package, so
// that an example that stops compiling or registering fails the build.
func TestExamplesPassCheck(t *testing.T) {
	root := filepath.Join(repoRoot(), "examples")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		if !e.IsDir() || !isPackage(dir) {
			continue
		}
		checked++
		t.Run(e.Name(), func(t *testing.T) {
			cmd := exec.Command(filepath.Join(binDir, "ditstar"), "check", dir)
			cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("ditstar check %s: %v\n%s", e.Name(), err, out)
			}
		})
	}
	if checked == 0 {
		t.Fatalf("no example packages found in %s", root)
	}
}

func isPackage(dir string) bool {
	for _, name := range []string{"dit-meta.yaml", "dabl-meta.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
