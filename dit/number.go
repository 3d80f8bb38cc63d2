package dit

import (
	"fmt"
	"strings"

	"github.com/ditstar/ditstar/ledger/lf"
)

// parseNumber converts a number field to an exact lf.Decimal, because a
// float would round amounts such as "0.1". Exponent forms ("1e-3") are
// accepted; NaN and infinities are not.
func parseNumber(value string) (any, error) {
	d, err := lf.ParseDecimal(strings.TrimSpace(value))
	if err != nil {
		return nil, fmt.Errorf("got %q, want number", value)
	}
	return d, nil
}
