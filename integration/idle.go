package integration

// Idle reports whether the runtime has nothing to do at this moment. No
// handler call or submission is then in flight, and no webhook request or
// received transaction waits for its turn. The event queue is empty, and
// every timer tick taken from the clock has been handled and its timer
// armed again. Idle returns false until the start-up sequence has finished,
// and true once Run has returned.
//
// Idle sees only work that has reached the runtime. A test that commits a
// transaction still compares the ledger end with the delivered offset, and
// a test on a virtual clock still checks that an expired timer has been
// taken, because a fired timer counts from the moment its loop receives it.
func (r *Runtime) Idle() bool {
	select {
	case <-r.done:
		return true
	default:
	}
	select {
	case <-r.ready:
	default:
		return false
	}
	// Work counted here takes the turn later, so these counters are read
	// before the turn is tried.
	if r.pendingWork.Load() > 0 || r.webhookWaiting.Load() > 0 {
		return false
	}
	select {
	case r.turn <- struct{}{}:
	default:
		return false
	}
	defer r.release()
	// While Idle holds the turn, no item leaves the queue.
	return r.fifo.stats().PendingEvents == 0
}
