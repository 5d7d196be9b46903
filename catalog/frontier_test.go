package catalog

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// A crawl killed halfway resumes with exactly the URLs it had not finished,
// in order, and enqueueing the listing again adds nothing twice.
func TestFrontierResume(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.BeginRun(ctx, []string{"japan", "france"})
	if err != nil {
		t.Fatal(err)
	}
	var items []FrontierItem
	for i := range 10 {
		items = append(items, FrontierItem{Site: "japan", Kind: "article",
			URL: fmt.Sprintf("https://japan.news-pravda.com/world/2025/03/01/%d.html", 2000+i)})
	}
	items = append(items, FrontierItem{Site: "france", Kind: "listing", URL: "https://francais.news-pravda.com/api/blocks"})
	if err := c.Enqueue(ctx, run, items); err != nil {
		t.Fatal(err)
	}
	for _, it := range items[:4] {
		if err := c.MarkDone(ctx, it.URL); err != nil {
			t.Fatal(err)
		}
	}
	c.MaxAttempts = 2
	boom := errors.New("connection reset")
	c.MarkFailed(ctx, items[4].URL, boom) // one failure: still pending
	c.MarkFailed(ctx, items[5].URL, boom)
	c.MarkFailed(ctx, items[5].URL, boom) // two: gives up
	c.MarkDone(ctx, "https://unknown.example/")
	if err := c.SetState(ctx, "japan/newest", "2009"); err != nil {
		t.Fatal(err)
	}
	// Killed: no FinishRun. Close only releases the file, as process exit would.
	c.Close()

	c, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Enqueue(ctx, run+1, items); err != nil { // the restarted crawl lists the same URLs
		t.Fatal(err)
	}
	pend, err := c.Pending(ctx, "japan")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pend {
		got = append(got, p.URL[len(p.URL)-9:])
	}
	if want := "[2004.html 2006.html 2007.html 2008.html 2009.html]"; fmt.Sprint(got) != want {
		t.Fatalf("pending after restart %v, want %s", got, want)
	}
	if p := pend[0]; p.Attempts != 1 || p.LastError != "connection reset" || p.Run != run || p.State != ItemPending {
		t.Fatalf("retried item %+v", p)
	}
	// Page by page, the same items in the same order, and the count agrees.
	var paged []string
	for after := int64(0); ; {
		page, err := c.PendingAfter(ctx, "japan", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 2 {
			t.Fatalf("page of %d, limit 2", len(page))
		}
		if len(page) == 0 {
			break
		}
		for _, p := range page {
			paged = append(paged, p.URL[len(p.URL)-9:])
		}
		after = page[len(page)-1].ID
	}
	if fmt.Sprint(paged) != fmt.Sprint(got) {
		t.Errorf("paged pending %v, want %v", paged, got)
	}
	if n, err := c.CountPending(ctx, "japan"); n != len(got) || err != nil {
		t.Errorf("CountPending = %d, %v; want %d", n, err, len(got))
	}
	all, _ := c.Pending(ctx, "")
	if len(all) != 6 || all[5].Site != "france" {
		t.Fatalf("pending over all sites: %d", len(all))
	}
	if n := countRows(t, c, "SELECT count(*) FROM frontier"); n != 11 {
		t.Fatalf("%d frontier rows after re-enqueue, want 11", n)
	}
	if n := countRows(t, c, "SELECT count(*) FROM frontier WHERE state = 'failed'"); n != 1 {
		t.Fatalf("%d failed, want 1", n)
	}
	if v, ok, err := c.State(ctx, "japan/newest"); v != "2009" || !ok || err != nil {
		t.Fatalf("State = %q %v %v", v, ok, err)
	}
	if _, ok, _ := c.State(ctx, "nope"); ok {
		t.Fatal("State of a missing key ok")
	}

	// Pruning forgets finished URLs, so they may be enqueued again.
	n, err := c.PruneFrontier(ctx, time.Now().Add(time.Minute))
	if err != nil || n != 5 {
		t.Fatalf("PruneFrontier = %d, %v; want 5", n, err)
	}
	if err := c.Enqueue(ctx, run+1, items[:1]); err != nil {
		t.Fatal(err)
	}
	if pend, _ := c.Pending(ctx, "japan"); len(pend) != 6 {
		t.Fatalf("pruned URL not re-enqueued: %d pending", len(pend))
	}
	if err := c.Enqueue(ctx, run, []FrontierItem{{Site: "x"}}); err == nil {
		t.Fatal("empty URL enqueued")
	}
}
