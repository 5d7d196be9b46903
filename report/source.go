package report

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the catalog's driver, named "sqlite"
)

// The catalog's API answers counts grouped by one key at a time; a report
// needs the full key (site, lang, origin kind, origin id), articles bucketed
// by a time zone, and lags from hops. So it reads catalog.db itself, through
// its own read-only connection. In WAL mode that neither blocks the
// catalog's writer nor is blocked by it, and one read transaction gives all
// queries the same snapshot.

const dayLayout = "2006-01-02"

// cell is the key of a daily_counts row.
type cell struct{ site, lang, kind, id string }

// series is a count per day of the window, oldest first.
type series [historyDays]int64

// window is the span of days a report reads: the 30 days up to the report
// day, which hold the chart, the day before and the baseline.
type window struct {
	days  [historyDays]string
	index map[string]int
}

func newWindow(date time.Time) *window {
	w := &window{index: make(map[string]int, historyDays)}
	for i := range historyDays {
		d := date.AddDate(0, 0, i-(historyDays-1)).Format(dayLayout)
		w.days[i] = d
		w.index[d] = i
	}
	return w
}

func (w *window) first() string { return w.days[0] }
func (w *window) last() string  { return w.days[historyDays-1] }

type source struct {
	db   *sql.DB
	tx   *sql.Tx
	opts Options
}

func openSource(ctx context.Context, path string, opts Options) (*source, error) {
	u := url.URL{Path: path}
	db, err := sql.Open("sqlite", "file:"+u.EscapedPath()+
		"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &source{db: db, tx: tx, opts: opts}, nil
}

func (s *source) close() error {
	s.tx.Rollback() // read only: nothing to keep
	return s.db.Close()
}

// siteFilter is the SQL condition and arguments for Options.Sites.
func (s *source) siteFilter(col string) (string, []any) {
	if len(s.opts.Sites) == 0 {
		return "", nil
	}
	args := make([]any, len(s.opts.Sites))
	for i, v := range s.opts.Sites {
		args[i] = v
	}
	return " AND " + col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", len(args)), ",") + ")", args
}

// dayOf is the report day of an article: the day of its publication instant
// in the zone, else the catalog's day.
func (s *source) dayOf(published, publishedDay string) string {
	if s.opts.SiteLocal || published == "" {
		return publishedDay
	}
	t, err := time.Parse(time.RFC3339, published)
	if err != nil {
		return publishedDay
	}
	return t.In(s.opts.zone()).Format(dayLayout)
}

// zoneMargin widens a query on the site-local day so that it finds every
// article whose day in another zone is in range: UTC offsets span −12 to
// +14 hours, so the two calendars differ by at most two days.
const zoneMargin = 2

func (s *source) dayRange(w *window) (from, to string) {
	if s.opts.SiteLocal {
		return w.first(), w.last()
	}
	f, _ := time.Parse(dayLayout, w.first())
	l, _ := time.Parse(dayLayout, w.last())
	return f.AddDate(0, 0, -zoneMargin).Format(dayLayout), l.AddDate(0, 0, zoneMargin).Format(dayLayout)
}

// counts reads the window's counts per cell.
func (s *source) counts(ctx context.Context, w *window) (map[cell]*series, int, error) {
	out := map[cell]*series{}
	add := func(day string, c cell, n int64) {
		i, ok := w.index[day]
		if !ok {
			return
		}
		sr := out[c]
		if sr == nil {
			sr = new(series)
			out[c] = sr
		}
		sr[i] += n
	}
	from, to := s.dayRange(w)
	cond, args := s.siteFilter("site")
	args = append([]any{from, to}, args...)

	if s.opts.SiteLocal {
		rows, err := s.tx.QueryContext(ctx, `SELECT day, site, lang, origin_kind, origin_id, n
			FROM daily_counts WHERE day >= ? AND day <= ?`+cond, args...)
		if err != nil {
			return nil, 0, fmt.Errorf("read daily counts: %w", err)
		}
		defer rows.Close()
		scanned := 0
		for rows.Next() {
			var day string
			var c cell
			var n int64
			if err := rows.Scan(&day, &c.site, &c.lang, &c.kind, &c.id, &n); err != nil {
				return nil, 0, fmt.Errorf("read daily counts: %w", err)
			}
			scanned++
			add(day, c, n)
		}
		if err := rows.Err(); err != nil {
			return nil, 0, fmt.Errorf("read daily counts: %w", err)
		}
		return out, scanned, nil
	}

	// Each article's instant is converted in Go: letting SQLite shift
	// and group (date(published, '+N seconds')) measured nearly twice the
	// CPU, its sort costing more than returning the rows, and it cannot
	// follow a DST change.
	rows, err := s.tx.QueryContext(ctx, `SELECT site, lang, origin_kind, origin_id, published, published_day
		FROM articles WHERE published_day >= ? AND published_day <= ?`+cond, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("read articles: %w", err)
	}
	defer rows.Close()
	scanned := 0
	// Raw bytes and interning: one allocation per distinct key, not
	// five strings per article.
	intern := map[string]string{}
	in := func(b []byte) string {
		if v, ok := intern[string(b)]; ok {
			return v
		}
		v := string(b)
		intern[v] = v
		return v
	}
	var site, lang, kind, id, published, day sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&site, &lang, &kind, &id, &published, &day); err != nil {
			return nil, 0, fmt.Errorf("read articles: %w", err)
		}
		scanned++
		if scanned%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		add(s.dayOf(string(published), in(day)), cell{in(site), in(lang), in(kind), in(id)}, 1)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read articles: %w", err)
	}
	return out, scanned, nil
}

// lagRow is one article of the report day with a known lag.
type lagRow struct {
	site string
	lag  time.Duration
}

// maxLagSeconds bounds a believable lag (ten years); anything beyond is a
// bad date on one side and would overflow a time.Duration.
const maxLagSeconds = 10 * 365 * 24 * 3600

// lags reads the republication lag of each article of the report day: that
// of the deepest hop of its origin chain whose lag is known.
func (s *source) lags(ctx context.Context, day string) ([]lagRow, error) {
	from, to := day, day
	if !s.opts.SiteLocal {
		d, _ := time.Parse(dayLayout, day)
		from = d.AddDate(0, 0, -zoneMargin).Format(dayLayout)
		to = d.AddDate(0, 0, zoneMargin).Format(dayLayout)
	}
	cond, args := s.siteFilter("a.site")
	args = append([]any{from, to}, args...)
	rows, err := s.tx.QueryContext(ctx, `SELECT a.site, a.published, a.published_day, h.lag_seconds
		FROM articles a JOIN hops h ON h.article = a.id
		WHERE a.published_day >= ? AND a.published_day <= ? AND h.lag_seconds IS NOT NULL
		  AND h.n = (SELECT max(n) FROM hops WHERE article = a.id AND lag_seconds IS NOT NULL)`+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("read lags: %w", err)
	}
	defer rows.Close()
	var out []lagRow
	for rows.Next() {
		var site, published, pday string
		var sec int64
		if err := rows.Scan(&site, &published, &pday, &sec); err != nil {
			return nil, fmt.Errorf("read lags: %w", err)
		}
		if s.dayOf(published, pday) != day || sec > maxLagSeconds || sec < -maxLagSeconds {
			continue
		}
		out = append(out, lagRow{site, time.Duration(sec) * time.Second})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read lags: %w", err)
	}
	return out, nil
}

// firstDay is the earliest day the catalog holds any article, "" if none.
func (s *source) firstDay(ctx context.Context) (string, error) {
	var d sql.NullString
	if err := s.tx.QueryRowContext(ctx, "SELECT min(day) FROM daily_counts").Scan(&d); err != nil {
		return "", fmt.Errorf("read first day: %w", err)
	}
	return d.String, nil
}
