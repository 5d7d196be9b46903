package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// stmts are the writer's hot statements, prepared once on its one
// connection; transactions reuse them through Tx.StmtContext.
type stmts struct {
	lookup, insert, update, touch, validators, replayed, maxVersion *sql.Stmt
	insertVersion, insertAlternate, insertImage, setOrigin          *sql.Stmt
	markDeleted, hashBefore, hashFirst, insertHop, deleteHops       *sql.Stmt
	savepoint, release, rollbackTo, insertURL, frontierDone         *sql.Stmt
	newStory, storiesOf, setStories, dropStory                      *sql.Stmt
	setChangedOrigin, articleExists                                 *sql.Stmt
	all                                                             []*sql.Stmt
}

func prepare(ctx context.Context, db *sql.DB) (*stmts, error) {
	s := &stmts{}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&s.lookup, `SELECT a.id, a.current_version, a.deleted_at, v.body_hash, v.captured_at
			FROM articles a JOIN versions v ON v.article = a.id AND v.n = a.current_version
			WHERE a.site = ?1 AND a.art_id = ?2`},
		{&s.insert, `INSERT INTO articles (site, art_id, canonical_url, url, lang, category, title,
			published, published_day, first_seen, last_seen, current_version,
			source_title, source_url, og_title, og_description,
			origin_kind, origin_outlet, origin_owner, origin_channel, origin_post, origin_platform,
			origin_url, origin_site, origin_art_id, origin_id)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, 1, ?11, ?12, ?13, ?14,
			?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)`},
		{&s.update, `UPDATE articles SET canonical_url = ?1, url = ?2, lang = ?3, category = ?4, title = ?5,
			published = CASE WHEN ?6 = '' THEN published ELSE ?6 END,
			published_day = CASE WHEN ?7 = '' THEN published_day ELSE ?7 END,
			last_seen = max(last_seen, ?8), first_seen = min(first_seen, ?8),
			deleted_at = CASE WHEN ?9 THEN NULL ELSE deleted_at END,
			delete_status = CASE WHEN ?9 THEN NULL ELSE delete_status END,
			current_version = ?10,
			source_title = ?11, source_url = ?12, og_title = ?13, og_description = ?14
			WHERE id = ?15`},
		{&s.touch, `UPDATE articles SET last_seen = max(last_seen, ?1), first_seen = min(first_seen, ?1),
			deleted_at = CASE WHEN ?2 THEN NULL ELSE deleted_at END,
			delete_status = CASE WHEN ?2 THEN NULL ELSE delete_status END
			WHERE id = ?3`},
		{&s.validators, `UPDATE versions SET
			etag = CASE WHEN ?1 <> '' THEN ?1 ELSE etag END,
			last_modified = CASE WHEN ?2 <> '' THEN ?2 ELSE last_modified END
			WHERE article = ?3 AND n = ?4`},
		{&s.replayed, `SELECT n FROM versions WHERE article = ?1
			AND ((?2 <> '' AND record_id = ?2) OR (?3 <> '' AND warc_file = ?3 AND warc_offset = ?4))
			LIMIT 1`},
		{&s.hashBefore, `SELECT body_hash FROM versions WHERE article = ?1 AND captured_at <= ?2
			ORDER BY captured_at DESC, n DESC LIMIT 1`},
		{&s.hashFirst, `SELECT body_hash FROM versions WHERE article = ?1 ORDER BY captured_at, n LIMIT 1`},
		{&s.maxVersion, `SELECT COALESCE(max(n), 0) FROM versions WHERE article = ?1`},
		{&s.insertVersion, `INSERT INTO versions (article, n, captured_at, url, status, body_hash, title, text,
			warc_file, warc_offset, warc_length, record_id, payload_digest, etag, last_modified)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)`},
		{&s.insertURL, `INSERT INTO urls (url, article) VALUES (?1, ?2) ON CONFLICT DO NOTHING`},
		{&s.insertAlternate, `INSERT INTO alternates (article, lang, url) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING`},
		{&s.insertImage, `INSERT INTO images (article, url, md5) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING`},
		{&s.setOrigin, `UPDATE articles SET origin_kind = ?1, origin_outlet = ?2, origin_owner = ?3,
			origin_channel = ?4, origin_post = ?5, origin_platform = ?6, origin_url = ?7,
			origin_site = ?8, origin_art_id = ?9, origin_id = ?10
			WHERE id = ?11`},
		{&s.setChangedOrigin, `UPDATE articles SET origin_kind = ?1, origin_outlet = ?2, origin_owner = ?3,
			origin_channel = ?4, origin_post = ?5, origin_platform = ?6, origin_url = ?7,
			origin_site = ?8, origin_art_id = ?9, origin_id = ?10
			WHERE id = ?11 AND (origin_kind IS NOT ?1 OR origin_outlet IS NOT ?2 OR origin_owner IS NOT ?3
				OR origin_channel IS NOT ?4 OR origin_post IS NOT ?5 OR origin_platform IS NOT ?6
				OR origin_url IS NOT ?7 OR origin_site IS NOT ?8 OR origin_art_id IS NOT ?9 OR origin_id IS NOT ?10)`},
		{&s.articleExists, `SELECT 1 FROM articles WHERE id = ?1`},
		{&s.frontierDone, `UPDATE frontier SET state = 'done', updated_at = ?1 WHERE url = ?2 AND state = 'pending'`},
		{&s.deleteHops, `DELETE FROM hops WHERE article = ?1`},
		{&s.insertHop, `INSERT INTO hops (article, n, kind, url, channel, post, outlet,
			evidence, warc_file, warc_offset, origin_time, lag_seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)`},
		// The story writes take their article ids as one JSON array: a fixed text,
		// prepared once, where an IN list of placeholders was parsed anew per story.
		{&s.newStory, `INSERT INTO stories (method, created_at) VALUES (?1, ?2)`},
		{&s.storiesOf, `SELECT DISTINCT story_id FROM articles
			WHERE story_id IS NOT NULL AND id IN (SELECT value FROM json_each(?1))`},
		{&s.setStories, `UPDATE articles SET story_id = ?1 WHERE id IN (SELECT value FROM json_each(?2))`},
		{&s.dropStory, `DELETE FROM stories WHERE id = ?1 AND NOT EXISTS
			(SELECT 1 FROM articles WHERE story_id = ?1)`},
		{&s.savepoint, `SAVEPOINT put`},
		{&s.release, `RELEASE put`},
		{&s.rollbackTo, `ROLLBACK TO put`},
		{&s.markDeleted, `UPDATE articles SET deleted_at = ?1, delete_status = ?2
			WHERE site = ?3 AND art_id = ?4 AND deleted_at IS NULL AND last_seen <= ?1`},
	} {
		st, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("prepare %q: %w", firstLine(p.sql), err)
		}
		*p.dst = st
		s.all = append(s.all, st)
	}
	return s, nil
}

func (s *stmts) close() error {
	var errs []error
	for _, st := range s.all {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// readCache holds statements prepared on the read pool, by SQL text. Parsing
// costs more than running the small point queries the lookups make, and
// database/sql keeps each statement prepared on every connection it has
// used. Only fixed query texts go in, so it stays small.
//
// Preparing on the pool takes a connection of its own, so it must never
// happen inside a read transaction: with every connection held by a
// transaction waiting to prepare, none would come free. Statements used in
// transactions are therefore prepared up front by warm, and a transaction
// that meets an unprepared text parses it on its own connection.
type readCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// warm prepares queries before any transaction can hold a connection.
func (rc *readCache) warm(ctx context.Context, queries ...string) error {
	for _, q := range queries {
		if _, err := rc.stmt(ctx, q); err != nil {
			return fmt.Errorf("prepare %q: %w", firstLine(q), err)
		}
	}
	return nil
}

func (rc *readCache) cached(query string) *sql.Stmt {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.m[query]
}

// stmt returns the prepared statement for query, preparing it if need be.
// Not for use inside a transaction.
func (rc *readCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s := rc.cached(query); s != nil {
		return s, nil
	}
	s, err := rc.db.PrepareContext(ctx, query) // not under mu: it may wait for a connection
	if err != nil {
		return nil, err
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if old := rc.m[query]; old != nil {
		s.Close()
		return old, nil
	}
	if rc.m == nil {
		rc.m = map[string]*sql.Stmt{}
	}
	rc.m[query] = s
	return s, nil
}

// query runs query on the pool, or inside tx if it is not nil.
func (rc *readCache) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if tx != nil {
		if s := rc.cached(query); s != nil {
			return tx.StmtContext(ctx, s).QueryContext(ctx, args...)
		}
		return tx.QueryContext(ctx, query, args...)
	}
	s, err := rc.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// queryRow is query for one row.
func (rc *readCache) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if tx != nil {
		if s := rc.cached(query); s != nil {
			return tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
		}
		return tx.QueryRowContext(ctx, query, args...)
	}
	s, err := rc.stmt(ctx, query)
	if err != nil {
		return rc.db.QueryRowContext(ctx, query, args...) // its Scan reports the error
	}
	return s.QueryRowContext(ctx, args...)
}

func (rc *readCache) each(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(*sql.Rows) error) error {
	return eachRow(ctx, queryFunc(func(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
		return rc.query(ctx, tx, q, args...)
	}), query, args, fn)
}

// queryFunc adapts a function to querier.
type queryFunc func(ctx context.Context, query string, args ...any) (*sql.Rows, error)

func (f queryFunc) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return f(ctx, query, args...)
}

func (rc *readCache) close() error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var errs []error
	for _, s := range rc.m {
		errs = append(errs, s.Close())
	}
	rc.m = nil
	return errors.Join(errs...)
}
