package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Ref identifies an article and carries what a revisit needs: the URL and
// the current version's validators for a conditional GET.
type Ref struct {
	RowID        int64
	Site         string
	ID           int64
	URL          string
	CanonicalURL string
	Lang         string
	StoryID      int64
	FirstSeen    time.Time
	LastSeen     time.Time
	DeletedAt    time.Time

	PayloadDigest string
	ETag          string
	LastModified  string
}

const refColumns = `a.id, a.site, a.art_id, a.url, a.canonical_url, a.lang, a.story_id,
	a.first_seen, a.last_seen, a.deleted_at, v.payload_digest, v.etag, v.last_modified`

const refFrom = ` FROM articles a JOIN versions v ON v.article = a.id AND v.n = a.current_version `

func scanRef(rows *sql.Rows) (Ref, error) {
	var r Ref
	var story sql.NullInt64
	var first, last string
	var deleted sql.NullString
	err := rows.Scan(&r.RowID, &r.Site, &r.ID, &r.URL, &r.CanonicalURL, &r.Lang, &story,
		&first, &last, &deleted, &r.PayloadDigest, &r.ETag, &r.LastModified)
	r.StoryID = story.Int64
	r.FirstSeen, r.LastSeen, r.DeletedAt = parseTime(first), parseTime(last), parseNullTime(deleted)
	return r, err
}

func (c *Catalog) refs(ctx context.Context, what, where string, args ...any) ([]Ref, error) {
	rows, err := c.rc.query(ctx, nil, "SELECT "+refColumns+refFrom+where, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []Ref
	for rows.Next() {
		r, err := scanRef(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// Has reports whether the catalog holds the article.
func (c *Catalog) Has(ctx context.Context, site string, artID int64) (bool, error) {
	var one int
	err := c.rc.queryRow(ctx, nil, "SELECT 1 FROM articles WHERE site = ? AND art_id = ?", site, artID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("has %s/%d: %w", site, artID, err)
	}
	return true, nil
}

// NewestID is the highest article id held for site, 0 if none: where an
// incremental crawl stops paging back.
func (c *Catalog) NewestID(ctx context.Context, site string) (int64, error) {
	var id sql.NullInt64
	if err := c.rc.queryRow(ctx, nil, "SELECT max(art_id) FROM articles WHERE site = ?", site).Scan(&id); err != nil {
		return 0, fmt.Errorf("newest id of %s: %w", site, err)
	}
	return id.Int64, nil
}

// Article returns the article with its versions, alternates, images and
// origin hops, or ErrNotFound.
func (c *Catalog) Article(ctx context.Context, site string, artID int64) (*Article, error) {
	a, err := c.article(ctx, true, whereKey, site, artID)
	if err != nil {
		return nil, fmt.Errorf("article %s/%d: %w", site, artID, err)
	}
	return a, nil
}

// ArticleHead is Article without texts, alternates and images (see ArticleHeadByRowID).
func (c *Catalog) ArticleHead(ctx context.Context, site string, artID int64) (*Article, error) {
	a, err := c.article(ctx, false, whereKey, site, artID)
	if err != nil {
		return nil, fmt.Errorf("article %s/%d: %w", site, artID, err)
	}
	return a, nil
}

// ArticleByURL finds the article a URL names: any URL it was fetched from
// or canonicalised to, including hosts it has moved from and AMP copies.
// ErrNotFound if none.
func (c *Catalog) ArticleByURL(ctx context.Context, u string) (*Article, error) {
	a, err := c.article(ctx, true, whereURL, u)
	if err != nil {
		return nil, fmt.Errorf("article at %s: %w", u, err)
	}
	return a, nil
}

// ArticleByRowID returns the article with catalog row id, or ErrNotFound.
func (c *Catalog) ArticleByRowID(ctx context.Context, rowID int64) (*Article, error) {
	a, err := c.article(ctx, true, whereRowID, rowID)
	if err != nil {
		return nil, fmt.Errorf("article %d: %w", rowID, err)
	}
	return a, nil
}

// ArticleHeadByRowID is ArticleByRowID without what tracing never reads: versions come
// without their text, and alternates and images are left out. It is several times
// cheaper, and the trace stage reads every article of a pass.
func (c *Catalog) ArticleHeadByRowID(ctx context.Context, rowID int64) (*Article, error) {
	a, err := c.article(ctx, false, whereRowID, rowID)
	if err != nil {
		return nil, fmt.Errorf("article %d: %w", rowID, err)
	}
	return a, nil
}

// The queries Article reads with, prepared when the catalog opens.
const (
	articleHead = `SELECT a.id, a.site, a.art_id, a.canonical_url, a.url, a.lang, a.category,
		a.title, a.published, a.published_day, a.first_seen, a.last_seen, a.deleted_at, a.delete_status,
		a.current_version, a.source_title, a.source_url, a.og_title, a.og_description,
		a.origin_kind, a.origin_outlet, a.origin_owner, a.origin_channel, a.origin_post,
		a.origin_platform, a.origin_url, a.origin_site, a.origin_art_id, a.story_id
		FROM articles a WHERE `
	whereKey        = "a.site = ? AND a.art_id = ?"
	whereURL        = "a.id = (SELECT article FROM urls WHERE url = ? ORDER BY article LIMIT 1)"
	whereRowID      = "a.id = ?"
	alternatesQuery = "SELECT lang, url FROM alternates WHERE article = ? ORDER BY lang, url"
	imagesQuery     = "SELECT url, md5 FROM images WHERE article = ? ORDER BY url"
	versionsQuery   = `SELECT n, captured_at, url, status, body_hash, title, text, warc_file, warc_offset,
		warc_length, record_id, payload_digest, etag, last_modified
		FROM versions WHERE article = ? ORDER BY n`
	versionsHeadQuery = `SELECT n, captured_at, url, status, body_hash, title, '', warc_file, warc_offset,
		warc_length, record_id, payload_digest, etag, last_modified
		FROM versions WHERE article = ? ORDER BY n`
)

func articleQueries() []string {
	return []string{articleHead + whereKey, articleHead + whereURL, articleHead + whereRowID,
		alternatesQuery, imagesQuery, versionsQuery, versionsHeadQuery, hopsQuery}
}

// article reads one article and its parts in one read transaction, so they
// agree with each other even while the writer is busy.
func (c *Catalog) article(ctx context.Context, full bool, where string, args ...any) (*Article, error) {
	tx, err := c.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	var a Article
	var published, first, last string
	var deleted sql.NullString
	var delStatus, originArt, story sql.NullInt64
	err = c.rc.queryRow(ctx, tx, articleHead+where, args...).Scan(
		&a.RowID, &a.Site, &a.ID, &a.CanonicalURL, &a.URL, &a.Lang, &a.Category,
		&a.Title, &published, &a.PublishedDay, &first, &last, &deleted, &delStatus,
		&a.CurrentVersion, &a.SourceTitle, &a.SourceURL, &a.OGTitle, &a.OGDescription,
		&a.Origin.Kind, &a.Origin.Outlet, &a.Origin.Owner, &a.Origin.Channel, &a.Origin.Post,
		&a.Origin.Platform, &a.Origin.URL, &a.Origin.Site, &originArt, &story)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	a.Published = parseTime(published)
	a.FirstSeen, a.LastSeen, a.DeletedAt = parseTime(first), parseTime(last), parseNullTime(deleted)
	a.DeleteStatus, a.Origin.ArtID, a.StoryID = int(delStatus.Int64), originArt.Int64, story.Int64

	vq := versionsQuery
	if !full {
		vq = versionsHeadQuery
	}
	if a.Versions, err = c.readVersions(ctx, tx, vq, a.RowID); err != nil {
		return nil, err
	}
	if a.Hops, err = c.readHops(ctx, tx, a.RowID); err != nil {
		return nil, err
	}
	if !full {
		return &a, nil
	}
	if err := c.rc.each(ctx, tx, alternatesQuery, []any{a.RowID},
		func(rows *sql.Rows) error {
			var l Alternate
			err := rows.Scan(&l.Lang, &l.URL)
			a.Alternates = append(a.Alternates, l)
			return err
		}); err != nil {
		return nil, fmt.Errorf("alternates: %w", err)
	}
	if err := c.rc.each(ctx, tx, imagesQuery, []any{a.RowID},
		func(rows *sql.Rows) error {
			var im Image
			err := rows.Scan(&im.URL, &im.MD5)
			a.Images = append(a.Images, im)
			return err
		}); err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	return &a, nil
}

func (c *Catalog) readVersions(ctx context.Context, tx *sql.Tx, query string, id int64) ([]Version, error) {
	var vs []Version
	err := c.rc.each(ctx, tx, query, []any{id},
		func(rows *sql.Rows) error {
			var v Version
			var captured string
			err := rows.Scan(&v.N, &captured, &v.URL, &v.Status, &v.BodyHash, &v.Title, &v.Text,
				&v.WARCFile, &v.WARCOffset, &v.WARCLength, &v.RecordID, &v.PayloadDigest, &v.ETag, &v.LastModified)
			v.CapturedAt = parseTime(captured)
			vs = append(vs, v)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	return vs, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func eachRow(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// idsChunk is how many ids one query of eachRowOfIDs passes.
const idsChunk = 512

// eachRowOfIDs runs query, whose one parameter is a JSON array of ids (read it with
// json_each), for ids a chunk at a time, and calls fn for every row; before each chunk,
// chunk is called with the ids it holds and where they start in ids.
func eachRowOfIDs(ctx context.Context, q querier, query string, ids []int64, chunk func(part []int64, lo int), fn func(*sql.Rows) error) error {
	for lo := 0; lo < len(ids); lo += idsChunk {
		part := ids[lo:min(lo+idsChunk, len(ids))]
		if chunk != nil {
			chunk(part, lo)
		}
		js, err := json.Marshal(part)
		if err != nil {
			return err
		}
		if err := eachRow(ctx, q, query, []any{string(js)}, fn); err != nil {
			return err
		}
	}
	return nil
}

// Recent lists the articles first seen at or after since, on the given sites
// (all if none), for rechecks: edits, deletions and reappearances. Deleted
// articles are included; Ref.DeletedAt says which.
func (c *Catalog) Recent(ctx context.Context, since time.Time, sites []string) ([]Ref, error) {
	where, args := "WHERE a.first_seen >= ?", []any{formatTime(since)}
	if len(sites) > 0 {
		where += " AND a.site IN (" + placeholders(len(sites)) + ")"
		for _, s := range sites {
			args = append(args, s)
		}
	}
	return c.refs(ctx, "recent articles", where+" ORDER BY a.site, a.art_id", args...)
}

// ArticlesByImage lists the articles showing the image with this md5: across
// language editions, usually one story.
func (c *Catalog) ArticlesByImage(ctx context.Context, md5 string) ([]Ref, error) {
	if md5 == "" {
		return nil, nil
	}
	return c.refs(ctx, "articles by image "+md5,
		"WHERE a.id IN (SELECT article FROM images WHERE md5 = ?) ORDER BY a.site, a.art_id", md5)
}

// ArticlesByOriginURL lists the articles whose credited source, resolved
// origin or any hop of whose origin chain is url.
func (c *Catalog) ArticlesByOriginURL(ctx context.Context, u string) ([]Ref, error) {
	if u == "" {
		return nil, nil
	}
	return c.refs(ctx, "articles by origin "+u,
		`WHERE a.id IN (SELECT id FROM articles WHERE source_url = ?1
			UNION SELECT id FROM articles WHERE origin_url = ?1
			UNION SELECT article FROM hops WHERE url = ?1)
		ORDER BY a.site, a.art_id`, u)
}

// ArticlesByAlternate lists the articles that name url as an hreflang
// alternate: the other editions pointing at a page.
func (c *Catalog) ArticlesByAlternate(ctx context.Context, u string) ([]Ref, error) {
	if u == "" {
		return nil, nil
	}
	return c.refs(ctx, "articles by alternate "+u,
		"WHERE a.id IN (SELECT article FROM alternates WHERE url = ?) ORDER BY a.site, a.art_id", u)
}

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
