package ditest

import (
	"strings"
)

// cmdCmp implements `cmp KIND [ARGS...] SECTION`: the output of an
// observation equals an archive section. KIND is one of
//
//	body                                  the last response body
//	acs [-as PARTY] TEMPLATE              the active contracts of TEMPLATE
//	submitted [-all]                      the integration's commands
//	sent [-all]                           the outbound requests
//	status                                the rendered status document
//	log [-all] [-level LEVEL]             the log lines
//
// With -u the section is rewritten to the output instead.
func cmdCmp(tc *testCase, negate bool, args []string) error {
	if len(args) < 2 {
		return usagef("got %d arguments, want KIND [ARGS...] SECTION: usage: cmp body|acs|submitted|sent|status|log [ARGS...] SECTION", len(args))
	}
	kind, section, kindArgs := args[0], args[len(args)-1], args[1:len(args)-1]

	var lines []string
	var rest []string
	switch kind {
	case "body":
		resp, err := tc.requireResponse("cmp body")
		if err != nil {
			return err
		}
		rest = kindArgs
		lines = []string{strings.TrimRight(string(resp.body), "\n")}
	case "acs":
		q, err := tc.queryACS("cmp acs", kindArgs)
		if err != nil {
			return err
		}
		lines, rest = q.lines, q.rest
	case "submitted":
		q, err := tc.querySubmitted("cmp submitted", kindArgs)
		if err != nil {
			return err
		}
		lines, rest = q.lines, q.rest
	case "sent":
		q, err := tc.querySent("cmp sent", kindArgs, false)
		if err != nil {
			return err
		}
		// A blank line separates the requests.
		for i, d := range q.dumps {
			if i > 0 {
				lines = append(lines, "")
			}
			lines = append(lines, d)
		}
		rest = q.rest
	case "status":
		if err := tc.requireRuntime("cmp status"); err != nil {
			return err
		}
		rest = kindArgs
		lines = tc.statusLines()
	case "log":
		q, err := tc.queryLog("cmp log", kindArgs)
		if err != nil {
			return err
		}
		lines, rest = q.lines, q.rest
	default:
		return usagef("unknown kind %q: want body, acs, submitted, sent, status or log", kind)
	}

	if len(rest) > 0 {
		return usagef("unexpected arguments %q before the section name", strings.Join(rest, " "))
	}
	for i, l := range lines {
		lines[i] = tc.render(l)
	}
	got := joinLines(lines)

	want, ok := tc.section(section)
	if tc.opts.Update && !negate {
		if !ok || string(want) != got {
			tc.updated[section] = []byte(got)
		}
		return nil
	}
	if !ok {
		return usagef("no section %q in the archive: add it, or run with -u to create it", section)
	}

	equal := normalize(string(want)) == normalize(got)
	switch {
	case !negate && !equal:
		return failf("expected section %s, got a difference (-expected +got):\n%s", section, diffLines(normalize(string(want)), normalize(got)))
	case negate && equal:
		return failf("expected output different from section %s, got the same", section)
	}
	return nil
}

// joinLines joins output lines, each ending in a newline. Items that span
// several lines (requests) are kept whole.
func joinLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight(l, "\n"))
		b.WriteByte('\n')
	}
	return b.String()
}

// normalize drops trailing spaces on each line and trailing blank lines, so
// that an editor's whitespace does not fail a comparison.
func normalize(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// diffLines returns a line diff of want and got: common lines start with
// two spaces, lines only in want with "- " and lines only in got with "+ ".
func diffLines(want, got string) string {
	a, b := splitLines(want), splitLines(got)
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, "  "+a[i])
			i++
			j++
		case j < len(b) && (i == len(a) || lcs[i][j+1] > lcs[i+1][j]):
			out = append(out, "+ "+b[j])
			j++
		default:
			out = append(out, "- "+a[i])
			i++
		}
	}
	return strings.Join(out, "\n")
}

func splitLines(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}
