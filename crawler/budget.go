package crawler

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/semaphore"
)

// BodyBudget bounds the memory that big article pages take between the wire and the
// handle stage, whatever the number of fetch workers. Without it, 16 workers fetching 8 MiB
// pages held a page each in the transport, another in colly's copy and more waiting for
// the Handler: peak RSS 381-433 MB against the crawl's 300 MB promise.
//
// A page fetch holds a lease from the moment its transport asks for room (through
// Reserve, plugged into the recording transport's options) until the page is handed to
// the handle stage, whose own byte bound takes over; a Fetcher.Get (the trace stage's
// single fetches) holds one until it returns. Bodies under the transport's LargeBody
// threshold ask for nothing; discovery and robots.txt requests, one at a time per site,
// are not counted.
type BodyBudget struct {
	size int64
	sem  *semaphore.Weighted
}

// DefaultBodyBudget is room for four 8 MiB pages: with the handle stage's bound and
// the crawl's ordinary heap it keeps a crawl of big pages under 300 MB.
const DefaultBodyBudget = 32 << 20

// NewBodyBudget returns a budget of size bytes (DefaultBodyBudget if size <= 0).
func NewBodyBudget(size int64) *BodyBudget {
	if size <= 0 {
		size = DefaultBodyBudget
	}
	return &BodyBudget{size: size, sem: semaphore.NewWeighted(size)}
}

// Reserve is archive.TransportOptions.Reserve: it waits until n bytes (at most the whole
// budget, so one page bigger than it still goes, alone) are free for the page fetch ctx
// belongs to, and holds them for that fetch. Asking again, as a retry or a body that
// decodes bigger does, replaces what the fetch holds rather than adding to it. For
// requests that are not page fetches it returns at once.
func (b *BodyBudget) Reserve(ctx context.Context, n int64) (release func(), err error) {
	l, _ := ctx.Value(leaseKey{}).(*lease)
	if l == nil || l.b != b {
		return nil, nil
	}
	if err := l.grow(ctx, n); err != nil {
		return nil, fmt.Errorf("body budget: %w", err)
	}
	return nil, nil // the fetch gives the room back when the page is handed on
}

// lease is what one page fetch holds of a budget; one goroutine uses it.
type lease struct {
	b    *BodyBudget
	mu   sync.Mutex
	held int64
}

type leaseKey struct{}

// begin starts the lease of one page fetch and returns the context its requests carry.
func (b *BodyBudget) begin(ctx context.Context) (context.Context, *lease) {
	if b == nil {
		return ctx, nil
	}
	l := &lease{b: b}
	return context.WithValue(ctx, leaseKey{}, l), l
}

func (l *lease) grow(ctx context.Context, n int64) error {
	n = min(n, l.b.size)
	l.mu.Lock()
	defer l.mu.Unlock()
	if n <= l.held {
		return nil
	}
	// Give back what is held before waiting for more: two fetches each holding part of
	// the budget while waiting for the rest would wait for each other forever.
	l.b.sem.Release(l.held)
	l.held = 0
	if err := l.b.sem.Acquire(ctx, n); err != nil {
		return err
	}
	l.held = n
	return nil
}

// end gives back what the lease holds; it is safe on a nil lease and more than once.
func (l *lease) end() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.sem.Release(l.held)
	l.held = 0
}
