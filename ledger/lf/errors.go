package lf

import (
	"fmt"
	"strings"
)

// EncodeError reports a Go value that does not fit its Daml-LF type.
// Its message reads `create Utility.Sequence:Sequence: count: got string "x", want Int64`.
type EncodeError struct {
	Op   string // the operation and template, "create Utility.Sequence:Sequence", or empty
	Path string // the location in the value: "count", "items[2].name", "kind.Some"
	Got  string // the Go value, described: `string "x"`
	Want string // the Daml-LF type or what was expected of the value, or empty
	Err  error  // an underlying cause, such as a range error, or nil
}

func (e *EncodeError) Error() string {
	var parts []string
	for _, s := range []string{e.Op, e.Path} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	switch {
	case e.Got != "":
		parts = append(parts, fmt.Sprintf("got %s, want %s", e.Got, e.Want))
	case e.Want != "":
		parts = append(parts, e.Want)
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	return strings.Join(parts, ": ")
}

func (e *EncodeError) Unwrap() error { return e.Err }
