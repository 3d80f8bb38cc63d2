package examples_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/ditstar/ditstar/ditest"
	"github.com/ditstar/ditstar/internal/testdata"
)

// TestScripts runs every ditstar test file of this folder, as
// `ditstar test examples` does, each as a subtest.
func TestScripts(t *testing.T) {
	dars := testdata.DARDir(t)
	files, err := filepath.Glob(filepath.Join(examplesDir(), "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no .txtar test files found")
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			// Each file runs on its own ledger, clock and listener.
			t.Parallel()
			var out bytes.Buffer
			report, err := ditest.Run([]string{file}, ditest.Options{DARDir: dars, Stdout: &out})
			if err != nil {
				t.Fatal(err)
			}
			for _, res := range report.Results {
				if !res.Passed {
					t.Errorf("%s failed:\n%s", res.Name, out.String())
				}
			}
		})
	}
}
