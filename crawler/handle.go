package crawler

import (
	"context"
	"sync"

	"golang.org/x/sync/semaphore"
)

// handlersPerWorker is how many pages may be in the Handler per fetch worker.
// The Handler's catalog writes share group commits, and a commit costs about
// the same for 8 articles as for 64: with a handler per fetch worker, a crawl
// spent a quarter of its CPU in SQLite, and its workers sat idle while their
// pages waited for a commit. Separate handlers let the fetchers go on and the
// commits grow (catalog.BenchmarkPutArticleParallel: 430-470 CPU-µs an article
// from 8 callers, 290-320 from 64).
const handlersPerWorker = 4

// maxHandleBytes bounds the bodies waiting in or for the Handler, so that a
// site serving big pages cannot multiply memory by the handlers: a parsed page
// takes several times its size. Pages of the usual tens of KB never meet it;
// pages at the extraction cap (8 MiB) go through one at a time. Up to the
// handle stage, the BodyBudget bounds them. Measured with 8 MiB pages (pravda
// sim --pad-kb 8192, 61 pages): peak RSS 225 MB with 8 or 16 fetch workers.
const maxHandleBytes = 8 << 20

// handleStage runs the Handler on fetched pages, apart from the fetch workers.
type handleStage struct {
	ctx   context.Context
	r     *run
	ch    chan handled
	bytes *semaphore.Weighted
	wg    sync.WaitGroup
}

type handled struct {
	j    job
	page *Page
	size int64
}

func newHandleStage(ctx context.Context, r *run, workers int) *handleStage {
	hs := &handleStage{ctx: ctx, r: r, ch: make(chan handled), bytes: semaphore.NewWeighted(maxHandleBytes)}
	for range workers * handlersPerWorker {
		hs.wg.Go(func() {
			for h := range hs.ch {
				r.handle(ctx, h.j, h.page)
				hs.bytes.Release(h.size)
				r.cfg.Progress.Add(1)
			}
		})
	}
	return hs
}

// hand queues a page for the Handler, waiting while the bodies queued are at
// their bound. It reports false when the crawl was cancelled first: the page
// is dropped, and its frontier entry stays pending for the next pass.
func (hs *handleStage) hand(j job, page *Page) bool {
	size := min(int64(len(page.Body)), maxHandleBytes)
	if err := hs.bytes.Acquire(hs.ctx, size); err != nil {
		return false
	}
	select {
	case hs.ch <- handled{j: j, page: page, size: size}:
		return true
	case <-hs.ctx.Done():
		hs.bytes.Release(size)
		return false
	}
}

// close waits for the pages handed so far.
func (hs *handleStage) close() {
	close(hs.ch)
	hs.wg.Wait()
}
