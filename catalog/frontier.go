package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// States of a frontier item.
const (
	ItemPending = "pending"
	ItemDone    = "done"
	ItemFailed  = "failed" // failed MaxAttempts times; not retried
)

// FrontierItem is a URL the crawl means to fetch.
type FrontierItem struct {
	ID        int64 // insertion order
	Site      string
	URL       string
	Kind      string // article, listing, origin, ...
	Run       int64  // the run that first enqueued it
	State     string // ItemPending, ItemDone or ItemFailed
	Attempts  int
	LastError string
	UpdatedAt time.Time
}

// Enqueue adds URLs to the persistent frontier. It is idempotent on URL: a
// URL already there, in any state, is left as it is, so re-enqueueing after a
// restart does not redo finished work.
func (c *Catalog) Enqueue(ctx context.Context, run int64, items []FrontierItem) error {
	now := formatTime(time.Now())
	return c.upsertAll(ctx, "enqueue", `INSERT INTO frontier (url, site, kind, run, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING`,
		len(items), func(i int) ([]any, error) {
			it := items[i]
			if it.URL == "" {
				return nil, fmt.Errorf("item %d: empty url", i)
			}
			if len(it.URL) > maxURL {
				return nil, fmt.Errorf("item %d: url longer than %d bytes", i, maxURL)
			}
			return []any{it.URL, clip(it.Site, maxShort), clip(it.Kind, maxShort), nullInt(run), now}, nil
		})
}

// Pending lists the URLs still to fetch for site (every site if ""), in the
// order they were enqueued. After a crash these are what the crawl resumes.
func (c *Catalog) Pending(ctx context.Context, site string) ([]FrontierItem, error) {
	return c.PendingAfter(ctx, site, 0, -1)
}

// PendingAfter is one page of Pending: at most limit items (all if limit < 0)
// enqueued after the item with id after. A crawl reads its frontier a page at a
// time, so that a backfill of millions of URLs is not held in memory at once.
func (c *Catalog) PendingAfter(ctx context.Context, site string, after int64, limit int) ([]FrontierItem, error) {
	if err := c.fetches.flush(ctx); err != nil {
		return nil, err
	}
	q := `SELECT id, site, url, kind, run, state, attempts, last_error, updated_at FROM frontier
		WHERE state = 'pending' AND site = ? AND id > ? ORDER BY id LIMIT ?`
	args := []any{site, after, limit}
	if site == "" {
		q, args = `SELECT id, site, url, kind, run, state, attempts, last_error, updated_at FROM frontier
		WHERE state = 'pending' AND id > ? ORDER BY id LIMIT ?`, []any{after, limit}
	}
	var out []FrontierItem
	err := eachRow(ctx, c.r, q, args, func(rows *sql.Rows) error {
		var it FrontierItem
		var run sql.NullInt64
		var updated string
		err := rows.Scan(&it.ID, &it.Site, &it.URL, &it.Kind, &run, &it.State, &it.Attempts, &it.LastError, &updated)
		it.Run, it.UpdatedAt = run.Int64, parseTime(updated)
		out = append(out, it)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pending of %q: %w", site, err)
	}
	return out, nil
}

// CountPending is how many URLs are still to fetch for site.
func (c *Catalog) CountPending(ctx context.Context, site string) (int, error) {
	if err := c.fetches.flush(ctx); err != nil {
		return 0, err
	}
	var n int
	err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM frontier WHERE state = 'pending' AND site = ?`, site).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending of %q: %w", site, err)
	}
	return n, nil
}

// MarkDone records that url was fetched and handled. A URL not in the
// frontier is ignored. The mark is buffered and written with the fetch log
// (every second, and before the frontier is read): a page stored through
// PutArticle was marked in its own commit already, so a crash can only lose
// marks of pages that fetching again changes nothing for (robots refusals,
// 304s, pages that are not articles).
func (c *Catalog) MarkDone(ctx context.Context, url string) error {
	b := &c.fetches
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	b.dones = append(b.dones, doneMark{url: url, at: time.Now()})
	full := len(b.dones) >= fetchBatch
	b.mu.Unlock()
	if full {
		return b.flush(ctx)
	}
	return nil
}

type doneMark struct {
	url string
	at  time.Time
}

// MarkFailed records a failed attempt at url. The URL stays pending, and so
// is retried on resume, until it has failed MaxAttempts times.
func (c *Catalog) MarkFailed(ctx context.Context, url string, cause error) error {
	msg := "unknown error"
	if cause != nil {
		msg = clip(cause.Error(), maxDesc)
	}
	_, err := c.w.ExecContext(ctx, `UPDATE frontier SET attempts = attempts + 1, last_error = ?,
		state = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE state END, updated_at = ?
		WHERE url = ? AND state = 'pending'`,
		msg, max(1, c.MaxAttempts), formatTime(time.Now()), url)
	if err != nil {
		return fmt.Errorf("mark %s failed: %w", url, err)
	}
	return nil
}

// PruneFrontier deletes finished (done or failed) URLs last updated before
// the given time and reports how many. Once pruned, a URL can be enqueued
// again.
func (c *Catalog) PruneFrontier(ctx context.Context, before time.Time) (int64, error) {
	if err := c.fetches.flush(ctx); err != nil {
		return 0, err
	}
	r, err := c.w.ExecContext(ctx, "DELETE FROM frontier WHERE state <> 'pending' AND updated_at < ?", formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("prune frontier: %w", err)
	}
	n, _ := r.RowsAffected()
	return n, nil
}

// SetState stores a small named value, such as a crawl cursor.
func (c *Catalog) SetState(ctx context.Context, key, value string) error {
	_, err := c.w.ExecContext(ctx, `INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		clip(key, maxShort), clip(value, maxDesc), formatTime(time.Now()))
	if err != nil {
		return fmt.Errorf("set state %s: %w", key, err)
	}
	return nil
}

// State returns the value stored under key; ok is false if there is none.
func (c *Catalog) State(ctx context.Context, key string) (value string, ok bool, err error) {
	err = c.r.QueryRowContext(ctx, "SELECT value FROM state WHERE key = ?", key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("state %s: %w", key, err)
	}
	return value, true, nil
}
