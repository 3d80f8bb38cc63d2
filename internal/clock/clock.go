// Package clock supplies the time source that the runtime, the script
// modules and the embedded ledger read. Production code uses Real. Tests and
// `ditstar test` use a Virtual clock that moves only through Advance and Set,
// so that timers and timestamps are deterministic.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock is a source of the current time and of timers.
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that fires once, d after Now.
	NewTimer(d time.Duration) Timer
}

// Timer fires once on C unless stopped first.
type Timer interface {
	C() <-chan time.Time
	// Stop prevents the timer from firing and reports whether it was still pending.
	Stop() bool
}

// Real is the system clock, in UTC.
type Real struct{}

// Now returns the current UTC time.
func (Real) Now() time.Time { return time.Now().UTC() }

// NewTimer wraps time.NewTimer.
func (Real) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// Virtual is a manual clock. Its time changes only through Advance and Set,
// which fire every timer whose deadline has been reached, earliest first.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	timers []*virtualTimer
}

// NewVirtual returns a virtual clock that reads start (converted to UTC).
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start.UTC()} }

// Now returns the clock's current time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// NewTimer returns a timer that fires when the clock reaches Now()+d.
// A timer with d <= 0 fires at once.
func (v *Virtual) NewTimer(d time.Duration) Timer {
	v.mu.Lock()
	defer v.mu.Unlock()
	t := &virtualTimer{clock: v, when: v.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.ch <- v.now
		t.fired = true
		return t
	}
	v.timers = append(v.timers, t)
	return t
}

// Advance moves the clock forward by d and fires the timers that came due.
func (v *Virtual) Advance(d time.Duration) {
	v.mu.Lock()
	v.setLocked(v.now.Add(d))
	v.mu.Unlock()
}

// Set moves the clock to t; a time before Now is ignored.
func (v *Virtual) Set(t time.Time) {
	v.mu.Lock()
	if t.After(v.now) {
		v.setLocked(t.UTC())
	}
	v.mu.Unlock()
}

// Pending returns the number of timers that have not fired or been stopped.
func (v *Virtual) Pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.timers)
}

func (v *Virtual) setLocked(t time.Time) {
	v.now = t
	sort.SliceStable(v.timers, func(i, j int) bool { return v.timers[i].when.Before(v.timers[j].when) })
	kept := v.timers[:0]
	for _, tm := range v.timers {
		if tm.when.After(t) {
			kept = append(kept, tm)
			continue
		}
		tm.fired = true
		tm.ch <- tm.when
	}
	v.timers = kept
}

type virtualTimer struct {
	clock *Virtual
	when  time.Time
	ch    chan time.Time
	fired bool
}

func (t *virtualTimer) C() <-chan time.Time { return t.ch }

func (t *virtualTimer) Stop() bool {
	v := t.clock
	v.mu.Lock()
	defer v.mu.Unlock()
	if t.fired {
		return false
	}
	for i, other := range v.timers {
		if other == t {
			v.timers = append(v.timers[:i], v.timers[i+1:]...)
			break
		}
	}
	t.fired = true
	return true
}
