package integration

import (
	"strings"
	"testing"
)

// An entrypoint name bound to a value that is not a function is a start-up
// error in the got/want form, with the type of the value.
func TestEntrypointNotFunction(t *testing.T) {
	h := newHarnessWith(t, "main = 5\n", nil, false)
	err := h.startupError()
	want := `entrypoint "main": got int, want a function of (env, events)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("start-up error = %v, want it to contain %q", err, want)
	}
}
