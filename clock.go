package settle

import (
	"sync"
	"time"
)

// Clock tells the time. Nothing below the CLI reads the wall clock itself: the job
// runner owns a Clock (the wall clock in production) and hands it down, and tests
// set it to any instant.
type Clock interface {
	Now() time.Time
}

// WallClock is the machine's clock. The CLI creates it; nothing else should.
type WallClock struct{}

// Now returns the current time.
func (WallClock) Now() time.Time { return time.Now() }

// FakeClock is a clock that stands still until it is set or advanced: for tests,
// and for running a past day as if it were now.
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFakeClock returns a clock standing at t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{t: t} }

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
