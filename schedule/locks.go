package schedule

import (
	"context"
	"slices"
	"sync"
)

// Locks is a set of named locks, one per site, taken all at once or not at
// all. The zero value is ready to use.
type Locks struct {
	mu      sync.Mutex
	held    map[string]string // name → holder
	changed chan struct{}     // closed and replaced on every release
}

// TryAcquire takes every name for holder, or none of them: then busy lists
// the names another holder has. release gives them back; it may be called
// more than once.
func (l *Locks) TryAcquire(holder string, names []string) (release func(), busy []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = map[string]string{}
	}
	for _, n := range names {
		if _, ok := l.held[n]; ok && !slices.Contains(busy, n) {
			busy = append(busy, n)
		}
	}
	if len(busy) > 0 {
		return nil, busy
	}
	for _, n := range names {
		l.held[n] = holder
	}
	var once sync.Once
	return func() { once.Do(func() { l.release(names) }) }, nil
}

// Acquire waits until every name is free and takes them all, or returns
// ctx's error.
func (l *Locks) Acquire(ctx context.Context, holder string, names []string) (release func(), err error) {
	for {
		l.mu.Lock()
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		wait := l.changed
		l.mu.Unlock()
		if rel, busy := l.TryAcquire(holder, names); busy == nil {
			return rel, nil
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Holder names who holds name, or "" when it is free.
func (l *Locks) Holder(name string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held[name]
}

func (l *Locks) release(names []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range names {
		delete(l.held, n)
	}
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}
