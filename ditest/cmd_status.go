package ditest

import (
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ditstar/ditstar/integration"
)

// maxTimerSteps bounds the timer deadlines one advance line steps through,
// so that a zero-length interval cannot loop forever.
const maxTimerSteps = 100000

// cmdAdvance implements `advance DURATION`. It moves the virtual clock
// forward, stopping at each timer deadline on the way and waiting until the
// integration is idle there, as a real clock would.
func cmdAdvance(tc *testCase, _ bool, args []string) error {
	if err := wantArgs(args, 1, 1, "advance DURATION"); err != nil {
		return err
	}
	d, err := time.ParseDuration(args[0])
	if err != nil || d < 0 {
		return usagef("invalid duration %q: want a positive Go duration such as 30s, 5m or 1h30m", args[0])
	}
	target := tc.clock.Now().Add(d)
	for steps := 0; ; steps++ {
		next, ok := tc.clock.next()
		if !ok || next.After(target) {
			break
		}
		if steps >= maxTimerSteps {
			return failf("stopped after %d timer deadlines before reaching %s", maxTimerSteps, target.Format(time.RFC3339))
		}
		tc.clock.set(next)
		if tc.rt != nil && !tc.runDone {
			if err := tc.waitIdle(); err != nil {
				return err
			}
		}
	}
	tc.clock.set(target)
	return nil
}

// statusLines renders the status document, one line per fact:
//
//	running true
//	error MESSAGE                       (when the runtime has failed)
//	webhook "LABEL" use=N commands=N errors=N [error="MESSAGE"]
//	ledger|timer|queue "LABEL" ...
//	event_queue size=N total=N pending=N skipped=N
//	log_level N
func (tc *testCase) statusLines() []string {
	s := tc.rt.Status()
	lines := []string{"running " + strconv.FormatBool(s.Running)}
	if s.ErrorMessage != nil {
		lines = append(lines, "error "+*s.ErrorMessage)
	}
	for _, kind := range handlerKinds(s) {
		for _, h := range kind.list {
			line := fmt.Sprintf("%s %q use=%d commands=%d errors=%d", kind.name, h.Label, h.UseCount, h.CommandCount, h.ErrorCount)
			if h.ErrorMessage != nil {
				line += fmt.Sprintf(" error=%q", *h.ErrorMessage)
			}
			lines = append(lines, line)
		}
	}
	q := s.EventQueue
	lines = append(lines,
		fmt.Sprintf("event_queue size=%d total=%d pending=%d skipped=%d", q.QueueSize, q.TotalEvents, q.PendingEvents, q.SkippedEvents),
		fmt.Sprintf("log_level %d", s.LogLevel))
	return lines
}

type handlerKind struct {
	name string
	list []integration.HandlerStatus
}

func handlerKinds(s integration.Status) []handlerKind {
	return []handlerKind{
		{"webhook", s.Webhooks},
		{"ledger", s.LedgerEvents},
		{"timer", s.Timers},
		{"queue", s.Queues},
	}
}

// cmdStatus implements `status [-count N] [REGEXP]`: a line of the
// rendered status document matches.
func cmdStatus(tc *testCase, negate bool, args []string) error {
	var count int
	rest, err := flags("status", args, func(fs *flag.FlagSet) { fs.IntVar(&count, "count", -1, "expected number of matching lines") })
	if err != nil {
		return err
	}
	if err := tc.requireRuntime("status"); err != nil {
		return err
	}
	check, err := tc.parseItemArgs("status line", count, rest)
	if err != nil {
		return err
	}
	return check.run(tc.statusLines(), negate)
}

// cmdCount implements `count [-kind KIND] LABEL COUNTER N`: one counter
// of the handler labelled LABEL, where COUNTER is use, commands or errors.
func cmdCount(tc *testCase, negate bool, args []string) error {
	var kind string
	rest, err := flags("count", args, func(fs *flag.FlagSet) {
		fs.StringVar(&kind, "kind", "", "webhook, ledger, timer or queue, when labels repeat")
	})
	if err != nil {
		return err
	}
	if err := wantArgs(rest, 3, 3, "count [-kind KIND] LABEL use|commands|errors N"); err != nil {
		return err
	}
	if err := tc.requireRuntime("count"); err != nil {
		return err
	}

	label, counter := rest[0], rest[1]
	want, err := strconv.ParseInt(rest[2], 10, 64)
	if err != nil {
		return usagef("invalid count %q: want a whole number", rest[2])
	}

	var found []integration.HandlerStatus
	var labels []string
	for _, k := range handlerKinds(tc.rt.Status()) {
		if kind != "" && k.name != kind {
			continue
		}
		for _, h := range k.list {
			labels = append(labels, strconv.Quote(h.Label))
			if h.Label == label {
				found = append(found, h)
			}
		}
	}
	switch {
	case kind != "" && kind != "webhook" && kind != "ledger" && kind != "timer" && kind != "queue":
		return usagef("invalid -kind %q: want webhook, ledger, timer or queue", kind)
	case len(found) == 0:
		return usagef("no handler labelled %q; labels: %s", label, strings.Join(labels, ", "))
	case len(found) > 1:
		return usagef("%d handlers are labelled %q; add -kind", len(found), label)
	}

	var got int64
	switch counter {
	case "use":
		got = found[0].UseCount
	case "commands":
		got = found[0].CommandCount
	case "errors":
		got = found[0].ErrorCount
	default:
		return usagef("invalid counter %q: want use, commands or errors", counter)
	}
	switch {
	case !negate && got != want:
		return failf("expected %s of %q %d, got %d", counter, label, want, got)
	case negate && got == want:
		return failf("expected %s of %q other than %d, got %d", counter, label, want, got)
	}
	return nil
}

// logQuery is the result of reading the captured log for log and cmp log.
type logQuery struct {
	lines []string
	count int
	rest  []string
}

// queryLog reads `[-all] [-count N] [-level LEVEL] ...` and returns the
// log lines at LEVEL or above: those since the last action, or since the
// start with -all.
func (tc *testCase) queryLog(name string, args []string) (*logQuery, error) {
	var all bool
	var levelName string
	q := &logQuery{}
	rest, err := flags(name, args, func(fs *flag.FlagSet) {
		fs.BoolVar(&all, "all", false, "since the start instead of since the last action")
		fs.IntVar(&q.count, "count", -1, "expected number of matching lines")
		fs.StringVar(&levelName, "level", "", "lowest level: debug, info, warn or error")
	})
	if err != nil {
		return nil, err
	}
	minLevel := slog.LevelDebug
	if levelName != "" {
		if err := minLevel.UnmarshalText([]byte(levelName)); err != nil {
			return nil, usagef("invalid -level %q: want debug, info, warn or error", levelName)
		}
	}
	from := tc.mark.logs
	if all {
		from = 0
	}
	for _, r := range tc.logs.since(from) {
		if r.level >= minLevel {
			q.lines = append(q.lines, r.text)
		}
	}
	q.rest = rest
	return q, nil
}

// cmdLog implements `log [-all] [-count N] [-level LEVEL] REGEXP`.
func cmdLog(tc *testCase, negate bool, args []string) error {
	q, err := tc.queryLog("log", args)
	if err != nil {
		return err
	}
	if len(q.rest) != 1 {
		return usagef("got %d arguments after the flags, want 1: usage: log [-all] [-count N] [-level LEVEL] REGEXP", len(q.rest))
	}
	check, err := tc.parseItemArgs("log line", q.count, q.rest)
	if err != nil {
		return err
	}
	return check.run(q.lines, negate)
}
