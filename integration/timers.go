package integration

import (
	"context"
	"sync"
)

// runTimers runs one loop per timer of the current generation until ctx
// ends, restarting them all when a reload swaps the generation.
func (r *Runtime) runTimers(ctx context.Context) {
	for {
		gen := r.gen.Load()
		genCtx, cancel := context.WithCancel(ctx)
		var loops sync.WaitGroup
		for _, hs := range gen.timers {
			loops.Add(1)
			go func() {
				defer loops.Done()
				r.timerLoop(genCtx, gen, hs)
			}()
		}
		select {
		case <-ctx.Done():
		case <-r.reloaded:
		}
		cancel()
		loops.Wait()
		if ctx.Err() != nil {
			return
		}
	}
}

// timerLoop puts one tick into the FIFO per interval. The next interval
// starts only after the tick's handler has finished, so a timer is never
// re-entrant and a slow handler delays the next tick instead of building a
// backlog. A tick that finds the FIFO full is skipped and counted.
//
// A tick counts as pending work for Idle from the moment the loop receives
// it until the next timer is armed.
func (r *Runtime) timerLoop(ctx context.Context, gen *generation, hs *handlerState) {
	ticking := false
	defer func() {
		if ticking {
			r.pendingWork.Add(-1)
		}
	}()
	for {
		t := r.clock.NewTimer(hs.h.Interval)
		if ticking {
			r.pendingWork.Add(-1)
			ticking = false
		}
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		}
		r.pendingWork.Add(1)
		ticking = true
		done := make(chan struct{})
		if !r.fifo.push(fifoItem{timer: hs, gen: gen.id, done: done}) {
			r.metrics.skipped.WithLabelValues("timer").Inc()
			r.log.Debug("timer tick skipped: the event queue is full", "handler", hs.name(), "label", hs.label)
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-done:
		}
	}
}
