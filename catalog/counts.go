package catalog

import (
	"context"
	"database/sql"
	"fmt"
)

// CountQuery selects and groups daily article counts. Empty filters match
// everything; From and To are inclusive days, YYYY-MM-DD, empty for open.
type CountQuery struct {
	From, To    string
	Sites       []string // exact names: "canada" does not include "canada/en"
	Langs       []string
	OriginKinds []string
	OriginIDs   []string
	// By names the grouping: "day" (the default) gives a time series;
	// "site", "lang", "origin_kind" or "origin_id" give totals per value
	// over the range, largest first, or per day and value with PerDay.
	By     string
	PerDay bool
	Limit  int // at most this many rows; 0 for all
}

// CountRow is one group: Day is empty when not grouped by day, Key when
// grouped by day alone.
type CountRow struct {
	Day string
	Key string
	N   int64
}

var countKeys = map[string]string{
	"site":        "site",
	"lang":        "lang",
	"origin_kind": "origin_kind",
	"origin_id":   "origin_id",
}

// DailyCounts answers counts over time from the daily_counts table, which is
// kept exact at ingest, so no article is scanned.
func (c *Catalog) DailyCounts(ctx context.Context, q CountQuery) ([]CountRow, error) {
	where, args, err := countWhere(q)
	if err != nil {
		return nil, fmt.Errorf("daily counts: %w", err)
	}

	var query string
	switch by := q.By; {
	case by == "" || by == "day":
		query = "SELECT day, '', sum(n) FROM daily_counts " + where + " GROUP BY day ORDER BY day"
	case countKeys[by] != "" && q.PerDay:
		k := countKeys[by]
		query = "SELECT day, " + k + ", sum(n) FROM daily_counts " + where +
			" GROUP BY day, " + k + " ORDER BY day, sum(n) DESC, " + k
	case countKeys[by] != "":
		k := countKeys[by]
		query = "SELECT '', " + k + ", sum(n) FROM daily_counts " + where +
			" GROUP BY " + k + " ORDER BY sum(n) DESC, " + k
	default:
		return nil, fmt.Errorf("daily counts: cannot group by %q", by)
	}
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}

	var out []CountRow
	err = eachRow(ctx, c.r, query, args, func(rows *sql.Rows) error {
		var r CountRow
		err := rows.Scan(&r.Day, &r.Key, &r.N)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("daily counts: %w", err)
	}
	return out, nil
}

// Totals is the number of articles per day over every site, language and
// origin: the denominator for a ratio of filtered counts.
func (c *Catalog) Totals(ctx context.Context, from, to string) ([]CountRow, error) {
	return c.DailyCounts(ctx, CountQuery{From: from, To: to, By: "day"})
}

// RebuildDailyCounts recomputes daily_counts from the articles, for repair
// after the table was edited by hand. The triggers keep it exact otherwise.
func (c *Catalog) RebuildDailyCounts(ctx context.Context) error {
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rebuild daily counts: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM daily_counts"); err != nil {
		return fmt.Errorf("rebuild daily counts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO daily_counts (day, site, lang, origin_kind, origin_id, n)
		SELECT published_day, site, lang, origin_kind, origin_id, count(*) FROM articles
		GROUP BY published_day, site, lang, origin_kind, origin_id`); err != nil {
		return fmt.Errorf("rebuild daily counts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rebuild daily counts: commit: %w", err)
	}
	return nil
}
