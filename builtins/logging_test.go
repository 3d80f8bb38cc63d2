package builtins

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// logRecords runs src on a thread whose ThreadLogger writes JSON at the
// given level, and returns the records.
func logRecords(t *testing.T, level slog.Level, src string) []map[string]any {
	t.Helper()
	h, _ := testHost(t)
	buf := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: level})).
		With("integration", "int-1", "handler", "on_created")
	thread := &starlark.Thread{Name: "log"}
	thread.SetLocal(ThreadLogger, logger)
	if _, err := starlark.ExecFileOptions(scriptOptions, thread, "log.star", src, scriptGlobals(t, h)); err != nil {
		t.Fatal(err)
	}
	var records []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		records = append(records, rec)
	}
	return records
}

func TestLoggerPercentFormatting(t *testing.T) {
	recs := logRecords(t, slog.LevelDebug, `
LOG = getIntegrationLogger()
LOG.debug("plain %s with no args")
LOG.info("cid=%s n=%d r=%r f=%.2f", "00ab", 3, "x", 2.5)
LOG.warning("%(name)s is %(age)d", {"name": "Alice", "age": 30})
LOG.warn("warn alias")
LOG.error("single %r", ["a"])
LOG.critical("critical")
LOG.info(42)
`)
	want := []struct{ level, msg string }{
		{"DEBUG", "plain %s with no args"},
		{"INFO", `cid=00ab n=3 r="x" f=2.50`},
		{"WARN", "Alice is 30"},
		{"WARN", "warn alias"},
		{"ERROR", `single ["a"]`},
		{"ERROR+4", "critical"},
		{"INFO", "42"},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d: %v", len(recs), len(want), recs)
	}
	for i, w := range want {
		if recs[i]["level"] != w.level || recs[i]["msg"] != w.msg {
			t.Errorf("record %d: level %v msg %q, want %s %q", i, recs[i]["level"], recs[i]["msg"], w.level, w.msg)
		}
		if recs[i]["integration"] != "int-1" || recs[i]["handler"] != "on_created" {
			t.Errorf("record %d: attributes %v, want the thread logger's", i, recs[i])
		}
	}
}

func TestLoggerLevelFilter(t *testing.T) {
	recs := logRecords(t, slog.LevelInfo, `
LOG = getIntegrationLogger()
LOG.debug("hidden %s", "x")
LOG.info("shown")
assert.eq(LOG.isEnabledFor(10), False)
assert.eq(LOG.isEnabledFor(20), True)
`)
	if len(recs) != 1 || recs[0]["msg"] != "shown" {
		t.Errorf("records %v, want only the info record", recs)
	}
}

func TestLoggerFormatErrorDoesNotFail(t *testing.T) {
	recs := logRecords(t, slog.LevelDebug, `getIntegrationLogger().info("%d items", "many")`)
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1", len(recs))
	}
	if recs[0]["msg"] != "%d items" {
		t.Errorf("msg %q, want the raw message", recs[0]["msg"])
	}
	if fe, _ := recs[0]["format_error"].(string); !strings.Contains(fe, "%d format: got string, want a number") {
		t.Errorf("format_error %q", fe)
	}
}

func TestLoggerException(t *testing.T) {
	recs := logRecords(t, slog.LevelDebug, `
def handler():
    getIntegrationLogger().exception("failed: %s", "boom")
handler()
`)
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1", len(recs))
	}
	if recs[0]["level"] != "ERROR" || recs[0]["msg"] != "failed: boom" {
		t.Errorf("record %v", recs[0])
	}
	if stack, _ := recs[0]["stack"].(string); !strings.Contains(stack, "in handler") {
		t.Errorf("stack %q, want the Starlark call stack", stack)
	}
}

func TestLoggerArgumentErrors(t *testing.T) {
	h, _ := testHost(t)
	for src, want := range map[string]string{
		`getIntegrationLogger().info()`:                 "info: missing argument for msg",
		`getIntegrationLogger().info("x", color="red")`: "info: unexpected keyword argument",
		`getIntegrationLogger("name")`:                  "getIntegrationLogger: got 1 arguments, want at most 0",
	} {
		_, err := eval(t, h, src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
}

func TestLoggerFallsBackToHostLogger(t *testing.T) {
	h, _ := testHost(t)
	buf := &syncBuffer{}
	h.Logger = slog.New(slog.NewJSONHandler(buf, nil))
	if _, err := eval(t, h, `getIntegrationLogger().info("from %s", "root")`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"msg":"from root"`) {
		t.Errorf("root log %q", buf)
	}
}
