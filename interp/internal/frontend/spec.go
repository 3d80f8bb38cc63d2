package frontend

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A Spec is a parsed Python format spec, the part after the colon in an
// f-string field such as {amount:>10,.2f}. Its grammar is
// [[fill]align][sign][#][0][width][grouping][.precision][type].
type Spec struct {
	Fill      rune // ' ' unless given
	Align     byte // '<', '>', '^', '=' or 0 for the type's default
	Sign      byte // '+', '-', ' ' or 0
	Alternate bool // '#': 0x, 0o, 0b prefixes
	Width     int
	Grouping  byte // ',' or '_' or 0
	Precision int  // -1 when not given
	Type      byte // one of "bcdeEfFgGnosxX%" or 0
}

// ParseSpec parses a format spec. It rejects what Python accepts but the
// formatter does not implement: the 'z' flag and nested fields.
func ParseSpec(s string) (Spec, error) {
	spec := Spec{Fill: ' ', Precision: -1}
	r := []rune(s)
	i := 0
	isAlign := func(c rune) bool { return c == '<' || c == '>' || c == '^' || c == '=' }
	if len(r) >= 2 && isAlign(r[1]) {
		spec.Fill, spec.Align = r[0], byte(r[1])
		i = 2
	} else if len(r) >= 1 && isAlign(r[0]) {
		spec.Align = byte(r[0])
		i = 1
	}

	if i < len(r) && (r[i] == '+' || r[i] == '-' || r[i] == ' ') {
		spec.Sign = byte(r[i])
		i++
	}

	if i < len(r) && r[i] == 'z' {
		return spec, errors.New("the z flag is not implemented")
	}
	if i < len(r) && r[i] == '#' {
		spec.Alternate = true
		i++
	}
	if i < len(r) && r[i] == '0' {
		if spec.Align == 0 {
			spec.Fill, spec.Align = '0', '='
		}
		i++
	}

	start := i
	for i < len(r) && r[i] >= '0' && r[i] <= '9' {
		i++
	}
	if i > start {
		n, err := strconv.Atoi(string(r[start:i]))
		if err != nil || n > 1000 {
			return spec, fmt.Errorf("width %s is too large, the maximum is 1000", string(r[start:i]))
		}
		spec.Width = n
	}

	if i < len(r) && (r[i] == ',' || r[i] == '_') {
		spec.Grouping = byte(r[i])
		i++
	}

	if i < len(r) && r[i] == '.' {
		i++
		start := i
		for i < len(r) && r[i] >= '0' && r[i] <= '9' {
			i++
		}
		if i == start {
			return spec, errors.New("a precision needs digits after the dot")
		}
		n, err := strconv.Atoi(string(r[start:i]))
		if err != nil || n > 100 {
			return spec, fmt.Errorf("precision %s is too large, the maximum is 100", string(r[start:i]))
		}
		spec.Precision = n
	}

	if i < len(r) {
		if !strings.ContainsRune("bcdeEfFgGnosxX%", r[i]) {
			return spec, fmt.Errorf("unknown format type %q", string(r[i]))
		}
		spec.Type = byte(r[i])
		i++
	}

	if i != len(r) {
		return spec, fmt.Errorf("unexpected %q", string(r[i:]))
	}
	return spec, nil
}
