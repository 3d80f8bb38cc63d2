package ditest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// logRecord is one captured log line.
type logRecord struct {
	level slog.Level
	text  string // "LEVEL message key=value ...", without the time
}

// logBook stores every record of one test's components in order.
type logBook struct {
	mu      sync.Mutex
	records []logRecord
	// echo, when set, receives each line as it is logged (ditstar test -v).
	echo io.Writer
}

func (b *logBook) add(r logRecord) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.records = append(b.records, r)
	if b.echo != nil {
		fmt.Fprintf(b.echo, "    log: %s\n", r.text)
	}
}

// since returns the records from index from on.
func (b *logBook) since(from int) []logRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	if from > len(b.records) {
		from = len(b.records)
	}
	return append([]logRecord(nil), b.records[from:]...)
}

func (b *logBook) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.records)
}

// captureHandler is a slog.Handler that writes into a logBook. Records
// below level are dropped, so `log` checks what the runtime's log level
// lets through.
type captureHandler struct {
	book   *logBook
	level  slog.Leveler
	prefix string // the rendered attributes of WithAttrs
	group  string
}

func newCaptureHandler(book *logBook, level slog.Leveler) *captureHandler {
	return &captureHandler{book: book, level: level}
}

func (h *captureHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

func (h *captureHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String())
	b.WriteByte(' ')
	b.WriteString(r.Message)
	b.WriteString(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, h.group, a)
		return true
	})
	h.book.add(logRecord{level: r.Level, text: b.String()})
	return nil
}

func (h *captureHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var b strings.Builder
	for _, a := range attrs {
		writeAttr(&b, h.group, a)
	}
	c := *h
	c.prefix += b.String()
	return &c
}

func (h *captureHandler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}

// writeAttr writes " key=value" in the style of slog's text handler:
// values with spaces or quotes are quoted.
func writeAttr(b *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	key := a.Key
	if group != "" {
		key = group + "." + key
	}
	if a.Value.Kind() == slog.KindGroup {
		for _, inner := range a.Value.Group() {
			writeAttr(b, key, inner)
		}
		return
	}
	var text string
	switch a.Value.Kind() {
	case slog.KindTime:
		text = a.Value.Time().UTC().Format(time.RFC3339Nano)
	default:
		text = a.Value.String()
	}
	if text == "" || strings.ContainsAny(text, " \t\n\"=") {
		text = fmt.Sprintf("%q", text)
	}
	b.WriteByte(' ')
	b.WriteString(key)
	b.WriteByte('=')
	b.WriteString(text)
}
