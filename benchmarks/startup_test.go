package benchmarks

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStartup measures `ditstar run` as a separate process: the wall
// time from exec to running, when the command writes its --addr-file, and
// the resident memory (VmRSS in /proc) after it has been idle for a while.
// "hello" runs examples/hello on its own embedded ledger. "contracts" runs
// examples/event_log against an embedded ledger in this process that holds
// an active contract set, and the example sweeps that set before it is
// running.
func BenchmarkStartup(b *testing.B) {
	binary := buildDitstar(b)
	idle := time.Duration(size(2, 0)) * time.Second
	b.Run("hello", func(b *testing.B) {
		for range b.N {
			runDitstar(b, binary, idle, "../examples/hello")
		}
	})
	b.Run("contracts", func(b *testing.B) {
		n := size(100_000, 2_000)
		for range b.N {
			b.StopTimer()
			env := startLedger(b)
			if err := env.createBatches(context.Background(), n, eventBatch, eventSubmitters); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			runDitstar(b, binary, idle, "../examples/event_log",
				"--ledger", env.addr, "--party", env.party)
		}
	})
}

// buildDitstar builds the ditstar command into a temporary folder.
func buildDitstar(b *testing.B) string {
	b.Helper()
	binary := filepath.Join(b.TempDir(), "ditstar")
	out, err := exec.Command("go", "build", "-o", binary, "github.com/ditstar/ditstar/cmd/ditstar").CombinedOutput()
	if err != nil {
		b.Fatalf("go build ./cmd/ditstar: %v\n%s", err, out)
	}
	return binary
}

// runDitstar runs `ditstar run PACKAGE ARGS...`, reports the time until it
// is running and its resident memory after idle, and stops it with
// SIGTERM. The timer runs only from exec to running.
func runDitstar(b *testing.B, binary string, idle time.Duration, pkg string, args ...string) {
	b.Helper()
	dir := b.TempDir()
	addrFile := filepath.Join(dir, "addr")
	logFile, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logFile.Close()
	args = append([]string{"run", pkg, "--listen", "127.0.0.1:0", "--addr-file", addrFile}, args...)
	cmd := exec.Command(binary, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// exited is closed when the process has exited, and waitErr is then
	// the result of cmd.Wait.
	exited := make(chan struct{})
	var waitErr error

	begin := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	if err := waitFile(addrFile, exited, 10*time.Minute); err != nil {
		if errors.Is(err, errExited) {
			err = fmt.Errorf("%w: %v", err, waitErr)
		}
		logs, _ := os.ReadFile(logFile.Name())
		b.Fatalf("ditstar %s: %v\n%s", strings.Join(args, " "), err, logs)
	}
	elapsed := time.Since(begin)
	b.StopTimer()
	defer b.StartTimer()

	time.Sleep(idle)
	rss, err := residentMemory(cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(elapsed.Microseconds())/1000, "ms-to-running")
	b.ReportMetric(float64(rss)/(1<<20), "rss-MiB")
}

// errExited is returned by waitFile when the process exits first.
var errExited = errors.New("exited before running")

// waitFile polls every millisecond until path exists and is not empty. The
// process exiting first (exited closed) or the timeout passing is an error.
func waitFile(path string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if info, err := os.Stat(path); err == nil && info.Size() > 0 {
			return nil
		}
		select {
		case <-exited:
			return errExited
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not running after %s", timeout)
		}
		time.Sleep(time.Millisecond)
	}
}

// residentMemory returns the VmRSS of a process in bytes, from
// /proc/PID/status (Linux only).
func residentMemory(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read resident memory: %w", err)
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		value, ok := strings.CutPrefix(scanner.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse VmRSS %q of process %d: %w", value, pid, err)
		}
		return kib << 10, nil
	}
	if err := scanner.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmRSS line in /proc/%d/status", pid)
}
