package main

import (
	"context"
	"net/http"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/ingest"
	"github.com/pravda-archive/pravda/origin"
)

// maxTraceRounds bounds the rounds of tracing the articles that tracing itself ingested
// (network pages a chain led to that the pass had not fetched).
const maxTraceRounds = 4

// maxUntraced is how many never-traced credited articles (a catalog rebuilt from the archive,
// a pass whose trace stage was interrupted) one pass picks up besides its own.
const maxUntraced = 20000

// regroupMargin widens the days a pass touched for the regroup: the context a regroup
// window reads around the days it rewrites.
const regroupMargin = origin.WindowMargin

// traceAfterPass ends the trace stage of a pass: it traces the articles the pass stored or
// changed since passStart that its stream (nil: none) did not, follows credited sources hop
// by hop (fetching and archiving origin pages, ingesting network pages the catalog lacks),
// records hops and lags, and regroups stories.
func traceAfterPass(ctx context.Context, o crawlOptions, cat *catalog.Catalog, tr *origin.Tracer, passStart time.Time, stream *origin.Stream) error {
	start := time.Now()
	var total origin.TraceStats
	done := map[int64]bool{}
	if stream != nil {
		total, done = stream.Close()
	}
	// Capture times come from WARC-Date, which has whole seconds: a page fetched in the
	// pass's first second may be stamped before passStart.
	since := passStart.Truncate(time.Second)
	ids, err := cat.Changed(ctx, since)
	if err != nil {
		return err
	}
	untraced, err := cat.Untraced(ctx, maxUntraced)
	if err != nil {
		return err
	}
	ids = append(ids, untraced...)
	for round := 0; round < maxTraceRounds && len(ids) > 0; round++ {
		var todo []int64
		for _, id := range ids {
			if !done[id] {
				done[id] = true
				todo = append(todo, id)
			}
		}
		if len(todo) == 0 {
			break
		}
		st, err := tr.TraceAll(ctx, todo)
		addTraceStats(&total, st)
		if err != nil {
			return err
		}
		// Network pages fetched for chains are new articles of this pass: trace them too.
		if ids, err = cat.Changed(ctx, since); err != nil {
			return err
		}
	}
	if total.Articles == 0 {
		return nil
	}
	traced := make([]int64, 0, len(done))
	for id := range done {
		traced = append(traced, id)
	}
	g := &origin.Grouper{Registry: o.reg, Catalog: cat, Log: o.log}
	from, to := widen(total.From, total.To, regroupMargin)
	gs, err := g.Regroup(ctx, origin.Scope{From: from, To: to, Changed: traced})
	if err != nil {
		return err
	}
	o.log.Info("trace stage", "articles", total.Articles, "credited", total.Credited, "hops", total.Hops,
		"unreachable", total.Unreachable, "failed", total.Failed, "fetches", total.Fetches,
		"trace_took", total.Duration, "regrouped", gs.Articles, "stories", gs.Stories, "created", gs.Created,
		"moved", gs.Moved, "attributed", gs.Attributed, "group_took", gs.Duration, "took", time.Since(start))
	return nil
}

// newTracer wires a tracer to the pass's fetcher and ingester.
func newTracer(o crawlOptions, cat *catalog.Catalog, fetcher origin.Fetcher, in *ingest.Ingester) *origin.Tracer {
	tr := &origin.Tracer{Registry: o.reg, Catalog: cat, Workers: o.workers, Log: o.log}
	if fetcher != nil {
		tr.Fetcher = fetcher
	}
	if in != nil {
		tr.Ingest = func(ctx context.Context, pageURL string, resp *http.Response, body []byte) error {
			rec, _ := archive.CaptureFromHeader(resp.Header)
			_, err := in.Put(ctx, ingest.Capture{URL: pageURL, Status: resp.StatusCode, Header: resp.Header,
				Body: body, Record: rec, Fetched: time.Now()})
			return err
		}
	}
	return tr
}

func addTraceStats(t *origin.TraceStats, s origin.TraceStats) {
	t.Articles += s.Articles
	t.Credited += s.Credited
	t.Hops += s.Hops
	t.Unreachable += s.Unreachable
	t.Failed += s.Failed
	t.Fetches += s.Fetches
	t.Duration += s.Duration
	if s.From != "" && (t.From == "" || s.From < t.From) {
		t.From = s.From
	}
	if s.To > t.To {
		t.To = s.To
	}
}

// widen extends a range of days (YYYY-MM-DD) by d each way; a bad day leaves that end open.
func widen(from, to string, d time.Duration) (string, string) {
	const layout = "2006-01-02"
	f, err := time.Parse(layout, from)
	if err != nil {
		from = ""
	} else {
		from = f.Add(-d).Format(layout)
	}
	t, err := time.Parse(layout, to)
	if err != nil {
		to = ""
	} else {
		to = t.Add(d).Format(layout)
	}
	return from, to
}
