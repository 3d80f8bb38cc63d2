package ditest

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// requestTimeout bounds one webhook or http line in real time.
const requestTimeout = 60 * time.Second

// headerList collects repeated -H 'Name: value' flags.
type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

// requestFlags are the flags of webhook and http.
type requestFlags struct {
	headers headerList
	as      string
	readAs  string
	token   string
	file    string
}

func (f *requestFlags) define(fs *flag.FlagSet) {
	fs.Var(&f.headers, "H", "request header 'Name: value'; repeatable")
	fs.StringVar(&f.as, "as", "", "send a token whose actAs and readAs contain PARTY")
	fs.StringVar(&f.readAs, "read-as", "", "send a token whose readAs alone contains PARTY")
	fs.StringVar(&f.token, "token", "", "send this bearer token as written")
	fs.StringVar(&f.file, "file", "", "take the body from this archive section")
}

// cmdWebhook implements `webhook [flags] METHOD SUFFIX [BODY]`, a request
// to /integration/{instance}SUFFIX.
func cmdWebhook(tc *testCase, _ bool, args []string) error {
	return tc.request("webhook", args, func(path string) string {
		return "/integration/" + tc.instanceID + path
	})
}

// cmdHTTP implements `http [flags] METHOD PATH [BODY]`, a request to any
// route of the HTTP server, such as /status or /integration/{id}/healthz.
func cmdHTTP(tc *testCase, _ bool, args []string) error {
	return tc.request("http", args, func(path string) string { return path })
}

func (tc *testCase) request(name string, args []string, route func(string) string) error {
	var f requestFlags
	rest, err := flags(name, args, f.define)
	if err != nil {
		return err
	}
	if err := wantArgs(rest, 2, 3, name+" [-H 'Name: value']... [-as PARTY | -read-as PARTY | -token TOKEN] [-file SECTION] METHOD PATH [BODY]"); err != nil {
		return err
	}
	if err := tc.requireRuntime(name); err != nil {
		return err
	}

	method, path := strings.ToUpper(rest[0]), rest[1]
	if path != "" && !strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "?") {
		return usagef("invalid path %q: start it with /", path)
	}
	var body []byte
	switch {
	case len(rest) == 3 && f.file != "":
		return usagef("give the body as an argument or with -file, not both")
	case len(rest) == 3:
		body = []byte(rest[2])
	case f.file != "":
		data, ok := tc.section(f.file)
		if !ok {
			return usagef("-file %s: no such section in the archive", f.file)
		}
		body = data
	}

	req, err := http.NewRequestWithContext(tc.ctx, method, tc.baseURL+route(path), bytes.NewReader(body))
	if err != nil {
		return usagef("invalid request: %v", err)
	}
	if len(body) > 0 && (body[0] == '{' || body[0] == '[') {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range f.headers {
		key, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(key) == "" {
			return usagef("invalid header %q: want 'Name: value'", h)
		}
		req.Header.Set(strings.TrimSpace(key), strings.TrimSpace(value))
	}
	if err := tc.authorize(req, f); err != nil {
		return err
	}

	c := &http.Client{Timeout: requestTimeout}
	resp, err := c.Do(req)
	if err != nil {
		return failf("%s %s: %v", method, route(path), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return failf("%s %s: read the response: %v", method, route(path), err)
	}
	tc.response = &lastResponse{code: resp.StatusCode, header: resp.Header, body: data}
	if tc.opts.Verbose {
		fmt.Fprintf(tc.opts.Stdout, "    response: %d %s\n", resp.StatusCode, strings.TrimRight(string(data), "\n"))
	}
	return nil
}

// authorize adds the token that the flags ask for.
func (tc *testCase) authorize(req *http.Request, f requestFlags) error {
	set := 0
	for _, v := range []string{f.as, f.readAs, f.token} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		return usagef("give at most one of -as, -read-as and -token")
	}
	token := f.token
	if f.as != "" || f.readAs != "" {
		var actAs, readAs []string
		if f.as != "" {
			party, err := tc.partyID(f.as)
			if err != nil {
				return err
			}
			actAs, readAs = []string{party}, []string{party}
		} else {
			party, err := tc.partyID(f.readAs)
			if err != nil {
				return err
			}
			readAs = []string{party}
		}
		var err error
		if token, err = tc.key.token(actAs, readAs); err != nil {
			return err
		}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return nil
}

// requireResponse returns the last response, or a script error when no
// request was sent.
func (tc *testCase) requireResponse(name string) (*lastResponse, error) {
	if tc.response == nil {
		return nil, usagef("%s checks the response of a webhook or http line; send one first", name)
	}
	return tc.response, nil
}

// cmdCode implements `code STATUS`: the status code of the last response.
func cmdCode(tc *testCase, negate bool, args []string) error {
	if err := wantArgs(args, 1, 1, "code STATUS"); err != nil {
		return err
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		return usagef("invalid status code %q: want a number such as 200", args[0])
	}
	resp, err := tc.requireResponse("code")
	if err != nil {
		return err
	}
	switch {
	case !negate && resp.code != want:
		return failf("expected %d, got %d with body %s", want, resp.code, quoteBody(resp.body))
	case negate && resp.code == want:
		return failf("expected a status other than %d, got %d", want, resp.code)
	}
	return nil
}

// quoteBody shortens a body for a failure message.
func quoteBody(body []byte) string {
	const max = 300
	text := strings.TrimRight(string(body), "\n")
	if len(text) > max {
		text = text[:max] + "..."
	}
	if strconv.CanBackquote(text) {
		return "`" + text + "`"
	}
	return strconv.Quote(text)
}

// cmdBody implements `body REGEXP`: the body of the last response matches.
func cmdBody(tc *testCase, negate bool, args []string) error {
	if err := wantArgs(args, 1, 1, "body REGEXP"); err != nil {
		return err
	}
	re, err := compile(args[0])
	if err != nil {
		return err
	}
	resp, err := tc.requireResponse("body")
	if err != nil {
		return err
	}
	rendered := quoteBody([]byte(tc.render(string(resp.body))))
	switch matched := re.Match(resp.body); {
	case !negate && !matched:
		return failf("expected a body matching %#q, got %s", tc.render(args[0]), rendered)
	case negate && matched:
		return failf("expected a body not matching %#q, got %s", tc.render(args[0]), rendered)
	}
	return nil
}

// cmdHeader implements `header NAME REGEXP`: a header of the last response
// matches.
func cmdHeader(tc *testCase, negate bool, args []string) error {
	if err := wantArgs(args, 2, 2, "header NAME REGEXP"); err != nil {
		return err
	}
	re, err := compile(args[1])
	if err != nil {
		return err
	}
	resp, err := tc.requireResponse("header")
	if err != nil {
		return err
	}
	values := resp.header.Values(args[0])
	check := itemCheck{itemName: args[0] + " header", re: re, count: -1, render: tc.render}
	return check.run(values, negate)
}

// cmdMock implements
//
//	mock [-status N] [-H 'Name: value']... [-file SECTION] METHOD URL [BODY]
//
// the canned response for the integration's outbound requests to URL.
func cmdMock(tc *testCase, _ bool, args []string) error {
	var headers headerList
	var status int
	var file string
	rest, err := flags("mock", args, func(fs *flag.FlagSet) {
		fs.IntVar(&status, "status", http.StatusOK, "response status code")
		fs.Var(&headers, "H", "response header 'Name: value'; repeatable")
		fs.StringVar(&file, "file", "", "take the body from this archive section")
	})
	if err != nil {
		return err
	}
	if err := wantArgs(rest, 2, 3, "mock [-status N] [-H 'Name: value']... [-file SECTION] METHOD URL [BODY]"); err != nil {
		return err
	}
	if status < 100 || status > 999 {
		return usagef("invalid -status %d: want an HTTP status code", status)
	}

	c := &cannedResponse{method: strings.ToUpper(rest[0]), url: rest[1], status: status, header: http.Header{}}
	switch {
	case len(rest) == 3 && file != "":
		return usagef("give the body as an argument or with -file, not both")
	case len(rest) == 3:
		c.body = []byte(rest[2])
	case file != "":
		data, ok := tc.section(file)
		if !ok {
			return usagef("-file %s: no such section in the archive", file)
		}
		c.body = data
	}

	if len(c.body) > 0 && (c.body[0] == '{' || c.body[0] == '[') {
		c.header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		key, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(key) == "" {
			return usagef("invalid header %q: want 'Name: value'", h)
		}
		c.header.Set(strings.TrimSpace(key), strings.TrimSpace(value))
	}
	tc.http.declare(c)
	return nil
}

// sentQuery is the result of reading the outbound requests for sent and
// cmp sent.
type sentQuery struct {
	dumps []string
	count int
	rest  []string
}

// querySent reads `[-all] [-count N] [METHOD URL] ...` and renders the
// matching requests: those since the last action, or since the start with
// -all.
func (tc *testCase) querySent(name string, args []string, withTarget bool) (*sentQuery, error) {
	var all bool
	q := &sentQuery{}
	rest, err := flags(name, args, func(fs *flag.FlagSet) {
		fs.BoolVar(&all, "all", false, "since the start instead of since the last action")
		fs.IntVar(&q.count, "count", -1, "expected number of matching requests")
	})
	if err != nil {
		return nil, err
	}
	from := tc.mark.sent
	if all {
		from = 0
	}
	var method, url string
	if withTarget {
		if len(rest) < 2 {
			return nil, usagef("missing METHOD URL: usage: %s [-all] [-count N] METHOD URL [REGEXP]", name)
		}
		method, url, rest = strings.ToUpper(rest[0]), rest[1], rest[2:]
	}
	for _, r := range tc.http.requests(from) {
		if withTarget && (r.method != method || !urlMatches(url, r.url)) {
			continue
		}
		q.dumps = append(q.dumps, r.dump())
	}
	q.rest = rest
	return q, nil
}

// cmdSent implements `sent [-all] [-count N] METHOD URL [REGEXP]`. REGEXP
// is matched against the request line, the headers and the body.
func cmdSent(tc *testCase, negate bool, args []string) error {
	q, err := tc.querySent("sent", args, true)
	if err != nil {
		return err
	}
	check, err := tc.parseItemArgs("request", q.count, q.rest)
	if err != nil {
		return err
	}
	return check.run(q.dumps, negate)
}
