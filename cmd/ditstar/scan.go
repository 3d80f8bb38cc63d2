package main

import (
	"strconv"
	"strings"
)

// commandCall is one call of a ledger command function found in a script,
// with the arguments that are plain string literals.
type commandCall struct {
	name string // create, exercise, exercise_by_key, create_and_exercise
	line int
	col  int
	// template and choice are the literal arguments; empty when the script
	// computes them. templatePos and choicePos are their line and column.
	template, choice       string
	templatePos, choicePos [2]int
}

// commandParams names the positional parameters of the command functions
// that check reads, as the dazl module and daml_dit_if define them.
var commandParams = map[string][]string{
	"create":              {"template", "payload"},
	"exercise":            {"cid", "choice", "argument"},
	"exercise_by_key":     {"template", "key", "choice", "argument"},
	"create_and_exercise": {"template", "payload", "choice", "argument"},
}

// scanCommandCalls finds the calls of create, exercise, exercise_by_key and
// create_and_exercise in Starlark or Python source, skipping strings and
// comments, and returns their literal template and choice arguments.
// A call through an attribute (x.create) is skipped unless it is dazl's.
//
// NOTE: this is a lexical scan, so a local function that shadows one of
// these names is read as the command.
func scanCommandCalls(src string) []commandCall {
	s := &scanner{src: src, line: 1, col: 1}
	var calls []commandCall
	prevDot, prevIdent := false, ""
	for !s.eof() {
		c := s.peek()
		switch {
		case c == '#':
			s.skipComment()
			prevDot = false
		case c == '"' || c == '\'':
			s.readString()
			prevDot = false
		case isIdentStart(c):
			line, col := s.line, s.col
			name := s.readIdent()
			if _, ok := commandParams[name]; ok && (!prevDot || prevIdent == "dazl") {
				s.skipSpace()
				if !s.eof() && s.peek() == '(' {
					call := commandCall{name: name, line: line, col: col}
					s.readArgs(&call)
					calls = append(calls, call)
					prevDot, prevIdent = false, ""
					continue
				}
			}
			if !prevDot {
				prevIdent = name
			} else {
				prevIdent = ""
			}
			prevDot = false
		case c == '.':
			s.next()
			prevDot = true
		default:
			if c != ' ' && c != '\t' {
				prevDot = false
				prevIdent = ""
			}
			s.next()
		}
	}
	return calls
}

type scanner struct {
	src       string
	pos       int
	line, col int
}

func (s *scanner) eof() bool  { return s.pos >= len(s.src) }
func (s *scanner) peek() byte { return s.src[s.pos] }

func (s *scanner) next() byte {
	c := s.src[s.pos]
	s.pos++
	if c == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col++
	}
	return c
}

func (s *scanner) skipComment() {
	for !s.eof() && s.peek() != '\n' {
		s.next()
	}
}

func (s *scanner) skipSpace() {
	for !s.eof() && strings.IndexByte(" \t\r\n\\", s.peek()) >= 0 {
		s.next()
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func (s *scanner) readIdent() string {
	start := s.pos
	for !s.eof() && isIdentPart(s.peek()) {
		s.next()
	}
	word := s.src[start:s.pos]
	// A string prefix (f"...", r'...', b"...") belongs to the string.
	if !s.eof() && (s.peek() == '"' || s.peek() == '\'') && len(word) <= 2 && strings.Trim(strings.ToLower(word), "rbfu") == "" {
		s.readString()
		return ""
	}
	return word
}

// readString reads a string literal, including triple-quoted ones, and
// returns its value. Escapes are decoded in single-line double-quoted
// strings only; other strings with escapes are returned as written.
func (s *scanner) readString() string {
	quote := s.next()
	triple := strings.HasPrefix(s.src[s.pos:], string([]byte{quote, quote}))
	if triple {
		s.next()
		s.next()
	}
	start := s.pos
	for !s.eof() {
		c := s.peek()
		if c == '\\' {
			s.next()
			if !s.eof() {
				s.next()
			}
			continue
		}
		if c == quote {
			if !triple {
				value := s.src[start:s.pos]
				s.next()
				return unquote(value, quote)
			}
			if strings.HasPrefix(s.src[s.pos:], strings.Repeat(string(quote), 3)) {
				value := s.src[start:s.pos]
				s.next()
				s.next()
				s.next()
				return value
			}
		}
		if c == '\n' && !triple {
			return s.src[start:s.pos] // unterminated; the compiler reports it
		}
		s.next()
	}
	return s.src[start:s.pos]
}

func unquote(body string, quote byte) string {
	if !strings.Contains(body, `\`) {
		return body
	}
	if v, err := strconv.Unquote(`"` + strings.ReplaceAll(body, `"`, `\"`) + `"`); err == nil && quote == '"' {
		return v
	}
	return body
}

// readArgs reads the parenthesised argument list after a command name and
// records its literal template and choice arguments.
func (s *scanner) readArgs(call *commandCall) {
	params := commandParams[call.name]
	s.next() // (
	index := 0
	for !s.eof() {
		s.skipSpace()
		if s.eof() {
			return
		}
		if s.peek() == ')' {
			s.next()
			return
		}
		// A keyword argument names its parameter.
		param := ""
		if index < len(params) {
			param = params[index]
		}
		mark := *s
		if isIdentStart(s.peek()) {
			word := s.readIdent()
			s.skipSpace()
			if !s.eof() && s.peek() == '=' && !strings.HasPrefix(s.src[s.pos:], "==") {
				s.next()
				s.skipSpace()
				param = word
			} else {
				*s = mark
			}
		}
		line, col := s.line, s.col
		literal, isLiteral := s.readArg()
		if isLiteral {
			switch param {
			case "template":
				call.template, call.templatePos = literal, [2]int{line, col}
			case "choice":
				call.choice, call.choicePos = literal, [2]int{line, col}
			}
		}
		index++
		if !s.eof() && s.peek() == ',' {
			s.next()
		}
	}
}

// readArg reads one argument up to the next top-level comma or closing
// parenthesis. It returns the string value when the argument is a single
// plain string literal.
func (s *scanner) readArg() (string, bool) {
	depth := 0
	literal, parts := "", 0
	isLiteral := true
	for !s.eof() {
		c := s.peek()
		switch {
		case depth == 0 && (c == ',' || c == ')'):
			return literal, isLiteral && parts == 1
		case c == '(' || c == '[' || c == '{':
			depth++
			isLiteral = false
			s.next()
		case c == ')' || c == ']' || c == '}':
			depth--
			s.next()
		case c == '#':
			s.skipComment()
		case c == '"' || c == '\'':
			literal = s.readString()
			parts++
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\\':
			s.next()
		case isIdentStart(c):
			s.readIdent() // a name, or a prefixed string such as f"..."
			isLiteral = false
		default:
			isLiteral = false
			s.next()
		}
	}
	return literal, false
}
