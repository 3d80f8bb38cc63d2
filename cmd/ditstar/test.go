package main

import (
	"fmt"
	"io"
	"regexp"

	"github.com/ditstar/ditstar/ditest"
)

func init() {
	commands["test"] = command{
		summary: "run integration tests written as txtar files",
		run:     runTest,
	}
}

func runTest(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("test", "test [-u] [-run REGEXP] [-v] [FILE.txtar | DIR]...", stderr)
	update := fs.Bool("u", false, "rewrite the expected-output sections that cmp lines compare with, instead of failing")
	run := fs.String("run", "", "run only the tests whose name (file name without .txtar) matches this regular `expression`")
	verbose := fs.Bool("v", false, "print every command, log line and passing test")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	opts := ditest.Options{Update: *update, Verbose: *verbose, Stdout: stdout}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			fmt.Fprintf(stderr, "ditstar test: invalid -run expression %q: %v\n", *run, err)
			return exitUsage
		}
		opts.Run = re
	}
	report, err := ditest.Run(paths, opts)
	if err != nil {
		fmt.Fprintf(stderr, "ditstar test: %v\n", err)
		return exitConfig
	}
	fmt.Fprintln(stdout, report.Summary())
	return report.ExitCode()
}
