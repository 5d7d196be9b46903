package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// Errors callers may test for with errors.Is.
var (
	// ErrNotFound: no such article (or other row).
	ErrNotFound = errors.New("catalog: not found")
	// ErrCorrupt: the file is not a SQLite database or its pages are damaged.
	ErrCorrupt = errors.New("catalog: not a SQLite database or corrupt")
	// ErrTooNew: the database was written by a newer program.
	ErrTooNew = errors.New("catalog: schema is newer than this program")
	// ErrClosed: the catalog has been closed.
	ErrClosed = errors.New("catalog: closed")
)

// busyTimeoutMS bounds how long a statement waits for another process's lock
// (the CLI writing while the daemon runs) before failing with SQLITE_BUSY.
const busyTimeoutMS = 10000

// Catalog is an open catalog.db. Its methods are safe for concurrent use.
//
// Writes go through a pool of exactly one connection: SQLite admits one
// writer at a time anyway, and queueing writers in Go rather than in SQLite's
// busy handler means no SQLITE_BUSY between our own goroutines and no retry
// loops. Transactions on it begin IMMEDIATE so a read-then-write never has to
// upgrade its lock, and concurrent PutArticle calls share one commit (see
// group.go). Reads use a separate pool of query_only connections: in WAL
// mode they see the last committed state without blocking the writer or
// being blocked by it, so a long export does not stall the crawl. Another
// process (the CLI while the daemon runs) waits up to busy_timeout for the
// write lock.
type Catalog struct {
	path string
	w    *sql.DB // the one writer
	r    *sql.DB // readers

	st *stmts
	rc readCache

	// MaxAttempts is how many times MarkFailed lets a frontier URL fail
	// before it stops being pending. Set it before use.
	MaxAttempts int

	fetches fetchBuffer
	commit  committer

	closeOnce sync.Once
	closeErr  error
}

// Page cache sizes. SQLite's caches live outside the Go heap and its soft limit, and
// with modernc's allocator they cost about half as much again as their size: at 32 MB
// for the writer and 16 MB for each of 4 readers, memory outside the Go heap reached
// 140-160 MB at the end of a 40,000-article crawl, when the regroup had read the whole
// catalog and written its stories (peak RSS 324-342 MB). At 8 MB and 4 MB it stays under
// 40 MB (peak RSS 222 MB) and the crawl's CPU is the same (35.7-36.5 s against
// 36.1-38.9 s): a miss is a read from the OS's file cache.
const (
	writerCacheKiB = 8000
	readerCacheKiB = 4000
)

// Open opens or creates the catalog at path and brings its schema up to date.
// The path must name a file: WAL and the separate read pool need one.
func Open(ctx context.Context, path string) (*Catalog, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open catalog %q: need a plain file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	c := &Catalog{path: abs, MaxAttempts: 3}

	c.w, err = sql.Open("sqlite", dsn(abs,
		"_pragma=busy_timeout("+fmt.Sprint(busyTimeoutMS)+")",
		"_pragma=foreign_keys(1)",
		"_pragma=journal_mode(WAL)",
		// NORMAL in WAL mode: a power cut may lose the last commits but
		// never corrupts; they are redone from the WARC files.
		"_pragma=synchronous(NORMAL)",
		"_pragma=cache_size("+fmt.Sprint(-writerCacheKiB)+")",
		// Checkpoint every ~40 MB of WAL instead of ~4 MB: pages that many
		// commits touch (index edges, counts) are copied back once, and the
		// two fsyncs of a checkpoint are paid ten times less often. The
		// limit truncates the WAL file again after a burst.
		"_pragma=wal_autocheckpoint(10000)",
		"_pragma=journal_size_limit(67108864)",
		// Statement journals (one per statement inside a transaction) and
		// sort b-trees stay in memory instead of temp files.
		"_pragma=temp_store(MEMORY)",
		"_txlock=immediate",
	))
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", abs, err)
	}
	c.w.SetMaxOpenConns(1)
	c.w.SetMaxIdleConns(1)
	c.w.SetConnMaxLifetime(0)
	c.w.SetConnMaxIdleTime(0)

	if err := c.w.PingContext(ctx); err != nil {
		c.w.Close()
		return nil, c.openErr(err)
	}
	if err := migrate(ctx, c.w, migrations); err != nil {
		c.w.Close()
		return nil, c.openErr(err)
	}

	c.r, err = sql.Open("sqlite", dsn(abs,
		"_pragma=busy_timeout("+fmt.Sprint(busyTimeoutMS)+")",
		"_pragma=query_only(1)",
		"_pragma=cache_size("+fmt.Sprint(-readerCacheKiB)+")",
		"_pragma=temp_store(MEMORY)",
	))
	if err != nil {
		c.w.Close()
		return nil, fmt.Errorf("open catalog %s: %w", abs, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	c.r.SetMaxOpenConns(n)
	c.r.SetMaxIdleConns(n)

	c.rc.db = c.r
	if c.st, err = prepare(ctx, c.w); err == nil {
		err = c.rc.warm(ctx, articleQueries()...)
	}
	if err != nil {
		c.rc.close()
		if c.st != nil {
			c.st.close()
		}
		c.r.Close()
		c.w.Close()
		return nil, c.openErr(err)
	}
	c.fetches.start(c)
	c.startCommitter()
	return c, nil
}

// Path is the absolute path of the database file.
func (c *Catalog) Path() string { return c.path }

// Close flushes the fetch log and closes the database. Further calls return
// the first call's result.
func (c *Catalog) Close() error {
	c.closeOnce.Do(func() {
		c.stopCommitter()
		errs := []error{c.fetches.stop()}
		if c.st != nil {
			errs = append(errs, c.st.close())
		}
		errs = append(errs, c.rc.close())
		errs = append(errs, c.r.Close())
		// Closing the last connection checkpoints the WAL into the main file.
		errs = append(errs, c.w.Close())
		if err := errors.Join(errs...); err != nil {
			c.closeErr = fmt.Errorf("close catalog %s: %w", c.path, err)
		}
	})
	return c.closeErr
}

// Check runs SQLite's quick_check over the whole file. It reads every page, so
// it takes a while on a large catalog; Open does not call it.
func (c *Catalog) Check(ctx context.Context) error {
	rows, err := c.r.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return c.openErr(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return c.openErr(err)
		}
		if s != "ok" && len(problems) < 10 {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return c.openErr(err)
	}
	if len(problems) > 0 {
		detail := strings.ReplaceAll(strings.Join(problems, "; "), "\n", "; ")
		return fmt.Errorf("check catalog %s: %w: %s", c.path, ErrCorrupt, clip(detail, 1000))
	}
	return nil
}

// dsn builds a modernc.org/sqlite data source name. The file: form lets a path
// hold '?' or '#' safely; SQLite ignores the driver's own parameters.
func dsn(path string, params ...string) string {
	u := url.URL{Path: path}
	return "file:" + u.EscapedPath() + "?" + strings.Join(params, "&")
}

// openErr names the file and marks damage so that callers can tell "not a
// database" from "cannot open".
func (c *Catalog) openErr(err error) error {
	if isCorrupt(err) {
		return fmt.Errorf("open catalog %s: %w: %w", c.path, ErrCorrupt, err)
	}
	return fmt.Errorf("open catalog %s: %w", c.path, err)
}

// SQLite primary result codes that mean the file itself is bad.
const (
	sqliteCorrupt = 11
	sqliteNotADB  = 26
)

func isCorrupt(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqliteCorrupt, sqliteNotADB:
			return true
		}
	}
	s := err.Error()
	return strings.Contains(s, "file is not a database") || strings.Contains(s, "malformed")
}
