package builtins

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxNumberDigits is the most digits accepted when text becomes a number:
// a JSON integer or a Decimal string. It is Python's default limit on
// int-string conversion (sys.int_info.default_max_str_digits, from Python
// 3.11 on, described in the "Integer string conversion length limitation"
// section of the standard types documentation).
// Longer text is rejected because the conversion takes time quadratic in
// the number of digits, and a handler's deadline cannot interrupt it.
const maxNumberDigits = 4300

// errTooManyDigits reports a number over maxNumberDigits.
var errTooManyDigits = errors.New("too many digits")

// checkDigits returns an error wrapping errTooManyDigits when s has more
// than maxNumberDigits decimal digits.
func checkDigits(s string) error {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	if n > maxNumberDigits {
		return fmt.Errorf("%w: number of %d digits is over the limit of %d digits", errTooManyDigits, n, maxNumberDigits)
	}
	return nil
}

// maxQuotedInput is how many bytes of an input an error message quotes.
const maxQuotedInput = 64

// quoteInput quotes s for an error message, cut to about maxQuotedInput
// bytes, so that an input of megabytes does not become a message of
// megabytes in logs and responses.
func quoteInput(s string) string {
	if len(s) <= maxQuotedInput {
		return strconv.Quote(s)
	}
	end := maxQuotedInput
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:end]), len(s))
}
