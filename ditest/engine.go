package ditest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Exit statuses of `ditstar test`.
const (
	ExitPass   = 0
	ExitFail   = 1 // a check failed
	ExitConfig = 9 // a script or its integration is invalid, or no test was found
)

// Options configure a test run.
type Options struct {
	// Update rewrites the expected-output sections that `cmp` lines compare
	// with what the integration produced, instead of failing.
	Update bool
	// Run selects the tests whose name (the file name without .txtar)
	// matches; nil runs all.
	Run *regexp.Regexp
	// Verbose prints every command as it runs, every log line, and a line
	// for each passing test.
	Verbose bool
	// DARDir is the folder that $DARS expands to. Empty means
	// $DITSTAR_DARS, or else ../shared/data/dars beside the repository that
	// contains the test.
	DARDir string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Stdout receives the results. Nil means io.Discard.
	Stdout io.Writer
}

// Result is the outcome of one test file.
type Result struct {
	File     string
	Name     string
	Passed   bool
	Skipped  bool
	Duration time.Duration
	// Failure is the message of a failed test, starting with
	// "file.txtar:LINE: command: ".
	Failure string
	// SkipReason is the message of a skip line.
	SkipReason string
	// ConfigError is set when the test failed because the script or the
	// integration is invalid rather than because a check did not hold.
	ConfigError bool
	// Updated lists the sections that -u rewrote.
	Updated []string
}

// Report is the outcome of a run.
type Report struct {
	Results []Result
}

// ExitCode returns ExitConfig when any test had a configuration error,
// else ExitFail when any test failed, else ExitPass.
func (r *Report) ExitCode() int {
	code := ExitPass
	for _, res := range r.Results {
		switch {
		case res.ConfigError:
			return ExitConfig
		case !res.Passed && !res.Skipped:
			code = ExitFail
		}
	}
	return code
}

// Run runs the tests in paths: .txtar files, and the .txtar files directly
// inside directories, in name order. The error is a configuration error of
// the run itself, such as a path that does not exist or no test found.
func Run(paths []string, opts Options) (*Report, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	// With -v the runtime's goroutines write log lines while the script
	// writes its trace.
	opts.Stdout = &syncWriter{w: opts.Stdout}
	files, err := findTestFiles(paths)
	if err != nil {
		return nil, err
	}
	report := &Report{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		if opts.Run != nil && !opts.Run.MatchString(name) {
			continue
		}
		res := runFile(file, name, opts)
		report.Results = append(report.Results, res)
		printResult(opts, res)
	}
	if len(report.Results) == 0 {
		if opts.Run != nil {
			return nil, fmt.Errorf("no test matches -run %q in %s", opts.Run, strings.Join(paths, ", "))
		}
		return nil, fmt.Errorf("no .txtar test found in %s", strings.Join(paths, ", "))
	}
	return report, nil
}

func findTestFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("test path %s: %w", p, err)
		}
		if !info.IsDir() {
			if !strings.HasSuffix(p, ".txtar") {
				return nil, fmt.Errorf("test path %s: want a .txtar file or a directory", p)
			}
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.txtar"))
		if err != nil {
			return nil, err
		}
		sort.Strings(matches)
		files = append(files, matches...)
	}
	return files, nil
}

func printResult(opts Options, res Result) {
	w := opts.Stdout
	seconds := res.Duration.Seconds()
	switch {
	case res.Skipped:
		if opts.Verbose {
			fmt.Fprintf(w, "--- SKIP: %s (%.2fs)\n    %s\n", res.Name, seconds, res.SkipReason)
		}
	case res.Passed:
		if opts.Verbose {
			fmt.Fprintf(w, "--- PASS: %s (%.2fs)\n", res.Name, seconds)
		}
	default:
		fmt.Fprintf(w, "--- FAIL: %s (%.2fs)\n", res.Name, seconds)
		for _, l := range strings.Split(strings.TrimRight(res.Failure, "\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	for _, section := range res.Updated {
		fmt.Fprintf(w, "    updated %s: section %s\n", res.File, section)
	}
}

// Summary returns the last line `ditstar test` prints.
func (r *Report) Summary() string {
	passed, failed, skipped := 0, 0, 0
	for _, res := range r.Results {
		switch {
		case res.Skipped:
			skipped++
		case res.Passed:
			passed++
		default:
			failed++
		}
	}
	text := fmt.Sprintf("%d passed, %d failed", passed, failed)
	if skipped > 0 {
		text += fmt.Sprintf(", %d skipped", skipped)
	}
	if failed > 0 {
		return "FAIL: " + text
	}
	return "ok: " + text
}

// findDARDir returns what $DARS expands to for a test in dir, or "" when
// no folder is configured and the test is outside a repository.
func findDARDir(opts Options, dir string) string {
	if opts.DARDir != "" {
		return opts.DARDir
	}
	if d := opts.Getenv("DITSTAR_DARS"); d != "" {
		return d
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for d := abs; ; d = filepath.Dir(d) {
		if isRepositoryRoot(d) {
			dars := filepath.Join(filepath.Dir(d), "shared", "data", "dars")
			if _, err := os.Stat(dars); err != nil {
				return ""
			}
			return dars
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func isRepositoryRoot(dir string) bool {
	for _, marker := range []string{"go.mod", ".git"} {
		if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
			return true
		}
	}
	return false
}

// syncWriter serializes writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// errSkip ends a test as skipped; the skip line raises it.
var errSkip = errors.New("skipped")
