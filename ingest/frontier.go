package ingest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/seeds"
)

// Frontier adapts the catalog's persistent frontier and state to the crawler.
type Frontier struct {
	Catalog  *catalog.Catalog
	Registry *seeds.Registry
	Run      int64 // the crawl run enqueued URLs are attributed to
}

// Cursor implements crawler.Frontier.
func (f *Frontier) Cursor(ctx context.Context, siteKey string) (int64, error) {
	v, ok, err := f.Catalog.State(ctx, "cursor/"+siteKey)
	if err != nil || !ok {
		return 0, err
	}
	var id int64
	_, err = fmt.Sscan(v, &id)
	return id, err
}

// SetCursor implements crawler.Frontier.
func (f *Frontier) SetCursor(ctx context.Context, siteKey string, id int64) error {
	return f.Catalog.SetState(ctx, "cursor/"+siteKey, fmt.Sprint(id))
}

// Enqueue implements crawler.Frontier.
func (f *Frontier) Enqueue(ctx context.Context, items []crawler.Item) error {
	rows := make([]catalog.FrontierItem, len(items))
	for i, it := range items {
		rows[i] = catalog.FrontierItem{Site: it.Site, URL: it.URL, Kind: "article"}
	}
	return f.Catalog.Enqueue(ctx, f.Run, rows)
}

// Pending implements crawler.Frontier.
func (f *Frontier) Pending(ctx context.Context, site string, after int64, limit int) ([]crawler.Item, int64, error) {
	rows, err := f.Catalog.PendingAfter(ctx, site, after, limit)
	if err != nil {
		return nil, after, err
	}
	next := after
	items := make([]crawler.Item, 0, len(rows))
	for _, r := range rows {
		next = r.ID
		_, a, err := f.Registry.Article(r.URL)
		if err != nil {
			continue
		}
		items = append(items, crawler.Item{Site: r.Site, URL: r.URL, Key: a.Key(), ID: a.ID})
	}
	return items, next, nil
}

// CountPending implements crawler.Frontier.
func (f *Frontier) CountPending(ctx context.Context, site string) (int, error) {
	return f.Catalog.CountPending(ctx, site)
}

// Done implements crawler.Frontier.
func (f *Frontier) Done(ctx context.Context, url string) error { return f.Catalog.MarkDone(ctx, url) }

// Failed implements crawler.Frontier.
func (f *Frontier) Failed(ctx context.Context, url string, err error) error {
	return f.Catalog.MarkFailed(ctx, url, err)
}

// Recent implements crawler.Frontier.
func (f *Frontier) Recent(ctx context.Context, since time.Time, sites []string) ([]crawler.Revisit, error) {
	refs, err := f.Catalog.Recent(ctx, since, sites)
	if err != nil {
		return nil, err
	}
	out := make([]crawler.Revisit, 0, len(refs))
	for _, r := range refs {
		u := r.CanonicalURL
		if u == "" {
			u = r.URL
		}
		site := r.Site
		if i := strings.IndexByte(site, '/'); i >= 0 {
			site = site[:i]
		}
		out = append(out, crawler.Revisit{Item: crawler.Item{Site: site, URL: u, Key: fmt.Sprintf("%s:%d", r.Site, r.ID), ID: r.ID},
			ETag: r.ETag, LastModified: r.LastModified})
	}
	return out, nil
}
