// Package testdata locates the real DARs that tests read. They live outside
// the repository, in ../shared/data/dars seen from the module root, because
// they are other projects' build outputs and are not committed here.
package testdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// DARDir returns the folder of test DARs. When it is missing, the test fails
// if the CI environment variable is set and is skipped otherwise. The
// DITSTAR_DARS environment variable overrides the location. A relative value
// is taken from the module root, because go test runs each package in its
// own folder.
func DARDir(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := os.Getenv("DITSTAR_DARS")
	if dir != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	if dir == "" {
		dir = filepath.Join(root, "..", "shared", "data", "dars")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("test DARs not found at %s (set DITSTAR_DARS): %v", dir, err)
		}
		t.Skipf("test DARs not found at %s; set DITSTAR_DARS to run this test", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatalf("resolve %s: %v", dir, err)
	}
	return abs
}

// DAR returns the path of one test DAR by file name, with the same rules as DARDir.
func DAR(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(DARDir(t), name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("test DAR %s: %v", name, err)
	}
	return path
}
