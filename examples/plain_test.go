package examples_test

import (
	"path/filepath"
	"testing"

	"go.starlark.net/syntax"
)

// TestTableIsPlainStarlark checks that the table integration needs none of
// ditstar's Python front end, so that standard Starlark tools can read it.
func TestTableIsPlainStarlark(t *testing.T) {
	path := filepath.Join(examplesDir(), "..", "scripts", "table.star")
	if _, err := (&syntax.FileOptions{}).Parse(path, nil, 0); err != nil {
		t.Errorf("go.starlark.net with default options cannot parse %s: %v", path, err)
	}
}
