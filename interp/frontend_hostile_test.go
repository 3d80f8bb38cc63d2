package interp_test

import (
	"context"
	"testing"

	"github.com/ditstar/ditstar/interp"
)

// Windows editors start UTF-8 files with a byte order mark, and Python
// ignores it, so a ported script that has one must load unchanged. The
// positions of later lines stay as they are in the file.
func TestByteOrderMarkIgnored(t *testing.T) {
	in := interp.New(testOptions())
	const bom = "\ufeff"
	files := map[string]string{
		"test.star":  bom + "x = 1\r\n\r\ndef f():\r\n    return x\r\n",
		"undef.star": bom + "x = 1\ny = nothere\n",
	}
	fsys := testFS(files)
	if diags := in.Check(fsys, "test.star"); len(diags) != 0 {
		t.Errorf("Check(test.star) = %v, want no diagnostics", diags)
	}
	globals, err := in.LoadFile(context.Background(), fsys, "test.star")
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if got := globals["x"]; got == nil || got.String() != "1" {
		t.Errorf("x = %v, want 1", got)
	}
	diags := in.Check(fsys, "undef.star")
	if len(diags) != 1 {
		t.Fatalf("Check(undef.star) = %v, want one diagnostic", diags)
	}
	if want := "undef.star:2:5: undefined: nothere"; diags[0].String() != want {
		t.Errorf("diagnostic = %q, want %q", diags[0].String(), want)
	}
}
