package ditest

import (
	"sync"
	"time"

	"github.com/ditstar/ditstar/internal/clock"
)

// testStart is the virtual time at which every test starts, so that times
// in expected output do not change from run to run.
var testStart = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// simClock is the clock the runtime reads: a virtual clock that also keeps
// the deadlines of its pending timers. The engine uses them to advance from
// one timer to the next, and to see that every timer loop has armed its
// next timer, which the runtime does only after the previous tick's handler
// and submission have finished.
type simClock struct {
	virtual *clock.Virtual

	mu     sync.Mutex
	timers map[*simTimer]struct{}
}

func newSimClock(v *clock.Virtual) *simClock {
	return &simClock{virtual: v, timers: map[*simTimer]struct{}{}}
}

// Now returns the virtual time.
func (c *simClock) Now() time.Time { return c.virtual.Now() }

// NewTimer creates a virtual timer and records its deadline.
func (c *simClock) NewTimer(d time.Duration) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &simTimer{clock: c, when: c.virtual.Now().Add(d), inner: c.virtual.NewTimer(d)}
	if d > 0 {
		c.timers[t] = struct{}{}
	}
	return t
}

// set moves the virtual time to t, firing the timers that come due.
func (c *simClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.virtual.Set(t)
	now := c.virtual.Now()
	for timer := range c.timers {
		if !timer.when.After(now) {
			delete(c.timers, timer)
		}
	}
}

// armed returns the number of timers waiting for a future time.
func (c *simClock) armed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// next returns the earliest deadline of a waiting timer.
func (c *simClock) next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var earliest time.Time
	found := false
	for t := range c.timers {
		if !found || t.when.Before(earliest) {
			earliest, found = t.when, true
		}
	}
	return earliest, found
}

type simTimer struct {
	clock *simClock
	when  time.Time
	inner clock.Timer
}

func (t *simTimer) C() <-chan time.Time { return t.inner.C() }

func (t *simTimer) Stop() bool {
	t.clock.mu.Lock()
	delete(t.clock.timers, t)
	t.clock.mu.Unlock()
	return t.inner.Stop()
}
