package interp_test

import (
	"strings"
	"testing"

	"github.com/ditstar/ditstar/interp"
)

func TestCheck(t *testing.T) {
	in := interp.New(testOptions())
	tests := []struct {
		name  string
		files map[string]string
		want  []string // diagnostics as "file:line:col: message" prefixes
	}{
		{
			name:  "clean file",
			files: map[string]string{"test.star": "from .helpers import double\n\n@identity\nasync def f(x: int) -> int:\n    return await double(x)\n"},
		},
		{
			name:  "front-end problems",
			files: map[string]string{"test.star": "class A:\n    pass\nx = 1\nif x is None:\n    pass\n"},
			want:  []string{"test.star:1:1: class is not supported", "test.star:4:6: is is not supported"},
		},
		{
			name:  "resolver problems",
			files: map[string]string{"test.star": "def f():\n    return g()\n\ndef h():\n    return k\n"},
			want:  []string{"test.star:2:12: undefined: g", "test.star:5:12: undefined: k"},
		},
		{
			name:  "syntax error",
			files: map[string]string{"test.star": "def f(:\n    pass\n"},
			want:  []string{"test.star:1:8: got ':', want ')'"}, // the position the Starlark parser itself reports
		},
		{
			name:  "missing sibling",
			files: map[string]string{"test.star": "x = 1\nfrom .nothere import f\n"},
			want:  []string{"test.star:2:1: module .nothere not found"},
		},
		{
			name:  "missing name in sibling",
			files: map[string]string{"test.star": "from .helpers import double, triple\n"},
			want:  []string{"test.star:1:30: module .helpers (helpers.star) has no global triple"},
		},
		{
			name: "sibling that does not compile",
			files: map[string]string{
				"test.star": "from .bad import f\n",
				"bad.star":  "def f(:\n",
			},
			want: []string{"test.star:1:1: module .bad does not compile. Check bad.star"},
		},
		{
			name:  "missing file",
			files: map[string]string{},
			want:  []string{"test.star: read script: open test.star: file does not exist"},
		},
		{
			name:  "load statement",
			files: map[string]string{"test.star": "load(\"helpers.star\", \"double\", \"nothing\")\n"},
			want:  []string{"test.star:1:33: module helpers.star (helpers.star) has no global nothing"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := in.Check(testFS(tt.files), "test.star")
			if len(diags) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d: %v", len(diags), len(tt.want), diags)
			}
			for i, d := range diags {
				if !strings.HasPrefix(d.String(), tt.want[i]) {
					t.Errorf("diagnostic %d = %q, want prefix %q", i, d.String(), tt.want[i])
				}
			}
		})
	}
}

func TestCheckDoesNotRun(t *testing.T) {
	in := interp.New(testOptions())
	src := "fail(\"ran\")\nwhile True:\n    pass\n"
	if diags := in.Check(testFS(map[string]string{"test.star": src}), "test.star"); len(diags) != 0 {
		t.Fatalf("Check ran the file or found problems: %v", diags)
	}
}
