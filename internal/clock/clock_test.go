package clock

import (
	"testing"
	"time"
)

func TestVirtualFiresInOrder(t *testing.T) {
	start := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	v := NewVirtual(start)
	late := v.NewTimer(2 * time.Second)
	early := v.NewTimer(time.Second)

	v.Advance(500 * time.Millisecond)
	select {
	case <-early.C():
		t.Fatal("timer fired before its deadline")
	default:
	}

	v.Advance(2 * time.Second)
	if got := <-early.C(); !got.Equal(start.Add(time.Second)) {
		t.Errorf("early timer fired at %v, want %v", got, start.Add(time.Second))
	}
	if got := <-late.C(); !got.Equal(start.Add(2 * time.Second)) {
		t.Errorf("late timer fired at %v, want %v", got, start.Add(2*time.Second))
	}
	if n := v.Pending(); n != 0 {
		t.Errorf("Pending() = %d after all timers fired, want 0", n)
	}
}

func TestVirtualStop(t *testing.T) {
	v := NewVirtual(time.Unix(0, 0))
	tm := v.NewTimer(time.Second)
	if !tm.Stop() {
		t.Fatal("Stop() = false on a pending timer, want true")
	}
	v.Advance(time.Hour)
	select {
	case <-tm.C():
		t.Fatal("stopped timer fired")
	default:
	}
	if tm.Stop() {
		t.Error("second Stop() = true, want false")
	}
}
