package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mkfifo makes a named pipe called name in a new temporary folder.
func mkfifo(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return path
}

// within runs f and fails the test if it blocks for 5s, as opening a named
// pipe with no writer does.
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("blocked for 5s reading a named pipe")
	}
}

func TestLedgerUploadFIFO(t *testing.T) {
	clearLedgerEnv(t)
	path := mkfifo(t, "model.dar")
	var stdout, stderr bytes.Buffer
	var code int
	// The file is read before any connection, so the address is never
	// dialled.
	within(t, func() {
		code = runLedgerContext(context.Background(), []string{"--ledger", "127.0.0.1:1", "upload", path}, &stdout, &stderr)
	})
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(stderr.String(), path+" is a named pipe, not a regular file") {
		t.Errorf("stderr %q does not reject the named pipe", stderr.String())
	}
}

func TestSandboxAuthSecretFIFO(t *testing.T) {
	path := mkfifo(t, "secret")
	var err error
	within(t, func() { _, err = sandboxAuth(path, "", "") })
	if err == nil || !strings.Contains(err.Error(), path+" is a named pipe, not a regular file") {
		t.Errorf("err = %v, want it to reject the named pipe", err)
	}
}

func TestSandboxAuthPublicKeyFIFO(t *testing.T) {
	path := mkfifo(t, "key.pem")
	var err error
	within(t, func() { _, err = sandboxAuth("", path, "") })
	if err == nil || !strings.Contains(err.Error(), path+" is a named pipe, not a regular file") {
		t.Errorf("err = %v, want it to reject the named pipe", err)
	}
}

func TestCheckScriptFIFO(t *testing.T) {
	path := mkfifo(t, "main.star")
	var stdout, stderr bytes.Buffer
	var code int
	within(t, func() { code = runCheck([]string{path}, &stdout, &stderr) })
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(stderr.String(), "not a regular file") {
		t.Errorf("stderr %q does not reject the named pipe", stderr.String())
	}
}

func TestCheckConfigFIFO(t *testing.T) {
	path := mkfifo(t, "int_args.yaml")
	var stdout, stderr bytes.Buffer
	var code int
	within(t, func() { code = runCheck([]string{"--config", path, "."}, &stdout, &stderr) })
	if code == exitOK {
		t.Errorf("exit %d, want a failure", code)
	}
	if !strings.Contains(stderr.String(), path+" is a named pipe, not a regular file") {
		t.Errorf("stderr %q does not reject the named pipe", stderr.String())
	}
}

func TestCheckPackageScriptFIFO(t *testing.T) {
	dir := t.TempDir()
	meta := "integration_types:\n  - {id: t, name: T, description: d, entrypoint: main:main, fields: []}\n"
	if err := os.WriteFile(filepath.Join(dir, "dit-meta.yaml"), []byte(meta), 0o600); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "main.star")
	if err := syscall.Mkfifo(script, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	var stdout, stderr bytes.Buffer
	var code int
	within(t, func() { code = runCheck([]string{dir}, &stdout, &stderr) })
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(stderr.String(), "main.star is a named pipe, not a regular file") {
		t.Errorf("stderr %q does not reject the named pipe", stderr.String())
	}
}
