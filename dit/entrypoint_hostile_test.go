package dit

import (
	"os"
	"strings"
	"testing"
)

// A dotted module with an empty part is an invalid name, not a path that
// leaves the package, and the error says what a module name looks like.
func TestEntrypointEmptyModulePart(t *testing.T) {
	fsys := os.DirFS(t.TempDir())
	for _, ref := range []string{"a..b:main", ".a:main", "a.:main"} {
		typ := &IntegrationType{ID: "x", EntrypointRef: ref}
		_, _, err := typ.Entrypoint(fsys)
		if err == nil {
			t.Errorf("Entrypoint(%q) succeeded, want an error", ref)
			continue
		}
		if strings.Contains(err.Error(), "outside the package") {
			t.Errorf("Entrypoint(%q) = %q, want no claim that it leaves the package", ref, err)
		}
		if !strings.Contains(err.Error(), "invalid entrypoint module") || !strings.Contains(err.Error(), "core_int.integration_timer") {
			t.Errorf("Entrypoint(%q) = %q, want an invalid module error with an example", ref, err)
		}
	}
}
