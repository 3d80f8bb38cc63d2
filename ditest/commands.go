package ditest

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// command is one script command.
type command struct {
	run func(tc *testCase, negate bool, args []string) error
	// negatable commands accept a leading !.
	negatable bool
	// action commands wait for the integration to become idle afterwards,
	// and start a new set of observations for submitted, sent and log.
	action bool
}

var commands map[string]command

func init() {
	commands = map[string]command{
		// Set-up.
		"package": {run: cmdPackage},
		"dar":     {run: cmdDAR},
		"party":   {run: cmdParty},
		"start":   {run: cmdStart, negatable: true, action: true},
		"stop":    {run: cmdStop},
		"skip":    {run: cmdSkip},
		// The ledger.
		"create":   {run: cmdCreate, negatable: true, action: true},
		"exercise": {run: cmdExercise, negatable: true, action: true},
		"archive":  {run: cmdArchive, negatable: true, action: true},
		"bind":     {run: cmdBind},
		"acs":      {run: cmdACS, negatable: true},
		// Commands the integration submitted.
		"submitted": {run: cmdSubmitted, negatable: true},
		// Time.
		"advance": {run: cmdAdvance, action: true},
		// Inbound HTTP.
		"webhook": {run: cmdWebhook, action: true},
		"http":    {run: cmdHTTP, action: true},
		"code":    {run: cmdCode, negatable: true},
		"body":    {run: cmdBody, negatable: true},
		"header":  {run: cmdHeader, negatable: true},
		// Outbound HTTP.
		"mock": {run: cmdMock},
		"sent": {run: cmdSent, negatable: true},
		// The runtime's status and log.
		"status": {run: cmdStatus, negatable: true},
		"count":  {run: cmdCount, negatable: true},
		"log":    {run: cmdLog, negatable: true},
		// Expected-output sections.
		"cmp": {run: cmdCmp, negatable: true},
	}
}

// flags parses the flags of a command and returns its other arguments.
// Flags may come before or after them; after "--" every word is an
// argument, for one that starts with "-". A bad flag is a script error.
func flags(name string, args []string, define func(fs *flag.FlagSet)) ([]string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	define(fs)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usagef("-h is not a flag of %s; see docs/testing.md", name)
			}
			return nil, usagef("%v", err)
		}
		// flag.Parse stops at the first argument, or after "--".
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(args []string, lo, hi int, usage string) error {
	if len(args) < lo || len(args) > hi {
		return usagef("got %d arguments, want %s: usage: %s", len(args), argCount(lo, hi), usage)
	}
	return nil
}

func argCount(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

// compile compiles a regular expression argument in multi-line mode, so
// that ^ and $ match at line boundaries inside a multi-line item.
func compile(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile("(?m)" + pattern)
	if err != nil {
		return nil, usagef("invalid regular expression %q: %v", pattern, err)
	}
	return re, nil
}

// itemCheck is the common check of acs, submitted, sent, status and log:
// how many items match re (every item when re is nil). Items and re hold
// real party and contract ids; render replaces them with their names in
// failure messages.
type itemCheck struct {
	itemName string // "active contract", "submitted command", ...
	re       *regexp.Regexp
	count    int // -1: at least one, or with negate none
	render   func(string) string
}

func (c itemCheck) run(items []string, negate bool) error {
	matched := 0
	for _, it := range items {
		if c.re == nil || c.re.MatchString(it) {
			matched++
		}
	}
	desc := c.itemName
	if c.re != nil {
		desc += fmt.Sprintf(" matching %#q", c.render(strings.TrimPrefix(c.re.String(), "(?m)")))
	}

	var ok bool
	var expected string
	switch {
	case c.count >= 0 && !negate:
		ok, expected = matched == c.count, fmt.Sprintf("%d × %s", c.count, desc)
	case c.count >= 0:
		ok, expected = matched != c.count, fmt.Sprintf("not %d × %s", c.count, desc)
	case !negate:
		ok, expected = matched > 0, "a "+desc
	default:
		ok, expected = matched == 0, "no "+desc
	}
	if ok {
		return nil
	}

	rendered := make([]string, len(items))
	for i, it := range items {
		rendered[i] = c.render(it)
	}
	return failf("expected %s, got %d of %d:%s", expected, matched, len(items), listItems(rendered))
}

// listItems formats items for a failure message, one per line.
func listItems(items []string) string {
	if len(items) == 0 {
		return " (none)"
	}
	var b strings.Builder
	for _, it := range items {
		for _, l := range strings.Split(strings.TrimRight(it, "\n"), "\n") {
			b.WriteString("\n  ")
			b.WriteString(l)
		}
	}
	return b.String()
}

// parseItemArgs reads the optional REGEXP of a check.
func (tc *testCase) parseItemArgs(itemName string, count int, rest []string) (itemCheck, error) {
	c := itemCheck{itemName: itemName, count: count, render: tc.render}
	if len(rest) > 1 {
		return c, usagef("got %d arguments after the flags, want at most one regular expression", len(rest))
	}
	if len(rest) == 1 {
		re, err := compile(rest[0])
		if err != nil {
			return c, err
		}
		c.re = re
	}
	return c, nil
}

func cmdSkip(tc *testCase, _ bool, args []string) error {
	if len(args) == 0 {
		return errSkip
	}
	return fmt.Errorf("%w: %s", errSkip, strings.Join(args, " "))
}

// requireRuntime returns an error unless start has run.
func (tc *testCase) requireRuntime(name string) error {
	if tc.rt == nil {
		return usagef("%s needs a running integration: add a start line before it", name)
	}
	return nil
}
