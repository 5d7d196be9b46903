package catalog

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Queries for the trace stage (origin chains, story grouping) and its evaluation.

// Changed lists the row ids of the articles first seen at or after since, or given a new
// version captured at or after since: what a pass stored or changed, and so what the
// trace stage must look at again.
func (c *Catalog) Changed(ctx context.Context, since time.Time) ([]int64, error) {
	var ids []int64
	err := eachRow(ctx, c.r, `SELECT id FROM articles WHERE first_seen >= ?1
		UNION SELECT a.id FROM articles a JOIN versions v ON v.article = a.id AND v.n = a.current_version
		WHERE a.current_version > 1 AND a.last_seen >= ?1 AND v.captured_at >= ?1
		ORDER BY 1`, []any{formatTime(since)},
		func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("changed articles: %w", err)
	}
	return ids, nil
}

// Untraced lists up to limit row ids of articles that credit a source but have no origin
// chain recorded: a catalog rebuilt from the archive alone, or a pass whose trace stage
// was cut short.
func (c *Catalog) Untraced(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := eachRow(ctx, c.r, `SELECT a.id FROM articles a WHERE (a.source_url <> '' OR a.source_title <> '')
		AND NOT EXISTS (SELECT 1 FROM hops h WHERE h.article = a.id) ORDER BY a.id LIMIT ?`, []any{limit},
		func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("untraced articles: %w", err)
	}
	return ids, nil
}

// Linked is what story grouping reads about one article: its identity, credit, resolved
// origin, links (alternates, image md5s, hop URLs) and the current version's text.
type Linked struct {
	RowID        int64
	Site         string
	ID           int64
	Lang         string
	CanonicalURL string
	URL          string
	Published    time.Time
	PublishedDay string
	SourceURL    string
	SourceTitle  string
	Origin       Origin
	StoryID      int64
	Title        string

	Alternates []string // hreflang URLs
	Images     []string // md5s
	HopURLs    []string // URLs of the origin chain, in order
	// RootTime is the origin time of the chain's last hop; zero if unknown.
	RootTime time.Time
	// Inferred: the origin was inherited from a story, not traced from a credit (the first
	// hop's evidence starts with "inferred").
	Inferred bool
}

// LinkedArticles reads the articles whose publication day lies in [fromDay, toDay]
// (YYYY-MM-DD; an empty bound is open), in row id order, with their links. The texts,
// which would be most of the bytes, are read apart with Texts.
func (c *Catalog) LinkedArticles(ctx context.Context, fromDay, toDay string) ([]Linked, error) {
	where, args := "WHERE 1", []any{}
	if fromDay != "" {
		where += " AND a.published_day >= ?"
		args = append(args, fromDay)
	}
	if toDay != "" {
		where += " AND a.published_day <= ?"
		args = append(args, toDay)
	}
	tx, err := c.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("linked articles: %w", err)
	}
	defer tx.Rollback()

	var out []Linked
	byRow := map[int64]int{}
	// A regroup holds a window of these: the values its editions and days share (site,
	// language, day, source, origin, and the URLs and image md5s that link editions) are
	// kept once, not per row.
	seen := map[string]string{}
	intern := func(s string) string {
		if v, ok := seen[s]; ok {
			return v
		}
		seen[s] = s
		return s
	}
	err = eachRow(ctx, tx, `SELECT a.id, a.site, a.art_id, a.lang, a.canonical_url, a.url, a.published,
		a.published_day, a.source_url, a.source_title, a.origin_kind, a.origin_outlet, a.origin_owner,
		a.origin_channel, a.origin_post, a.origin_platform, a.origin_url, a.origin_site, a.origin_art_id,
		a.story_id, a.title,
		EXISTS (SELECT 1 FROM hops h WHERE h.article = a.id AND h.n = 1 AND h.evidence LIKE 'inferred%'),
		(SELECT h.origin_time FROM hops h WHERE h.article = a.id ORDER BY h.n DESC LIMIT 1)
		FROM articles a `+where, args,
		func(rows *sql.Rows) error {
			var l Linked
			var published string
			var originArt, story sql.NullInt64
			var rootTime sql.NullString
			err := rows.Scan(&l.RowID, &l.Site, &l.ID, &l.Lang, &l.CanonicalURL, &l.URL, &published,
				&l.PublishedDay, &l.SourceURL, &l.SourceTitle, &l.Origin.Kind, &l.Origin.Outlet, &l.Origin.Owner,
				&l.Origin.Channel, &l.Origin.Post, &l.Origin.Platform, &l.Origin.URL, &l.Origin.Site, &originArt,
				&story, &l.Title, &l.Inferred, &rootTime)
			l.RootTime = parseNullTime(rootTime)
			l.Published, l.Origin.ArtID, l.StoryID = parseTime(published), originArt.Int64, story.Int64
			for _, s := range []*string{&l.Site, &l.Lang, &l.PublishedDay, &l.SourceURL, &l.SourceTitle,
				&l.Origin.Kind, &l.Origin.Outlet, &l.Origin.Owner, &l.Origin.Channel, &l.Origin.Platform,
				&l.Origin.URL, &l.Origin.Site, &l.CanonicalURL, &l.URL} {
				*s = intern(*s)
			}
			out = append(out, l)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("linked articles: %w", err)
	}
	// Sorted here rather than by an ORDER BY: SQLite reads a day range through the
	// published_day index and would sort the rows in its own memory (with the texts
	// they once carried, 100 MB outside the Go heap for 40,000 articles).
	slices.SortFunc(out, func(x, y Linked) int { return cmp.Compare(x.RowID, y.RowID) })
	for i := range out {
		byRow[out[i].RowID] = i
	}
	// The link tables are read whole within the range and matched in memory: one pass
	// each instead of a query per article.
	sub := "SELECT a.id FROM articles a " + where
	for _, q := range []struct {
		name, sql string
		add       func(l *Linked, s string)
	}{
		{"alternates", "SELECT article, url FROM alternates WHERE article IN (" + sub + ") ORDER BY article, url",
			func(l *Linked, s string) { l.Alternates = append(l.Alternates, s) }},
		{"images", "SELECT article, md5 FROM images WHERE md5 <> '' AND article IN (" + sub + ") ORDER BY article, md5",
			func(l *Linked, s string) { l.Images = append(l.Images, s) }},
		{"hops", "SELECT article, url FROM hops WHERE url <> '' AND article IN (" + sub + ") ORDER BY article, n",
			func(l *Linked, s string) { l.HopURLs = append(l.HopURLs, s) }},
	} {
		err := eachRow(ctx, tx, q.sql, args, func(rows *sql.Rows) error {
			var id int64
			var s string
			if err := rows.Scan(&id, &s); err != nil {
				return err
			}
			if i, ok := byRow[id]; ok {
				// An edition's alternates are the other editions' canonical URLs, and
				// its images theirs: about seven alternates an article, each kept once.
				q.add(&out[i], intern(s))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("linked articles: %s: %w", q.name, err)
		}
	}
	return out, nil
}

// Texts calls fn with the current version's text of each article in rowIDs (k is its
// index in rowIDs), a chunk of them per query, in no particular order; an id that names
// no article is skipped. It lets a regroup hold a window's links without its texts:
// 70,000 articles' texts are 30 MB at the simulator's 430 bytes, and the real network's
// run to several KB.
func (c *Catalog) Texts(ctx context.Context, rowIDs []int64, fn func(k int, text string) error) error {
	at := make(map[int64]int, min(len(rowIDs), idsChunk))
	err := eachRowOfIDs(ctx, c.r, `SELECT a.id, v.text FROM articles a
		JOIN versions v ON v.article = a.id AND v.n = a.current_version
		WHERE a.id IN (SELECT value FROM json_each(?))`, rowIDs,
		func(part []int64, lo int) {
			clear(at)
			for k, id := range part {
				at[id] = lo + k
			}
		},
		func(rows *sql.Rows) error {
			var id int64
			var text string
			if err := rows.Scan(&id, &text); err != nil {
				return err
			}
			return fn(at[id], text)
		})
	if err != nil {
		return fmt.Errorf("texts: %w", err)
	}
	return nil
}

// PublishedDaysOf is the set of publication days of the articles with these row ids.
func (c *Catalog) PublishedDaysOf(ctx context.Context, rowIDs []int64) (map[string]bool, error) {
	out := map[string]bool{}
	err := eachRowOfIDs(ctx, c.r, `SELECT DISTINCT published_day FROM articles
		WHERE id IN (SELECT value FROM json_each(?))`, rowIDs, nil, func(rows *sql.Rows) error {
		var d string
		err := rows.Scan(&d)
		out[d] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("published days of articles: %w", err)
	}
	return out, nil
}

// StoryMethod is how story storyID's members were found, as NewStory recorded it; "" if
// there is no such story.
func (c *Catalog) StoryMethod(ctx context.Context, storyID int64) (string, error) {
	return storyMethod(ctx, c.r, storyID)
}

func storyMethod(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, storyID int64) (string, error) {
	var m string
	err := q.QueryRowContext(ctx, "SELECT method FROM stories WHERE id = ?", storyID).Scan(&m)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("story %d: %w", storyID, err)
	}
	return m, nil
}

// SetStoryMethod updates how a story's members were found, when regrouping keeps its id
// but finds it by other links.
func (c *Catalog) SetStoryMethod(ctx context.Context, storyID int64, method string) error {
	return setStoryMethod(ctx, c.w, storyID, method)
}

func setStoryMethod(ctx context.Context, q execer, storyID int64, method string) error {
	if _, err := q.ExecContext(ctx, "UPDATE stories SET method = ? WHERE id = ?", clip(method, maxShort), storyID); err != nil {
		return fmt.Errorf("set method of story %d: %w", storyID, err)
	}
	return nil
}
