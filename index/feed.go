package index

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

// Sync indexes every article the catalog has queued (new, changed, re-traced), in batches,
// and takes each batch off the queue only once it is in the index: the catalog is the
// source, the index is derived, and a crash in between only means re-indexing a batch.
func Sync(ctx context.Context, cat *catalog.Catalog, x *Index) (int, error) {
	// Each Index call ends waiting for its last segment to reach the disk, alone on one
	// core: calls of several bleve batches each keep that tail short against the rest.
	const batch = 10000
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		qs, err := cat.IndexQueue(ctx, batch)
		if err != nil {
			return n, err
		}
		if len(qs) == 0 {
			return n, nil
		}
		docs := make([]Doc, 0, len(qs))
		ids := make([]int64, 0, len(qs))
		for _, q := range qs {
			docs = append(docs, DocOf(q))
			ids = append(ids, q.RowID)
		}
		if err := x.Index(ctx, docs); err != nil {
			return n, fmt.Errorf("index batch: %w", err)
		}
		if err := cat.Dequeue(ctx, ids); err != nil {
			return n, err
		}
		n += len(qs)
	}
}

// DocOf maps a queued catalog article to an index document.
func DocOf(q catalog.Queued) Doc {
	d := Doc{Key: q.Site + ":" + strconv.FormatInt(q.ID, 10), Site: q.Site, Lang: q.Lang, Category: q.Category,
		Title: q.Title, Text: q.Text, OriginKind: q.OriginKind, Outlet: q.Outlet, Channel: q.Channel, URL: q.URL}
	if q.StoryID != 0 {
		d.Story = strconv.FormatInt(q.StoryID, 10)
	}
	if t, err := time.Parse(time.RFC3339, q.Published); err == nil {
		d.Published = t
	} else if t, err := time.Parse("2006-01-02", q.Day); err == nil {
		d.Published = t
	}
	return d
}
