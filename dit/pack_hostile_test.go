package dit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const hostilePackMeta = `
catalog: {name: hello, version: 1.0.0, description: d}
integration_types:
  - {id: a, name: A, description: d, entrypoint: hello:main, fields: []}
`

// A file over the package size cap is rejected by its size, before pack
// reads it into memory. The file is sparse, so the test writes no data.
func TestPackHugeFileRejected(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"dit-meta.yaml": hostilePackMeta,
		"hello.star":    "def main(env, events): pass\n",
	})
	huge := filepath.Join(dir, "huge.bin")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxPackageSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()

	err = Pack(dir, &bytes.Buffer{})
	if err == nil {
		t.Fatal("Pack succeeded, want an error naming huge.bin")
	}
	if !strings.Contains(err.Error(), "huge.bin") || !strings.Contains(err.Error(), "1 GiB") {
		t.Errorf("err = %v, want one naming huge.bin and the 1 GiB cap", err)
	}
}
