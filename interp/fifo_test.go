package interp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ditstar/ditstar/internal/fsutil"
)

// A script path that is a named pipe must fail at once, not block the load.
func TestLoadFileRejectsNamedPipe(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "main.star"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	in := New(Options{})
	done := make(chan error, 1)
	go func() {
		_, err := in.LoadFile(context.Background(), os.DirFS(dir), "main.star")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, fsutil.ErrNotRegular) {
			t.Errorf("LoadFile of a named pipe: error = %v, want fsutil.ErrNotRegular", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("LoadFile of a named pipe blocked for 5s")
	}
}
