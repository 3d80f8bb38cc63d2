package testscripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunStopsOnSIGTERM checks the graceful stop that container runtimes
// ask for with SIGTERM; testscript's kill sends only SIGINT and SIGKILL.
func TestRunStopsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	addrFile := filepath.Join(dir, "addr")
	cmd := exec.Command(filepath.Join(binDir, "ditstar"), "run", "--listen", "127.0.0.1:0",
		"--addr-file", addrFile, filepath.Join(repoRoot(), "examples", "hello"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	deadline := time.After(30 * time.Second)
	for {
		if info, err := os.Stat(addrFile); err == nil && info.Size() > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("ditstar run exited before it was ready: %v\n%s", err, stderr.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("ditstar run not ready after 30s\n%s", stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ditstar run after SIGTERM: %v, want exit status 0\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("ditstar run did not stop within 30s of SIGTERM\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "integration com.example.hello (Hello) is running") {
		t.Errorf("stdout lacks the start-up summary:\n%s", stdout.String())
	}
	for _, want := range []string{"integration stopped", "ditstar run stopped", "http server stopped", "sandbox stopped"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
}
