package builtins

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

// hostileTimeout bounds one script on hostile input. Each script here
// finishes in milliseconds when the input is rejected or bounded.
const hostileTimeout = 5 * time.Second

// runHostile runs src on a fresh thread and returns the error, failing the
// test when the script does not finish within hostileTimeout.
func runHostile(t *testing.T, h *Host, src string, vars starlark.StringDict) error {
	t.Helper()
	globals := scriptGlobals(t, h)
	for k, v := range vars {
		globals[k] = v
	}
	done := make(chan error, 1)
	go func() {
		thread := &starlark.Thread{Name: "hostile"}
		_, err := starlark.ExecFileOptions(scriptOptions, thread, "hostile.star", src, globals)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(hostileTimeout):
		t.Fatalf("script did not finish within %v: %.80s", hostileTimeout, src)
		return nil
	}
}

// TestJSONHugeIntegerRejected checks that JSON integers of more digits than
// Python accepts are rejected before the quadratic decimal conversion.
func TestJSONHugeIntegerRejected(t *testing.T) {
	h, _ := testHost(t)
	digits := starlark.String(strings.Repeat("7", 1<<20))
	for _, src := range []string{
		`json.decode(digits)`,
		`json.loads(digits)`,
		`json.decode("[" + digits + "]")`,
		`json.decode("-" + digits)`,
	} {
		err := runHostile(t, h, src, starlark.StringDict{"digits": digits})
		if err == nil || !strings.Contains(err.Error(), "over the limit of 4300 digits") {
			t.Errorf("%s: error %.200v, want the 4300-digit limit", src, err)
		}
		if err != nil && len(err.Error()) > 500 {
			t.Errorf("%s: error message is %d bytes, want it short", src, len(err.Error()))
		}
	}
	err := runHostile(t, h, `assert.eq(json.decode(digits), int(digits))`, starlark.StringDict{"digits": starlark.String(strings.Repeat("7", 4300))})
	if err != nil {
		t.Errorf("4300 digits: %v", err)
	}
}

func TestDecimalHugeStringRejected(t *testing.T) {
	h, _ := testHost(t)
	for _, text := range []string{strings.Repeat("7", 1<<20), "0." + strings.Repeat("7", 1<<20)} {
		for _, src := range []string{`Decimal(text)`, `json.loads("[" + text + "]", parse_float=Decimal)`} {
			err := runHostile(t, h, src, starlark.StringDict{"text": starlark.String(text)})
			if err == nil || !strings.Contains(err.Error(), "over the limit of 4300 digits") {
				t.Errorf("%s of %d bytes: error %.200v, want the 4300-digit limit", src, len(text), err)
			}
			if err != nil && len(err.Error()) > 500 {
				t.Errorf("%s: error message is %d bytes, want it short", src, len(err.Error()))
			}
		}
	}
}

// TestHostileScriptInputs feeds scripts the kind of data a webhook body
// carries. Each must finish quickly, with an error where the input is
// invalid and never with a panic.
func TestHostileScriptInputs(t *testing.T) {
	h, _ := testHost(t)
	cases := []struct {
		name, src string
		wantErr   bool
	}{
		{"json nested 1000 deep", `json.decode("[" * 1000 + "]" * 1000)`, true},
		{"json object nested 1000 deep", `json.decode('{"a":' * 1000 + "1" + "}" * 1000)`, true},
		{"json huge exponent", `json.decode("1e" + "9" * 100000)`, true},
		{"json many keys", `json.decode("{" + ",".join(['"k%d":1' % i for i in range(50000)]) + "}")`, false},
		{"json repeated key", `json.decode("{" + ",".join(['"k":1'] * 50000) + "}")`, false},
		{"json lone surrogate", `json.decode('"\\ud800"')`, false},
		{"json invalid utf-8", `json.decode(b"\"\xff\xfe\"")`, false},
		{"json unterminated", `json.decode('{"a": [1, 2')`, true},
		{"base64 garbage", `base64.b64decode("!!!!" * 1000)`, true},
		{"base64 huge", `base64.b64encode("a" * 8000000)`, false},
		{"sha256 huge", `hashlib.sha256("a" * 8000000).hexdigest()`, false},
		{"hmac huge", `hmac.new("k" * 100000, "m" * 8000000, "sha256").hexdigest()`, false},
		{"format huge width", `"{:>999999999}".format(1)`, true},
		{"percent huge width", `"%999999999s" % "a"`, true},
		{"fromisoformat garbage", `dt.fromisoformat("2024-13-45T99:99:99" + "9" * 100000)`, true},
		{"fromisoformat offset", `dt.fromisoformat("2024-01-01T00:00:00+99:99")`, true},
		{"strptime garbage", `dt.strptime("x" * 100000, "%Y-%m-%d")`, true},
		{"strptime year overflow", `dt.strptime("99999999999999999999", "%Y")`, true},
		{"date feb 30", `date(2024, 2, 30)`, true},
		{"datetime past max", `dt(9999, 12, 31, 23, 59, 59) + timedelta(seconds=1)`, true},
		{"timedelta overflow", `timedelta(days=999999999) * 1000`, true},
		{"fromtimestamp nan", `dt.fromtimestamp(float("nan"))`, true},
		{"fromtimestamp huge", `dt.fromtimestamp(1e300)`, true},
		{"decimal nan", `Decimal("NaN")`, true},
		{"decimal exponent", `Decimal("1e999999999")`, true},
		{"uuid garbage", `uuid.UUID("z" * 100000)`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := runHostile(t, h, tc.src, nil)
			if tc.wantErr && err == nil {
				t.Errorf("%s: no error", tc.src)
			}
			if !tc.wantErr && err != nil {
				t.Errorf("%s: %.300v", tc.src, err)
			}
			if err != nil && len(err.Error()) > 2000 {
				t.Errorf("%s: error message is %d bytes, want it short", tc.src, len(err.Error()))
			}
		})
	}
}

// TestHTTPEndlessAndSlowResponses points http.get at local servers that
// never stop sending, send too slowly or send too many headers. Each must
// end in an error within the limits.
func TestHTTPEndlessAndSlowResponses(t *testing.T) {
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 32<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(endless.Close)
	trickle := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		for r.Context().Err() == nil {
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond)
		}
	}))
	t.Cleanup(trickle.Close)
	hugeHeader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range 2000 {
			w.Header().Add(fmt.Sprintf("X-Pad-%d", i), strings.Repeat("h", 8000))
		}
	}))
	t.Cleanup(hugeHeader.Close)
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	if _, err := zw.Write(make([]byte, 64<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	gzipBomb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bomb.Bytes())
	}))
	t.Cleanup(gzipBomb.Close)
	redirectLoop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
	}))
	t.Cleanup(redirectLoop.Close)

	h, _ := httpHost(t)
	h.HTTPMaxResponseBytes = 1 << 20
	cases := map[string]struct{ src, want string }{
		"endless body":  {`http.get(url, timeout=3)`, "exceeds the limit"},
		"trickle body":  {`http.get(url, timeout=0.5)`, "timed out"},
		"huge headers":  {`http.get(url, timeout=3)`, "failed"},
		"gzip bomb":     {`http.get(url, timeout=3)`, "exceeds the limit"},
		"redirect loop": {`http.get(url, timeout=3)`, "redirects"},
		"crlf header":   {`http.get(url, headers={"X-A": "b\r\nX-Injected: c"}, timeout=3)`, "header"},
		"bad scheme":    {`http.get("file:///etc/passwd")`, "url"},
		"missing host":  {`http.get("http://")`, ""},
		"control chars": {`http.get(url + "/\x00")`, ""},
	}
	urls := map[string]string{"endless body": endless.URL, "trickle body": trickle.URL, "huge headers": hugeHeader.URL,
		"gzip bomb": gzipBomb.URL, "redirect loop": redirectLoop.URL}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			url := urls[name]
			if url == "" {
				url = endless.URL
			}
			start := time.Now()
			err := runHostile(t, h, tc.src, starlark.StringDict{"url": starlark.String(url)})
			if err == nil {
				t.Fatalf("%s: no error", tc.src)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %.300v, want it to contain %q", tc.src, err, tc.want)
			}
			if elapsed := time.Since(start); elapsed > 4*time.Second {
				t.Errorf("%s: took %v", tc.src, elapsed)
			}
		})
	}
}

// TestFormManyFieldsLinear reads a form of 9999 fields, just under the
// limit of net/url, by every key and asks its length once per field. Each
// lookup must not scan all fields: that took 15 s for the len() loop.
func TestFormManyFieldsLinear(t *testing.T) {
	parts := make([]string, 9999)
	for i := range parts {
		parts[i] = fmt.Sprintf("k%d=%d", i, i)
	}
	d := RequestData{Method: "POST", Body: []byte(strings.Join(parts, "&") + "&k7=again")}
	src := `
f = request.post()
d = {k: f[k] for k in f}
assert_eq(len(d), 9999)
assert_eq(d["k9998"], "9998")
assert_eq(f.getall("k7"), ["7", "again"])
lengths = [len(f) for i in range(9999)]
assert_eq(lengths[-1], 9999)
`
	done := make(chan error, 1)
	go func() { done <- execRequest(t, d, src) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(hostileTimeout):
		t.Fatalf("reading a 9999-field form did not finish within %v", hostileTimeout)
	}
}

// TestIntHugeStringRejected checks int() of long digit strings, which Python
// 3.11 and later reject over 4300 digits in bases that are not powers of
// two, because the conversion is quadratic. A 1 MB string took 2 s.
func TestIntHugeStringRejected(t *testing.T) {
	h, _ := testHost(t)
	huge := starlark.String(strings.Repeat("7", 1<<20))
	for _, src := range []string{`int(text)`, `int(text, 10)`, `int(text, base=7)`, `int("-" + text, 0)`, `int(" " + text + " ")`} {
		err := runHostile(t, h, src, starlark.StringDict{"text": huge})
		if err == nil || !strings.Contains(err.Error(), "over the limit of 4300 digits") {
			t.Errorf("%s: error %.200v, want the 4300-digit limit", src, err)
		}
	}
	ok := []string{
		`assert.eq(int("7" * 4300) % 10, 7)`,
		`assert.eq(int("f" * 100000, 16) % 16, 15)`,
		`assert.eq(int("0x" + "f" * 100000, 0) % 16, 15)`,
		`assert.eq(int(Decimal("12.7")), 12)`,
		`assert.eq(int("12"), 12)`,
		`assert.eq(int(3.9), 3)`,
	}
	for _, src := range ok {
		if err := runHostile(t, h, src, nil); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
}
