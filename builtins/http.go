package builtins

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/interp"
)

// The http module sends outbound requests for scripts:
// http.get/post/put/patch/delete(url, ...) and http.request(method, url, ...).
// Each request is bounded by the handler call's deadline (interp.Context),
// by the per-request timeout (the timeout= argument or Host.HTTPTimeout),
// and its response body by Host.HTTPMaxResponseBytes. A failed request
// (network error, timeout, body too large) is a Starlark error. An HTTP
// error status is not, as in Python's requests, so scripts check
// response.ok or call response.raise_for_status().

func httpMembers(h *Host) starlark.StringDict {
	d := starlark.StringDict{
		"request": starlark.NewBuiltin("request", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(args) == 0 {
				return nil, fmt.Errorf("request: missing argument for method")
			}
			method, ok := args[0].(starlark.String)
			if !ok {
				return nil, fmt.Errorf("request: method: got %s, want string", args[0].Type())
			}
			return h.httpCall(thread, "request", strings.ToUpper(string(method)), args[1:], kwargs)
		}),
	}
	for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		name := strings.ToLower(method)
		d[name] = starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return h.httpCall(thread, b.Name(), method, args, kwargs)
		})
	}
	return d
}

// httpRequestArgs are the keyword arguments every http function takes.
type httpRequestArgs struct {
	url                   string
	params, headers       starlark.Value
	json, data, body      starlark.Value
	auth, bearer, timeout starlark.Value
}

func (h *Host) httpCall(thread *starlark.Thread, fn, method string, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	a := httpRequestArgs{}
	if err := starlark.UnpackArgs(fn, args, kwargs, "url", &a.url, "params?", &a.params, "headers?", &a.headers,
		"json?", &a.json, "data?", &a.data, "body?", &a.body, "auth?", &a.auth, "bearer?", &a.bearer,
		"timeout?", &a.timeout); err != nil {
		return nil, err
	}
	if !validMethod(method) {
		return nil, fmt.Errorf("%s: method: invalid HTTP method %q", fn, method)
	}
	req, timeout, err := h.buildRequest(fn, method, &a)
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithTimeout(callContext(thread), timeout)
	defer cancel()
	req = req.WithContext(ctx)
	logger := h.logger(thread)
	shownURL := redactURL(req.URL)
	start := time.Now()
	resp, err := h.httpClient().Do(req)
	if err != nil {
		err = httpFailure(ctx, err, timeout)
		logger.Debug("http request failed", "method", method, "url", shownURL,
			"duration", time.Since(start), "error", err)
		return nil, fmt.Errorf("%s: %s %s failed: %w", fn, method, shownURL, err)
	}
	defer resp.Body.Close()

	limit := h.httpMaxResponseBytes()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		err = httpFailure(ctx, err, timeout)
		logger.Debug("http request failed", "method", method, "url", shownURL, "status", resp.StatusCode,
			"duration", time.Since(start), "error", err)
		return nil, fmt.Errorf("%s: %s %s: reading the response failed: %w", fn, method, shownURL, err)
	}
	if int64(len(body)) > limit {
		logger.Debug("http request failed", "method", method, "url", shownURL, "status", resp.StatusCode,
			"duration", time.Since(start), "error", "response too large")
		return nil, fmt.Errorf("%s: %s %s: response body exceeds the limit of %d bytes", fn, method, shownURL, limit)
	}

	logger.Debug("http request", "method", method, "url", shownURL, "status", resp.StatusCode,
		"duration", time.Since(start), "bytes", len(body))
	return &HTTPClientResponse{
		Status: resp.StatusCode,
		Header: resp.Header,
		Body:   body,
		URL:    shownURL,
		Method: method,
	}, nil
}

// callContext returns the deadline context of the handler call running on
// thread.
func callContext(thread *starlark.Thread) context.Context {
	if thread == nil {
		return context.Background()
	}
	return interp.Context(thread)
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, r := range m {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// httpFailure names a timeout as such; other errors lose the *url.Error
// wrapper, whose message repeats the URL with its query secrets.
func httpFailure(ctx context.Context, err error, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= 0 {
			return fmt.Errorf("timed out (request timeout %s or the handler's deadline)", timeout)
		}
		return fmt.Errorf("timed out")
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("canceled: the handler call ended")
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

func (h *Host) buildRequest(fn, method string, a *httpRequestArgs) (*http.Request, time.Duration, error) {
	u, err := url.Parse(a.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, 0, fmt.Errorf("%s: url: invalid URL %q, want an absolute http:// or https:// URL", fn, a.url)
	}
	if err := addQueryParams(fn, u, a.params); err != nil {
		return nil, 0, err
	}

	body, contentType, err := requestBody(fn, a)
	if err != nil {
		return nil, 0, err
	}
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", fn, err)
	}
	if body == nil {
		req.Body = http.NoBody
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}

	headers, err := unpackHeaders(fn, a.headers)
	if err != nil {
		return nil, 0, err
	}
	for k, vs := range headers {
		req.Header[k] = vs
	}
	if err := setAuth(fn, req, a.auth, a.bearer); err != nil {
		return nil, 0, err
	}

	timeout, err := h.requestTimeout(fn, a.timeout)
	if err != nil {
		return nil, 0, err
	}
	return req, timeout, nil
}

func addQueryParams(fn string, u *url.URL, params starlark.Value) error {
	if params == nil || params == starlark.None {
		return nil
	}
	d, ok := params.(starlark.IterableMapping)
	if !ok {
		return fmt.Errorf("%s: params: got %s, want dict", fn, params.Type())
	}
	q := u.Query()
	for _, item := range d.Items() {
		k, ok := item[0].(starlark.String)
		if !ok {
			return fmt.Errorf("%s: params: key %s: got %s, want string", fn, item[0], item[0].Type())
		}
		values := []starlark.Value{item[1]}
		if list, ok := item[1].(*starlark.List); ok {
			values = nil
			for i := 0; i < list.Len(); i++ {
				values = append(values, list.Index(i))
			}
		}
		for _, v := range values {
			s, err := queryValue(v)
			if err != nil {
				return fmt.Errorf("%s: params: %s: %w", fn, string(k), err)
			}
			q.Add(string(k), s)
		}
	}
	u.RawQuery = q.Encode()
	return nil
}

func queryValue(v starlark.Value) (string, error) {
	switch v := v.(type) {
	case starlark.String:
		return string(v), nil
	case starlark.Int, starlark.Float, Decimal:
		return v.String(), nil
	case starlark.Bool:
		if v {
			return "True", nil
		}
		return "False", nil
	}
	return "", fmt.Errorf("got %s, want string, int, float, bool or a list of them", v.Type())
}

// requestBody returns the body of json=, data= or body=; at most one may
// be given.
func requestBody(fn string, a *httpRequestArgs) ([]byte, string, error) {
	given := 0
	for _, v := range []starlark.Value{a.json, a.data, a.body} {
		if v != nil && v != starlark.None {
			given++
		}
	}
	if given > 1 {
		return nil, "", fmt.Errorf("%s: json, data and body are alternatives: give at most one", fn)
	}
	switch {
	case a.json != nil && a.json != starlark.None:
		data, err := encodeJSON(a.json, jsonOptions{sep: ", ", keySep: ": "})
		if err != nil {
			return nil, "", fmt.Errorf("%s: json: %w", fn, err)
		}
		return data, "application/json", nil
	case a.data != nil && a.data != starlark.None:
		if d, ok := a.data.(starlark.IterableMapping); ok {
			form := url.Values{}
			for _, item := range d.Items() {
				k, ok := item[0].(starlark.String)
				if !ok {
					return nil, "", fmt.Errorf("%s: data: key %s: got %s, want string", fn, item[0], item[0].Type())
				}
				s, err := queryValue(item[1])
				if err != nil {
					return nil, "", fmt.Errorf("%s: data: %s: %w", fn, string(k), err)
				}
				form.Add(string(k), s)
			}
			return []byte(form.Encode()), "application/x-www-form-urlencoded", nil
		}
		data, err := bytesOrString(a.data)
		if err != nil {
			return nil, "", fmt.Errorf("%s: data: got %s, want dict, string or bytes", fn, a.data.Type())
		}
		return data, "", nil
	case a.body != nil && a.body != starlark.None:
		data, err := bytesOrString(a.body)
		if err != nil {
			return nil, "", fmt.Errorf("%s: body: %w", fn, err)
		}
		return data, "", nil
	}
	return nil, "", nil
}

// setAuth applies auth=(user, password) as basic authentication and
// bearer=token as a bearer token.
func setAuth(fn string, req *http.Request, auth, bearer starlark.Value) error {
	if auth != nil && auth != starlark.None {
		t, ok := auth.(starlark.Tuple)
		if !ok {
			if l, isList := auth.(*starlark.List); isList {
				t = starlark.Tuple{}
				for i := 0; i < l.Len(); i++ {
					t = append(t, l.Index(i))
				}
				ok = true
			}
		}
		if !ok || len(t) != 2 {
			return fmt.Errorf("%s: auth: got %s, want a (user, password) tuple", fn, auth.Type())
		}
		user, ok1 := t[0].(starlark.String)
		password, ok2 := t[1].(starlark.String)
		if !ok1 || !ok2 {
			return fmt.Errorf("%s: auth: want a (user, password) tuple of strings", fn)
		}
		req.SetBasicAuth(string(user), string(password))
	}
	if bearer != nil && bearer != starlark.None {
		token, ok := bearer.(starlark.String)
		if !ok || token == "" {
			return fmt.Errorf("%s: bearer: got %s, want a non-empty token string", fn, bearer.Type())
		}
		if auth != nil && auth != starlark.None {
			return fmt.Errorf("%s: auth and bearer are alternatives: give at most one", fn)
		}
		req.Header.Set("Authorization", "Bearer "+string(token))
	}
	return nil
}

func (h *Host) requestTimeout(fn string, v starlark.Value) (time.Duration, error) {
	if v == nil || v == starlark.None {
		return h.httpTimeout(), nil
	}
	seconds, ok := starlark.AsFloat(v)
	if !ok || !(seconds > 0) || seconds > 24*3600 {
		return 0, fmt.Errorf("%s: timeout: got %s, want a positive number of seconds up to 86400", fn, v)
	}
	return time.Duration(seconds * float64(time.Second)), nil
}

// redactURL returns u for logs and errors: the password and every query
// value replaced by REDACTED, because both often carry API keys.
func redactURL(u *url.URL) string {
	c := *u
	if c.RawQuery != "" {
		parts := strings.Split(c.RawQuery, "&")
		for i, p := range parts {
			if k, _, found := strings.Cut(p, "="); found {
				parts[i] = k + "=REDACTED"
			}
		}
		c.RawQuery = strings.Join(parts, "&")
	}
	return c.Redacted()
}
