package interp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/interp"
)

func loadTest(t *testing.T, in *interp.Interp, files map[string]string) starlark.StringDict {
	t.Helper()
	globals, err := in.LoadFile(context.Background(), testFS(files), "test.star")
	if err != nil {
		t.Fatal(interp.FormatError(err))
	}
	return globals
}

func limitedInterp(limits interp.Limits) *interp.Interp {
	opts := testOptions()
	opts.Limits = limits
	return interp.New(opts)
}

// requireLimit fails the test unless err is a *LimitError for limit.
func requireLimit(t *testing.T, err error, limit string) *interp.LimitError {
	t.Helper()
	var got *interp.LimitError
	if !errors.As(err, &got) {
		t.Fatalf("got %v, want a *LimitError", err)
	}
	if got.Limit != limit {
		t.Fatalf("Limit = %q, want %q", got.Limit, limit)
	}
	return got
}

func TestCallStepBudget(t *testing.T) {
	in := limitedInterp(interp.Limits{MaxSteps: 10_000, Timeout: time.Minute})
	globals := loadTest(t, in, map[string]string{"test.star": "def spin():\n    while True:\n        pass\n"})
	_, err := in.Call(context.Background(), globals["spin"], nil, nil, nil)
	var limit *interp.LimitError
	if !errors.As(err, &limit) {
		t.Fatalf("got %v, want a *LimitError", err)
	}
	if limit.Limit != "steps" {
		t.Errorf("Limit = %q, want steps", limit.Limit)
	}
	if limit.MaxSteps != 10_000 {
		t.Errorf("MaxSteps = %d, want 10000", limit.MaxSteps)
	}
	// The loop of "while True: pass" has no instruction of its own line, so
	// the position is the function's.
	text := interp.FormatError(err)
	if !strings.HasPrefix(text, "test.star:1:1: execution step budget of 10000 steps exceeded") {
		t.Errorf("FormatError = %q, want the position and the budget", text)
	}
}

func TestCallStepBudgetPosition(t *testing.T) {
	in := limitedInterp(interp.Limits{MaxSteps: 10_000, Timeout: time.Minute})
	globals := loadTest(t, in, map[string]string{"test.star": "def count():\n    n = 0\n    while n >= 0:\n        n += 1\n"})
	_, err := in.Call(context.Background(), globals["count"], nil, nil, nil)
	text := interp.FormatError(err)
	if !strings.HasPrefix(text, "test.star:3:") && !strings.HasPrefix(text, "test.star:4:") {
		t.Errorf("FormatError = %q, want a position in the loop", text)
	}
}

func TestCallRecursionBounded(t *testing.T) {
	in := limitedInterp(interp.Limits{MaxSteps: 50_000, Timeout: time.Minute})
	globals := loadTest(t, in, map[string]string{"test.star": "def down(n):\n    return down(n + 1)\n\ndef fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\n"})
	v, err := in.Call(context.Background(), globals["fact"], starlark.Tuple{starlark.MakeInt(10)}, nil, nil)
	if err != nil {
		t.Fatalf("recursion is allowed: %v", err)
	}
	if v.String() != "3628800" {
		t.Errorf("fact(10) = %s, want 3628800", v)
	}
	_, err = in.Call(context.Background(), globals["down"], starlark.Tuple{starlark.MakeInt(0)}, nil, nil)
	requireLimit(t, err, "steps")
}

// TestCallFreshThread checks that each call gets the whole budget: a
// reused thread would keep counting and fail the second call.
func TestCallFreshThread(t *testing.T) {
	// One call takes about 20,000 steps, so three calls on one thread would
	// exceed the budget.
	in := limitedInterp(interp.Limits{MaxSteps: 30_000, Timeout: time.Minute})
	globals := loadTest(t, in, map[string]string{"test.star": "def work():\n    n = 0\n    for i in range(2000):\n        n += i\n    return n\n"})
	for i := range 3 {
		if _, err := in.Call(context.Background(), globals["work"], nil, nil, nil); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
}

func TestCallDeadlineStopsSleepingBuiltin(t *testing.T) {
	in := limitedInterp(interp.Limits{MaxSteps: 1_000_000, Timeout: 100 * time.Millisecond})
	globals := loadTest(t, in, map[string]string{"test.star": "def wait():\n    sleep(30)\n"})
	start := time.Now()
	_, err := in.Call(context.Background(), globals["wait"], nil, nil, nil)
	elapsed := time.Since(start)
	var limit *interp.LimitError
	if !errors.As(err, &limit) {
		t.Fatalf("got %v, want a *LimitError", err)
	}
	if limit.Limit != "timeout" {
		t.Errorf("Limit = %q, want timeout", limit.Limit)
	}
	if limit.Timeout != 100*time.Millisecond {
		t.Errorf("Timeout = %s, want 100ms", limit.Timeout)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("errors.Is(err, context.DeadlineExceeded) = false")
	}
	if elapsed > 10*time.Second {
		t.Errorf("call returned after %s, the builtin ignored the deadline", elapsed)
	}
	if text := interp.FormatError(err); !strings.HasPrefix(text, "test.star:2:10: timeout of 100ms exceeded") {
		t.Errorf("FormatError = %q", text)
	}
}

func TestCallDeadlineStopsBusyLoop(t *testing.T) {
	in := limitedInterp(interp.Limits{MaxSteps: 1 << 62, Timeout: 100 * time.Millisecond})
	globals := loadTest(t, in, map[string]string{"test.star": "def spin():\n    while True:\n        pass\n"})
	_, err := in.Call(context.Background(), globals["spin"], nil, nil, nil)
	requireLimit(t, err, "timeout")
}

func TestCallCallerDeadline(t *testing.T) {
	in := limitedInterp(interp.Limits{MaxSteps: 1_000_000, Timeout: time.Minute})
	globals := loadTest(t, in, map[string]string{"test.star": "def wait():\n    sleep(30)\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := in.Call(ctx, globals["wait"], nil, nil, nil)
	limit := requireLimit(t, err, "timeout")
	if limit.Timeout != 0 {
		t.Errorf("Timeout = %s, want 0 for the caller's deadline", limit.Timeout)
	}
	if !strings.Contains(limit.Error(), "calling context") {
		t.Errorf("Error() = %q, want it to name the calling context", limit.Error())
	}
}

func TestCallCancelled(t *testing.T) {
	in := limitedInterp(interp.Limits{MaxSteps: 1_000_000, Timeout: time.Minute})
	globals := loadTest(t, in, map[string]string{"test.star": "def wait():\n    sleep(30)\n"})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := in.Call(ctx, globals["wait"], nil, nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	var limit *interp.LimitError
	if errors.As(err, &limit) {
		t.Error("a cancelled call is not a limit error")
	}
}

func TestLoadFileStepBudget(t *testing.T) {
	in := limitedInterp(interp.Limits{MaxSteps: 10_000, Timeout: time.Minute})
	_, err := in.LoadFile(context.Background(), testFS(map[string]string{"test.star": "while True:\n    pass\n"}), "test.star")
	requireLimit(t, err, "steps")
}

// TestLoadFileBudgetShared checks that a loaded file's steps count against
// the budget of the file that loads it.
func TestLoadFileBudgetShared(t *testing.T) {
	// One file's loop takes about 40,000 steps.
	in := limitedInterp(interp.Limits{MaxSteps: 60_000, Timeout: time.Minute})
	loop := "n = 0\nfor i in range(4000):\n    n += i\n"
	files := map[string]string{
		"test.star": "from .a import n\n" + loop,
		"a.star":    loop,
	}
	_, err := in.LoadFile(context.Background(), testFS(files), "test.star")
	requireLimit(t, err, "steps")
	delete(files, "a.star")
	files["test.star"] = loop
	if _, err := in.LoadFile(context.Background(), testFS(files), "test.star"); err != nil {
		t.Fatalf("one file alone fits the budget: %v", err)
	}
}

func TestDefaultLimits(t *testing.T) {
	d := interp.DefaultLimits()
	if d.MaxSteps == 0 || d.Timeout <= 0 {
		t.Fatalf("DefaultLimits() = %+v, want both limits set", d)
	}
	// Zero fields take the defaults: a call that needs more than a small
	// budget works.
	opts := testOptions()
	opts.Limits = interp.Limits{}
	in := interp.New(opts)
	globals := loadTest(t, in, map[string]string{"test.star": "def work():\n    n = 0\n    for i in range(100000):\n        n += i\n    return n\n"})
	if _, err := in.Call(context.Background(), globals["work"], nil, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestContextOutsideInterp(t *testing.T) {
	if ctx := interp.Context(&starlark.Thread{}); ctx == nil || ctx.Err() != nil {
		t.Errorf("Context of a foreign thread = %v, want a live background context", ctx)
	}
}

func TestCallSetup(t *testing.T) {
	in := interp.New(testOptions())
	var got string
	logged := starlark.NewBuiltin("handler_name", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		got, _ = thread.Local("handler").(string)
		return starlark.None, nil
	})
	setup := func(thread *starlark.Thread) { thread.SetLocal("handler", "on_created") }
	if _, err := in.Call(context.Background(), logged, nil, nil, setup); err != nil {
		t.Fatal(err)
	}
	if got != "on_created" {
		t.Errorf("thread local = %q, want on_created", got)
	}
}

// TestConcurrentLoadAndCall runs loads and calls from several goroutines,
// for the race detector.
func TestConcurrentLoadAndCall(t *testing.T) {
	in := interp.New(testOptions())
	fsys := testFS(map[string]string{"test.star": "from .helpers import double\n\ndef work(x):\n    return double(x)\n"})
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			globals, err := in.LoadFile(context.Background(), fsys, "./test.star")
			if err == nil {
				_, err = in.Call(context.Background(), globals["work"], starlark.Tuple{starlark.MakeInt(2)}, nil, nil)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(interp.FormatError(err))
		}
	}
}
