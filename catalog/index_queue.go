package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Queued is an article waiting for the search index, with what the index needs.
type Queued struct {
	RowID      int64
	Site       string
	ID         int64
	URL        string
	Lang       string
	Category   string
	Title      string
	Text       string // of the current version
	Published  string // RFC 3339, '' if unknown
	Day        string // published_day
	OriginKind string
	Outlet     string
	Channel    string
	StoryID    int64
	Deleted    bool
}

// IndexQueue returns up to limit articles waiting to be indexed, oldest first.
func (c *Catalog) IndexQueue(ctx context.Context, limit int) ([]Queued, error) {
	var out []Queued
	err := eachRow(ctx, c.r, `SELECT a.id, a.site, a.art_id, a.canonical_url, a.lang, a.category, a.title,
		COALESCE(v.text, ''), a.published, a.published_day, a.origin_kind, a.origin_outlet, a.origin_channel,
		COALESCE(a.story_id, 0), a.deleted_at IS NOT NULL
		FROM index_queue q JOIN articles a ON a.id = q.article
		LEFT JOIN versions v ON v.article = a.id AND v.n = a.current_version
		ORDER BY q.article LIMIT ?`, []any{limit},
		func(rows *sql.Rows) error {
			var q Queued
			if err := rows.Scan(&q.RowID, &q.Site, &q.ID, &q.URL, &q.Lang, &q.Category, &q.Title, &q.Text,
				&q.Published, &q.Day, &q.OriginKind, &q.Outlet, &q.Channel, &q.StoryID, &q.Deleted); err != nil {
				return err
			}
			out = append(out, q)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("index queue: %w", err)
	}
	return out, nil
}

// Dequeue removes indexed articles from the queue.
func (c *Catalog) Dequeue(ctx context.Context, rowIDs []int64) error {
	if len(rowIDs) == 0 {
		return nil
	}
	args := make([]any, len(rowIDs))
	for i, id := range rowIDs {
		args[i] = id
	}
	q := "DELETE FROM index_queue WHERE article IN (" + strings.TrimSuffix(strings.Repeat("?,", len(rowIDs)), ",") + ")"
	if _, err := c.w.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("dequeue: %w", err)
	}
	return nil
}

// Requeue puts every article back in the index queue (a full reindex of the search index).
func (c *Catalog) Requeue(ctx context.Context) error {
	if _, err := c.w.ExecContext(ctx, "INSERT OR IGNORE INTO index_queue (article) SELECT id FROM articles"); err != nil {
		return fmt.Errorf("requeue: %w", err)
	}
	return nil
}

// QueueLen is how many articles wait for the index.
func (c *Catalog) QueueLen(ctx context.Context) (int64, error) {
	var n int64
	err := c.r.QueryRowContext(ctx, "SELECT count(*) FROM index_queue").Scan(&n)
	return n, err
}
