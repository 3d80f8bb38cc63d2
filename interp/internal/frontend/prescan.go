package frontend

import (
	"fmt"
	"unicode"

	"go.starlark.net/syntax"
)

// A place is a line and column, the key that links a rewrite in the text to
// the syntax node it produces.
type place struct{ line, col int32 }

func placeOf(pos syntax.Position) place { return place{pos.Line, pos.Col} }

// A raiseEdit is a raise statement rewritten to a fail call.
type raiseEdit struct {
	name  string // the exception's name
	bare  bool   // raise Name or raise Name(): the name becomes the message
	value bool   // raise x: the statement is "0 or x" and becomes fail(x)
}

// A decorator is one @expr line, kept until its def is in the syntax tree.
type decorator struct {
	at        place  // the @ sign
	text      string // the expression, after the pre-scan's own rewrites
	line, col int32  // position of the first rune of text
}

// prescan holds the state of one translation.
type prescan struct {
	cfg      *Config
	filename *string
	src      []rune // original source
	out      []rune // rewritten source, rune for rune the same layout
	toks     []token
	skip     map[int]bool // start offsets of tokens already rewritten
	errs     ErrorList

	pending    []decorator           // decorators waiting for their def
	decorators map[place][]decorator // def position to its decorators, outermost first
	fstrings   map[place]syntax.Expr // string literal position to its replacement
	awaits     map[place]bool        // statements rewritten from "await x" to "0 or x"
	raises     map[place]raiseEdit   // fail calls rewritten from raise statements
	imports    map[place][]load      // "pass" statements that stand for import lines
	hoisted    []*syntax.LoadStmt    // loads of imports inside functions or blocks
	sawTry     bool
}

func newPrescan(filename string, src []byte, cfg *Config) *prescan {
	runes := []rune(string(src))
	p := &prescan{
		cfg:        cfg,
		filename:   &filename,
		src:        runes,
		out:        append([]rune(nil), runes...),
		skip:       make(map[int]bool),
		decorators: make(map[place][]decorator),
		fstrings:   make(map[place]syntax.Expr),
		awaits:     make(map[place]bool),
		raises:     make(map[place]raiseEdit),
		imports:    make(map[place][]load),
	}
	p.toks = tokenize(runes)
	return p
}

func (p *prescan) position(line, col int32) syntax.Position {
	return syntax.MakePosition(p.filename, line, col)
}

func (p *prescan) errorf(line, col int32, format string, args ...any) {
	p.errs = append(p.errs, Error{Pos: p.position(line, col), Msg: fmt.Sprintf(format, args...)})
}

// blank replaces the runes in [start, end) with spaces, keeping line breaks.
func (p *prescan) blank(start, end int) {
	for i := start; i < end && i < len(p.out); i++ {
		if p.out[i] != '\n' && p.out[i] != '\r' {
			p.out[i] = ' '
		}
	}
}

// overwrite blanks [start, end) and writes text at start. Text must not be
// longer than the range.
func (p *prescan) overwrite(start, end int, text string) {
	p.blank(start, end)
	for i, r := range []rune(text) {
		p.out[start+i] = r
	}
}

func (p *prescan) run() {
	start := 0
	for i, t := range p.toks {
		if t.kind == tokNewline {
			p.logicalLine(p.toks[start:i])
			start = i + 1
		}
	}
	p.flushDecorators()
}

// compoundKeywords start statements whose header ends with a colon.
var compoundKeywords = map[string]bool{
	"if": true, "elif": true, "else": true, "for": true, "while": true, "def": true,
	"class": true, "try": true, "except": true, "finally": true, "with": true, "async": true,
}

// logicalLine splits one logical line into statements: at semicolons, and
// after the colon of a compound statement's header.
func (p *prescan) logicalLine(line []token) {
	for len(line) > 0 {
		n := statementEnd(line)
		p.statement(line[:n])
		line = line[n:]
		if len(line) > 0 && line[0].isOp(";") && line[0].depth == 0 {
			line = line[1:]
		}
	}
}

func statementEnd(line []token) int {
	if line[0].kind == tokName && compoundKeywords[line[0].text] {
		lambdas := 0
		for i, t := range line {
			if t.depth != 0 {
				continue
			}
			if t.isName("lambda") {
				lambdas++
			} else if t.isOp(":") {
				if lambdas > 0 {
					lambdas--
					continue
				}
				return i + 1
			}
		}
		return len(line)
	}
	for i, t := range line {
		if t.depth == 0 && t.isOp(";") {
			if i == 0 {
				return 1
			}
			return i
		}
	}
	return len(line)
}

func (p *prescan) statement(s []token) {
	t := s[0]
	isDef := t.isName("def") || t.isName("async") && len(s) > 1 && s[1].isName("def")
	if !isDef && !t.isOp("@") && !t.isName("class") {
		p.flushDecorators()
	}
	if t.isName("class") {
		p.pending = nil
	}
	switch {
	case t.isOp("@"):
		p.decorator(s)
		return
	case isDef:
		p.def(s)
		return
	case t.isName("import") || t.isName("from"):
		p.importStatement(s)
		return
	case t.isName("raise"):
		s = p.raise(s)
	case t.isName("await") && t.first && len(s) > 1:
		// Blanking "await" would change the line's indentation, so the
		// statement becomes "0 or x", which has the value of x. The tree
		// edit removes the "0 or" again.
		p.overwrite(t.start, t.end, "0 or ")
		p.awaits[place{t.line, t.col}] = true
		s = s[1:]
	case t.kind == tokName && !compoundKeywords[t.text] && t.text != "lambda" && len(s) > 1 && s[1].isOp(":") && s[1].depth == 0:
		s = p.variableAnnotation(s)
	}
	p.scan(s)
}

// flushDecorators reports decorators that no def follows.
func (p *prescan) flushDecorators() {
	for _, d := range p.pending {
		p.errorf(d.at.line, d.at.col, "decorator is not followed by a def statement. Starlark can decorate only functions")
	}
	p.pending = nil
}

func (p *prescan) decorator(s []token) {
	at := s[0]
	if len(s) < 2 {
		p.errorf(at.line, at.col, "decorator has no expression. Write @name or @name(arguments) above a def")
		return
	}
	expr := s[1:]
	p.scan(expr)
	last := expr[len(expr)-1]
	p.pending = append(p.pending, decorator{
		at:   place{at.line, at.col},
		text: string(p.out[expr[0].start:last.end]),
		line: expr[0].line,
		col:  expr[0].col,
	})
	p.blank(at.start, last.end)
}

// def rewrites "async def" to "def", drops parameter and return
// annotations and attaches the pending decorators to the def.
func (p *prescan) def(s []token) {
	i := 0
	if s[0].isName("async") {
		p.overwrite(s[0].start, s[1].end, "def")
		p.skip[s[0].start] = true
		i = 1
	}
	defAt := place{s[0].line, s[0].col}
	if len(p.pending) > 0 {
		p.decorators[defAt] = p.pending
		p.pending = nil
	}

	// def name ( params ) [-> type] :
	open := i + 2
	if open >= len(s) || !s[open].isOp("(") {
		p.scan(s)
		return
	}
	closing := p.dropParameterAnnotations(s, open)

	// The return annotation runs from -> up to the header's closing colon.
	if closing+1 < len(s) && s[closing+1].isOp("->") {
		end := len(s)
		if s[end-1].isOp(":") {
			end--
		}
		p.dropTokens(s[closing+1 : end])
	}
	p.scan(s)
}

// dropParameterAnnotations drops the ": type" of each parameter in the
// parentheses that open at s[open], and returns the index of the closing
// parenthesis (len(s) when it is missing).
func (p *prescan) dropParameterAnnotations(s []token, open int) int {
	depth := s[open].depth
	lambdas := 0
	j := open + 1
	for j < len(s) && !(s[j].isOp(")") && s[j].depth == depth) {
		t := s[j]
		if t.depth != depth+1 {
			j++
			continue
		}
		if t.isName("lambda") {
			lambdas++
		} else if t.isOp(":") {
			if lambdas > 0 {
				lambdas--
			} else if s[j-1].kind == tokName {
				// An annotation runs to the next comma, default or the
				// closing parenthesis. Without one, the header is
				// malformed and left for the parser to report.
				k := j + 1
				for k < len(s) && !(s[k].depth == depth+1 && (s[k].isOp(",") || s[k].isOp("="))) &&
					!(s[k].isOp(")") && s[k].depth == depth) {
					k++
				}
				if k < len(s) {
					p.dropTokens(s[j:k])
				}
				j = k
				continue
			}
		}
		j++
	}
	return j
}

// dropTokens blanks toks and marks them as handled.
func (p *prescan) dropTokens(toks []token) {
	if len(toks) == 0 {
		return
	}
	p.blank(toks[0].start, toks[len(toks)-1].end)
	for _, t := range toks {
		p.skip[t.start] = true
	}
}

// variableAnnotation drops the ": type" of "name: type = value" and
// returns the tokens left to scan.
func (p *prescan) variableAnnotation(s []token) []token {
	k := 1
	for k < len(s) && !(s[k].depth == 0 && s[k].isOp("=")) {
		k++
	}
	p.dropTokens(s[1:k])
	return s[k:]
}

// raise rewrites "raise Name(args)" to "fail(args)" and "raise Name" to a
// bare "fail" that the tree edit turns into fail("Name"). A "from cause"
// suffix is dropped. It returns the tokens left to scan.
func (p *prescan) raise(s []token) []token {
	kw := s[0]
	if len(s) == 1 {
		p.errorf(kw.line, kw.col, "raise without an exception is not supported, because Starlark has no exceptions to re-raise. Call fail(message)")
		return nil
	}

	cut := len(s)
	for j, t := range s {
		if j > 0 && t.depth == kw.depth && t.isName("from") {
			cut = j
			break
		}
	}
	if cut < len(s) {
		p.dropTokens(s[cut:])
	}

	e := s[1:cut]
	k := 0
	if len(e) > 0 && e[0].kind == tokName {
		k = 1
		for k+1 < len(e) && e[k].isOp(".") && e[k+1].kind == tokName {
			k += 2
		}
	}
	at := place{kw.line, kw.col}

	// A capitalized name is an exception class: raise Name(args) and raise
	// Name. Anything else is a value for fail, as in raise err.
	if k > 0 && unicode.IsUpper([]rune(e[k-1].text)[0]) {
		name := e[k-1].text
		if k == len(e) {
			p.overwrite(kw.start, e[k-1].end, "fail")
			p.raises[at] = raiseEdit{name: name, bare: true}
			return nil
		}
		if e[k].isOp("(") && e[len(e)-1].isOp(")") && e[len(e)-1].depth == e[k].depth && closes(e[k:]) {
			p.overwrite(kw.start, e[k].start, "fail")
			p.raises[at] = raiseEdit{name: name, bare: len(e) == k+2}
			return e[k:]
		}
	}

	// "raise x" becomes "0 or  x", which parses as an expression at the
	// same indentation. The tree edit turns it into fail(x).
	p.overwrite(kw.start, kw.end, "0 or ")
	p.raises[at] = raiseEdit{value: true}
	return e
}

// closes reports whether the bracket that opens toks is closed by its last
// token and not before.
func closes(toks []token) bool {
	d := toks[0].depth
	for _, t := range toks[1 : len(toks)-1] {
		if t.depth == d {
			return false
		}
	}
	return true
}

// unsupported maps Python keywords that Starlark lacks to the hint shown
// with the error.
var unsupported = map[string]string{
	"class":    "class is not supported in Starlark. Keep state in dicts inside the entrypoint, and use functions instead of methods",
	"try":      "try is not supported in Starlark. Check values before using them, and let fail(message) stop the handler",
	"except":   "except is not supported in Starlark, because it has no exceptions. Check values before using them",
	"finally":  "finally is not supported in Starlark, because it has no exceptions. Run the clean-up code after the call",
	"with":     "with is not supported in Starlark. Call the functions directly, because the host manages connections and files",
	"yield":    "yield is not supported in Starlark. Build a list and return it",
	"global":   "global is not supported in Starlark. Keep mutable state in a dict or list and change its contents",
	"nonlocal": "nonlocal is not supported in Starlark. Keep mutable state in a dict or list and change its contents",
	"del":      "del is not supported in Starlark. Use dict.pop(key) or list.pop(index)",
	"is":       "is is not supported in Starlark. Compare with == or !=, as in x == None",
	"assert":   "assert is not supported in Starlark. Write if not condition: fail(message)",
}

// scan checks the tokens of one statement for unsupported keywords and
// rewrites await (inside a line), adjacent string literals, u-prefixed
// strings and f-strings.
func (p *prescan) scan(s []token) {
	for i, t := range s {
		if p.skip[t.start] {
			continue
		}
		switch t.kind {
		case tokName:
			if i > 0 && s[i-1].isOp(".") {
				continue // an attribute name
			}
			if hint, ok := unsupported[t.text]; ok {
				if (t.text == "except" || t.text == "finally") && p.sawTry {
					continue
				}
				if t.text == "try" {
					p.sawTry = true
				}
				p.errorf(t.line, t.col, "%s", hint)
				continue
			}
			switch t.text {
			case "await":
				p.blank(t.start, t.end)
			case "async":
				p.errorf(t.line, t.col, "async is supported only in async def, which means def. Write a plain for loop or call instead")
			}
		case tokString:
			// Adjacent literals, an f-string or a u-prefixed string (Python
			// 2's spelling of a plain string) become one literal.
			j := i + 1
			for j < len(s) && s[j].kind == tokString && !p.skip[s[j].start] {
				j++
			}
			if group := s[i:j]; len(group) > 1 || t.fstring() || t.prefix == "u" {
				for _, g := range group {
					p.skip[g.start] = true
				}
				p.stringGroup(group)
			}
		}
	}
}
