package origin

import "sync"

// memo computes each key's value once; concurrent callers of one key wait for the first.
// The zero value is ready to use.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*memoEntry[V]
}

type memoEntry[V any] struct {
	done chan struct{}
	v    V
}

func (m *memo[K, V]) get(k K, compute func() V) V {
	m.mu.Lock()
	if m.m == nil {
		m.m = map[K]*memoEntry[V]{}
	}
	if e, ok := m.m[k]; ok {
		m.mu.Unlock()
		<-e.done
		return e.v
	}
	e := &memoEntry[V]{done: make(chan struct{})}
	m.m[k] = e
	m.mu.Unlock()
	defer close(e.done)
	e.v = compute()
	return e.v
}

// put stores v for k unless k is known already.
func (m *memo[K, V]) put(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[K]*memoEntry[V]{}
	}
	if _, ok := m.m[k]; !ok {
		e := &memoEntry[V]{done: make(chan struct{}), v: v}
		close(e.done)
		m.m[k] = e
	}
}

func (m *memo[K, V]) has(k K) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.m[k]
	return ok
}
