package ditest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/ditstar/ditstar/internal/clock"
)

func TestRenderRecordKinds(t *testing.T) {
	text := func(s string) *v2.Value { return &v2.Value{Sum: &v2.Value_Text{Text: s}} }
	record := &v2.Record{Fields: []*v2.RecordField{
		{Label: "unit", Value: &v2.Value{Sum: &v2.Value_Unit{Unit: &emptypb.Empty{}}}},
		{Label: "flag", Value: &v2.Value{Sum: &v2.Value_Bool{Bool: true}}},
		{Label: "n", Value: &v2.Value{Sum: &v2.Value_Int64{Int64: -7}}},
		{Label: "amount", Value: &v2.Value{Sum: &v2.Value_Numeric{Numeric: "1.50"}}},
		{Label: "owner", Value: &v2.Value{Sum: &v2.Value_Party{Party: "alice::1220"}}},
		{Label: "day", Value: &v2.Value{Sum: &v2.Value_Date{Date: 1}}},
		{Label: "at", Value: &v2.Value{Sum: &v2.Value_Timestamp{Timestamp: 1_500_000}}},
		{Label: "none", Value: &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{}}}},
		{Label: "some", Value: &v2.Value{Sum: &v2.Value_Optional{Optional: &v2.Optional{Value: text("x")}}}},
		{Label: "list", Value: &v2.Value{Sum: &v2.Value_List{List: &v2.List{Elements: []*v2.Value{text("a"), text("b")}}}}},
		{Label: "map", Value: &v2.Value{Sum: &v2.Value_TextMap{TextMap: &v2.TextMap{Entries: []*v2.TextMap_Entry{{Key: "k", Value: text("v")}}}}}},
		{Label: "gen", Value: &v2.Value{Sum: &v2.Value_GenMap{GenMap: &v2.GenMap{Entries: []*v2.GenMap_Entry{{Key: text("k"), Value: text("v")}}}}}},
		{Label: "variant", Value: &v2.Value{Sum: &v2.Value_Variant{Variant: &v2.Variant{Constructor: "Some", Value: text("y")}}}},
		{Label: "enum", Value: &v2.Value{Sum: &v2.Value_Enum{Enum: &v2.Enum{Constructor: "Red"}}}},
		{Value: &v2.Value{Sum: &v2.Value_Record{Record: &v2.Record{Fields: []*v2.RecordField{{Value: text("quote\"d")}}}}}},
	}}
	want := `{"unit":{},"flag":true,"n":-7,"amount":"1.50","owner":"alice::1220",` +
		`"day":"1970-01-02","at":"1970-01-01T00:00:01.5Z","none":null,"some":"x",` +
		`"list":["a","b"],"map":{"k":"v"},"gen":[["k","v"]],"variant":{"Some":"y"},` +
		`"enum":"Red","_15":{"_1":"quote\"d"}}`
	if got := renderRecord(record); got != want {
		t.Errorf("renderRecord =\n%s\nwant\n%s", got, want)
	}
}

func TestURLMatches(t *testing.T) {
	tests := []struct {
		pattern, url string
		want         bool
	}{
		{"https://a.example/x", "https://a.example/x", true},
		{"https://a.example/x", "https://a.example/x?q=1", true},
		{"https://a.example/x?q=1", "https://a.example/x?q=1", true},
		{"https://a.example/x?q=1", "https://a.example/x?q=2", false},
		{"https://a.example/x", "https://a.example/xy", false},
		{"https://a.example/*", "https://a.example/deep/path?q=1", true},
		{"https://a.example/*", "https://b.example/", false},
	}
	for _, tt := range tests {
		if got := urlMatches(tt.pattern, tt.url); got != tt.want {
			t.Errorf("urlMatches(%q, %q) = %v, want %v", tt.pattern, tt.url, got, tt.want)
		}
	}
}

func TestOutboundCannedResponses(t *testing.T) {
	o := &outbound{}
	o.declare(&cannedResponse{method: "GET", url: "https://a.example/*", status: 200, body: []byte("first")})
	o.declare(&cannedResponse{method: "GET", url: "https://a.example/x", status: 201, body: []byte("exact")})
	o.declare(&cannedResponse{method: "GET", url: "https://a.example/*", status: 202, body: []byte("replaced")})
	c := &http.Client{Transport: o}

	get := func(url string) (int, string) {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("https://a.example/x"); code != 201 || body != "exact" {
		t.Errorf("GET /x = %d %q, want 201 exact", code, body)
	}
	if code, body := get("https://a.example/y"); code != 202 || body != "replaced" {
		t.Errorf("GET /y = %d %q, want the replaced prefix response", code, body)
	}

	_, err := c.Post("https://b.example/z", "text/plain", strings.NewReader("payload"))
	if err == nil || !strings.Contains(err.Error(), "mock POST https://b.example/z") {
		t.Errorf("POST without a canned response: err = %v, want the mock line to add", err)
	}
	sent := o.requests(0)
	if len(sent) != 3 {
		t.Fatalf("recorded %d requests, want 3", len(sent))
	}
	want := "POST https://b.example/z\nContent-Type: text/plain\n\npayload\n"
	if got := sent[2].dump(); got != want {
		t.Errorf("dump = %q, want %q", got, want)
	}
	if got := len(o.requests(2)); got != 1 {
		t.Errorf("requests(2) returned %d, want 1", got)
	}
}

func TestSimClockTracksTimers(t *testing.T) {
	c := newSimClock(clock.NewVirtual(testStart))
	first := c.NewTimer(30 * time.Second)
	second := c.NewTimer(10 * time.Second)
	c.NewTimer(0) // fires at once and is never pending
	if got := c.armed(); got != 2 {
		t.Fatalf("armed = %d, want 2", got)
	}
	next, ok := c.next()
	if !ok || !next.Equal(testStart.Add(10*time.Second)) {
		t.Fatalf("next = %v, %v; want start+10s", next, ok)
	}

	c.set(next)
	select {
	case <-second.C():
	default:
		t.Fatal("the 10s timer did not fire at its deadline")
	}
	if got := c.armed(); got != 1 {
		t.Errorf("armed after the first deadline = %d, want 1", got)
	}
	if !first.Stop() {
		t.Error("Stop of a pending timer returned false")
	}
	if got := c.armed(); got != 0 {
		t.Errorf("armed after Stop = %d, want 0", got)
	}
	if _, ok := c.next(); ok {
		t.Error("next reports a deadline with no timer pending")
	}
}

func TestDiffLines(t *testing.T) {
	got := diffLines("a\nb\nc", "a\nx\nc\nd")
	want := "  a\n- b\n+ x\n  c\n+ d"
	if got != want {
		t.Errorf("diffLines =\n%s\nwant\n%s", got, want)
	}
	if got := diffLines("", "a"); got != "+ a" {
		t.Errorf("diffLines from empty = %q, want %q", got, "+ a")
	}
}

func TestItemCheck(t *testing.T) {
	items := []string{"create A 1", "create B 2", "exercise A X"}
	identity := func(s string) string { return s }
	tests := []struct {
		pattern string
		count   int
		negate  bool
		pass    bool
	}{
		{"create", -1, false, true},
		{"create", 2, false, true},
		{"create", 3, false, false},
		{"create", 3, true, true},
		{"archive", -1, false, false},
		{"archive", -1, true, true},
		{"create", -1, true, false},
		{"", 3, false, true},
	}
	for _, tt := range tests {
		c := itemCheck{itemName: "command", count: tt.count, render: identity}
		if tt.pattern != "" {
			re, err := compile(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			c.re = re
		}
		err := c.run(items, tt.negate)
		if (err == nil) != tt.pass {
			t.Errorf("pattern %q count %d negate %v: err = %v, want pass %v", tt.pattern, tt.count, tt.negate, err, tt.pass)
		}
	}
}
