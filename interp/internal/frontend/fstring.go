package frontend

import (
	"errors"
	"strings"

	"go.starlark.net/syntax"
)

// stringGroup replaces a run of adjacent string literals by one string
// literal placeholder at the first token's position, keeping the layout,
// and records the expression that the tree edit puts in its place. A run
// is one f-string (f"a {x} b {y.z}" becomes "a {} b {}".format(x, y.z)),
// one u-prefixed string, or literals that Python joins implicitly, as in
// ("a" f"{b}"), which Starlark cannot read.
func (p *prescan) stringGroup(parts []token) {
	for _, t := range parts {
		if !t.terminated {
			return // the Starlark parser reports the unterminated string
		}
		if len(parts) > 1 && strings.ContainsRune(t.prefix, 'b') {
			p.errorf(t.line, t.col, "adjacent bytes literals are not supported. Join them with +")
			return
		}
	}
	f := &fstringBuilder{p: p, tok: parts[0]}
	for _, t := range parts {
		f.setPart(t)
		if !f.part() {
			f.failed = true
			break
		}
		f.flush()
	}
	expr, ok := f.result()

	// The placeholder keeps the opening quote at the first token's start,
	// blanks the prefix and the content, and keeps every line break in
	// place, so that the parser reads a string literal at that position.
	// The other tokens become spaces.
	first := parts[0]
	q := `"`
	if len(first.quote) == 3 {
		q = `"""`
	}
	var repl strings.Builder
	repl.WriteString(q)
	repl.WriteString(strings.Repeat(" ", len(first.prefix)))
	for _, r := range p.src[first.body:first.bodyEnd] {
		if r == '\n' || r == '\r' {
			repl.WriteRune(r)
		} else {
			repl.WriteByte(' ')
		}
	}
	repl.WriteString(q)
	p.overwrite(first.start, first.end, repl.String())
	for _, t := range parts[1:] {
		p.blank(t.start, t.end)
	}
	if ok {
		p.fstrings[place{first.line, first.col}] = expr
	}
}

// setPart prepares f to read the content of the string token t.
func (f *fstringBuilder) setPart(t token) {
	f.raw = strings.ContainsRune(t.prefix, 'r')
	f.literal = !t.fstring()
	f.body = f.p.src[t.body:t.bodyEnd]
	f.lines = make([]int32, len(f.body)+1)
	f.cols = make([]int32, len(f.body)+1)
	line, col := t.line, t.col+int32(t.body-t.start)
	for i, r := range f.body {
		f.lines[i], f.cols[i] = line, col
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	f.lines[len(f.body)], f.cols[len(f.body)] = line, col
}

type fstringBuilder struct {
	p           *prescan
	tok         token // the first token of the run
	raw         bool
	literal     bool // braces are plain text, as outside f-strings
	body        []rune
	lines, cols []int32 // position of each rune of body

	format strings.Builder // the format string, braces doubled
	plain  strings.Builder // the literal text alone, for f-strings without fields
	lit    []rune          // literal text not yet decoded
	args   []syntax.Expr
	failed bool
}

func (f *fstringBuilder) errorAt(i int, format string, args ...any) {
	f.p.errorf(f.lines[i], f.cols[i], format, args...)
	f.failed = true
}

func (f *fstringBuilder) flush() {
	if len(f.lit) == 0 {
		return
	}
	text, err := decodeEscapes(string(f.lit), f.raw)
	if err != nil {
		f.p.errorf(f.tok.line, f.tok.col, "invalid f-string: %v", err)
		f.failed = true
	}
	f.plain.WriteString(text)
	f.format.WriteString(strings.NewReplacer("{", "{{", "}", "}}").Replace(text))
	f.lit = f.lit[:0]
}

// part reads the content of the current string token and reports
// whether it is valid.
func (f *fstringBuilder) part() bool {
	body := f.body
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			j := i + 2
			if !f.raw && body[i+1] == 'N' && j < len(body) && body[j] == '{' {
				for j < len(body) && body[j] != '}' {
					j++
				}
				j = min(j+1, len(body))
			}
			f.lit = append(f.lit, body[i:j]...)
			i = j
		case f.literal:
			f.lit = append(f.lit, c)
			i++
		case c == '{' && i+1 < len(body) && body[i+1] == '{', c == '}' && i+1 < len(body) && body[i+1] == '}':
			f.lit = append(f.lit, c)
			i += 2
		case c == '}':
			f.errorAt(i, "invalid f-string: a single } is not allowed. Write }} for a literal brace")
			return false
		case c == '{':
			next, ok := f.field(i)
			if !ok {
				return false
			}
			i = next
		default:
			f.lit = append(f.lit, c)
			i++
		}
	}
	return true
}

// result returns the expression for the whole run: a string literal, or a
// format call when there are fields.
func (f *fstringBuilder) result() (syntax.Expr, bool) {
	f.flush()
	if f.failed {
		return nil, false
	}
	pos := f.p.position(f.tok.line, f.tok.col)
	if len(f.args) == 0 {
		s := f.plain.String()
		return &syntax.Literal{Token: syntax.STRING, TokenPos: pos, Raw: syntax.Quote(s, false), Value: s}, true
	}
	s := f.format.String()
	lit := &syntax.Literal{Token: syntax.STRING, TokenPos: pos, Raw: syntax.Quote(s, false), Value: s}
	return &syntax.CallExpr{
		Fn:     &syntax.DotExpr{X: lit, Dot: pos, NamePos: pos, Name: &syntax.Ident{Name: "format", NamePos: pos}},
		Lparen: pos,
		Args:   f.args,
		Rparen: pos,
	}, true
}

// field reads the replacement field that opens at body[open] and returns
// the index after its closing brace.
func (f *fstringBuilder) field(open int) (int, bool) {
	body := f.body
	j := open + 1
	nest := 0
	for j < len(body) {
		c := body[j]
		if c == '\'' || c == '"' {
			k := j + 1
			for k < len(body) && body[k] != c {
				k++
			}
			j = k + 1
			continue
		}
		if strings.ContainsRune("([{", c) {
			nest++
		} else if strings.ContainsRune(")]}", c) {
			if nest == 0 {
				break
			}
			nest--
		} else if nest == 0 && (c == ':' || c == '!' && (j+1 >= len(body) || body[j+1] != '=')) {
			break
		}
		j++
	}
	if j >= len(body) {
		f.errorAt(open, "invalid f-string: { is not closed. Write {{ for a literal brace")
		return 0, false
	}
	exprEnd := j
	exprText := string(body[open+1 : exprEnd])

	// {x=} prints the expression text before the value, as in Python 3.8.
	debug := false
	if trimmed := strings.TrimRight(exprText, " \t"); strings.HasSuffix(trimmed, "=") && !strings.HasSuffix(trimmed, "==") &&
		!strings.HasSuffix(trimmed, "!=") && !strings.HasSuffix(trimmed, "<=") && !strings.HasSuffix(trimmed, ">=") {
		debug = true
		exprText = exprText[:len(trimmed)-1]
	}

	conv := byte(0)
	if body[j] == '!' {
		if j+1 >= len(body) || !strings.ContainsRune("rsa", body[j+1]) {
			f.errorAt(j, "invalid f-string conversion. Write !r or !s")
			return 0, false
		}
		if body[j+1] == 'a' {
			f.errorAt(j, "f-string conversion !a is not supported. Write !r or !s")
			return 0, false
		}
		conv = byte(body[j+1])
		j += 2
		if j >= len(body) || body[j] != ':' && body[j] != '}' {
			f.errorAt(open, "invalid f-string: expected : or } after the conversion")
			return 0, false
		}
	}
	spec, specAt := "", 0
	if body[j] == ':' {
		specAt = j + 1
		k := specAt
		for k < len(body) && body[k] != '}' {
			if body[k] == '{' {
				f.errorAt(k, "nested replacement fields in f-string format specs are not supported. Format the value before the f-string")
				return 0, false
			}
			k++
		}
		if k >= len(body) {
			f.errorAt(open, "invalid f-string: { is not closed. Write {{ for a literal brace")
			return 0, false
		}
		spec = string(body[specAt:k])
		j = k
	}
	close := j + 1

	// Parse the expression at its own position.
	start := open + 1
	for start < exprEnd && (body[start] == ' ' || body[start] == '\t') {
		start++
	}
	text := strings.TrimLeft(exprText, " \t")
	if strings.TrimSpace(text) == "" {
		f.errorAt(open, "invalid f-string: empty expression. Write {{}} for literal braces")
		return 0, false
	}
	for _, t := range tokenize([]rune(text)) {
		if t.fstring() {
			f.errorAt(start, "nested f-strings are not supported. Assign the inner f-string to a variable first")
			return 0, false
		}
		if hint, ok := unsupported[t.text]; ok && t.kind == tokName {
			// Token positions count from the field's first rune.
			line, col := f.lines[start]+t.line-1, t.col
			if t.line == 1 {
				col += f.cols[start] - 1
			}
			f.p.errorf(line, col, "%s", hint)
			f.failed = true
			return 0, false
		}
	}
	expr, err := f.p.cfg.Options.ParseExpr(*f.p.filename, syntax.FilePortion{
		Content: []byte(text), FirstLine: f.lines[start], FirstCol: f.cols[start],
	}, 0)
	if err != nil {
		var serr syntax.Error
		if errors.As(err, &serr) {
			f.p.errs = append(f.p.errs, Error{Pos: f.p.position(serr.Pos.Line, serr.Pos.Col),
				Msg: "f-string field is not a plain expression: " + serr.Msg})
		} else {
			f.errorAt(start, "f-string field is not a plain expression: %v", err)
		}
		f.failed = true
		return 0, false
	}

	if debug {
		f.lit = append(f.lit, body[open+1:open+1+len([]rune(exprText))]...)
		f.lit = append(f.lit, '=')
		if conv == 0 && spec == "" {
			conv = 'r'
		}
	}
	f.flush()
	pos := f.p.position(f.lines[open], f.cols[open])
	if spec == "" {
		if conv == 'r' {
			f.format.WriteString("{!r}")
		} else {
			f.format.WriteString("{}")
		}
		f.args = append(f.args, expr)
		return close, true
	}
	if _, err := ParseSpec(spec); err != nil {
		f.errorAt(specAt, "f-string format spec %q is not supported: %v", spec, err)
		return 0, false
	}
	if f.p.cfg.FormatFunc == "" {
		f.errorAt(specAt, "f-string format specs are not supported here. Format the value before the f-string")
		return 0, false
	}
	convText := ""
	if conv != 0 {
		convText = string(conv)
	}
	f.format.WriteString("{}")
	f.args = append(f.args, &syntax.CallExpr{
		Fn:     &syntax.Ident{Name: f.p.cfg.FormatFunc, NamePos: pos},
		Lparen: pos,
		Args: []syntax.Expr{
			expr,
			&syntax.Literal{Token: syntax.STRING, TokenPos: pos, Raw: syntax.Quote(spec, false), Value: spec},
			&syntax.Literal{Token: syntax.STRING, TokenPos: pos, Raw: syntax.Quote(convText, false), Value: convText},
		},
		Rparen: pos,
	})
	return close, true
}
