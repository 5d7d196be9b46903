package schedule

import "time"

// Clock is where the scheduler reads the time and waits. System is the real
// one; tests pass a fake they advance by hand.
type Clock interface {
	Now() time.Time
	// After sends the time on the returned channel once d has passed; at
	// once when d ≤ 0.
	After(d time.Duration) <-chan time.Time
}

// System is the wall clock.
var System Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
