package interp

import (
	"context"
	"testing"
	"testing/fstest"

	"go.starlark.net/starlark"
)

func TestCacheRecompilesOnlyOnChange(t *testing.T) {
	in := New(Options{})
	fsys := fstest.MapFS{"main.star": {Data: []byte("x = 1\n")}}
	ctx := context.Background()

	load := func() starlark.StringDict {
		t.Helper()
		globals, err := in.LoadFile(ctx, fsys, "main.star")
		if err != nil {
			t.Fatal(FormatError(err))
		}
		return globals
	}
	load()
	load()
	if n := in.compiles.Load(); n != 1 {
		t.Fatalf("after two loads of one file: %d compilations, want 1", n)
	}
	fsys["main.star"] = &fstest.MapFile{Data: []byte("x = 2\n")}
	if got := load()["x"]; got.String() != "2" {
		t.Errorf("x = %s after the change, want 2", got)
	}
	if n := in.compiles.Load(); n != 2 {
		t.Fatalf("after a change: %d compilations, want 2", n)
	}
	load()
	if n := in.compiles.Load(); n != 2 {
		t.Fatalf("after reloading the changed file: %d compilations, want 2", n)
	}
	// The same source under another name compiles again, because positions
	// in the program carry the file name.
	fsys["copy.star"] = fsys["main.star"]
	if _, err := in.LoadFile(ctx, fsys, "copy.star"); err != nil {
		t.Fatal(err)
	}
	if n := in.compiles.Load(); n != 3 {
		t.Fatalf("after loading a copy: %d compilations, want 3", n)
	}
	// Check shares the cache.
	if diags := in.Check(fsys, "main.star"); len(diags) != 0 {
		t.Fatalf("Check: %v", diags)
	}
	if n := in.compiles.Load(); n != 3 {
		t.Fatalf("after Check of a cached file: %d compilations, want 3", n)
	}
}

func TestCacheEvictsBeyondSize(t *testing.T) {
	in := New(Options{CacheSize: 1})
	fsys := fstest.MapFS{"a.star": {Data: []byte("a = 1\n")}, "b.star": {Data: []byte("b = 1\n")}}
	for _, file := range []string{"a.star", "b.star", "a.star"} {
		if _, err := in.LoadFile(context.Background(), fsys, file); err != nil {
			t.Fatal(err)
		}
	}
	if n := in.compiles.Load(); n != 3 {
		t.Fatalf("with room for one program: %d compilations, want 3", n)
	}
}

func TestCacheKey(t *testing.T) {
	builtin := starlark.NewBuiltin("f", nil)
	base := New(Options{Predeclared: starlark.StringDict{"a": builtin, "b": builtin}})
	same := New(Options{Predeclared: starlark.StringDict{"b": builtin, "a": builtin}})
	otherNames := New(Options{Predeclared: starlark.StringDict{"a": builtin}})
	otherModules := New(Options{
		Predeclared: starlark.StringDict{"a": builtin, "b": builtin},
		Modules:     map[string]starlark.StringDict{"json": {"encode": builtin}},
	})
	src := []byte("x = 1\n")
	key := base.key("main.star", src)
	if same.key("main.star", src) != key {
		t.Error("the same predeclared names in another order give another key")
	}
	if otherNames.key("main.star", src) == key {
		t.Error("other predeclared names give the same key")
	}
	if otherModules.key("main.star", src) == key {
		t.Error("other modules give the same key")
	}
	if base.key("main.star", []byte("x = 2\n")) == key {
		t.Error("other source gives the same key")
	}
	if base.key("other.star", src) == key {
		t.Error("another file name gives the same key")
	}
}
