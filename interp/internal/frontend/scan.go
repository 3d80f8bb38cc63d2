package frontend

import (
	"strings"
	"unicode"
)

// tokenKind classifies the tokens of the pre-scan. The pre-scan needs far
// less than the Starlark scanner: names, strings, brackets and operators, so
// that it can find statements, keywords and f-strings.
type tokenKind int

const (
	tokName tokenKind = iota
	tokNumber
	tokString
	tokOp
	tokNewline // end of a logical line (outside brackets)
)

// A token of the pre-scan. Offsets count runes, because Starlark columns
// count runes and every rewrite keeps each rune's line and column.
type token struct {
	kind       tokenKind
	text       string
	start, end int // rune offsets into the source
	line, col  int32
	depth      int  // bracket depth before the token
	first      bool // first token of a logical line

	// Strings only.
	prefix     string // lower-case prefix letters, such as "f" or "rb"
	quote      string // ' " ''' or """
	body       int    // rune offset where the content starts
	bodyEnd    int    // rune offset where the content ends
	terminated bool
}

func (t token) isName(s string) bool { return t.kind == tokName && t.text == s }
func (t token) isOp(s string) bool   { return t.kind == tokOp && t.text == s }

// fstring reports whether t is a string literal with an f prefix.
func (t token) fstring() bool {
	return t.kind == tokString && strings.ContainsRune(t.prefix, 'f')
}

var operators3 = []string{"**=", "//=", ">>=", "<<=", "..."}
var operators2 = []string{"->", "**", "//", "==", "!=", "<=", ">=", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "@="}

// tokenize splits src into pre-scan tokens. It never fails: text it cannot
// read (an unterminated string, a stray character) becomes a token that the
// Starlark parser reports later with its own message.
func tokenize(src []rune) []token {
	var toks []token
	line, col := int32(1), int32(1)
	depth := 0
	lineStart := true
	i := 0
	advance := func(n int) {
		for k := 0; k < n && i < len(src); k++ {
			if src[i] == '\n' {
				line++
				col = 1
			} else {
				col++
			}
			i++
		}
	}
	emit := func(t token) {
		t.line, t.col = line, col
		t.depth = depth
		t.first = lineStart
		lineStart = false
		toks = append(toks, t)
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			if depth == 0 && !lineStart {
				toks = append(toks, token{kind: tokNewline, start: i, end: i, line: line, col: col})
				lineStart = true
			}
			advance(1)
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			advance(1)
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				advance(1)
			}
		case c == '\\' && i+1 < len(src) && (src[i+1] == '\n' || src[i+1] == '\r'):
			advance(2)
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			word := string(src[i:j])
			if j < len(src) && (src[j] == '"' || src[j] == '\'') && isStringPrefix(word) {
				t := scanString(src, i, j)
				t.prefix = strings.ToLower(word)
				emit(t)
				advance(t.end - i)
				continue
			}
			emit(token{kind: tokName, text: word, start: i, end: j})
			advance(j - i)
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (isIdentPart(src[j]) || src[j] == '.' ||
				(src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			emit(token{kind: tokNumber, text: string(src[i:j]), start: i, end: j})
			advance(j - i)
		case c == '"' || c == '\'':
			t := scanString(src, i, i)
			emit(t)
			advance(t.end - i)
		default:
			n := 1
			for _, op := range operators3 {
				if hasPrefixAt(src, i, op) {
					n = 3
					break
				}
			}
			if n == 1 {
				for _, op := range operators2 {
					if hasPrefixAt(src, i, op) {
						n = 2
						break
					}
				}
			}
			text := string(src[i : i+n])
			if text == ")" || text == "]" || text == "}" {
				if depth > 0 {
					depth--
				}
			}
			emit(token{kind: tokOp, text: text, start: i, end: i + n})
			if text == "(" || text == "[" || text == "{" {
				depth++
			}
			advance(n)
		}
	}
	if !lineStart {
		toks = append(toks, token{kind: tokNewline, start: len(src), end: len(src), line: line, col: col})
	}
	return toks
}

// scanString reads the string literal whose prefix starts at start and whose
// opening quote is at q. Backslash escapes the next rune in raw strings too,
// as in Python, so r"\"" is one literal.
func scanString(src []rune, start, q int) token {
	quote := string(src[q])
	if q+2 < len(src) && src[q+1] == src[q] && src[q+2] == src[q] {
		quote = strings.Repeat(quote, 3)
	}
	t := token{kind: tokString, start: start, quote: quote, body: q + len(quote)}
	j := t.body
	for j < len(src) {
		c := src[j]
		if c == '\\' {
			j += 2
			continue
		}
		if c == '\n' && len(quote) == 1 {
			break
		}
		if hasPrefixAt(src, j, quote) {
			t.bodyEnd = j
			t.end = j + len(quote)
			t.terminated = true
			t.text = string(src[start:t.end])
			return t
		}
		j++
	}
	if j > len(src) {
		j = len(src)
	}
	t.bodyEnd = j
	t.end = j
	t.text = string(src[start:j])
	return t
}

func hasPrefixAt(src []rune, i int, s string) bool {
	for _, r := range s {
		if i >= len(src) || src[i] != r {
			return false
		}
		i++
	}
	return true
}

func isStringPrefix(word string) bool {
	switch strings.ToLower(word) {
	case "r", "b", "f", "u", "rb", "br", "fr", "rf":
		return true
	}
	return false
}

func isIdentStart(c rune) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80 && unicode.IsLetter(c)
}

func isIdentPart(c rune) bool {
	return isIdentStart(c) || '0' <= c && c <= '9' || c >= 0x80 && unicode.IsDigit(c)
}
