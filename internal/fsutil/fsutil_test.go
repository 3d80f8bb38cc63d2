package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mkfifo makes a named pipe in a temporary directory and returns its path.
func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return path
}

// withDeadline runs read and fails the test if it takes over five seconds,
// as a read that opens a FIFO would.
func withDeadline(t *testing.T, read func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- read() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("read blocked for 5s on a named pipe")
		return nil
	}
}

func TestReadFileRegular(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("key: value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFile(path, 100)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	if string(data) != "key: value\n" {
		t.Errorf("ReadFile = %q, want %q", data, "key: value\n")
	}
}

func TestReadFileRejectsFIFO(t *testing.T) {
	path := mkfifo(t)
	err := withDeadline(t, func() error {
		_, err := ReadFile(path, 100)
		return err
	})
	if !errors.Is(err, ErrNotRegular) {
		t.Fatalf("ReadFile(fifo) error = %v, want ErrNotRegular", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the path", err)
	}
	if !strings.Contains(err.Error(), "named pipe, not a regular file") {
		t.Errorf("error %q does not name the file kind", err)
	}
}

func TestReadFileRejectsDirectory(t *testing.T) {
	_, err := ReadFile(t.TempDir(), 100)
	if !errors.Is(err, ErrNotRegular) {
		t.Fatalf("ReadFile(dir) error = %v, want ErrNotRegular", err)
	}
	if !strings.Contains(err.Error(), "directory") {
		t.Errorf("error %q does not say directory", err)
	}
}

func TestReadFileRejectsDevice(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	err := withDeadline(t, func() error {
		_, err := ReadFile("/dev/zero", 100)
		return err
	})
	if !errors.Is(err, ErrNotRegular) {
		t.Fatalf("ReadFile(/dev/zero) error = %v, want ErrNotRegular", err)
	}
}

func TestReadFileOverLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, make([]byte, 101), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path, 100)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFile(101 bytes, limit 100) error = %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "101 bytes, over the limit of 100 bytes") {
		t.Errorf("error %q does not give the size and the limit", err)
	}
}

func TestReadFileAtLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exact")
	if err := os.WriteFile(path, make([]byte, 100), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFile(path, 100)
	if err != nil {
		t.Fatalf("ReadFile(100 bytes, limit 100): %v", err)
	}
	if len(data) != 100 {
		t.Errorf("read %d bytes, want 100", len(data))
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "missing"), 100)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(missing) error = %v, want os.ErrNotExist", err)
	}
}

func TestReadFileFSRejectsFIFO(t *testing.T) {
	path := mkfifo(t)
	fsys := os.DirFS(filepath.Dir(path))
	err := withDeadline(t, func() error {
		_, err := ReadFileFS(fsys, "pipe", 100)
		return err
	})
	if !errors.Is(err, ErrNotRegular) {
		t.Fatalf("ReadFileFS(fifo) error = %v, want ErrNotRegular", err)
	}
}

func TestReadFileFSOverLimit(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big"), make([]byte, 11), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFileFS(os.DirFS(dir), "big", 10)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFileFS(11 bytes, limit 10) error = %v, want ErrTooLarge", err)
	}
}

func TestReadFileFSRegular(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFileFS(os.DirFS(dir), "a.txt", 10)
	if err != nil {
		t.Fatalf("ReadFileFS: %v", err)
	}
	if string(data) != "abc" {
		t.Errorf("ReadFileFS = %q, want %q", data, "abc")
	}
}
