package main

import (
	"io"
	"strings"
	"testing"
)

// An invalid ledger address or JWKS URL is a configuration problem listed
// with the others before anything starts, named by the flag or variable
// that set it.
func TestRunConfigInvalidURLs(t *testing.T) {
	env := envOf(map[string]string{
		"DABL_LEDGER_URL": "ftp://127.0.0.1:1",
		"DABL_JWKS_URL":   "not a url",
		"DABL_QUEUE_SIZE": "0",
	})
	_, problems, err := parseRunConfig([]string{"pkg"}, env, io.Discard)
	if err != nil {
		t.Fatalf("parseRunConfig: %v", err)
	}
	all := strings.Join(problems, "\n")
	for _, want := range []string{
		`DABL_LEDGER_URL: got "ftp://127.0.0.1:1", want host:port, http://host:port or https://host:port`,
		`DABL_JWKS_URL: got "not a url", want an absolute http or https URL`,
		`DABL_QUEUE_SIZE: got "0"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q; got:\n%s", want, all)
		}
	}

	_, problems, err = parseRunConfig([]string{"--ledger", "127.0.0.1", "--jwks-url", "https:///keys", "pkg"}, envOf(nil), io.Discard)
	if err != nil {
		t.Fatalf("parseRunConfig: %v", err)
	}
	all = strings.Join(problems, "\n")
	for _, want := range []string{
		`--ledger: got "127.0.0.1", want host:port`,
		`--jwks-url: got "https:///keys", want an absolute http or https URL`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q; got:\n%s", want, all)
		}
	}

	for _, good := range []string{"127.0.0.1:6865", "http://127.0.0.1:6865", "https://[::1]:6865/"} {
		_, problems, err = parseRunConfig([]string{"--ledger", good, "--jwks-url", "http://127.0.0.1:1/jwks", "pkg"}, envOf(nil), io.Discard)
		if err != nil || len(problems) != 0 {
			t.Errorf("--ledger %s: err %v, problems %q, want none", good, err, problems)
		}
	}
}
