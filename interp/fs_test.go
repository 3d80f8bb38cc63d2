package interp_test

import (
	"errors"
	"testing/fstest"
)

// helpersStar is the sibling file that chunk tests import.
const helpersStar = `
def double(x):
    return 2 * x

def broken():
    fail("broken helper")

greeting = "hello"
`

func testFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{"helpers.star": {Data: []byte(helpersStar)}}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

func errorsAs[T any](err error, target *T) bool { return errors.As(err, target) }
