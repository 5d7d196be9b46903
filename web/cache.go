package web

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

// Aggregates over daily_counts scan every row of their date range: tens of
// milliseconds for a month, a second or more for a year of the whole
// network grouped by origin. A researcher clicking between pages asks for
// the same ones again and again, so they are kept for cacheTTL: counts may
// lag the catalog by that much, which a crawl every few minutes makes moot.
const (
	cacheTTL     = 30 * time.Second
	cacheEntries = 512
)

type aggCache struct {
	mu sync.Mutex
	m  map[string]aggEntry
}

type aggEntry struct {
	at time.Time
	v  any
}

func (c *aggCache) get(key string, now time.Time) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.Sub(e.at) > cacheTTL {
		return nil, false
	}
	return e.v, true
}

func (c *aggCache) put(key string, v any, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]aggEntry{}
	}
	if len(c.m) >= cacheEntries {
		for k, e := range c.m { // drop the stale, or if none, any
			if now.Sub(e.at) > cacheTTL {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < cacheEntries {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[key] = aggEntry{now, v}
}

// cached runs fn once per key and TTL. Callers must not modify the result.
func cached[T any](s *Server, key string, fn func() (T, error)) (T, error) {
	now := s.now()
	if v, ok := s.cache.get(key, now); ok {
		return v.(T), nil
	}
	v, err := fn()
	if err == nil {
		s.cache.put(key, v, now)
	}
	return v, err
}

func (s *Server) dailyCounts(ctx context.Context, q catalog.CountQuery) ([]catalog.CountRow, error) {
	return cached(s, fmt.Sprintf("daily %#v", q), func() ([]catalog.CountRow, error) { return s.cat.DailyCounts(ctx, q) })
}

func (s *Server) originCounts(ctx context.Context, q catalog.CountQuery) ([]catalog.OriginCount, error) {
	return cached(s, fmt.Sprintf("origin %#v", q), func() ([]catalog.OriginCount, error) { return s.cat.OriginCounts(ctx, q) })
}

func (s *Server) totals(ctx context.Context, from, to string) ([]catalog.CountRow, error) {
	return s.dailyCounts(ctx, catalog.CountQuery{From: from, To: to, By: "day"})
}

func (s *Server) dayRange(ctx context.Context) (first, last string, err error) {
	r, err := cached(s, "range", func() ([2]string, error) {
		f, l, err := s.cat.DayRange(ctx)
		return [2]string{f, l}, err
	})
	return r[0], r[1], err
}
