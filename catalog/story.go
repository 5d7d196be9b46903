package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// NewStory creates an empty story group and returns its id. method says how
// its members were found (alternates, image, text, ...).
func (c *Catalog) NewStory(ctx context.Context, method string) (int64, error) {
	r, err := c.w.ExecContext(ctx, "INSERT INTO stories (method, created_at) VALUES (?, ?)",
		clip(method, maxShort), formatTime(time.Now()))
	if err != nil {
		return 0, fmt.Errorf("new story: %w", err)
	}
	id, err := r.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("new story: %w", err)
	}
	return id, nil
}

// SetStory puts the articles into story storyID, or takes them out of any
// story if storyID is 0. Stories left without members are deleted.
func (c *Catalog) SetStory(ctx context.Context, rowIDs []int64, storyID int64) error {
	if len(rowIDs) == 0 {
		return nil
	}
	if len(rowIDs) > maxBatchLen {
		return fmt.Errorf("set story %d: %d articles, at most %d at once", storyID, len(rowIDs), maxBatchLen)
	}
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set story %d: begin: %w", storyID, err)
	}
	defer tx.Rollback()
	ids := make([]any, 0, len(rowIDs))
	for _, id := range rowIDs {
		ids = append(ids, id)
	}
	in := "(" + placeholders(len(ids)) + ")"
	var left []int64
	err = eachRow(ctx, tx, "SELECT DISTINCT story_id FROM articles WHERE story_id IS NOT NULL AND id IN "+in, ids,
		func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			if id != storyID {
				left = append(left, id)
			}
			return err
		})
	if err != nil {
		return fmt.Errorf("set story %d: %w", storyID, err)
	}
	// The foreign key rejects an unknown story id.
	if _, err := tx.ExecContext(ctx, "UPDATE articles SET story_id = ? WHERE id IN "+in,
		append([]any{nullInt(storyID)}, ids...)...); err != nil {
		return fmt.Errorf("set story %d: %w", storyID, err)
	}
	for _, old := range left {
		if _, err := tx.ExecContext(ctx, `DELETE FROM stories WHERE id = ?1 AND NOT EXISTS
			(SELECT 1 FROM articles WHERE story_id = ?1)`, old); err != nil {
			return fmt.Errorf("set story %d: drop empty story %d: %w", storyID, old, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set story %d: commit: %w", storyID, err)
	}
	return nil
}

// StoryArticles lists the members of a story.
func (c *Catalog) StoryArticles(ctx context.Context, storyID int64) ([]Ref, error) {
	return c.refs(ctx, fmt.Sprintf("story %d", storyID), "WHERE a.story_id = ? ORDER BY a.site, a.art_id", storyID)
}
