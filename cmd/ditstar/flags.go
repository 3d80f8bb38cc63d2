package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// newFlagSet returns a flag set that writes its usage and errors to stderr.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: ditstar %s\n", usage)
		if hasFlags(fs) {
			fmt.Fprintln(stderr, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("pack DIR -o x.dit" and "pack -o x.dit DIR") and
// returns the positional ones. flag.Parse stops at the first positional
// argument, so each round takes that one and parses on.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseStatus maps a flag parsing error to an exit status: help is not an
// error.
func parseStatus(err error) int {
	if err == flag.ErrHelp {
		return exitOK
	}
	return exitUsage
}

// getenv returns an environment variable, treating an empty value as unset
// as the Python runtime did.
func getenv(name string) (string, bool) {
	v := os.Getenv(name)
	return v, v != ""
}
