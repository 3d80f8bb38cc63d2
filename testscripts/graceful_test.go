package testscripts

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRunFinishesWebhookOnSIGINT sends SIGINT while a webhook handler waits
// for an outbound HTTP call, and checks that the caller still gets the
// handler's answer before run exits.
func TestRunFinishesWebhookOnSIGINT(t *testing.T) {
	arrived := make(chan struct{}, 1)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		time.Sleep(500 * time.Millisecond)
		fmt.Fprint(w, `{"price": 42}`)
	}))
	defer upstream.Close()

	dir := t.TempDir()
	files := map[string]string{
		"pkg/dit-meta.yaml": `integration_types:
  - id: slow
    name: Slow
    description: Answers after an upstream call.
    entrypoint: main:main
    fields:
      - {id: upstream, name: U, description: d, field_type: text}
`,
		"pkg/main.star": `def main(env, events):
    def price(request):
        return json_response({"upstream": http.get(env.upstream).json()})
    events.webhook.get(url_suffix="/price")(price)
`,
		"int_args.yaml": fmt.Sprintf("metadata:\n  upstream: %q\n", upstream.URL),
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	addrFile := filepath.Join(dir, "addr")
	cmd := exec.Command(filepath.Join(binDir, "ditstar"), "run", "--listen", "127.0.0.1:0", "--addr-file", addrFile, "pkg")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	proc := watchProcess(cmd)
	defer cmd.Process.Kill()

	base := waitForAddress(t, addrFile, proc, &stderr)
	type answer struct {
		status int
		body   string
		err    error
	}
	answers := make(chan answer, 1)
	go func() {
		resp, err := http.Get(base + "/integration/slow/price")
		if err != nil {
			answers <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		answers <- answer{status: resp.StatusCode, body: string(body), err: err}
	}()

	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatalf("the webhook handler never called upstream\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}

	got := <-answers
	if got.err != nil {
		t.Fatalf("webhook request during shutdown: %v\n%s", got.err, stderr.String())
	}
	if got.status != http.StatusOK {
		t.Errorf("status = %d, want 200; body %s", got.status, got.body)
	}
	if !strings.Contains(got.body, `"price": 42`) {
		t.Errorf("body = %s, want the upstream price", got.body)
	}
	select {
	case <-proc.exited:
		if proc.err != nil {
			t.Errorf("ditstar run: %v, want exit status 0\n%s", proc.err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("ditstar run did not stop within 30s of SIGINT\n%s", stderr.String())
	}
}

// syncBuffer is a bytes.Buffer that a running command may write while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a started command; exited is closed when it has ended, and
// err is then its Wait error.
type process struct {
	exited chan struct{}
	err    error
}

func watchProcess(cmd *exec.Cmd) *process {
	p := &process{exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p
}

// waitForAddress waits until run writes its address file and returns the
// base URL in it.
func waitForAddress(t *testing.T, path string, proc *process, stderr *syncBuffer) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
			return strings.TrimSpace(string(data))
		}
		select {
		case <-proc.exited:
			t.Fatalf("ditstar run exited before it was ready: %v\n%s", proc.err, stderr.String())
		case <-deadline:
			t.Fatalf("ditstar run not ready after 30s\n%s", stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
