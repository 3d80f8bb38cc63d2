package builtins

import (
	"strings"
	"testing"
)

// An interval too long for a time.Duration names the upper bound, not
// "positive", which the value already is.
func TestPeriodicIntervalTooLong(t *testing.T) {
	for _, seconds := range []string{"1e300", "float('inf')", "10000000000"} {
		_, err := execEvents(t, "def h():\n    pass\nevents.time.periodic_interval("+seconds+")(h)\n")
		if err == nil {
			t.Fatalf("periodic_interval(%s) succeeded, want an error", seconds)
		}
		if strings.Contains(err.Error(), "want a positive number") {
			t.Errorf("periodic_interval(%s): error = %q, want one naming the maximum", seconds, err)
		}
		if !strings.Contains(err.Error(), "at most 9223372036 seconds") {
			t.Errorf("periodic_interval(%s): error = %q, want it to name at most 9223372036 seconds", seconds, err)
		}
	}
}
