package ditest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// cannedResponse is the reply a `mock` line declares for outbound requests
// whose method and URL match.
type cannedResponse struct {
	method string
	// url is compared with the request URL: as a prefix when pattern ends
	// in *, with the query when it contains ?, and without it otherwise.
	url    string
	status int
	header http.Header
	body   []byte
}

func (c *cannedResponse) matches(method, url string) bool {
	return strings.EqualFold(c.method, method) && urlMatches(c.url, url)
}

// urlMatches compares a request URL with a pattern of a mock or sent line.
func urlMatches(pattern, url string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(url, prefix)
	}
	if !strings.Contains(pattern, "?") {
		url, _, _ = strings.Cut(url, "?")
	}
	return pattern == url
}

// sentRequest is an outbound request the integration made.
type sentRequest struct {
	method string
	url    string
	header http.Header
	body   []byte
}

// dump renders the request in the form that `sent` matches: the request line,
// the headers sorted by name, a blank line and the body.
func (r sentRequest) dump() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.method, r.url)
	names := make([]string, 0, len(r.header))
	for name := range r.header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range r.header[name] {
			fmt.Fprintf(&b, "%s: %s\n", name, v)
		}
	}
	if len(r.body) > 0 {
		b.WriteByte('\n')
		b.Write(r.body)
		if !bytes.HasSuffix(r.body, []byte("\n")) {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// outbound is the RoundTripper behind the scripts' http module. It never
// opens a connection. It returns the canned responses and records every
// request, so the test can check exactly what the integration sent.
type outbound struct {
	mu    sync.Mutex
	mocks []*cannedResponse
	sent  []sentRequest
}

// declare adds a canned response. A later declaration for the same method
// and URL pattern replaces the earlier one.
func (o *outbound) declare(c *cannedResponse) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, m := range o.mocks {
		if strings.EqualFold(m.method, c.method) && m.url == c.url {
			o.mocks[i] = c
			return
		}
	}
	o.mocks = append(o.mocks, c)
}

func (o *outbound) requests(from int) []sentRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	if from > len(o.sent) {
		from = len(o.sent)
	}
	return append([]sentRequest(nil), o.sent[from:]...)
}

func (o *outbound) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.sent)
}

// RoundTrip records req and returns the canned response declared for it.
// A request without one fails, and the script's http call raises the
// error.
func (o *outbound) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read the request body: %w", err)
		}
	}

	url := req.URL.String()
	o.mu.Lock()
	o.sent = append(o.sent, sentRequest{method: req.Method, url: url, header: req.Header.Clone(), body: body})
	var canned *cannedResponse
	for _, m := range o.mocks {
		if m.matches(req.Method, url) {
			canned = m
		}
	}
	o.mu.Unlock()
	if canned == nil {
		return nil, fmt.Errorf("no canned response for %s %s: declare one in the test with 'mock %s %s'", req.Method, url, req.Method, url)
	}

	header := canned.header.Clone()
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Length", strconv.Itoa(len(canned.body)))
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", canned.status, http.StatusText(canned.status)),
		StatusCode:    canned.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(canned.body)),
		ContentLength: int64(len(canned.body)),
		Request:       req,
	}, nil
}
