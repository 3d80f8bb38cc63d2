package ditest

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunFileFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe.txtar")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan Result, 1)
	go func() { done <- runFile(path, "pipe", Options{Getenv: func(string) string { return "" }}) }()
	var res Result
	select {
	case res = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("runFile blocked for 5s reading a named pipe")
	}
	if res.Passed {
		t.Error("runFile passed a named pipe")
	}
	if !res.ConfigError {
		t.Error("ConfigError = false, want true for an unreadable test file")
	}
	if !strings.Contains(res.Failure, path+" is a named pipe, not a regular file") {
		t.Errorf("Failure = %q, want it to reject the named pipe", res.Failure)
	}
}
