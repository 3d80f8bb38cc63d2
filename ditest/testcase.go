package ditest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rogpeppe/go-internal/txtar"
	"google.golang.org/grpc"

	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/httpd"
	"github.com/ditstar/ditstar/integration"
	"github.com/ditstar/ditstar/internal/clock"
	"github.com/ditstar/ditstar/internal/fsutil"
	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

// testWorkflowID marks the transactions that the script's own create,
// exercise and archive lines submit, so that `submitted` leaves them out.
const testWorkflowID = "ditstar-test"

// testCase is the state of one running test.
type testCase struct {
	opts    Options
	file    string
	dir     string // the directory of the .txtar file
	archive *txtar.Archive
	work    string // a temporary directory holding the archive's files
	ctx     context.Context

	vars map[string]string
	// names maps a party id or contract id to the variable bound to it, for
	// rendering output.
	names map[string]string

	clock  *simClock
	logs   *logBook
	level  *slog.LevelVar
	logger *slog.Logger
	// quietLogger keeps only warnings and errors.
	quietLogger *slog.Logger
	http        *outbound
	key         *tokenKey

	ledger   *sandbox.Ledger
	address  string
	conn     *grpc.ClientConn // admin connection for reads
	catalog  *lf.Catalog
	clients  map[string]*client.Client
	contract map[string]lf.TemplateID // contract id to template

	pkgPath    string // set by a package line
	pkg        *dit.Package
	defaultPkg string // main package id of the integration's model

	rt         *integration.Runtime
	party      string
	instanceID string
	registry   *prometheus.Registry
	server     *httpd.Server
	baseURL    string
	stopRun    context.CancelFunc
	runErr     chan error
	runDone    bool

	// mark is where the observations of the last action begin.
	mark struct {
		offset int64
		logs   int
		sent   int
	}
	response *lastResponse

	updated map[string][]byte // sections rewritten by -u
}

// lastResponse is the reply to the last webhook or http line.
type lastResponse struct {
	code   int
	header http.Header
	body   []byte
}

// maxTestFileSize caps a test file, which holds a script and the files it
// loads (configuration, request bodies, expected output).
const maxTestFileSize = 64 << 20

// runFile runs one test file and returns its result.
func runFile(file, name string, opts Options) (res Result) {
	start := time.Now()
	res = Result{File: file, Name: name}
	defer func() { res.Duration = time.Since(start) }()

	data, err := fsutil.ReadFile(file, maxTestFileSize)
	if err != nil {
		res.Failure = err.Error()
		res.ConfigError = true
		return res
	}
	archive := txtar.Parse(data)
	if err := checkSectionNames(archive); err != nil {
		res.Failure = fmt.Sprintf("%s: %v", file, err)
		res.ConfigError = true
		return res
	}
	lines, err := parseScript(string(archive.Comment))
	if err != nil {
		var se *scriptError
		errors.As(err, &se)
		res.Failure = fmt.Sprintf("%s:%d: %v", file, se.line, err)
		res.ConfigError = true
		return res
	}

	tc, err := newTestCase(file, archive, opts)
	if err != nil {
		res.Failure = fmt.Sprintf("%s: %v", file, err)
		res.ConfigError = true
		return res
	}
	defer tc.close()

	failed := false
	defer func() {
		// A panic is a bug in the engine or the runtime. Report it as the
		// failure of this test so that the other tests still run.
		if v := recover(); v != nil {
			res.Passed = false
			res.Failure = fmt.Sprintf("%s: internal error: %v\n%s", file, v, debug.Stack())
		}
	}()
	for _, l := range lines {
		if opts.Verbose {
			fmt.Fprintf(opts.Stdout, "    > %s\n", l.text)
		}
		err := tc.runLine(l)
		if err == nil {
			continue
		}
		if errors.Is(err, errSkip) {
			res.Skipped = true
			res.SkipReason = fmt.Sprintf("%s:%d: %v", file, l.number, err)
			return res
		}
		res.Failure = fmt.Sprintf("%s:%d: %s: %v", file, l.number, l.name, err)
		var se *scriptError
		res.ConfigError = errors.As(err, &se)
		failed = true
		break
	}
	if failed && !opts.Verbose {
		res.Failure += tc.logExcerpt()
	}
	if len(tc.updated) > 0 {
		sections, err := tc.writeUpdates()
		res.Updated = sections
		if err != nil && !failed {
			res.Failure = fmt.Sprintf("%s: %v", file, err)
			res.ConfigError = true
			return res
		}
	}
	res.Passed = !failed
	return res
}

// maxLogExcerpt bounds the log lines printed under a failed test.
const maxLogExcerpt = 40

func (tc *testCase) logExcerpt() string {
	records := tc.logs.since(0)
	if len(records) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nlog:")
	if len(records) > maxLogExcerpt {
		fmt.Fprintf(&b, " (last %d of %d lines; -v prints all)", maxLogExcerpt, len(records))
		records = records[len(records)-maxLogExcerpt:]
	}
	for _, r := range records {
		b.WriteString("\n  ")
		b.WriteString(tc.render(r.text))
	}
	return b.String()
}

func newTestCase(file string, archive *txtar.Archive, opts Options) (*testCase, error) {
	work, err := os.MkdirTemp("", "ditstar-test-")
	if err != nil {
		return nil, fmt.Errorf("create the work directory: %w", err)
	}
	tc := &testCase{
		opts:     opts,
		file:     file,
		dir:      filepath.Dir(file),
		archive:  archive,
		work:     work,
		ctx:      context.Background(),
		vars:     map[string]string{},
		names:    map[string]string{},
		logs:     &logBook{},
		level:    new(slog.LevelVar),
		http:     &outbound{},
		catalog:  lf.NewCatalog(),
		clients:  map[string]*client.Client{},
		contract: map[string]lf.TemplateID{},
		updated:  map[string][]byte{},
	}
	if opts.Verbose {
		tc.logs.echo = opts.Stdout
	}
	tc.logger = slog.New(newCaptureHandler(tc.logs, tc.level))
	// The HTTP server's access log and the ledger client's connection lines
	// carry ports and durations, which change from run to run, so only
	// their warnings and errors are kept.
	tc.quietLogger = slog.New(newCaptureHandler(tc.logs, slog.LevelWarn))
	tc.vars["WORK"] = work
	tc.vars["TESTDIR"], _ = filepath.Abs(tc.dir)
	if dars := findDARDir(opts, tc.dir); dars != "" {
		tc.vars["DARS"] = dars
	}

	for _, f := range archive.Files {
		path := filepath.Join(work, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tc.close()
			return nil, err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			tc.close()
			return nil, err
		}
	}
	if tc.key, err = newTokenKey(); err != nil {
		tc.close()
		return nil, err
	}
	if err := tc.startLedger(); err != nil {
		tc.close()
		return nil, err
	}
	return tc, nil
}

// checkSectionNames rejects a section name that is not a relative path
// inside the work directory, where the sections are written, and a name
// that two sections share, because only one of them could be used.
func checkSectionNames(archive *txtar.Archive) error {
	seen := map[string]bool{}
	for _, f := range archive.Files {
		if !filepath.IsLocal(filepath.FromSlash(f.Name)) {
			return fmt.Errorf("section %q: invalid name: write a relative path inside the archive, without ..", f.Name)
		}
		key := filepath.Clean(filepath.FromSlash(f.Name))
		if seen[key] {
			return fmt.Errorf("section %q appears twice: give each section its own name", f.Name)
		}
		seen[key] = true
	}
	return nil
}

// startLedger starts an empty embedded ledger on loopback, on a virtual
// clock, and opens the admin connection.
func (tc *testCase) startLedger() error {
	virtual := clock.NewVirtual(testStart)
	tc.clock = newSimClock(virtual)
	ledger, err := sandbox.New(sandbox.Options{
		Clock:  virtual,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return fmt.Errorf("start the embedded ledger: %w", err)
	}
	tc.ledger = ledger
	addr, err := ledger.Listen("127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the embedded ledger: %w", err)
	}
	tc.address = addr.String()
	conn, err := client.Connect(client.Config{Address: tc.address})
	if err != nil {
		return fmt.Errorf("connect to the embedded ledger: %w", err)
	}
	tc.conn = conn
	return nil
}

// close stops the runtime, the HTTP server and the ledger, and removes the
// work directory.
func (tc *testCase) close() {
	tc.stopRuntime()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range tc.clients {
		_ = c.Close(ctx)
	}
	if tc.conn != nil {
		tc.conn.Close()
	}
	if tc.ledger != nil {
		tc.ledger.Stop()
	}
	os.RemoveAll(tc.work)
}

// stopTimeout bounds the graceful stop of the runtime and the HTTP server.
const stopTimeout = 10 * time.Second

// stopRuntime stops the runtime gracefully and waits for Run to return.
func (tc *testCase) stopRuntime() error {
	var err error
	if tc.rt != nil && !tc.runDone {
		tc.stopRun()
		select {
		case err = <-tc.runErr:
		case <-time.After(stopTimeout):
			err = fmt.Errorf("the integration did not stop within %v", stopTimeout)
		}
		tc.runDone = true
	}
	if tc.stopRun != nil {
		tc.stopRun()
	}
	if tc.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		_ = tc.server.Shutdown(ctx)
		tc.server = nil
	}
	return err
}

// runLine expands the arguments of l and runs its command.
func (tc *testCase) runLine(l line) error {
	cmd, ok := commands[l.name]
	if !ok {
		return usagef("unknown command %q; see docs/testing.md for the list", l.name)
	}
	if l.negate && !cmd.negatable {
		return usagef("%s does not support !", l.name)
	}
	args := make([]string, len(l.args))
	for i, a := range l.args {
		v, err := expand(a, tc.lookup)
		if err != nil {
			return usagef("%v", err)
		}
		args[i] = v
	}
	if cmd.action {
		if err := tc.markAction(); err != nil {
			return err
		}
	}
	err := cmd.run(tc, l.negate, args)
	if cmd.action && tc.rt != nil && !tc.runDone {
		if idleErr := tc.waitIdle(); idleErr != nil && err == nil {
			err = idleErr
		}
	}
	return err
}

// lookup returns the value of a variable of the script, or else of the
// environment, so that a test can name folders that CI sets, such as
// $EXAMPLES.
func (tc *testCase) lookup(name string) (string, bool) {
	if v, ok := tc.vars[name]; ok {
		return v, true
	}
	v := tc.opts.Getenv(name)
	return v, v != ""
}

// markAction records where the effects of the coming action begin.
func (tc *testCase) markAction() error {
	end, err := tc.ledgerEnd()
	if err != nil {
		return err
	}
	tc.mark.offset = end
	tc.mark.logs = tc.logs.len()
	tc.mark.sent = tc.http.count()
	return nil
}

// checkContractName returns an error unless name can be bound to a
// contract id. Commands call it before they change the ledger.
func (tc *testCase) checkContractName(name string) error {
	if !isName(name) {
		return usagef("invalid name %q: use letters, digits and _, starting with a letter", name)
	}
	if reservedVariables[name] {
		return usagef("%s is a variable of the engine; choose another name", name)
	}
	if old, ok := tc.vars[name]; ok && strings.Contains(old, "::") {
		return usagef("%s already names a party; choose another name", name)
	}
	return nil
}

// reservedVariables are set by the engine and cannot be bound.
var reservedVariables = map[string]bool{"PARTY": true, "INSTANCE": true, "DARS": true, "WORK": true, "TESTDIR": true}

// bind sets a variable that names a party or a contract. A contract name
// may be bound again, but a party name may not.
func (tc *testCase) bind(name, value string) error {
	if err := tc.checkContractName(name); err != nil {
		return err
	}
	if old, ok := tc.vars[name]; ok {
		delete(tc.names, old)
	}
	tc.vars[name] = value
	tc.names[value] = name
	return nil
}

// render replaces the party and contract ids in text with the ${name}
// variables bound to them, so that output does not change between runs.
// Contract ids the test has not named become <cid>.
func (tc *testCase) render(text string) string {
	values := make([]string, 0, len(tc.names))
	for value := range tc.names {
		values = append(values, value)
	}
	// Longer ids first, so that an id that contains another is replaced
	// whole.
	sort.Slice(values, func(i, j int) bool {
		if len(values[i]) != len(values[j]) {
			return len(values[i]) > len(values[j])
		}
		return values[i] < values[j]
	})
	for _, value := range values {
		text = strings.ReplaceAll(text, value, "${"+tc.names[value]+"}")
	}
	for cid := range tc.contract {
		if _, named := tc.names[cid]; !named {
			text = strings.ReplaceAll(text, cid, "<cid>")
		}
	}
	return text
}

// section returns the contents of an archive file.
func (tc *testCase) section(name string) ([]byte, bool) {
	if data, ok := tc.updated[name]; ok {
		return data, true
	}
	for _, f := range tc.archive.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

// path resolves a file argument relative to the directory of the .txtar
// file.
func (tc *testCase) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(tc.dir, filepath.FromSlash(p))
}

// writeUpdates writes the sections that -u rewrote back into the file and
// returns their names.
func (tc *testCase) writeUpdates() ([]string, error) {
	var names []string
	for name, data := range tc.updated {
		found := false
		for i := range tc.archive.Files {
			if tc.archive.Files[i].Name == name {
				if string(tc.archive.Files[i].Data) != string(data) {
					tc.archive.Files[i].Data = data
					names = append(names, name)
				}
				found = true
			}
		}
		if !found {
			tc.archive.Files = append(tc.archive.Files, txtar.File{Name: name, Data: data})
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	if err := os.WriteFile(tc.file, txtar.Format(tc.archive), 0o644); err != nil {
		return names, fmt.Errorf("rewrite %s: %w", tc.file, err)
	}
	return names, nil
}
