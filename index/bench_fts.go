package index

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the FTS5 peer

	"github.com/pravda-archive/pravda/index/ja"
)

// ftsPeer is the SQLite FTS5 engine Bench measures bleve against. It uses the unicode61
// tokenizer (case and diacritics folded, no stemming) and is handed Japanese text already
// segmented by kagome, spaces between words. The trigram tokenizer, FTS5's other built-in
// option for unsegmented text, cannot match a query shorter than three characters at all:
// most Japanese words (政府, 制裁, 日本) are two. Segmentation time counts in FTS5's ingest,
// as bleve's analysis counts in its own.
type ftsPeer struct {
	db  *sql.DB
	seg *ja.Tokenizer
}

func openFTS(dir string) (*ftsPeer, error) {
	p := filepath.Join(dir, "fts.db")
	db, err := sql.Open("sqlite", "file:"+p+"?_pragma=journal_mode(wal)&_pragma=synchronous(normal)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE VIRTUAL TABLE docs USING fts5(
		key UNINDEXED, site UNINDEXED, lang UNINDEXED, day UNINDEXED, title, body,
		tokenize = 'unicode61 remove_diacritics 2')`); err != nil {
		db.Close()
		return nil, fmt.Errorf("create fts5 table: %w", err)
	}
	seg, err := ja.New()
	if err != nil {
		db.Close()
		return nil, err
	}
	return &ftsPeer{db: db, seg: seg}, nil
}

func (f *ftsPeer) segment(lang, s string) string {
	if lang != "ja" {
		return s
	}
	ts := f.seg.Tokenize([]byte(s))
	words := make([]string, len(ts))
	for i, t := range ts {
		words[i] = string(t.Term)
	}
	return strings.Join(words, " ")
}

func (f *ftsPeer) ingest(ctx context.Context, docs []Doc) error {
	const batch = 1000
	for start := 0; start < len(docs); start += batch {
		tx, err := f.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO docs(key, site, lang, day, title, body) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		for _, d := range docs[start:min(start+batch, len(docs))] {
			if _, err := st.ExecContext(ctx, d.Key, d.Site, d.Lang, d.Published.Format("2006-01-02"),
				f.segment(d.Lang, d.Title), f.segment(d.Lang, d.Text)); err != nil {
				tx.Rollback()
				return fmt.Errorf("insert %s: %w", d.Key, err)
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// match renders a query as an FTS5 MATCH expression: each word a quoted phrase (a
// Japanese word segmented like the text), implicitly AND-ed.
func (f *ftsPeer) match(q benchQuery) string {
	parts := make([]string, len(q.words))
	for i, w := range q.words {
		parts[i] = `"` + strings.ReplaceAll(f.segment(q.lang, w), `"`, `""`) + `"`
	}
	return strings.Join(parts, " ")
}

// search is the peer of Search with a site facet: the ten best hits and the hit count per
// site.
func (f *ftsPeer) search(ctx context.Context, q benchQuery) (int, error) {
	m := f.match(q)
	rows, err := f.db.QueryContext(ctx, `SELECT key, title FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10`, m)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var k, t string
		if err := rows.Scan(&k, &t); err != nil {
			rows.Close()
			return 0, err
		}
	}
	rows.Close()
	rows, err = f.db.QueryContext(ctx, `SELECT site, count(*) FROM docs WHERE docs MATCH ? GROUP BY site`, m)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var site string
		var n int
		if err := rows.Scan(&site, &n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, rows.Err()
}

// series is the peer of DayCounts.
func (f *ftsPeer) series(ctx context.Context, q benchQuery, from, to time.Time) ([]DayCount, error) {
	rows, err := f.db.QueryContext(ctx, `SELECT day, count(*) FROM docs WHERE docs MATCH ? AND day >= ? AND day < ? GROUP BY day ORDER BY day`,
		f.match(q), from.Format("2006-01-02"), to.Format("2006-01-02"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DayCount
	for rows.Next() {
		var dc DayCount
		if err := rows.Scan(&dc.Day, &dc.Count); err != nil {
			return nil, err
		}
		out = append(out, dc)
	}
	return out, rows.Err()
}

// settle runs FTS5's 'optimize', which merges its b-trees into one: the maintenance an
// owner runs on a table that has stopped changing, as ours merges a closed month.
func (f *ftsPeer) settle(ctx context.Context) error {
	if _, err := f.db.ExecContext(ctx, `INSERT INTO docs(docs) VALUES('optimize')`); err != nil {
		return fmt.Errorf("fts5 optimize: %w", err)
	}
	return nil
}

func (f *ftsPeer) close() error {
	if _, err := f.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		f.db.Close()
		return err
	}
	return f.db.Close()
}
