package frontend

import (
	"fmt"
	"strconv"
	"strings"
)

// decodeEscapes interprets the backslash escapes of a Python string
// literal's text, as Python does: an unknown escape keeps its backslash.
// Raw text is returned unchanged.
func decodeEscapes(s string, raw bool) (string, error) {
	if raw || !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		c := runes[i]
		if c != '\\' || i+1 == len(runes) {
			b.WriteRune(c)
			continue
		}
		i++
		switch e := runes[i]; e {
		case '\n':
			// A backslash at the end of a line joins the lines.
		case '\r':
			if i+1 < len(runes) && runes[i+1] == '\n' {
				i++
			}
		case '\\', '\'', '"':
			b.WriteRune(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(runes) && j < i+3 && runes[j] >= '0' && runes[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(string(runes[i:j]), 8, 32)
			b.WriteRune(rune(n))
			i = j - 1
		case 'x', 'u', 'U':
			digits := map[rune]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+digits >= len(runes) {
				return "", fmt.Errorf(`invalid \%c escape: it needs %d hex digits`, e, digits)
			}
			n, err := strconv.ParseUint(string(runes[i+1:i+1+digits]), 16, 32)
			if err != nil || n > 0x10FFFF {
				return "", fmt.Errorf(`invalid \%c escape %q`, e, string(runes[i-1:i+1+digits]))
			}
			b.WriteRune(rune(n))
			i += digits
		case 'N':
			return "", fmt.Errorf(`\N{...} escapes are not supported. Write the character itself or a \u escape`)
		default:
			b.WriteRune('\\')
			b.WriteRune(e)
		}
	}
	return b.String(), nil
}
