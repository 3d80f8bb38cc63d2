package httpd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ditstar/ditstar/integration"
)

// onlyReader hides the length of a reader, so the client sends the body
// chunked without a Content-Length.
type onlyReader struct{ io.Reader }

func TestBodyTooLarge(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "POST"}}}
	_, base := startServer(t, Options{Integration: fake, MaxBodyBytes: 100})
	url := base + "/integration/" + testInstance

	if got := do(t, http.MethodPost, url, "", bytes.Repeat([]byte("a"), 100)); got.status != 200 {
		t.Errorf("100 bytes: status %d, want 200", got.status)
	}
	if got := do(t, http.MethodPost, url, "", bytes.Repeat([]byte("a"), 101)); got.status != 413 || got.errorCode() != "request_too_large" {
		t.Errorf("101 bytes with Content-Length: status %d body %s, want 413 request_too_large", got.status, got.body)
	}
	req, _ := http.NewRequest(http.MethodPost, url, onlyReader{bytes.NewReader(bytes.Repeat([]byte("a"), 101))})
	if got := send(t, req); got.status != 413 || got.errorCode() != "request_too_large" {
		t.Errorf("101 bytes chunked: status %d body %s, want 413 request_too_large", got.status, got.body)
	}
	big := []byte(`{"log_level": 10, "pad": "` + strings.Repeat("x", 100) + `"}`)
	if got := do(t, http.MethodPost, base+"/log-level", "", big); got.status != 413 {
		t.Errorf("log-level body over the cap: status %d, want 413", got.status)
	}
	if n := fake.callCount(); n != 1 {
		t.Errorf("handler called %d times, want once (the body within the cap)", n)
	}
}

func TestHeaderTooLarge(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "GET"}}}
	_, base := startServer(t, Options{Integration: fake, MaxHeaderBytes: 1024})
	req, _ := http.NewRequest(http.MethodGet, base+"/integration/"+testInstance, nil)
	// net/http allows 4096 bytes beyond MaxHeaderBytes for buffering.
	req.Header.Set("X-Big", strings.Repeat("h", 8192))
	if got := send(t, req); got.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", got.status)
	}
	if fake.callCount() != 0 {
		t.Errorf("handler called for a request with oversized headers")
	}
}

// rawRequest writes data on a new connection and returns what the server
// sends until it closes the connection or five seconds pass.
func rawRequest(t *testing.T, base, data string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, data); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	out, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("server neither answered nor closed the connection; read so far %q", out)
	}
	return string(out)
}

func TestReadTimeoutSlowBody(t *testing.T) {
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "POST"}}}
	_, base := startServer(t, Options{Integration: fake, ReadTimeout: 200 * time.Millisecond})

	out := rawRequest(t, base, "POST /integration/"+testInstance+" HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part")
	if out != "" && !strings.HasPrefix(out, "HTTP/1.1 408") {
		t.Errorf("response %q, want 408 or a closed connection", out)
	}
	if fake.callCount() != 0 {
		t.Errorf("handler called for a body that never arrived")
	}
}

func TestReadTimeoutSlowHeaders(t *testing.T) {
	fake := &fakeIntegration{}
	_, base := startServer(t, Options{Integration: fake, ReadTimeout: 200 * time.Millisecond})
	out := rawRequest(t, base, "GET /status HTTP/1.1\r\nHost: x\r\n")
	if strings.Contains(out, " 200 ") {
		t.Errorf("response %q to incomplete headers, want none or an error", out)
	}
}

func TestMaxWaiting(t *testing.T) {
	release := make(chan struct{})
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "POST"}}}
	fake.handle = func(context.Context, int, *integration.WebhookRequest) (*integration.WebhookResponse, error) {
		<-release
		return nil, nil
	}
	s, base := startServer(t, Options{Integration: fake, MaxWaiting: 2})
	url := base + "/integration/" + testInstance

	results := make(chan int, 2)
	for range 2 {
		go func() {
			resp, err := http.Post(url, "text/plain", nil)
			if err != nil {
				results <- -1
				return
			}
			resp.Body.Close()
			results <- resp.StatusCode
		}()
	}
	waitFor(t, "two requests in the handler", func() bool { return fake.callCount() == 2 })

	got := do(t, http.MethodPost, url, "", nil)
	if got.status != http.StatusServiceUnavailable || got.errorCode() != "busy" {
		t.Errorf("third request: status %d body %s, want 503 busy", got.status, got.body)
	}
	if got.header.Get("Retry-After") != "1" {
		t.Errorf("third request: Retry-After %q, want 1", got.header.Get("Retry-After"))
	}
	if n := counterValue(t, s.opts.Registry, "ditstar_http_webhook_rejected_total"); n != 1 {
		t.Errorf("rejected counter %v, want 1", n)
	}

	close(release)
	for range 2 {
		if code := <-results; code != http.StatusOK {
			t.Errorf("waiting request: status %d, want 200", code)
		}
	}
	if got := do(t, http.MethodPost, url, "", nil); got.status != http.StatusOK {
		t.Errorf("request after the others finished: status %d, want 200", got.status)
	}
}

func TestShutdownFinishesInFlight(t *testing.T) {
	release := make(chan struct{})
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "GET"}}}
	fake.handle = func(context.Context, int, *integration.WebhookRequest) (*integration.WebhookResponse, error) {
		<-release
		return &integration.WebhookResponse{Body: []byte("finished")}, nil
	}
	s, err := New(Options{InstanceID: testInstance, Integration: fake, Logger: newTextLogger(io.Discard)})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(lis) }()
	base := "http://" + lis.Addr().String()

	type result struct {
		status int
		body   string
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/integration/" + testInstance)
		if err != nil {
			inflight <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		inflight <- result{status: resp.StatusCode, body: string(body), err: err}
	}()
	waitFor(t, "the request in the handler", func() bool { return fake.callCount() == 1 })

	shutdown := make(chan error, 1)
	go func() { shutdown <- s.Shutdown(context.Background()) }()
	waitFor(t, "the listener to close", func() bool {
		c, err := net.Dial("tcp", lis.Addr().String())
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned %v while a request was in flight", err)
	default:
	}

	close(release)
	r := <-inflight
	if r.err != nil || r.status != 200 || r.body != "finished" {
		t.Errorf("in-flight request: status %d body %q err %v, want 200 finished", r.status, r.body, r.err)
	}
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after Shutdown: %v, want nil", err)
	}
}

func TestShutdownTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "GET"}}}
	fake.handle = func(context.Context, int, *integration.WebhookRequest) (*integration.WebhookResponse, error) {
		<-release
		return nil, nil
	}
	s, err := New(Options{InstanceID: testInstance, Integration: fake, Logger: newTextLogger(io.Discard), ShutdownTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = s.Serve(lis) }()
	go func() {
		if resp, err := http.Get("http://" + lis.Addr().String() + "/integration/" + testInstance); err == nil {
			resp.Body.Close()
		}
	}()
	waitFor(t, "the request in the handler", func() bool { return fake.callCount() == 1 })

	err = s.Shutdown(context.Background())
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("Shutdown error %v, want a deadline exceeded error", err)
	}
}

func TestConcurrentWebhooks(t *testing.T) {
	const requests = 1000
	var mu sync.Mutex
	handled := map[string]int{}
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "POST", Suffix: "/req/:id"}}}
	// Handlers run one at a time, as the runtime runs them.
	var turn sync.Mutex
	fake.handle = func(_ context.Context, _ int, req *integration.WebhookRequest) (*integration.WebhookResponse, error) {
		turn.Lock()
		defer turn.Unlock()
		time.Sleep(100 * time.Microsecond)
		id := req.Params["id"]
		mu.Lock()
		handled[id]++
		mu.Unlock()
		return &integration.WebhookResponse{Body: []byte(id)}, nil
	}
	_, base := startServer(t, Options{Integration: fake, MaxWaiting: 50})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: requests}}
	defer client.CloseIdleConnections()

	type result struct {
		id     string
		status int
		body   string
		err    error
	}
	results := make(chan result, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			id := fmt.Sprint(i)
			resp, err := client.Post(base+"/integration/"+testInstance+"/req/"+id, "text/plain", strings.NewReader(id))
			if err != nil {
				results <- result{id: id, err: err}
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(bufio.NewReader(resp.Body))
			results <- result{id: id, status: resp.StatusCode, body: string(body), err: err}
		})
	}
	wg.Wait()
	close(results)

	mu.Lock()
	defer mu.Unlock()
	var ok, busy int
	for r := range results {
		switch {
		case r.err != nil:
			t.Errorf("request %s: %v", r.id, r.err)
		case r.status == http.StatusOK:
			ok++
			if r.body != r.id {
				t.Errorf("request %s answered with body %q", r.id, r.body)
			}
			if n := handled[r.id]; n != 1 {
				t.Errorf("request %s handled %d times, want 1", r.id, n)
			}
		case r.status == http.StatusServiceUnavailable:
			busy++
			if n := handled[r.id]; n != 0 {
				t.Errorf("request %s answered 503 but handled %d times", r.id, n)
			}
		default:
			t.Errorf("request %s: status %d, want 200 or 503", r.id, r.status)
		}
	}
	if ok+busy != requests {
		t.Errorf("answered %d (200: %d, 503: %d), want %d", ok+busy, ok, busy, requests)
	}
	if len(handled) != ok {
		t.Errorf("handler saw %d requests, but %d got 200", len(handled), ok)
	}
	if ok == 0 {
		t.Errorf("no request got 200")
	}
	t.Logf("200: %d, 503: %d", ok, busy)

	if got := do(t, http.MethodGet, base+"/healthz", "", nil); got.status != http.StatusOK {
		t.Errorf("healthz after the load: status %d, want 200", got.status)
	}
}

func TestIdleTimeoutClosesConnection(t *testing.T) {
	_, base := startServer(t, Options{Integration: &fakeIntegration{}, IdleTimeout: 100 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	reader := bufio.NewReader(conn)
	resp, err := http.ReadResponse(reader, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}

	// The connection now idles, and the server must close it.
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = reader.ReadByte()
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("idle connection still open after 5s, want it closed after the idle timeout")
	}
	if err != io.EOF {
		t.Errorf("read on the idle connection: %v, want EOF", err)
	}
}
