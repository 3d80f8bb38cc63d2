package dit

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// splitEntrypoint splits "module:function" and checks both parts.
func splitEntrypoint(ref string) (module, function string, err error) {
	module, function, ok := strings.Cut(ref, ":")
	if !ok || module == "" || function == "" || strings.Contains(function, ":") {
		return "", "", fmt.Errorf("invalid entrypoint %q: want module:function, for example core_int.integration_timer:main", ref)
	}
	return module, function, nil
}

// Entrypoint resolves the type's entrypoint to a Starlark file in fsys and
// the function to call. The module is a dotted Python module path
// ("core_int.integration_timer" is core_int/integration_timer.star) or a
// file path ending in .star or .py. For a dotted path, a .py file of the
// same name is used when no .star file exists, and a src/ folder (the
// layout ddit built Python packages from) is searched after the root.
func (t *IntegrationType) Entrypoint(fsys fs.FS) (file, function string, err error) {
	module, function, err := splitEntrypoint(t.EntrypointRef)
	if err != nil {
		return "", "", fmt.Errorf("integration type %s: %w", t.ID, err)
	}
	var candidates []string
	if strings.HasSuffix(module, ".star") || strings.HasSuffix(module, ".py") {
		candidates = []string{path.Clean(module)}
	} else {
		if slices.Contains(strings.Split(module, "."), "") {
			return "", "", fmt.Errorf("integration type %s: invalid entrypoint module %q: want dotted names without empty parts, such as core_int.integration_timer", t.ID, module)
		}
		base := strings.ReplaceAll(module, ".", "/")
		for _, dir := range []string{"", "src/"} {
			candidates = append(candidates, dir+base+".star", dir+base+".py")
		}
	}
	for _, c := range candidates {
		if !fs.ValidPath(c) {
			return "", "", fmt.Errorf("integration type %s: entrypoint module %q is outside the package", t.ID, module)
		}
		if info, err := fs.Stat(fsys, c); err == nil && !info.IsDir() {
			return c, function, nil
		}
	}
	return "", "", fmt.Errorf("integration type %s: entrypoint module %q not found; looked for %s", t.ID, module, strings.Join(candidates, ", "))
}
