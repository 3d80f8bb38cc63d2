package integration

import (
	"context"
	"fmt"
	"sync"

	"go.starlark.net/starlark"
)

// fifoItem is a timer tick or a queue message waiting for its turn.
type fifoItem struct {
	// timer is set for a tick. gen is the generation of that timer, so that
	// a tick of a timer removed by a reload is dropped.
	timer *handlerState
	gen   int64
	// queueName and message are set for a queue message.
	queueName string
	message   starlark.Value
	// done, when set, is closed once the item has been handled or dropped.
	done chan struct{}
}

// fifo is the bounded first-in first-out queue shared by timer ticks and
// queue messages, with the counters of the status document.
type fifo struct {
	mu       sync.Mutex
	items    []fifoItem
	capacity int
	total    int64
	skipped  int64
	notify   chan struct{}
}

func newFIFO(capacity int) *fifo {
	return &fifo{capacity: capacity, notify: make(chan struct{}, 1)}
}

// push appends it, or counts it as skipped and returns false when the queue
// is full.
func (f *fifo) push(it fifoItem) bool {
	f.mu.Lock()
	if len(f.items) >= f.capacity {
		f.skipped++
		f.mu.Unlock()
		return false
	}
	f.items = append(f.items, it)
	f.total++
	f.mu.Unlock()
	select {
	case f.notify <- struct{}{}:
	default:
	}
	return true
}

// wait blocks until the queue holds an item or ctx ends, and reports
// whether an item is there.
func (f *fifo) wait(ctx context.Context) bool {
	for {
		f.mu.Lock()
		n := len(f.items)
		f.mu.Unlock()
		if n > 0 {
			return true
		}
		select {
		case <-f.notify:
		case <-ctx.Done():
			return false
		}
	}
}

// tryPop removes the oldest item, if there is one.
func (f *fifo) tryPop() (fifoItem, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.items) == 0 {
		return fifoItem{}, false
	}
	it := f.items[0]
	f.items[0] = fifoItem{}
	f.items = f.items[1:]
	return it, true
}

func (f *fifo) stats() QueueStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return QueueStatus{
		QueueSize:     f.capacity,
		TotalEvents:   f.total,
		PendingEvents: len(f.items),
		SkippedEvents: f.skipped,
	}
}

// putMessage implements env.queue.put. Once handlers are registered, a
// message for a queue without a handler is an error. While an entrypoint
// runs (at start-up or in a reload), the handler may still be registered
// later, so the check waits for delivery.
func (r *Runtime) putMessage(message starlark.Value, queueName string) error {
	if gen := r.gen.Load(); gen != nil && !r.loading.Load() {
		if _, ok := gen.queueByName[queueName]; !ok {
			return fmt.Errorf("no handler for queue %q; register one with @events.queue.message(queue_name=%q)", queueName, queueName)
		}
	}
	if !r.fifo.push(fifoItem{queueName: queueName, message: message}) {
		r.metrics.skipped.WithLabelValues("queue").Inc()
		stats := r.fifo.stats()
		return fmt.Errorf("event queue is full (%d of %d pending); message for queue %q skipped; raise DABL_QUEUE_SIZE or put fewer messages", stats.PendingEvents, stats.QueueSize, queueName)
	}
	return nil
}

// runQueue delivers the FIFO's items one at a time until ctx ends. An item
// leaves the FIFO only once it has the turn, so that the items waiting for
// a running handler count against the capacity. Items still queued at a
// stop are dropped, as the Python framework dropped them.
func (r *Runtime) runQueue(ctx context.Context) {
	for r.fifo.wait(ctx) {
		if !r.acquire(ctx) {
			return
		}
		it, ok := r.fifo.tryPop()
		if ok {
			r.deliverItem(ctx, it)
		}
		r.release()
		if ok {
			closeDone(it)
		}
	}
}

func closeDone(it fifoItem) {
	if it.done != nil {
		close(it.done)
	}
}

func (r *Runtime) deliverItem(ctx context.Context, it fifoItem) {
	gen := r.gen.Load()
	if it.timer != nil {
		if it.gen != gen.id {
			r.log.Debug("timer tick dropped: the script was reloaded", "handler", it.timer.name())
			return
		}
		_, _ = r.callHandler(ctx, gen, it.timer, nil, false)
		return
	}
	hs, ok := gen.queueByName[it.queueName]
	if !ok {
		r.fifo.countSkipped()
		r.metrics.skipped.WithLabelValues("queue").Inc()
		r.log.Warn("queue message dropped: no handler for its queue", "queue", it.queueName)
		return
	}
	_, _ = r.callHandler(ctx, gen, hs, starlark.Tuple{it.message}, false)
}

func (f *fifo) countSkipped() {
	f.mu.Lock()
	f.skipped++
	f.mu.Unlock()
}
