package interp

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.starlark.net/starlark"
)

// Limits bounds each call into Starlark: a handler call through Call, or
// the top level of a file and the files it loads through LoadFile.
//
// TODO: bound memory too. A single builtin step such as "x" * 10**9
// allocates without limit, and the deadline is checked only between steps.
type Limits struct {
	// MaxSteps is the execution-step budget. A step is roughly one
	// bytecode instruction of the Starlark virtual machine.
	MaxSteps uint64
	// Timeout is the wall-clock deadline, counted from the start of the
	// call. Builtins that block read it through Context.
	Timeout time.Duration
}

// DefaultLimits returns the limits used for zero fields of Options.Limits:
// 100 million steps and 30 seconds.
//
// The step budget is far above what event handlers need (converting a
// contract and building a command takes thousands of steps), so it stops
// only runaway loops and runaway recursion. BenchmarkSteps measures the
// rate: about 16 million steps a second on the 2-core Xeon VM where it was
// written, so a runaway loop stops after a few seconds of CPU, before the
// deadline. The deadline matches the default command timeout of
// IntegrationResponse, and leaves room for a few outbound HTTP calls from
// one handler.
func DefaultLimits() Limits {
	return Limits{MaxSteps: 100_000_000, Timeout: 30 * time.Second}
}

// A LimitError reports a call stopped by one of its limits. Err is the
// Starlark error at the point where the call stopped, with its backtrace.
type LimitError struct {
	Limit    string        // "steps" or "timeout"
	MaxSteps uint64        // the budget, when Limit is "steps"
	Timeout  time.Duration // the deadline, when Limit is "timeout", or 0 when the caller's context set it
	Err      error
}

func (e *LimitError) Error() string {
	switch {
	case e.Limit == "steps":
		return fmt.Sprintf("execution step budget of %d steps exceeded. Look for a loop that does not end", e.MaxSteps)
	case e.Timeout > 0:
		return fmt.Sprintf("timeout of %s exceeded", e.Timeout)
	default:
		return "deadline of the calling context exceeded"
	}
}

// Unwrap returns the Starlark error and, for timeouts,
// context.DeadlineExceeded.
func (e *LimitError) Unwrap() []error {
	if e.Limit == "timeout" {
		return []error{e.Err, context.DeadlineExceeded}
	}
	return []error{e.Err}
}

const contextKey = "ditstar.interp.context"

// Context returns the context of the call that thread runs: builtins that
// block must return when it is done. It returns context.Background for a
// thread that Interp did not start.
func Context(thread *starlark.Thread) context.Context {
	if ctx, ok := thread.Local(contextKey).(context.Context); ok {
		return ctx
	}
	return context.Background()
}

// A session is one limited call: a Call, or a LoadFile with the files it
// loads. Its threads share one step budget and one deadline.
type session struct {
	in       *Interp
	ctx      context.Context
	cancel   context.CancelFunc
	maxSteps uint64
	timeout  time.Duration // 0 when the caller's context has the earlier deadline
	overrun  atomic.Bool
}

func (in *Interp) newSession(ctx context.Context) *session {
	s := &session{in: in, maxSteps: in.limits.MaxSteps, timeout: in.limits.Timeout}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < in.limits.Timeout {
		s.timeout = 0
	}
	s.ctx, s.cancel = context.WithTimeout(ctx, in.limits.Timeout)
	return s
}

const budgetKey = "ditstar.interp.budget"

// newThread returns a thread with a budget of steps and the session's
// deadline. The caller must call the returned stop function when the
// thread is done.
func (s *session) newThread(name string, budget uint64) (*starlark.Thread, func()) {
	thread := &starlark.Thread{Name: name, Print: s.in.print}
	thread.SetLocal(contextKey, s.ctx)
	thread.SetLocal(budgetKey, budget)
	// A budget of 0 would mean no limit to the interpreter.
	thread.SetMaxExecutionSteps(max(budget, 1))
	thread.OnMaxSteps = func(thread *starlark.Thread) {
		s.overrun.Store(true)
		thread.Cancel("execution step budget exceeded")
	}
	stop := context.AfterFunc(s.ctx, func() {
		thread.Cancel("deadline exceeded")
	})
	return thread, func() { stop() }
}

// remaining returns the steps left to thread.
func remaining(thread *starlark.Thread) uint64 {
	budget, _ := thread.Local(budgetKey).(uint64)
	if used := thread.ExecutionSteps(); used < budget {
		return budget - used
	}
	return 0
}

// classify turns an error of a limited thread into a LimitError when a
// limit stopped it.
func (s *session) classify(err error) error {
	if err == nil {
		return nil
	}
	if s.overrun.Load() {
		return &LimitError{Limit: "steps", MaxSteps: s.maxSteps, Err: err}
	}
	switch ctxErr := s.ctx.Err(); {
	case errors.Is(ctxErr, context.DeadlineExceeded):
		return &LimitError{Limit: "timeout", Timeout: s.timeout, Err: err}
	case ctxErr != nil:
		return fmt.Errorf("call cancelled: %w", errors.Join(err, ctxErr))
	}
	return err
}

// Call runs fn on a fresh thread with the step budget and a deadline from
// ctx and the Timeout limit. The optional setup function may set thread
// locals, such as a logger or the handler's name, before the call starts.
// A call stopped by a limit returns a *LimitError.
func (in *Interp) Call(ctx context.Context, fn starlark.Value, args starlark.Tuple,
	kwargs []starlark.Tuple, setup func(*starlark.Thread)) (starlark.Value, error) {
	s := in.newSession(ctx)
	defer s.cancel()
	name := "call"
	if c, ok := fn.(starlark.Callable); ok {
		name = c.Name()
	}
	thread, stop := s.newThread(name, s.maxSteps)
	if setup != nil {
		setup(thread)
	}
	v, err := starlark.Call(thread, fn, args, kwargs)
	stop()
	return v, s.classify(err)
}
