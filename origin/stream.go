package origin

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

// streamQueue bounds the articles waiting in a Stream. An article that finds it full is
// not lost: it is left to the trace round after the pass (it is in the catalog, changed
// since the pass began), so a slow origin host only moves tracing later, never blocks the
// pass or grows memory.
const streamQueue = 2048

// Stream traces articles while a crawl pass is still storing them, so that tracing (which
// waits on other hosts: t.me, the outlets) overlaps fetching instead of following it, and
// starts from the row the pass just wrote instead of reading it back.
//
// A chain that reaches a network article the catalog does not hold yet is not followed:
// the pass is likely to fetch that page itself, and fetching it here too would fetch it
// twice in one pass. Such articles, and any Add refused, are left for the caller's trace
// round after the pass; Close says which articles were traced.
type Stream struct {
	t       *Tracer
	ctx     context.Context
	start   time.Time
	fetched int64 // the tracer's fetch count at the start
	jobs    chan *catalog.Article
	wg      sync.WaitGroup

	mu     sync.Mutex // guards closed, st, traced and Add's send
	closed bool
	st     TraceStats
	traced map[int64]bool
	failed int
}

// Stream starts Workers goroutines that trace what Add hands them until Close.
func (t *Tracer) Stream(ctx context.Context) *Stream {
	s := &Stream{t: t, ctx: ctx, start: time.Now(), fetched: t.fetches.Load(),
		jobs: make(chan *catalog.Article, streamQueue), traced: map[int64]bool{}}
	workers := t.Workers
	if workers <= 0 {
		workers = 4
	}
	for range workers {
		s.wg.Go(s.work)
	}
	return s
}

// Add queues an article for tracing: a must carry its row id, its current version's
// capture and its hops (a just-inserted article has none). It never blocks; it reports
// false when the queue is full or the stream closed, and the article is then the trace
// round's.
func (s *Stream) Add(a *catalog.Article) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.ctx.Err() != nil {
		return false
	}
	select {
	case s.jobs <- a:
		return true
	default:
		return false
	}
}

func (s *Stream) work() {
	for a := range s.jobs {
		if s.ctx.Err() != nil {
			continue // drain: Close must not wait on a cancelled pass
		}
		c, err := s.t.trace(s.ctx, a, true)
		s.mu.Lock()
		switch {
		case err == nil:
			s.st.add(c)
			s.traced[a.RowID] = true
		case errors.Is(err, errDeferred), s.ctx.Err() != nil:
		default:
			s.failed++
			s.t.log().Warn("trace", "article", a.RowID, "err", err)
		}
		s.mu.Unlock()
	}
}

// Close stops taking articles, waits for those queued, and returns what was traced: the
// stats, and the row ids whose chains are stored (the rest are the trace round's).
func (s *Stream) Close() (TraceStats, map[int64]bool) {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.jobs)
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.Failed = s.failed
	st.Fetches = s.t.fetches.Load() - s.fetched
	st.Duration = time.Since(s.start)
	return st, s.traced
}
