package ditest

import (
	"fmt"
	"strings"
)

// line is one command of a script.
type line struct {
	number int    // 1-based line number in the .txtar file
	text   string // the line as written, for messages
	negate bool
	name   string
	// args are the words after the command name, with quotes removed and
	// variables not yet expanded.
	args []string
}

// parseScript splits an archive comment into command lines. The comment
// starts at line 1 of the file. Blank lines and lines starting with # are
// skipped. A syntax error names the line.
func parseScript(comment string) ([]line, error) {
	var lines []line
	for i, text := range strings.Split(comment, "\n") {
		number := i + 1
		text = strings.TrimSpace(text)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		words, err := splitWords(text)
		if err != nil {
			return nil, &scriptError{line: number, msg: err.Error()}
		}
		l := line{number: number, text: text}
		if words[0] == "!" {
			l.negate = true
			words = words[1:]
			if len(words) == 0 {
				return nil, &scriptError{line: number, msg: "missing command after !"}
			}
		}
		if words[0] == "" {
			return nil, &scriptError{line: number, msg: "empty command name: write the command before its arguments"}
		}
		l.name, l.args = words[0], words[1:]
		lines = append(lines, l)
	}
	return lines, nil
}

// splitWords splits a command line at spaces. A single-quoted word is taken
// literally up to the closing quote, and two single quotes inside it stand
// for one, as in Go's script tests. Quoting does not stop $ expansion.
func splitWords(text string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quoted && c == '\'':
			if i+1 < len(text) && text[i+1] == '\'' {
				word.WriteByte('\'')
				i++
				continue
			}
			quoted = false
		case quoted:
			word.WriteByte(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if quoted {
		return nil, fmt.Errorf("unterminated quoted argument: add the closing '")
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// isName reports whether s can name a variable: a letter or underscore,
// then letters, digits and underscores.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// expand replaces $NAME and ${NAME} with the values that lookup returns. A $ that is
// not followed by a name or a brace stays as written, so regular
// expressions may end with $, and $$ stands for one $. An unknown name is
// an error.
func expand(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		var name string
		end := i + 1
		switch next := s[i+1]; {
		case next == '$':
			b.WriteByte('$')
			i++
			continue
		case next == '{':
			closing := strings.IndexByte(s[i+2:], '}')
			if closing < 0 {
				return "", fmt.Errorf("unterminated ${ in %q", s)
			}
			name = s[i+2 : i+2+closing]
			end = i + 2 + closing + 1
			if !isName(name) {
				return "", fmt.Errorf("invalid variable name %q in %q", name, s)
			}
		default:
			for end < len(s) && isName(s[i+1:end+1]) {
				end++
			}
			name = s[i+1 : end]
		}
		if name == "" {
			b.WriteByte('$')
			continue
		}
		value, ok := lookup(name)
		if !ok {
			return "", &unknownVariableError{name: name}
		}
		b.WriteString(value)
		i = end - 1
	}
	return b.String(), nil
}

// unknownVariableError is a $NAME that no line has bound.
type unknownVariableError struct {
	name string
}

func (e *unknownVariableError) Error() string {
	if e.name == "DARS" {
		return "unknown variable $DARS: the test DARs were not found; set DITSTAR_DARS to their folder"
	}
	return fmt.Sprintf("unknown variable $%s: bind it with party, create or bind, set it in the environment, or fix the name", e.name)
}

// scriptError is a mistake in the test itself: a syntax error, an unknown
// command, a missing file. It makes `ditstar test` exit 9.
type scriptError struct {
	line int
	msg  string
}

func (e *scriptError) Error() string { return e.msg }

// checkError is a check that did not hold, or an action that did not do
// what the script expected. It makes the test fail.
type checkError struct {
	msg string
}

func (e *checkError) Error() string { return e.msg }

// failf returns a checkError.
func failf(format string, args ...any) error {
	return &checkError{msg: fmt.Sprintf(format, args...)}
}

// usagef returns a scriptError for the line being run; the runner fills in
// the line number.
func usagef(format string, args ...any) error {
	return &scriptError{msg: fmt.Sprintf(format, args...)}
}
