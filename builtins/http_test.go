package builtins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

// syncBuffer is a log sink that tests read while handlers may still write.
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

// httpHost returns a Host that logs at debug level into the returned buffer.
func httpHost(t *testing.T) (*Host, *syncBuffer) {
	t.Helper()
	h, _ := testHost(t)
	logs := &syncBuffer{}
	h.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return h, logs
}

// runHTTP executes src, which must assign its result to r.
func runHTTP(t *testing.T, h *Host, src string, vars starlark.StringDict) (starlark.Value, error) {
	t.Helper()
	globals := scriptGlobals(t, h)
	for k, v := range vars {
		globals[k] = v
	}
	thread := &starlark.Thread{Name: "http"}
	out, err := starlark.ExecFileOptions(scriptOptions, thread, "http.star", src, globals)
	if err != nil {
		return nil, err
	}
	return out["r"], nil
}

func TestHTTPGet(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Rate-Limit", "10")
		fmt.Fprint(w, `{"price": 1.5, "pair": "BTC/USD"}`)
	}))
	defer srv.Close()
	h, _ := httpHost(t)
	r, err := runHTTP(t, h, `
resp = http.get(URL + "/price?fixed=1", params={"pair": "BTC/USD", "n": [1, 2]}, headers={"Accept": "application/json"}, bearer="tok")
r = (resp.status, resp.status_code, resp.ok, resp.headers["x-rate-limit"], resp.headers.get("missing", "-"),
     "content-type" in resp.headers, resp.json()["pair"], resp.text(), resp.body, resp.url)
`, starlark.StringDict{"URL": starlark.String(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`(200, 200, True, "10", "-", True, "BTC/USD", "{\"price\": 1.5, \"pair\": \"BTC/USD\"}", b"{\"price\": 1.5, \"pair\": \"BTC/USD\"}", "%s/price?fixed=REDACTED&n=REDACTED&n=REDACTED&pair=REDACTED")`, srv.URL)
	if r.String() != want {
		t.Errorf("result\n got %s\nwant %s", r, want)
	}
	if got.Method != http.MethodGet {
		t.Errorf("method %s", got.Method)
	}
	if q := got.URL.Query(); q.Get("fixed") != "1" || q.Get("pair") != "BTC/USD" || strings.Join(q["n"], ",") != "1,2" {
		t.Errorf("query %s", got.URL.RawQuery)
	}
	if a := got.Header.Get("Authorization"); a != "Bearer tok" {
		t.Errorf("authorization %q", a)
	}
	if a := got.Header.Get("Accept"); a != "application/json" {
		t.Errorf("accept %q", a)
	}
}

func TestHTTPBodies(t *testing.T) {
	type seen struct {
		method, contentType, body, user, password string
	}
	var requests []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		user, password, _ := r.BasicAuth()
		requests = append(requests, seen{r.Method, r.Header.Get("Content-Type"), string(body), user, password})
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	h, _ := httpHost(t)
	_, err := runHTTP(t, h, `
a = http.post(URL, json={"b": [1, Decimal("2.50")], "a": dt(2024, 1, 2)}, auth=("user", "pa:ss"))
b = http.put(URL, data={"x": "1 2", "y": True})
c = http.request("patch", URL, body=b"\x00raw", headers={"Content-Type": "application/octet-stream"})
d = http.delete(URL, data="plain")
r = [a.status, b.status, c.status, d.status]
`, starlark.StringDict{"URL": starlark.String(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	want := []seen{
		{"POST", "application/json", `{"b": [1, "2.50"], "a": "2024-01-02T00:00:00Z"}`, "user", "pa:ss"},
		{"PUT", "application/x-www-form-urlencoded", "x=1+2&y=True", "", ""},
		{"PATCH", "application/octet-stream", "\x00raw", "", ""},
		{"DELETE", "", "plain", "", ""},
	}
	if len(requests) != len(want) {
		t.Fatalf("got %d requests, want %d", len(requests), len(want))
	}
	for i := range want {
		if requests[i] != want[i] {
			t.Errorf("request %d: got %+v, want %+v", i, requests[i], want[i])
		}
	}
}

func TestHTTPErrorStatusIsNotAFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	h, _ := httpHost(t)
	r, err := runHTTP(t, h, `
resp = http.get(URL)
r = (resp.status, resp.ok)
`, starlark.StringDict{"URL": starlark.String(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	if r.String() != "(503, False)" {
		t.Errorf("got %s, want (503, False)", r)
	}
	_, err = runHTTP(t, h, `http.get(URL + "?key=s3cret").raise_for_status()`, starlark.StringDict{"URL": starlark.String(srv.URL)})
	if err == nil || !strings.Contains(err.Error(), "status 503 Service Unavailable") {
		t.Errorf("raise_for_status: error %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the query secret: %v", err)
	}
}

func TestHTTPTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	h, logs := httpHost(t)
	start := time.Now()
	_, err := runHTTP(t, h, `http.get(URL + "/slow?api_key=s3cret", timeout=0.2)`, starlark.StringDict{"URL": starlark.String(srv.URL)})
	if err == nil {
		t.Fatal("no error, want a timeout")
	}
	if !strings.Contains(err.Error(), "timed out") {
		t.Errorf("error %q, want it to say timed out", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the query secret: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("request took %s, want about 0.2s", elapsed)
	}
	if !strings.Contains(logs.String(), `"msg":"http request failed"`) {
		t.Errorf("no failure logged: %s", logs)
	}
}

func TestHTTPHostTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	h, _ := httpHost(t)
	h.HTTPTimeout = 100 * time.Millisecond
	_, err := runHTTP(t, h, `http.get(URL)`, starlark.StringDict{"URL": starlark.String(srv.URL)})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("error %v, want a timeout from Host.HTTPTimeout", err)
	}
}

func TestHTTPResponseSizeCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.Repeat("x", len(r.URL.Query().Get("n"))))
	}))
	defer srv.Close()
	h, _ := httpHost(t)
	h.HTTPMaxResponseBytes = 10
	vars := starlark.StringDict{"URL": starlark.String(srv.URL)}
	r, err := runHTTP(t, h, `r = len(http.get(URL, params={"n": "0123456789"}).body)`, vars)
	if err != nil {
		t.Fatalf("body at the limit: %v", err)
	}
	if r.String() != "10" {
		t.Errorf("body length %s, want 10", r)
	}
	_, err = runHTTP(t, h, `http.get(URL, params={"n": "0123456789a"})`, vars)
	if err == nil || !strings.Contains(err.Error(), "response body exceeds the limit of 10 bytes") {
		t.Errorf("error %v, want the size limit", err)
	}
}

func TestHTTPConnectionFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	h, logs := httpHost(t)
	_, err := runHTTP(t, h, `http.post("`+url+`/hook?token=s3cret", json={})`, nil)
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if !strings.Contains(err.Error(), "post: POST "+url+"/hook?token=REDACTED failed") {
		t.Errorf("error %q", err)
	}
	if strings.Contains(err.Error(), "s3cret") || strings.Contains(logs.String(), "s3cret") {
		t.Errorf("secret leaked: error %q, logs %s", err, logs)
	}
}

func TestHTTPDebugLog(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	h, logs := httpHost(t)
	handlerLogs := &syncBuffer{}
	handlerLogger := slog.New(slog.NewJSONHandler(handlerLogs, &slog.HandlerOptions{Level: slog.LevelDebug})).
		With("integration", "int-1", "handler", "on_tick")
	thread := &starlark.Thread{Name: "http"}
	thread.SetLocal(ThreadLogger, handlerLogger)

	src := `http.get(URL + "/x?sig=abc&flag", auth=("u", "p"))`
	globals := scriptGlobals(t, h)
	globals["URL"] = starlark.String(strings.Replace(srv.URL, "http://", "http://user:hunter2@", 1))
	if _, err := starlark.ExecFileOptions(scriptOptions, thread, "log.star", src, globals); err != nil {
		t.Fatal(err)
	}

	if logs.String() != "" {
		t.Errorf("root logger used although the thread has a logger: %s", logs)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(handlerLogs.String())), &rec); err != nil {
		t.Fatalf("log %q: %v", handlerLogs, err)
	}

	wantURL := strings.Replace(srv.URL, "http://", "http://user:xxxxx@", 1) + "/x?sig=REDACTED&flag"
	checks := map[string]any{
		"level": "DEBUG", "msg": "http request", "method": "GET", "url": wantURL,
		"status": float64(418), "integration": "int-1", "handler": "on_tick",
	}
	for k, want := range checks {
		if rec[k] != want {
			t.Errorf("log %s = %v, want %v", k, rec[k], want)
		}
	}
	if _, ok := rec["duration"]; !ok {
		t.Error("log has no duration")
	}
	if strings.Contains(handlerLogs.String(), "hunter2") || strings.Contains(handlerLogs.String(), "abc") {
		t.Errorf("secret in log: %s", handlerLogs)
	}
}

func TestHTTPArgumentErrors(t *testing.T) {
	h, _ := httpHost(t)
	cases := []struct{ src, want string }{
		{`http.get("ftp://example.test/")`, `get: url: invalid URL "ftp://example.test/", want an absolute http:// or https:// URL`},
		{`http.get("/relative")`, "invalid URL"},
		{`http.post("http://127.0.0.1:1/", json={}, data="x")`, "json, data and body are alternatives"},
		{`http.get("http://127.0.0.1:1/", auth="user")`, "auth: got string, want a (user, password) tuple"},
		{`http.get("http://127.0.0.1:1/", auth=("u", "p"), bearer="t")`, "auth and bearer are alternatives"},
		{`http.get("http://127.0.0.1:1/", bearer="")`, "bearer: got string, want a non-empty token"},
		{`http.get("http://127.0.0.1:1/", timeout=0)`, "timeout: got 0, want a positive number"},
		{`http.get("http://127.0.0.1:1/", params=[1])`, "params: got list, want dict"},
		{`http.get("http://127.0.0.1:1/", params={"a": None})`, "params: a: got NoneType"},
		{`http.get("http://127.0.0.1:1/", headers={"a": 1})`, "headers: a: got int, want string"},
		{`http.post("http://127.0.0.1:1/", json={"f": print})`, "json: f: cannot encode"},
		{`http.request("GET PUT", "http://127.0.0.1:1/")`, "invalid HTTP method"},
		{`http.request(1, "http://127.0.0.1:1/")`, "request: method: got int, want string"},
		{`http.get("http://127.0.0.1:1/", verify=False)`, `get: unexpected keyword argument "verify"`},
	}
	for _, c := range cases {
		_, err := runHTTP(t, h, c.src, nil)
		if err == nil {
			t.Errorf("%s: no error, want %q", c.src, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to contain %q", c.src, err, c.want)
		}
	}
}
