package lf

import (
	"fmt"
)

// EncodeError reports a Go value that does not fit its Daml-LF type.
// Its message reads `create Utility.Sequence:Sequence: count: got string "x", want Int64`.
type EncodeError struct {
	Op   string // the operation and template, "create Utility.Sequence:Sequence"; may be empty
	Path string // the location in the value: "count", "items[2].name", "kind.Some"
	Got  string // the Go value, described: `string "x"`
	Want string // the Daml-LF type or what was expected of the value
	Err  error  // an underlying cause, such as a range error; may be nil
}

func (e *EncodeError) Error() string {
	msg := ""
	if e.Op != "" {
		msg = e.Op + ": "
	}
	if e.Path != "" {
		msg += e.Path + ": "
	}
	if e.Got != "" {
		msg += fmt.Sprintf("got %s, want %s", e.Got, e.Want)
	} else {
		msg += e.Want
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *EncodeError) Unwrap() error { return e.Err }
