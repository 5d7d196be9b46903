package catalog

import (
	"context"
	"database/sql"
	"fmt"
)

// Stats summarises the catalog.
type Stats struct {
	Articles int64
	Versions int64
	Deleted  int64
	Stories  int64
	Sites    []SiteStats // by name
}

// SiteStats summarises one site.
type SiteStats struct {
	Site     string
	Articles int64
	Deleted  int64
	NewestID int64
}

// Stats counts articles per site from daily_counts and deletions from their
// partial index, so it stays fast on a large catalog; only the version count
// reads a whole index.
func (c *Catalog) Stats(ctx context.Context) (*Stats, error) {
	tx, err := c.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	defer tx.Rollback()

	var s Stats
	bySite := map[string]*SiteStats{}
	err = eachRow(ctx, tx, "SELECT site, sum(n) FROM daily_counts GROUP BY site ORDER BY site", nil,
		func(rows *sql.Rows) error {
			var ss SiteStats
			err := rows.Scan(&ss.Site, &ss.Articles)
			s.Sites = append(s.Sites, ss)
			s.Articles += ss.Articles
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("stats: articles: %w", err)
	}
	for i := range s.Sites {
		bySite[s.Sites[i].Site] = &s.Sites[i]
	}
	err = eachRow(ctx, tx, "SELECT site, count(*) FROM articles WHERE deleted_at IS NOT NULL GROUP BY site", nil,
		func(rows *sql.Rows) error {
			var site string
			var n int64
			err := rows.Scan(&site, &n)
			if ss := bySite[site]; ss != nil {
				ss.Deleted = n
			}
			s.Deleted += n
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("stats: deleted: %w", err)
	}
	for i := range s.Sites {
		ss := &s.Sites[i]
		var id sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT max(art_id) FROM articles WHERE site = ?", ss.Site).Scan(&id); err != nil {
			return nil, fmt.Errorf("stats: newest id of %s: %w", ss.Site, err)
		}
		ss.NewestID = id.Int64
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM versions").Scan(&s.Versions); err != nil {
		return nil, fmt.Errorf("stats: versions: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM stories").Scan(&s.Stories); err != nil {
		return nil, fmt.Errorf("stats: stories: %w", err)
	}
	return &s, nil
}
