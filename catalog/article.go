package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Article is one article, identified by (Site, ID). PutArticle reads the
// descriptive fields; the catalog maintains RowID, FirstSeen, LastSeen,
// DeletedAt, DeleteStatus, CurrentVersion and StoryID, and fills Versions and
// Hops when reading.
type Article struct {
	RowID int64  // catalog row id
	Site  string // "japan", or "canada/en" for a language edition
	ID    int64  // the per-site id in the article URL

	CanonicalURL string
	URL          string // the URL fetched
	Lang         string
	Category     string
	Title        string
	Published    time.Time // zero if unknown; keep the site's offset
	// PublishedDay is the site-local publication day, YYYY-MM-DD, as in the
	// article URL. Empty means Published's own date, or if that is unknown
	// too, the UTC day of the first capture.
	PublishedDay string

	FirstSeen      time.Time
	LastSeen       time.Time
	DeletedAt      time.Time // zero while the article answers
	DeleteStatus   int
	CurrentVersion int

	SourceTitle   string
	SourceURL     string
	OGTitle       string
	OGDescription string
	Origin        Origin
	StoryID       int64 // 0 if in no story

	Alternates []Alternate
	Images     []Image
	Versions   []Version // oldest first
	Hops       []Hop
}

// Deleted reports whether the article stopped answering.
func (a *Article) Deleted() bool { return !a.DeletedAt.IsZero() }

// Origin is where an article's content comes from, at the end of its chain.
type Origin struct {
	Kind     string // origin.Kind: telegram_post, telegram_channel, state_media, social, network, web, none
	Outlet   string // outlet id, e.g. "tass"
	Owner    string
	Channel  string // Telegram channel
	Post     string // Telegram post number
	Platform string
	URL      string
	Site     string // for a network origin: its site ...
	ArtID    int64  // ... and article id
}

// ID is the key daily counts use for the origin: the outlet id, else the
// Telegram channel, else "".
func (o Origin) ID() string {
	if o.Outlet != "" {
		return o.Outlet
	}
	return o.Channel
}

// Alternate is an hreflang link to the same story in another language.
type Alternate struct {
	Lang string
	URL  string
}

// Image is an image of the article; MD5 is the hex name in its URL.
type Image struct {
	URL string
	MD5 string
}

// Version is one capture of an article's body.
type Version struct {
	N          int // assigned by the catalog
	CapturedAt time.Time
	URL        string // the URL fetched; Article.URL if empty
	Status     int
	BodyHash   string // hash of the extracted body: what "changed" means
	Title      string
	Text       string

	WARCFile      string
	WARCOffset    int64
	WARCLength    int64
	RecordID      string
	PayloadDigest string
	ETag          string
	LastModified  string
}

// Outcome says what PutArticle did.
type Outcome int

const (
	Inserted   Outcome = iota + 1 // a new article, stored as version 1
	Unchanged                     // same body as before, or a capture already recorded
	NewVersion                    // a changed body, stored as a new version
)

func (o Outcome) String() string {
	switch o {
	case Inserted:
		return "inserted"
	case Unchanged:
		return "unchanged"
	case NewVersion:
		return "new-version"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// PutResult reports the effect of one PutArticle.
type PutResult struct {
	RowID   int64
	Outcome Outcome
	Version int // the article's current version after the put
	// Reappeared: the article was marked deleted and this capture, taken
	// after the deletion, shows it again; the deletion has been cleared.
	Reappeared bool
}

// Capture is one article capture, for PutArticles.
type Capture struct {
	Article Article
	Version Version
}

// PutArticle records one capture of an article, in one transaction:
//
//   - an unknown (Site, ID) is inserted with version 1 and counted in
//     daily_counts;
//   - a body hash equal to the current version's only moves LastSeen (and
//     refreshes the validators for conditional GETs): Unchanged;
//   - any other body is a new version; if it is the newest capture the
//     article's fields take its values, except that an empty Origin or a
//     zero Published keeps the known one: NewVersion.
//
// A capture already recorded (same WARC record id, or same file and offset)
// is Unchanged and writes nothing, so replaying the archive is safe. A
// capture taken after the article was marked deleted clears the deletion.
// Alternates and images accumulate: a link once seen stays as evidence.
//
// Concurrent calls are committed together (see group.go), so many
// crawler workers cost one commit, not one each.
func (c *Catalog) PutArticle(ctx context.Context, a Article, v Version) (PutResult, error) {
	if err := checkCapture(&a, &v); err != nil {
		return PutResult{}, err
	}
	res, err := c.submit(ctx, []Capture{{a, v}})
	if err != nil {
		return PutResult{}, fmt.Errorf("put %s/%d: %w", a.Site, a.ID, err)
	}
	return res[0], nil
}

// PutArticles is PutArticle for many captures at once: all are recorded or
// none. It is for bulk loads such as a rebuild from the archive, where it is
// several times faster than one call per article.
func (c *Catalog) PutArticles(ctx context.Context, caps []Capture) ([]PutResult, error) {
	if len(caps) > maxBatchLen {
		return nil, fmt.Errorf("put %d articles: at most %d at once", len(caps), maxBatchLen)
	}
	own := slices.Clone(caps) // checkCapture clips in place
	for i := range own {
		if err := checkCapture(&own[i].Article, &own[i].Version); err != nil {
			return nil, err
		}
	}
	res, err := c.submit(ctx, own)
	if err != nil {
		return nil, fmt.Errorf("put %d articles: %w", len(caps), err)
	}
	return res, nil
}

// checkCapture rejects what cannot be keyed and clips the rest to size.
func checkCapture(a *Article, v *Version) error {
	switch {
	case a.Site == "":
		return errors.New("put article: empty site")
	case a.ID <= 0:
		return fmt.Errorf("put %s/%d: article id must be positive", a.Site, a.ID)
	case v.BodyHash == "":
		return fmt.Errorf("put %s/%d: empty body hash", a.Site, a.ID)
	case v.CapturedAt.IsZero():
		return fmt.Errorf("put %s/%d: zero capture time", a.Site, a.ID)
	}
	if a.PublishedDay != "" {
		if _, err := time.Parse(dayLayout, a.PublishedDay); err != nil {
			return fmt.Errorf("put %s/%d: published day %q: want YYYY-MM-DD", a.Site, a.ID, a.PublishedDay)
		}
	} else if !a.Published.IsZero() {
		a.PublishedDay = a.Published.Format(dayLayout)
	}
	a.Site = clip(a.Site, maxShort)
	a.CanonicalURL = clip(a.CanonicalURL, maxURL)
	a.URL = clip(a.URL, maxURL)
	a.Lang = clip(a.Lang, maxShort)
	a.Category = clip(a.Category, maxTitle)
	a.Title = clip(a.Title, maxTitle)
	a.SourceTitle = clip(a.SourceTitle, maxTitle)
	a.SourceURL = clip(a.SourceURL, maxURL)
	a.OGTitle = clip(a.OGTitle, maxTitle)
	a.OGDescription = clip(a.OGDescription, maxDesc)
	clipOrigin(&a.Origin)
	if len(a.Alternates) > maxLinks {
		a.Alternates = a.Alternates[:maxLinks]
	}
	if len(a.Images) > maxLinks {
		a.Images = a.Images[:maxLinks]
	}
	if v.URL == "" {
		v.URL = a.URL
	}
	v.URL = clip(v.URL, maxURL)
	v.BodyHash = clip(v.BodyHash, maxShort)
	v.Title = clip(v.Title, maxTitle)
	v.Text = clip(v.Text, maxText)
	v.WARCFile = clip(v.WARCFile, maxURL)
	v.RecordID = clip(v.RecordID, maxShort)
	v.PayloadDigest = clip(v.PayloadDigest, maxShort)
	v.ETag = clip(v.ETag, maxShort)
	v.LastModified = clip(v.LastModified, maxShort)
	return nil
}

func clipOrigin(o *Origin) {
	o.Kind = clip(o.Kind, maxShort)
	o.Outlet = clip(o.Outlet, maxShort)
	o.Owner = clip(o.Owner, maxTitle)
	o.Channel = clip(o.Channel, maxShort)
	o.Post = clip(o.Post, maxShort)
	o.Platform = clip(o.Platform, maxShort)
	o.URL = clip(o.URL, maxURL)
	o.Site = clip(o.Site, maxShort)
}

// current is what put needs to know about a stored article.
type current struct {
	id         int64
	version    int
	deletedAt  sql.NullString
	bodyHash   string
	capturedAt string
}

func (c *Catalog) put(ctx context.Context, tx *sql.Tx, a *Article, v *Version) (PutResult, error) {
	st := c.st
	captured := formatTime(v.CapturedAt)

	var cur current
	err := tx.StmtContext(ctx, st.lookup).QueryRowContext(ctx, a.Site, a.ID).Scan(
		&cur.id, &cur.version, &cur.deletedAt, &cur.bodyHash, &cur.capturedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c.insert(ctx, tx, a, v, captured)
	}
	if err != nil {
		return PutResult{}, fmt.Errorf("look up: %w", err)
	}

	res := PutResult{RowID: cur.id, Outcome: Unchanged, Version: cur.version}
	// Only a capture taken after the deletion proves the article is back; a
	// replayed older capture does not.
	res.Reappeared = cur.deletedAt.Valid && captured > cur.deletedAt.String
	newest := captured >= cur.capturedAt

	// Compare with the body the article had when this capture was taken:
	// the current one, unless the capture is older (a replay, or a rebuild
	// reading WARC files out of order).
	inEffect := cur.bodyHash
	if !newest {
		if inEffect, err = c.hashAt(ctx, tx, cur.id, captured); err != nil {
			return PutResult{}, err
		}
	}

	if v.BodyHash == inEffect {
		if _, err := tx.StmtContext(ctx, st.touch).ExecContext(ctx, captured, res.Reappeared, cur.id); err != nil {
			return PutResult{}, fmt.Errorf("touch: %w", err)
		}
		if newest && (v.ETag != "" || v.LastModified != "") {
			if _, err := tx.StmtContext(ctx, st.validators).ExecContext(ctx, v.ETag, v.LastModified, cur.id, cur.version); err != nil {
				return PutResult{}, fmt.Errorf("update validators: %w", err)
			}
		}
		return res, c.putLinks(ctx, tx, cur.id, a, v)
	}

	var seen int
	err = tx.StmtContext(ctx, st.replayed).QueryRowContext(ctx, cur.id, v.RecordID, v.WARCFile, v.WARCOffset).Scan(&seen)
	switch {
	case err == nil:
		res.Reappeared = false
		return res, nil
	case !errors.Is(err, sql.ErrNoRows):
		return PutResult{}, fmt.Errorf("check replay: %w", err)
	}

	var n int
	if err := tx.StmtContext(ctx, st.maxVersion).QueryRowContext(ctx, cur.id).Scan(&n); err != nil {
		return PutResult{}, fmt.Errorf("count versions: %w", err)
	}
	n++
	if err := insertVersion(ctx, tx.StmtContext(ctx, st.insertVersion), cur.id, n, captured, v); err != nil {
		return PutResult{}, err
	}
	res.Outcome = NewVersion
	if newest {
		res.Version = n
		_, err = tx.StmtContext(ctx, st.update).ExecContext(ctx,
			a.CanonicalURL, a.URL, a.Lang, a.Category, a.Title,
			formatPublished(a.Published), a.PublishedDay,
			captured, res.Reappeared, n,
			a.SourceTitle, a.SourceURL, a.OGTitle, a.OGDescription,
			cur.id)
		if err != nil {
			return PutResult{}, fmt.Errorf("update article: %w", err)
		}
		if a.Origin.Kind != "" {
			if err := setOrigin(ctx, tx.StmtContext(ctx, st.setOrigin), cur.id, a.Origin); err != nil {
				return PutResult{}, err
			}
		}
	} else if _, err := tx.StmtContext(ctx, st.touch).ExecContext(ctx, captured, res.Reappeared, cur.id); err != nil {
		return PutResult{}, fmt.Errorf("touch: %w", err)
	}
	return res, c.putLinks(ctx, tx, cur.id, a, v)
}

func (c *Catalog) insert(ctx context.Context, tx *sql.Tx, a *Article, v *Version, captured string) (PutResult, error) {
	day := a.PublishedDay
	if day == "" {
		day = v.CapturedAt.UTC().Format(dayLayout)
	}
	o := a.Origin
	r, err := tx.StmtContext(ctx, c.st.insert).ExecContext(ctx,
		a.Site, a.ID, a.CanonicalURL, a.URL, a.Lang, a.Category, a.Title,
		formatPublished(a.Published), day, captured,
		a.SourceTitle, a.SourceURL, a.OGTitle, a.OGDescription,
		o.Kind, o.Outlet, o.Owner, o.Channel, o.Post, o.Platform, o.URL, o.Site, nullInt(o.ArtID), o.ID())
	if err != nil {
		return PutResult{}, fmt.Errorf("insert article: %w", err)
	}
	id, err := r.LastInsertId()
	if err != nil {
		return PutResult{}, fmt.Errorf("insert article: %w", err)
	}
	if err := insertVersion(ctx, tx.StmtContext(ctx, c.st.insertVersion), id, 1, captured, v); err != nil {
		return PutResult{}, err
	}
	return PutResult{RowID: id, Outcome: Inserted, Version: 1}, c.putLinks(ctx, tx, id, a, v)
}

// hashAt is the body hash of the version in effect at a capture time: the
// latest captured at or before it, or the first if the capture precedes all.
func (c *Catalog) hashAt(ctx context.Context, tx *sql.Tx, id int64, captured string) (string, error) {
	var h string
	err := tx.StmtContext(ctx, c.st.hashBefore).QueryRowContext(ctx, id, captured).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.StmtContext(ctx, c.st.hashFirst).QueryRowContext(ctx, id).Scan(&h)
	}
	if err != nil {
		return "", fmt.Errorf("version at %s: %w", captured, err)
	}
	return h, nil
}

func insertVersion(ctx context.Context, s *sql.Stmt, article int64, n int, captured string, v *Version) error {
	_, err := s.ExecContext(ctx, article, n, captured, v.URL, v.Status, v.BodyHash, v.Title, v.Text,
		v.WARCFile, v.WARCOffset, v.WARCLength, v.RecordID, v.PayloadDigest, v.ETag, v.LastModified)
	if err != nil {
		return fmt.Errorf("insert version %d: %w", n, err)
	}
	return nil
}

// putLinks records the URLs the capture knows the article by, and its
// alternates and images. Rows already there are left alone.
func (c *Catalog) putLinks(ctx context.Context, tx *sql.Tx, id int64, a *Article, v *Version) error {
	s := tx.StmtContext(ctx, c.st.insertURL)
	for i, u := range [...]string{a.URL, a.CanonicalURL, v.URL} {
		if u == "" || (i > 0 && u == a.URL) || (i == 2 && u == a.CanonicalURL) {
			continue
		}
		if _, err := s.ExecContext(ctx, u, id); err != nil {
			return fmt.Errorf("insert url: %w", err)
		}
	}
	if len(a.Alternates) > 0 {
		s := tx.StmtContext(ctx, c.st.insertAlternate)
		for _, l := range a.Alternates {
			if l.URL == "" {
				continue
			}
			if _, err := s.ExecContext(ctx, id, clip(l.Lang, maxShort), clip(l.URL, maxURL)); err != nil {
				return fmt.Errorf("insert alternate: %w", err)
			}
		}
	}
	if len(a.Images) > 0 {
		s := tx.StmtContext(ctx, c.st.insertImage)
		for _, im := range a.Images {
			if im.URL == "" {
				continue
			}
			if _, err := s.ExecContext(ctx, id, clip(im.URL, maxURL), clip(im.MD5, maxShort)); err != nil {
				return fmt.Errorf("insert image: %w", err)
			}
		}
	}
	return nil
}

// originArgs are the arguments of the setOrigin statement.
func originArgs(o Origin, id int64) []any {
	return []any{o.Kind, o.Outlet, o.Owner, o.Channel, o.Post, o.Platform, o.URL, o.Site, nullInt(o.ArtID), o.ID(), id}
}

func setOrigin(ctx context.Context, s *sql.Stmt, id int64, o Origin) error {
	_, err := s.ExecContext(ctx, originArgs(o, id)...)
	if err != nil {
		return fmt.Errorf("set origin: %w", err)
	}
	return nil
}

// formatPublished keeps the site's own offset: the local date is what the
// site means by "published on".
func formatPublished(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// SetOrigin records the resolved origin of an article, moving its daily count
// to the new origin in the same transaction.
func (c *Catalog) SetOrigin(ctx context.Context, rowID int64, o Origin) error {
	clipOrigin(&o)
	r, err := c.st.setOrigin.ExecContext(ctx, originArgs(o, rowID)...)
	if err != nil {
		return fmt.Errorf("set origin of article %d: %w", rowID, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("set origin of article %d: %w", rowID, ErrNotFound)
	}
	return nil
}

// MarkDeleted records that the article answered with status (404, 410) at
// the given time. It reports whether this changed anything: false if the
// article is unknown, already marked, or was seen alive at or after at (a
// stale answer replayed out of order).
func (c *Catalog) MarkDeleted(ctx context.Context, site string, artID int64, at time.Time, status int) (bool, error) {
	if at.IsZero() {
		return false, fmt.Errorf("mark %s/%d deleted: zero time", site, artID)
	}
	r, err := c.st.markDeleted.ExecContext(ctx, formatTime(at), status, site, artID)
	if err != nil {
		return false, fmt.Errorf("mark %s/%d deleted: %w", site, artID, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark %s/%d deleted: %w", site, artID, err)
	}
	return n > 0, nil
}

// Seen records that the article was seen unchanged at the given time without
// a body to compare, as on a 304 Not Modified answer to a conditional GET. A
// deleted article seen after its deletion is undeleted; Seen reports that.
func (c *Catalog) Seen(ctx context.Context, site string, artID int64, at time.Time) (reappeared bool, err error) {
	if at.IsZero() {
		return false, fmt.Errorf("seen %s/%d: zero time", site, artID)
	}
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("seen %s/%d: begin: %w", site, artID, err)
	}
	defer tx.Rollback()
	var id int64
	var deleted sql.NullString
	err = tx.QueryRowContext(ctx, "SELECT id, deleted_at FROM articles WHERE site = ? AND art_id = ?", site, artID).Scan(&id, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("seen %s/%d: %w", site, artID, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("seen %s/%d: %w", site, artID, err)
	}
	t := formatTime(at)
	reappeared = deleted.Valid && t > deleted.String
	if _, err := tx.StmtContext(ctx, c.st.touch).ExecContext(ctx, t, reappeared, id); err != nil {
		return false, fmt.Errorf("seen %s/%d: %w", site, artID, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("seen %s/%d: commit: %w", site, artID, err)
	}
	return reappeared, nil
}
