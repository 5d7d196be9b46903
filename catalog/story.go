package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// NewStory creates an empty story group and returns its id. method says how
// its members were found (alternates, image, text, ...).
func (c *Catalog) NewStory(ctx context.Context, method string) (int64, error) {
	return newStory(ctx, c.st.newStory, method)
}

// execer is what the story writes need: the writer connection, or a transaction on it.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func newStory(ctx context.Context, s *sql.Stmt, method string) (int64, error) {
	r, err := s.ExecContext(ctx, clip(method, maxShort), formatTime(time.Now()))
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
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set story %d: begin: %w", storyID, err)
	}
	defer tx.Rollback()
	if err := c.setStory(ctx, tx, rowIDs, storyID); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set story %d: commit: %w", storyID, err)
	}
	return nil
}

func (c *Catalog) setStory(ctx context.Context, tx *sql.Tx, rowIDs []int64, storyID int64) error {
	if len(rowIDs) == 0 {
		return nil
	}
	if len(rowIDs) > maxBatchLen {
		return fmt.Errorf("set story %d: %d articles, at most %d at once", storyID, len(rowIDs), maxBatchLen)
	}
	ids, err := json.Marshal(rowIDs)
	if err != nil {
		return fmt.Errorf("set story %d: %w", storyID, err)
	}
	var left []int64
	rows, err := tx.StmtContext(ctx, c.st.storiesOf).QueryContext(ctx, string(ids))
	if err != nil {
		return fmt.Errorf("set story %d: %w", storyID, err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("set story %d: %w", storyID, err)
		}
		if id != storyID {
			left = append(left, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("set story %d: %w", storyID, err)
	}
	// The foreign key rejects an unknown story id.
	if _, err := tx.StmtContext(ctx, c.st.setStories).ExecContext(ctx, nullInt(storyID), string(ids)); err != nil {
		return fmt.Errorf("set story %d: %w", storyID, err)
	}
	drop := tx.StmtContext(ctx, c.st.dropStory)
	for _, old := range left {
		if _, err := drop.ExecContext(ctx, old); err != nil {
			return fmt.Errorf("set story %d: drop empty story %d: %w", storyID, old, err)
		}
	}
	return nil
}

// Batch is a run of writes committed together (see Catalog.Write): the regrouping of a
// pass writes stories and inferred origins for hundreds of articles, and one commit for
// them all costs what one commit for each would cost per article.
type Batch struct {
	c  *Catalog
	tx *sql.Tx
}

// Write runs fn in one transaction, queued with the other writers' (group commit):
// nothing fn wrote is kept if it returns an error.
func (c *Catalog) Write(ctx context.Context, fn func(*Batch) error) error {
	return c.submitFunc(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return fn(&Batch{c: c, tx: tx})
	})
}

// NewStory is Catalog.NewStory within the batch.
func (b *Batch) NewStory(ctx context.Context, method string) (int64, error) {
	return newStory(ctx, b.tx.StmtContext(ctx, b.c.st.newStory), method)
}

// SetStory is Catalog.SetStory within the batch.
func (b *Batch) SetStory(ctx context.Context, rowIDs []int64, storyID int64) error {
	return b.c.setStory(ctx, b.tx, rowIDs, storyID)
}

// StoryMethod is Catalog.StoryMethod within the batch (it sees the batch's writes).
func (b *Batch) StoryMethod(ctx context.Context, storyID int64) (string, error) {
	return storyMethod(ctx, b.tx, storyID)
}

// SetStoryMethod is Catalog.SetStoryMethod within the batch.
func (b *Batch) SetStoryMethod(ctx context.Context, storyID int64, method string) error {
	return setStoryMethod(ctx, b.tx, storyID, method)
}

// SetTrace is Catalog.SetTrace within the batch.
func (b *Batch) SetTrace(ctx context.Context, rowID int64, o Origin, hops []Hop) error {
	if err := b.c.setTrace(ctx, b.tx, rowID, o, hops); err != nil {
		return fmt.Errorf("set trace of article %d: %w", rowID, err)
	}
	return nil
}

// StoryArticles lists the members of a story.
func (c *Catalog) StoryArticles(ctx context.Context, storyID int64) ([]Ref, error) {
	return c.refs(ctx, fmt.Sprintf("story %d", storyID), "WHERE a.story_id = ? ORDER BY a.site, a.art_id", storyID)
}

// StorySizes is how many articles each of these stories holds (stories without members
// are left out). A regroup that reads a range of days compares it with the members it
// read, to know which stories run outside the range.
func (c *Catalog) StorySizes(ctx context.Context, storyIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(storyIDs))
	err := eachRowOfIDs(ctx, c.r, `SELECT story_id, COUNT(*) FROM articles
		WHERE story_id IN (SELECT value FROM json_each(?)) GROUP BY story_id`, storyIDs, nil,
		func(rows *sql.Rows) error {
			var id int64
			var n int
			err := rows.Scan(&id, &n)
			out[id] = n
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("story sizes: %w", err)
	}
	return out, nil
}
