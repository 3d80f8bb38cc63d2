package ditest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Section names are paths inside the test's work directory. A name that
// leaves it, or a second section of the same name, makes the test broken
// before anything is written.
func TestSectionNamesRejected(t *testing.T) {
	tests := []struct {
		name, section, want string
	}{
		{"parent", "../escape.star", `section "../escape.star": invalid name: write a relative path inside the archive, without ..`},
		{"nested parent", "pkg/../../escape.star", `section "pkg/../../escape.star": invalid name`},
		{"absolute", "/escape.star", `section "/escape.star": invalid name`},
		{"duplicate", "extra.star", `section "extra.star" appears twice: give each section its own name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// The work directory is created under TMPDIR, two folders down,
			// so that a name with ".." would land where this test can see it.
			testDir := filepath.Join(dir, "a", "b")
			if err := os.MkdirAll(testDir, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv("TMPDIR", testDir)
			content := "start\n-- dit-meta.yaml --\n-- extra.star --\nx = 1\n-- " + tt.section + " --\nx = 2\n"
			path := writeTest(t, testDir, "sections.txtar", content)
			res, out := runOne(t, path, Options{})
			if !res.ConfigError {
				t.Errorf("ConfigError = false, want true; output:\n%s", out)
			}
			if want := path + ": " + tt.want; !strings.HasPrefix(res.Failure, want) {
				t.Errorf("failure = %q\nwant prefix %q", res.Failure, want)
			}
			for _, p := range []string{filepath.Join(dir, "escape.star"), filepath.Join(dir, "a", "escape.star"), filepath.Join(testDir, "escape.star")} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("section was written outside the work directory, to %s", p)
				}
			}
		})
	}
}
