package ditest

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkHelloTest measures one whole test: a fresh embedded ledger, the
// runtime's start-up, three webhook requests with their idle waits, and
// the stop.
func BenchmarkHelloTest(b *testing.B) {
	file := filepath.Join("testdata", "hello.txtar")
	for b.Loop() {
		res := runFile(file, "hello", Options{Getenv: func(string) string { return "" }})
		if !res.Passed {
			b.Fatalf("test failed: %s", res.Failure)
		}
	}
}

// BenchmarkAdvanceTimerSteps measures stepping the virtual clock through
// 120 timer deadlines, each followed by an idle wait.
func BenchmarkAdvanceTimerSteps(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "steps.txtar")
	script := `start
advance 1h
count 'tick (30s)' use 120
-- dit-meta.yaml --
catalog:
  name: steps
  version: 1.0.0
  description: a timer
integration_types:
  - id: test.steps
    name: Steps
    description: a timer that does nothing
    entrypoint: main:main
    fields: []
-- main.star --
def main(env, events):
    @events.time.periodic_interval(30, label="tick")
    def tick():
        pass
`
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res := runFile(path, "steps", Options{Getenv: func(string) string { return "" }})
		if !res.Passed {
			b.Fatalf("test failed: %s", res.Failure)
		}
	}
}
