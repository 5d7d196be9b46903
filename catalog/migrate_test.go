package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var (
	sqlComment = regexp.MustCompile(`--[^\n]*`)
	sqlSpace   = regexp.MustCompile(`\s+`)
	sqlPunct   = regexp.MustCompile(`\s*([(),])\s*`)
)

// schemaOf lists every schema object with its SQL, comments and layout
// removed, so two databases compare equal exactly when their schemas are.
func schemaOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, tbl, text string
		if err := rows.Scan(&typ, &name, &tbl, &text); err != nil {
			t.Fatal(err)
		}
		text = sqlComment.ReplaceAllString(text, "")
		text = sqlSpace.ReplaceAllString(text, " ")
		text = strings.TrimSpace(sqlPunct.ReplaceAllString(text, "$1"))
		out = append(out, typ+" "+name+" on "+tbl+": "+text)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, "_pragma=foreign_keys(1)", "_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// schema.sql is documentation; this keeps it true.
func TestSchemaFileMatchesMigrations(t *testing.T) {
	doc, err := os.ReadFile("schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fromDoc := rawDB(t, filepath.Join(dir, "doc.db"))
	if _, err := fromDoc.Exec(string(doc)); err != nil {
		t.Fatalf("schema.sql does not run: %v", err)
	}
	c, err := Open(context.Background(), filepath.Join(dir, "migrated.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want, got := schemaOf(t, fromDoc), schemaOf(t, c.r)
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Fatalf("schema.sql and migrations/ disagree:\nschema.sql:\n%s\n\nmigrations:\n%s",
			strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	if len(got) < 20 {
		t.Fatalf("only %d schema objects", len(got))
	}
}

func TestMigrateExistingCatalog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")

	// A catalog written by a program that knew only the first two steps.
	old := rawDB(t, path)
	if err := migrate(ctx, old, migrations[:2]); err != nil {
		t.Fatal(err)
	}
	for i, site := range []string{"japan", "japan", "france"} {
		_, err := old.Exec(`INSERT INTO articles (site, art_id, lang, published_day, first_seen, last_seen,
			current_version, origin_kind, origin_id) VALUES (?, ?, 'ja', '2025-01-02', 'x', 'x', 1, 'telegram', 'rusembjp')`,
			site, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.Exec(`INSERT INTO versions (article, n, captured_at, body_hash) VALUES (?, 1, ?, 'h')`,
			i+1, formatTime(t0)); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v := countRows(t, c, "PRAGMA user_version"); v != int64(SchemaVersion()) || v != 4 {
		t.Fatalf("user_version %d, want %d", v, SchemaVersion())
	}
	rows, err := c.DailyCounts(ctx, CountQuery{By: "site"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rows) != "[{ japan 2} { france 1}]" {
		t.Fatalf("backfilled counts %v", rows)
	}
	// And the triggers work on the upgraded file.
	mustPut(t, c, sample(50), capture("x", t0))
	if n := countRows(t, c, "SELECT sum(n) FROM daily_counts"); n != 4 {
		t.Fatalf("counts after a new article: %d", n)
	}
	// Opening again is a no-op.
	c.Close()
	c2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if n := countRows(t, c2, "SELECT sum(n) FROM daily_counts"); n != 4 {
		t.Fatalf("reopen changed counts: %d", n)
	}
}

func TestOpenSettings(t *testing.T) {
	c := openTest(t)
	var mode string
	if err := c.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q, %v", mode, err)
	}
	for conn, db := range map[string]*sql.DB{"writer": c.w} {
		if n := countRowsDB(t, db, "PRAGMA foreign_keys"); n != 1 {
			t.Errorf("%s foreign_keys = %d", conn, n)
		}
		if n := countRowsDB(t, db, "PRAGMA busy_timeout"); n != busyTimeoutMS {
			t.Errorf("%s busy_timeout = %d", conn, n)
		}
		if n := countRowsDB(t, db, "PRAGMA synchronous"); n != 1 {
			t.Errorf("%s synchronous = %d, want NORMAL", conn, n)
		}
	}
	if n := countRowsDB(t, c.r, "PRAGMA busy_timeout"); n != busyTimeoutMS {
		t.Errorf("reader busy_timeout = %d", n)
	}
	if _, err := c.r.Exec("INSERT INTO state (key, value, updated_at) VALUES ('k', 'v', 'x')"); err == nil {
		t.Error("the read pool accepted a write")
	}
	// The foreign keys are enforced.
	if _, err := c.w.Exec("INSERT INTO versions (article, n, captured_at, body_hash) VALUES (424242, 1, 'x', 'h')"); err == nil {
		t.Error("a version of no article was accepted")
	}
}

func countRowsDB(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte(strings.Repeat("this is not a database\n", 200)), 0o644)
	_, err := Open(ctx, garbage)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), garbage) {
		t.Errorf("garbage file: %v; want ErrCorrupt naming the file", err)
	}

	newer := filepath.Join(dir, "newer.db")
	db := rawDB(t, newer)
	db.Exec("PRAGMA user_version = 99")
	db.Close()
	if _, err := Open(ctx, newer); !errors.Is(err, ErrTooNew) {
		t.Errorf("newer schema: %v; want ErrTooNew", err)
	}

	other := filepath.Join(dir, "other.db")
	db = rawDB(t, other)
	db.Exec("CREATE TABLE notes (x)")
	db.Close()
	if _, err := Open(ctx, other); err == nil || !strings.Contains(err.Error(), "not a catalog") {
		t.Errorf("foreign database: %v", err)
	}

	for _, p := range []string{"", ":memory:", "file:x.db", filepath.Join(dir, "missing", "catalog.db"), dir} {
		if c, err := Open(ctx, p); err == nil {
			c.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}

	// An empty file is an empty database, which SQLite accepts.
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	c, err := Open(ctx, empty)
	if err != nil {
		t.Fatalf("empty file: %v", err)
	}
	c.Close()

	// Odd characters in the path are not taken for URI syntax.
	odd := filepath.Join(dir, "a?b#c%20 d.db")
	c, err = Open(ctx, odd)
	if err != nil {
		t.Fatalf("odd path: %v", err)
	}
	c.Close()
	if _, err := os.Stat(odd); err != nil {
		t.Fatalf("odd path not created as named: %v", err)
	}
}

func TestCheckFindsDamagedPages(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a few MB")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(ctx); err != nil {
		t.Fatalf("fresh catalog: %v", err)
	}
	var caps []Capture
	for i := range 2000 {
		caps = append(caps, Capture{sample(int64(i + 1)), capture(strings.Repeat("本文", 200)+fmt.Sprint(i), t0)})
	}
	if _, err := c.PutArticles(ctx, caps); err != nil {
		t.Fatal(err)
	}
	if err := c.Check(ctx); err != nil {
		t.Fatalf("healthy catalog: %v", err)
	}
	c.Close()
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatal("WAL left behind after Close")
	}

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 4096))
	for off := st.Size() / 3; off < st.Size()*2/3; off += 64 << 10 {
		f.WriteAt(junk, off)
	}
	f.Close()

	c, err = Open(ctx, path)
	if err == nil {
		defer c.Close()
		err = c.Check(ctx)
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damaged pages: %v; want ErrCorrupt", err)
	}
	t.Log(err)
}

func TestCloseTwice(t *testing.T) {
	c, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.LogFetch(context.Background(), FetchLog{URL: "u", StartedAt: time.Now()}); !errors.Is(err, ErrClosed) {
		t.Fatalf("LogFetch after Close: %v", err)
	}
}
