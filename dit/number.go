package dit

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// decimalPattern accepts the plain decimal forms a user writes in
// configuration: digits with an optional sign and fraction, no exponent.
var decimalPattern = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)

// parseNumber converts a number field. A plain decimal keeps every digit as
// a string, because a float would round amounts such as "0.1". Exponent
// forms ("1e-3") become a float64.
func parseNumber(value string) (any, error) {
	s := strings.TrimSpace(value)
	if decimalPattern.MatchString(s) {
		return s, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(strings.ToLower(s), "in") {
		return f, nil
	}
	return nil, fmt.Errorf("got %q, want number", value)
}
