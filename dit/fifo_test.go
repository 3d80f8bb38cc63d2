package dit

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mkfifo makes a named pipe at dir/name.
func mkfifo(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return path
}

// errWithin runs f and fails the test if it blocks for 5s, as opening a
// named pipe with no writer does.
func errWithin(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("blocked for 5s reading a named pipe")
		return nil
	}
}

// wantNotRegular checks that err names path and says it is not a regular
// file.
func wantNotRegular(t *testing.T, err error, path string) {
	t.Helper()
	if err == nil {
		t.Fatal("err = nil, want an error for a named pipe")
	}
	if !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("error %q does not say not a regular file", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
}

func TestReadInstanceConfigFIFO(t *testing.T) {
	path := mkfifo(t, t.TempDir(), "int_args.yaml")
	err := errWithin(t, func() error {
		_, err := ReadInstanceConfig(path)
		return err
	})
	wantNotRegular(t, err, path)
}

func TestReadInstanceConfigTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "int_args.yaml")
	if err := os.WriteFile(path, make([]byte, maxConfigSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadInstanceConfig(path)
	if err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Fatalf("err = %v, want an error about the size limit", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
}

func TestOpenPackageFIFO(t *testing.T) {
	path := mkfifo(t, t.TempDir(), "pkg.dit")
	err := errWithin(t, func() error {
		_, err := Open(path)
		return err
	})
	wantNotRegular(t, err, path)
}

func TestOpenMetadataFIFO(t *testing.T) {
	dir := writeTree(t, map[string]string{"main.star": "def main(env, events): pass\n"})
	mkfifo(t, dir, MetaFile)
	err := errWithin(t, func() error {
		_, err := Open(dir)
		return err
	})
	wantNotRegular(t, err, MetaFile)
}

func TestOpenMetadataTooLarge(t *testing.T) {
	dir := writeTree(t, map[string]string{MetaFile: strings.Repeat("#", maxConfigSize+1)})
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Fatalf("err = %v, want an error about the size limit", err)
	}
}

func TestOpenWithMetaFIFO(t *testing.T) {
	dir := writeTree(t, demoFiles)
	meta := mkfifo(t, t.TempDir(), "meta.yaml")
	err := errWithin(t, func() error {
		_, err := OpenWithMeta(dir, meta)
		return err
	})
	wantNotRegular(t, err, meta)
}

func TestPackageInstanceConfigFIFO(t *testing.T) {
	dir := writeTree(t, map[string]string{
		MetaFile:    "integration_types:\n  - {id: t, name: T, description: d, entrypoint: main:main, fields: []}\n",
		"main.star": "def main(env, events): pass\n",
	})
	mkfifo(t, dir, InstanceConfigFile)
	p, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = errWithin(t, func() error {
		_, _, err := p.InstanceConfig()
		return err
	})
	wantNotRegular(t, err, InstanceConfigFile)
}

func TestLoadDARsFIFO(t *testing.T) {
	dir := writeTree(t, map[string]string{
		MetaFile: "subdeployments: [own.dar]\n",
	})
	mkfifo(t, dir, "own.dar")
	p, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = errWithin(t, func() error {
		_, err := p.LoadDARs()
		return err
	})
	wantNotRegular(t, err, "own.dar")
}
