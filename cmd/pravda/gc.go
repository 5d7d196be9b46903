package main

import (
	"os"
	"runtime/debug"
)

// crawlGC trades memory the crawl does not use for CPU it does: a crawl's live heap is
// small (tens of MB: the frontier is in the catalog, pages are handled one at a time), so
// the default GOGC=100 collects every few MB of garbage. 400 took the benchmark crawl from
// about 5.0 to 4.2 CPU seconds (peak RSS 90 → 130 MB). The soft limit keeps the Go heap
// under what is left of the 300 MB the crawl promises, whatever its size, once SQLite's
// page caches (outside the Go heap: see catalog's writerCacheKiB) and the binary are
// counted: with 200 MB, a 40,000-article crawl sat at 280 MB while it fetched (live heap
// 40-50 MB). GOGC and GOMEMLIMIT, when set, win.
func crawlGC() {
	setGCPercent(400)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(crawlHeapLimit)
	}
}

// crawlHeapLimit is the crawl's soft limit on Go memory.
const crawlHeapLimit = 160 << 20

// indexGC is for the commands that feed the search index (serve, reindex, bench): bleve's
// analysis and segment building allocate heavily. GOGC=200 took index ingest from about
// 1,000 to 1,120 docs per CPU second (20,000 articles); 400 with a 1 GiB soft limit gains
// another 5% (100,000 articles: 2,131-2,262 docs/s against 2,035-2,151) at the same peak
// RSS, 1.3 GB against 1.45-1.55 GB, most of it the index's mapped files. GOGC and
// GOMEMLIMIT, when set, win.
func indexGC() {
	setGCPercent(400)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

func setGCPercent(p int) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(p)
	}
}
