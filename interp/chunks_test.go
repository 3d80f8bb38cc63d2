package interp_test

import (
	"path/filepath"
	"testing"

	"github.com/ditstar/ditstar/interp"
)

// TestChunks runs the chunked files in testdata: each error must be
// reported on the line that expects it, and nowhere else.
func TestChunks(t *testing.T) {
	files, err := filepath.Glob("testdata/*.star")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no chunked test files in testdata")
	}
	in := interp.New(testOptions())
	for _, filename := range files {
		t.Run(filepath.Base(filename), func(t *testing.T) {
			for _, c := range readChunks(t, filename) {
				if err := runChunk(in, c.src); err != nil {
					for line, msg := range errorLines(t, err) {
						c.gotError(t, filename, line, msg)
					}
				}
				c.done(t, filename)
			}
		})
	}
}
