package ditest

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ditstar/ditstar/internal/testdata"
)

// helloPackage returns the absolute path of the hello example, for tests
// written into temporary directories.
func helloPackage(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeTest writes a .txtar file into dir and returns its path.
func writeTest(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runOne runs one test file and returns its result and the printed output.
func runOne(t *testing.T, path string, opts Options) (Result, string) {
	t.Helper()
	var out bytes.Buffer
	opts.Stdout = &out
	report, err := Run([]string{path}, opts)
	if err != nil {
		t.Fatalf("Run(%s): %v", path, err)
	}
	if len(report.Results) != 1 {
		t.Fatalf("got %d results, want 1", len(report.Results))
	}
	return report.Results[0], out.String()
}

// TestTestdata runs every example test in testdata. Those that load DARs
// from $DARS need the real DARs.
func TestTestdata(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("found %d example tests, want at least 6", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{}
			if bytes.Contains(data, []byte("$DARS")) {
				opts.DARDir = testdata.DARDir(t)
			}
			res, out := runOne(t, file, opts)
			if !res.Passed {
				t.Fatalf("test failed:\n%s", out)
			}
			if len(res.Updated) != 0 {
				t.Errorf("a run without -u updated %v", res.Updated)
			}
		})
	}
}

func TestFailureNamesLine(t *testing.T) {
	tests := []struct {
		name   string
		script string // after "package", "start" and a webhook on lines 1 to 3
		want   string // the failure message after "fail.txtar:"
		files  string // archive sections
	}{
		{"code", "code 404", "4: code: expected 404, got 200 with body `{\"message\": \"Hello, Ann\"", ""},
		{"negated code", "! code 200", "4: code: expected a status other than 200, got 200", ""},
		{"body", "code 200\nbody 'Goodbye'", "5: body: expected a body matching `Goodbye`, got `{\"message\": \"Hello, Ann\"", ""},
		{"negated body", "! body Ann", "4: body: expected a body not matching `Ann`", ""},
		{"header", "header Content-Type 'text/html'", "4: header: expected a Content-Type header matching `text/html`, got 0 of 1:\n  application/json", ""},
		{"count", "count 'Say hello' use 2", "4: count: expected use of \"Say hello\" 2, got 1", ""},
		{"log", "log 'never logged'", "4: log: expected a log line matching `never logged`, got 0 of 1:\n  INFO greeting Ann", ""},
		{"negated log", "! log 'greeting Ann'", "4: log: expected no log line matching `greeting Ann`, got 1 of 1", ""},
		{"status", "status 'use=5'", "4: status: expected a status line matching `use=5`, got 0 of 5:\n  running true", ""},
		{"sent", "sent GET https://api.example.com/x", "4: sent: expected a request, got 0 of 0: (none)", ""},
		{"submitted", "submitted", "4: submitted: expected a submitted command, got 0 of 0: (none)", ""},
		{"cmp", "cmp status s.txt", "4: cmp: expected section s.txt, got a difference (-expected +got):\n- running false\n+ running true", "-- s.txt --\nrunning false\n"},
		{"negated start", "stop\n! start", "5: start: the integration is already started", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := "package " + helloPackage(t) + "\nstart\nwebhook GET /hello?name=Ann\n" + tt.script + "\nnot-run-after-a-failure\n" + tt.files
			path := writeTest(t, t.TempDir(), "fail.txtar", script)
			res, out := runOne(t, path, Options{})
			if res.Passed {
				t.Fatalf("test passed, want a failure:\n%s", out)
			}
			want := path + ":" + tt.want
			if !strings.HasPrefix(res.Failure, want) {
				t.Errorf("failure = %q\nwant prefix %q", res.Failure, want)
			}
			if !strings.Contains(out, "--- FAIL: fail") {
				t.Errorf("output lacks the FAIL line:\n%s", out)
			}
		})
	}
}

func TestFailureExitCodes(t *testing.T) {
	dir := t.TempDir()
	pass := writeTest(t, dir, "pass.txtar", "package "+helloPackage(t)+"\nstart\nwebhook GET /hello\ncode 200\n")
	fail := writeTest(t, dir, "fail.txtar", "package "+helloPackage(t)+"\nstart\nwebhook GET /hello\ncode 500\n")
	config := writeTest(t, dir, "config.txtar", "package "+helloPackage(t)+"\nfrobnicate\n")

	tests := []struct {
		paths []string
		want  int
	}{
		{[]string{pass}, ExitPass},
		{[]string{pass, fail}, ExitFail},
		{[]string{fail, config}, ExitConfig},
	}
	for _, tt := range tests {
		report, err := Run(tt.paths, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := report.ExitCode(); got != tt.want {
			t.Errorf("ExitCode for %v = %d, want %d", tt.paths, got, tt.want)
		}
	}
}

func TestConfigurationErrors(t *testing.T) {
	// Line 1 of every script is the package line.
	tests := []struct {
		name, script, want string
	}{
		{"unknown command", "start\nfrobnicate now", `3: frobnicate: unknown command "frobnicate"`},
		{"syntax", "start\nbody 'open", "3: unterminated quoted argument"},
		{"unknown variable", "start\nwebhook GET /hello?name=$nobody", "3: webhook: unknown variable $nobody"},
		{"no response yet", "start\ncode 200", "3: code: code checks the response of a webhook or http line"},
		{"negation", "! party bob", "2: party: party does not support !"},
		{"missing section", "start\ncmp status none.txt", `3: cmp: no section "none.txt" in the archive`},
		{"bad flag", "start\nwebhook -bogus GET /hello", "3: webhook: flag provided but not defined: -bogus"},
		{"arguments", "start\ncode", "3: code: got 0 arguments, want 1: usage: code STATUS"},
		{"before start", "webhook GET /hello", "2: webhook: webhook needs a running integration: add a start line before it"},
		{"bad field", "start repeat=many", "2: start: "},
		{"unknown type", "start -type nope", "2: start: "},
		{"package twice", "start\npackage .", "3: package: package must come before start"},
		{"rebound party", "party alice\ncreate alice T '{}'", "3: create: alice already names a party; choose another name"},
		{"reserved name", "party PARTY", "2: party: PARTY is already bound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTest(t, t.TempDir(), "config.txtar", "package "+helloPackage(t)+"\n"+tt.script+"\n")
			res, out := runOne(t, path, Options{})
			if !res.ConfigError {
				t.Fatalf("ConfigError = false, want true; output:\n%s", out)
			}
			if want := path + ":" + tt.want; !strings.HasPrefix(res.Failure, want) {
				t.Errorf("failure = %q\nwant prefix %q", res.Failure, want)
			}
		})
	}
}

func TestStartupFailure(t *testing.T) {
	script := `! start
log -all 'integration failed to start.*boom'
status 'running false'
status 'error .*boom'
-- dit-meta.yaml --
catalog:
  name: broken
  version: 1.0.0
  description: an entrypoint that fails
integration_types:
  - id: test.broken
    name: Broken
    description: fails at start-up
    entrypoint: main:main
    fields: []
-- main.star --
def main(env, events):
    fail("boom")
`
	path := writeTest(t, t.TempDir(), "broken.txtar", script)
	res, out := runOne(t, path, Options{})
	if !res.Passed {
		t.Fatalf("test failed:\n%s", out)
	}

	// Without !, the failed start fails the test at line 1.
	path = writeTest(t, t.TempDir(), "broken.txtar", strings.Replace(script, "! start", "start", 1))
	res, _ = runOne(t, path, Options{})
	if res.Passed || res.ConfigError {
		t.Fatalf("Passed = %v, ConfigError = %v; want a failure", res.Passed, res.ConfigError)
	}
	if want := path + ":1: start: integration failed to start"; !strings.HasPrefix(res.Failure, want) {
		t.Errorf("failure = %q\nwant prefix %q", res.Failure, want)
	}
}

func TestUpdateRewritesSections(t *testing.T) {
	comment := "# Sections are rewritten, the script is kept.\npackage " + helloPackage(t) + `
start
webhook GET /hello?name=Bo
cmp body body.txt
cmp status status.txt
`
	original := comment + "-- status.txt --\nrunning false\n-- other.txt --\nkept\n"
	path := writeTest(t, t.TempDir(), "update.txtar", original)

	res, out := runOne(t, path, Options{})
	if res.Passed {
		t.Fatalf("test passed before -u, want a failure:\n%s", out)
	}

	res, out = runOne(t, path, Options{Update: true})
	if !res.Passed {
		t.Fatalf("test with -u failed:\n%s", out)
	}
	if strings.Join(res.Updated, ",") != "body.txt,status.txt" && strings.Join(res.Updated, ",") != "status.txt,body.txt" {
		t.Errorf("Updated = %v, want body.txt and status.txt", res.Updated)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	archive := txtar.Parse(data)
	if string(archive.Comment) != comment {
		t.Errorf("comment changed to:\n%s", archive.Comment)
	}
	sections := map[string]string{}
	for _, f := range archive.Files {
		sections[f.Name] = string(f.Data)
	}
	if got := sections["other.txt"]; got != "kept\n" {
		t.Errorf("other.txt = %q, want it unchanged", got)
	}
	if got := sections["status.txt"]; !strings.HasPrefix(got, "running true\nwebhook \"Say hello\" use=1") {
		t.Errorf("status.txt = %q, want the rendered status", got)
	}
	if got := sections["body.txt"]; !strings.Contains(got, `"message": "Hello, Bo"`) || !strings.Contains(got, `"party": "${integration}"`) {
		t.Errorf("body.txt = %q, want the body with the party named", got)
	}

	res, out = runOne(t, path, Options{})
	if !res.Passed {
		t.Fatalf("test failed after -u:\n%s", out)
	}
}

func TestRunFilter(t *testing.T) {
	dir := t.TempDir()
	writeTest(t, dir, "alpha.txtar", "package "+helloPackage(t)+"\nstart\n")
	writeTest(t, dir, "beta.txtar", "frobnicate\n")
	report, err := Run([]string{dir}, Options{Run: regexp.MustCompile("^alpha$")})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Results) != 1 || report.Results[0].Name != "alpha" {
		t.Fatalf("results = %+v, want alpha only", report.Results)
	}
	if code := report.ExitCode(); code != ExitPass {
		t.Errorf("ExitCode = %d, want %d", code, ExitPass)
	}
	if _, err := Run([]string{dir}, Options{Run: regexp.MustCompile("gamma")}); err == nil {
		t.Error("a -run that matches nothing succeeded, want an error")
	}
}

func TestRunPathErrors(t *testing.T) {
	if _, err := Run([]string{filepath.Join(t.TempDir(), "missing.txtar")}, Options{}); err == nil {
		t.Error("a missing file succeeded, want an error")
	}
	if _, err := Run([]string{t.TempDir()}, Options{}); err == nil || !strings.Contains(err.Error(), "no .txtar test") {
		t.Errorf("an empty directory gave %v, want a no-test error", err)
	}
	path := writeTest(t, t.TempDir(), "notes.txt", "")
	if _, err := Run([]string{path}, Options{}); err == nil {
		t.Error("a non-.txtar file succeeded, want an error")
	}
}

func TestVerboseOutput(t *testing.T) {
	path := writeTest(t, t.TempDir(), "verbose.txtar", "package "+helloPackage(t)+"\nstart\nwebhook GET /hello?name=Vi\ncode 200\n")
	res, out := runOne(t, path, Options{Verbose: true})
	if !res.Passed {
		t.Fatalf("test failed:\n%s", out)
	}
	for _, want := range []string{"    > webhook GET /hello?name=Vi", "    log: INFO greeting Vi", "    response: 200 ", "--- PASS: verbose"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// Queue handlers log while the script writes its trace.
	res, out = runOne(t, filepath.Join("testdata", "queue.txtar"), Options{Verbose: true})
	if !res.Passed {
		t.Fatalf("queue test failed:\n%s", out)
	}
	if got := strings.Count(out, "log: INFO job done"); got != 3 {
		t.Errorf("output has %d queue log lines, want 3:\n%s", got, out)
	}
}

func TestSkip(t *testing.T) {
	path := writeTest(t, t.TempDir(), "skipped.txtar", "skip not ready yet\nfrobnicate\n")
	res, _ := runOne(t, path, Options{})
	if !res.Skipped || res.Passed {
		t.Fatalf("Skipped = %v, Passed = %v; want a skipped test", res.Skipped, res.Passed)
	}
	if !strings.Contains(res.SkipReason, "not ready yet") {
		t.Errorf("skip reason = %q, want the message of the skip line", res.SkipReason)
	}
}
