// Command ditstar runs Daml ledger integrations written in Starlark.
//
// Each subcommand lives in its own file and registers itself in commands.
// This file holds only the dispatch and the exit statuses.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFail   = 1 // a check found problems, a test failed, a command failed
	exitUsage  = 2 // unknown subcommand or bad flags
	exitConfig = 9 // invalid configuration, as the Python runtime exited
)

// command is one subcommand.
type command struct {
	summary string
	// run executes the subcommand with the arguments after its name and
	// returns the exit status.
	run func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 2 && args[0] == "help" {
		// "ditstar help run" shows the flags of run, as "ditstar run -h" does.
		if _, ok := commands[args[1]]; ok {
			return dispatch([]string{args[1], "-h"}, stdout, stderr)
		}
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ditstar: unknown command %q; run 'ditstar help' for the list\n", args[0])
		return exitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ditstar COMMAND [ARGS]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'ditstar COMMAND -h' for the flags of one command.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status: 0 success, 1 a check or test found problems or a command failed,")
	fmt.Fprintln(w, "2 usage error, 9 invalid configuration (every problem is listed).")
}
