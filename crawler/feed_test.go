package crawler

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/pravda-archive/pravda/seeds"
)

// pagedFrontier serves n pending items a page at a time and records the pages asked.
type pagedFrontier struct {
	Frontier
	n      int
	mu     sync.Mutex
	limits []int
}

func (f *pagedFrontier) Pending(_ context.Context, site string, after int64, limit int) ([]Item, int64, error) {
	f.mu.Lock()
	f.limits = append(f.limits, limit)
	f.mu.Unlock()
	var items []Item
	next := after
	for id := after + 1; id <= int64(f.n) && len(items) < limit; id++ {
		next = id
		if id%500 == 0 {
			continue // a row the frontier cannot use: skipped, but the position moves
		}
		items = append(items, Item{Site: site, URL: fmt.Sprintf("https://japan.news-pravda.com/world/2026/11/30/%d.html", id), ID: id})
	}
	return items, next, nil
}

type countingProgress struct {
	nopProgress
	mu   sync.Mutex
	done int
}

func (p *countingProgress) Add(n int) { p.mu.Lock(); p.done += n; p.mu.Unlock() }

// A site's pending items reach the workers a page at a time, each once, followed by its
// rechecks but for one that is pending already; the bar ends at the total it was given.
func TestFeedPagesThroughTheFrontier(t *testing.T) {
	const n = 2500
	f := &pagedFrontier{n: n}
	prog := &countingProgress{}
	r := stageRun(f, nil)
	r.cfg.Progress = prog
	revs := []Revisit{
		{Item: Item{URL: "https://japan.news-pravda.com/world/2026/11/30/7.html", ID: 7}}, // pending too
		{Item: Item{URL: "https://japan.news-pravda.com/world/2026/11/20/1.html", ID: 1}},
		{Item: Item{URL: "https://japan.news-pravda.com/world/2026/11/21/2.html", ID: 2}},
	}
	p := &sitePlan{site: &seeds.Site{Name: "japan"}, pending: n, revs: revs}
	ch := make(chan job)
	var got []job
	done := make(chan struct{})
	go func() {
		for j := range ch {
			got = append(got, j)
			prog.Add(1) // what a worker does with each job
		}
		close(done)
	}()
	if err := r.feed(context.Background(), p, ch); err != nil {
		t.Fatal(err)
	}
	close(ch)
	<-done
	seen := map[string]bool{}
	rechecks := 0
	for _, j := range got {
		if seen[j.URL] {
			t.Errorf("%s fed twice", j.URL)
		}
		seen[j.URL] = true
		if j.recheck {
			rechecks++
		}
	}
	if want := n - n/500 + 2; len(got) != want || rechecks != 2 {
		t.Errorf("fed %d jobs (%d rechecks), want %d (2 rechecks)", len(got), rechecks, want)
	}
	for _, l := range f.limits {
		if l > pendingPage {
			t.Errorf("asked the frontier for %d items at once, page is %d", l, pendingPage)
		}
	}
	if len(f.limits) < n/pendingPage {
		t.Errorf("%d pages read for %d items", len(f.limits), n)
	}
	if total := n + len(revs); prog.done != total {
		t.Errorf("bar at %d of %d", prog.done, total)
	}
}
