package main

import (
	"io"
	"strings"
	"testing"

	"github.com/ditstar/ditstar/httpd"
)

func envOf(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestRunConfigDefaults(t *testing.T) {
	c, problems, err := parseRunConfig(nil, envOf(nil), io.Discard)
	if err != nil || len(problems) > 0 {
		t.Fatalf("parseRunConfig: %v, %q", err, problems)
	}
	if c.pkgPath != "." {
		t.Errorf("pkgPath = %q, want .", c.pkgPath)
	}
	if c.listen != "127.0.0.1:8089" {
		t.Errorf("listen = %q, want 127.0.0.1:8089", c.listen)
	}
	if c.configPath != "int_args.yaml" || c.configSet {
		t.Errorf("config = %q (set %v), want int_args.yaml not set", c.configPath, c.configSet)
	}
	if c.ledger != "" {
		t.Errorf("ledger = %q, want the embedded one", c.ledger)
	}
	if c.queueSize != 512 || c.logLevel != 0 || c.logFormat != "text" {
		t.Errorf("queue %d, log level %d, format %q", c.queueSize, c.logLevel, c.logFormat)
	}
	if c.maxBodyBytes != httpd.DefaultMaxBodyBytes {
		t.Errorf("maxBodyBytes = %d, want httpd's default %d", c.maxBodyBytes, httpd.DefaultMaxBodyBytes)
	}
}

func TestRunConfigEnvironment(t *testing.T) {
	env := envOf(map[string]string{
		"DABL_HEALTH_PORT":               "9000",
		"DABL_LEDGER_URL":                "http://127.0.0.1:6865",
		"DABL_LEDGER_ID":                 "ledger-1",
		"DAML_DIT_META_PATH":             "meta.yaml",
		"DABL_INTEGRATION_METADATA_PATH": "args.yaml",
		"DABL_INTEGRATION_TYPE_ID":       "t.one",
		"DAML_LEDGER_PARTY":              "Alice::1220",
		"DABL_LOG_LEVEL":                 "20",
		"DABL_JWKS_URL":                  "http://127.0.0.1:1/jwks",
		"DABL_QUEUE_SIZE":                "64",
		"DAML_LEDGER_TOKEN":              " token ",
		"DAML_LEDGER_APPLICATION_NAME":   "app",
	})
	c, problems, err := parseRunConfig([]string{"pkg"}, env, io.Discard)
	if err != nil || len(problems) > 0 {
		t.Fatalf("parseRunConfig: %v, %q", err, problems)
	}
	checks := []struct{ name, got, want string }{
		{"pkgPath", c.pkgPath, "pkg"},
		{"listen", c.listen, "127.0.0.1:9000"},
		{"ledger", c.ledger, "http://127.0.0.1:6865"},
		{"ledgerID", c.ledgerID, "ledger-1"},
		{"metaPath", c.metaPath, "meta.yaml"},
		{"configPath", c.configPath, "args.yaml"},
		{"typeID", c.typeID, "t.one"},
		{"party", c.party, "Alice::1220"},
		{"jwksURL", c.jwksURL, "http://127.0.0.1:1/jwks"},
		{"token", c.token, "token"},
		{"applicationID", c.applicationID, "app"},
	}
	for _, check := range checks {
		if check.got != check.want {
			t.Errorf("%s = %q, want %q", check.name, check.got, check.want)
		}
	}
	if !c.configSet {
		t.Errorf("configSet = false, want true for DABL_INTEGRATION_METADATA_PATH")
	}
	if c.logLevel != 20 || c.queueSize != 64 {
		t.Errorf("log level %d, queue size %d; want 20, 64", c.logLevel, c.queueSize)
	}
}

func TestRunConfigFlagsWinOverEnvironment(t *testing.T) {
	env := envOf(map[string]string{
		"DABL_HEALTH_PORT":         "9000",
		"DABL_INTEGRATION_TYPE_ID": "env.type",
		"DAML_LEDGER_PARTY":        "EnvParty",
		"DABL_LOG_LEVEL":           "0",
		"DABL_QUEUE_SIZE":          "64",
	})
	args := []string{"--listen", "[::1]:0", "--type", "flag.type", "pkg", "--party", "FlagParty", "--log-level", "debug", "--queue-size", "8"}
	c, problems, err := parseRunConfig(args, env, io.Discard)
	if err != nil || len(problems) > 0 {
		t.Fatalf("parseRunConfig: %v, %q", err, problems)
	}
	if c.listen != "[::1]:0" || c.typeID != "flag.type" || c.party != "FlagParty" || c.pkgPath != "pkg" {
		t.Errorf("listen %q, type %q, party %q, package %q", c.listen, c.typeID, c.party, c.pkgPath)
	}
	if c.logLevel != debugLogLevel || c.queueSize != 8 {
		t.Errorf("log level %d, queue size %d; want %d, 8", c.logLevel, c.queueSize, debugLogLevel)
	}
}

func TestRunConfigEmptyEnvironmentIsUnset(t *testing.T) {
	env := envOf(map[string]string{"DABL_HEALTH_PORT": "", "DABL_LEDGER_URL": "", "DABL_QUEUE_SIZE": " "})
	c, problems, err := parseRunConfig(nil, env, io.Discard)
	if err != nil || len(problems) > 0 {
		t.Fatalf("parseRunConfig: %v, %q", err, problems)
	}
	if c.listen != "127.0.0.1:8089" || c.ledger != "" || c.queueSize != 512 {
		t.Errorf("listen %q, ledger %q, queue %d", c.listen, c.ledger, c.queueSize)
	}
}

func TestRunConfigProblems(t *testing.T) {
	env := envOf(map[string]string{"DABL_LOG_LEVEL": "51", "DAML_LEDGER_TOKEN": "t"})
	args := []string{"--listen", "8089", "--queue-size", "0", "--log-format", "yaml", "--token-file", "tok", "--dar", "x.dar", "--handler-timeout", "-1s", "--max-body-bytes", "0"}
	_, problems, err := parseRunConfig(args, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`--listen: got "8089", want host:port`,
		`--queue-size: got "0", want an integer from 1 to 1048576`,
		`DABL_LOG_LEVEL: got "51", want an integer from 0 to 50`,
		`--log-format: got "yaml", want text or json`,
		"a ledger token or CA file is set but no --ledger address",
		"--handler-timeout: got -1s",
		"--max-body-bytes: got 0, want a positive number of bytes",
	}
	all := strings.Join(problems, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q; got:\n%s", w, all)
		}
	}
	if len(problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(problems), len(want), all)
	}
}

func TestRunConfigRemoteLedgerRejectsDAR(t *testing.T) {
	_, problems, err := parseRunConfig([]string{"--ledger", "127.0.0.1:6865", "--dar", "x.dar"}, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "--dar loads DARs into the embedded ledger only") {
		t.Errorf("problems = %q", problems)
	}
}

func TestRunConfigUsageErrors(t *testing.T) {
	if _, _, err := parseRunConfig([]string{"a", "b"}, envOf(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "run takes one package, got 2 arguments") {
		t.Errorf("two packages: err = %v", err)
	}
	if _, _, err := parseRunConfig([]string{"--bogus"}, envOf(nil), io.Discard); err == nil {
		t.Errorf("unknown flag: no error")
	}
	if _, _, err := parseRunConfig([]string{"-h"}, envOf(nil), io.Discard); !isHelp(err) {
		t.Errorf("-h: err = %v, want flag.ErrHelp", err)
	}
}
