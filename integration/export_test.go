package integration

import "testing"

// StartForTest starts a runtime on a fresh embedded ledger with script as
// its main.star, for the tests of the integration_test package, and returns
// it with the party it acts as.
func StartForTest(t *testing.T, script string) (*Runtime, string) {
	h := newHarness(t, script)
	h.start()
	return h.rt, h.party
}
