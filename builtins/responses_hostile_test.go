package builtins

import (
	"strings"
	"testing"
)

// Response headers that would break the HTTP response are rejected when
// the response is built, so the handler fails with a clear error instead
// of the client reading a truncated or malformed reply.
func TestResponseHeadersBreakingFraming(t *testing.T) {
	h, _ := testHost(t)
	tests := []struct{ src, want string }{
		{`json_response({}, headers={"Content-Length": "5"})`, `json_response: headers: Content-Length is set by the server from the body; remove it`},
		{`json_response({}, headers={"transfer-encoding": "chunked"})`, `json_response: headers: Transfer-Encoding is set by the server from the body; remove it`},
		{`json_response({}, headers={"X-A": "b\r\nInjected: 1"})`, `json_response: headers: X-A: invalid value "b\r\nInjected: 1": a header value cannot contain CR, LF or NUL`},
		{`json_response({}, headers={"Bad Name": "v"})`, `json_response: headers: invalid header name "Bad Name"`},
		{`json_response({}, headers={"": "v"})`, `json_response: headers: invalid header name ""`},
	}
	for _, tt := range tests {
		err := runHostile(t, h, "r = "+tt.src+"\n", nil)
		if err == nil {
			t.Errorf("%s: succeeded, want an error containing %q", tt.src, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %q, want it to contain %q", tt.src, err, tt.want)
		}
	}
	if err := runHostile(t, h, `r = json_response({}, headers={"X-Trace": "a b", "Cache-Control": "no-store"})`+"\n", nil); err != nil {
		t.Errorf("valid headers: %v", err)
	}
}
