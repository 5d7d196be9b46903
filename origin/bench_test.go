package origin_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/ingest"
	"github.com/pravda-archive/pravda/origin"
	"github.com/pravda-archive/pravda/seeds"
	"github.com/pravda-archive/pravda/sim"
)

// simWeb fetches from the simulator's handler in process, with a made-up capture per
// response as the archiving fetcher gives.
type simWeb struct {
	h http.Handler
	n atomic.Int64
}

func (w *simWeb) Get(_ context.Context, u string) (*http.Response, []byte, error) {
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	c, _ := json.Marshal(archive.Capture{URL: u, File: "bench.warc.gz", Offset: w.n.Add(1)})
	resp.Header.Set(archive.CaptureHeader, string(c))
	return resp, body, nil
}

// simCatalog is a catalog holding a simulated network's article pages (six sites, three
// days of 100 stories a day, ~2,100 articles), ingested as a crawl would, untraced.
type simCatalog struct {
	cat   *catalog.Catalog
	web   *simWeb
	in    *ingest.Ingester
	ids   []int64
	fresh map[int64]catalog.Origin // origin as ingested, before tracing
}

func newSimCatalog(b testing.TB) *simCatalog {
	return newSimCatalogOf(b, 3, 100)
}

// newSimCatalogOf is newSimCatalog with days of perDay stories.
func newSimCatalogOf(b testing.TB, days, perDay int) *simCatalog {
	b.Helper()
	ctx := context.Background()
	n, err := sim.New(sim.Config{Seed: 5, Days: days, PerDay: perDay,
		Now: func() time.Time { return time.Date(2025, 5, 4, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		b.Fatal(err)
	}
	s := &simCatalog{cat: openCatalog(b), web: &simWeb{h: n.Handler()}, fresh: map[int64]catalog.Origin{}}
	s.in = &ingest.Ingester{Registry: seeds.Default(), Catalog: s.cat}
	for _, x := range n.Truth() {
		if x.Deleted || x.Disallowed {
			continue
		}
		resp, body, err := s.web.Get(ctx, x.URL)
		if err != nil || resp.StatusCode != 200 {
			continue
		}
		rec, _ := archive.CaptureFromHeader(resp.Header)
		if _, err := s.in.Put(ctx, ingest.Capture{URL: x.URL, Status: 200, Header: resp.Header, Body: body, Record: rec,
			Fetched: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	if s.ids, err = s.cat.Changed(ctx, time.Time{}); err != nil {
		b.Fatal(err)
	}
	for _, id := range s.ids {
		a, err := s.cat.ArticleHeadByRowID(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		s.fresh[id] = a.Origin
	}
	return s
}

func (s *simCatalog) tracer() *origin.Tracer {
	return &origin.Tracer{Catalog: s.cat, Fetcher: s.web, Workers: 4,
		Ingest: func(ctx context.Context, u string, resp *http.Response, body []byte) error {
			rec, _ := archive.CaptureFromHeader(resp.Header)
			_, err := s.in.Put(ctx, ingest.Capture{URL: u, Status: resp.StatusCode, Header: resp.Header, Body: body,
				Record: rec, Fetched: time.Now()})
			return err
		}}
}

// untrace puts every article back as ingested: no hops, the origin its credit classifies
// to, no story.
func (s *simCatalog) untrace(b *testing.B) {
	ctx := context.Background()
	for _, id := range s.ids {
		if err := s.cat.SetTrace(ctx, id, s.fresh[id], nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.cat.SetStory(ctx, s.ids, 0); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTrace traces every article of the simulated network with a new Tracer (one per
// pass, so every origin page is fetched again): "fresh" from untraced articles, as a
// crawl's first pass does; "again" over chains already stored, as a recheck pass does.
func BenchmarkTrace(b *testing.B) {
	s := newSimCatalog(b)
	ctx := context.Background()
	b.Run("fresh", func(b *testing.B) {
		var cpu origin.CPUClock
		for b.Loop() {
			b.StopTimer()
			s.untrace(b)
			b.StartTimer()
			cpu.Start()
			if _, err := s.tracer().TraceAll(ctx, s.ids); err != nil {
				b.Fatal(err)
			}
			cpu.Stop()
		}
		cpu.Report(b)
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(s.ids)), "µs/article")
	})
	b.Run("again", func(b *testing.B) {
		var cpu origin.CPUClock
		cpu.Start()
		for b.Loop() {
			if _, err := s.tracer().TraceAll(ctx, s.ids); err != nil {
				b.Fatal(err)
			}
		}
		cpu.Stop()
		cpu.Report(b)
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(s.ids)), "µs/article")
	})
}

// BenchmarkRegroup regroups the traced simulated network: "fresh" from no stories, as
// after a first pass; "again" with the stories in place, as every later pass over the
// same days does.
func BenchmarkRegroup(b *testing.B) {
	s := newSimCatalog(b)
	ctx := context.Background()
	if _, err := s.tracer().TraceAll(ctx, s.ids); err != nil {
		b.Fatal(err)
	}
	traced := map[int64]*catalog.Article{}
	for _, id := range s.ids {
		a, err := s.cat.ArticleHeadByRowID(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		traced[id] = a
	}
	g := &origin.Grouper{Catalog: s.cat}
	b.Run("fresh", func(b *testing.B) {
		var cpu origin.CPUClock
		for b.Loop() {
			b.StopTimer()
			for id, a := range traced {
				if err := s.cat.SetTrace(ctx, id, a.Origin, a.Hops); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.cat.SetStory(ctx, s.ids, 0); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			cpu.Start()
			if _, err := g.Regroup(ctx, origin.Scope{}); err != nil {
				b.Fatal(err)
			}
			cpu.Stop()
		}
		cpu.Report(b)
	})
	b.Run("again", func(b *testing.B) {
		var cpu origin.CPUClock
		cpu.Start()
		for b.Loop() {
			if _, err := g.Regroup(ctx, origin.Scope{}); err != nil {
				b.Fatal(err)
			}
		}
		cpu.Stop()
		cpu.Report(b)
	})
}
