package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

// countRow is one group of a count: count matching, total of the group,
// and their ratio, the way Media Cloud reports attention over time.
type countRow struct {
	Key   string  `json:"key"`
	Count int64   `json:"count"`
	Total int64   `json:"total"`
	Ratio float64 `json:"ratio"`
}

// counts is the answer of /api/v1/counts.
type counts struct {
	By     string     `json:"by"`
	Query  string     `json:"q,omitempty"`
	From   string     `json:"from,omitempty"`
	To     string     `json:"to,omitempty"`
	Source string     `json:"source"` // catalog (daily_counts) or index (the query's facets)
	Rows   []countRow `json:"rows"`
}

// Groupings: the API's name → the index's facet field and the catalog's.
var countBy = map[string]struct{ field, column string }{
	"day":         {"day", "day"},
	"site":        {"site", "site"},
	"lang":        {"lang", "lang"},
	"origin_kind": {"origin", "origin_kind"},
	"outlet":      {"outlet", ""},
	"channel":     {"channel", ""},
}

// Window limits: with no dates given, a count covers the days the archive
// holds, at most the newest defaultDays; no count spans more than maxDays.
const (
	defaultDays = 365
	maxDays     = 30 * 366
	maxKeys     = 1000
)

// window fills in the default date range: To is the newest day in the
// archive, From the oldest, but no more than defaultDays before To. It
// returns f unchanged for an empty archive.
func (s *Server) window(ctx context.Context, f filters) (filters, error) {
	if f.To == "" || f.From == "" {
		first, last, err := s.dayRange(ctx)
		if err != nil {
			return f, err
		}
		if f.To == "" {
			if last == "" || (f.From != "" && last < f.From) {
				last = f.From
			}
			f.To = last
		}
		if f.From == "" && f.To != "" {
			to, _ := time.Parse(dayLayout, f.To)
			f.From = to.AddDate(0, 0, -(defaultDays - 1)).Format(dayLayout)
			if first > f.From && first <= f.To {
				f.From = first
			}
		}
	}
	if f.From != "" && f.To != "" {
		from, _ := time.Parse(dayLayout, f.From)
		to, _ := time.Parse(dayLayout, f.To)
		if to.Sub(from) > maxDays*24*time.Hour {
			return f, badRequestf("from %s to %s: at most %d days", f.From, f.To, maxDays)
		}
	}
	return f, nil
}

// count groups articles by day, site, language, origin kind, outlet or
// channel. Without a query every number comes from the catalog's
// daily_counts (count and total are then the same); with one, counts come
// from the index (a facet on the day field, or on the grouping field) and
// totals from the catalog with the same filters but no query.
func (s *Server) count(ctx context.Context, f filters, by string) (*counts, error) {
	g, ok := countBy[by]
	if !ok {
		return nil, badRequestf("by %q: want day, site, lang, origin_kind, outlet or channel", clipText(by, 40))
	}
	if f.Q != "" && s.idx == nil {
		return nil, errNoIndex
	}
	f, err := s.window(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &counts{By: by, Query: f.Q, From: f.From, To: f.To, Source: "catalog", Rows: []countRow{}}
	if f.From == "" || f.To == "" { // an empty archive
		return out, nil
	}
	cq := s.countQuery(f)
	totals, order, err := s.catalogTotals(ctx, cq, by, g.column)
	if err != nil {
		return nil, err
	}
	got := totals
	if f.Q != "" {
		out.Source = "index"
		got = map[string]int64{}
		req := f.request()
		if by == "day" {
			dc, err := s.idx.DayCounts(ctx, req)
			if err != nil {
				return nil, err
			}
			for _, d := range dc {
				got[d.Day] = int64(d.Count)
			}
		} else {
			top, err := s.idx.TopTerms(ctx, req, g.field, maxKeys)
			if err != nil {
				return nil, err
			}
			// The index folds keyword case; the catalog keeps the
			// registry's spelling ("MID_Russia"): match them folded and
			// show the catalog's.
			spelled := map[string]string{}
			for _, k := range order {
				spelled[strings.ToLower(k)] = k
			}
			for _, t := range top {
				k, ok := spelled[strings.ToLower(t.Term)]
				if !ok {
					k = t.Term
					order = append(order, k)
				}
				got[k] += int64(t.Count)
			}
		}
	}
	if by == "day" {
		order = daysBetween(f.From, f.To)
	}
	for _, k := range order {
		r := countRow{Key: k, Count: got[k], Total: totals[k]}
		if r.Total > 0 {
			r.Ratio = float64(r.Count) / float64(r.Total)
		}
		out.Rows = append(out.Rows, r)
	}
	if by != "day" {
		slices.SortStableFunc(out.Rows, func(a, b countRow) int {
			if a.Count != b.Count {
				if a.Count > b.Count {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Key, b.Key)
		})
		if len(out.Rows) > maxKeys {
			out.Rows = out.Rows[:maxKeys]
		}
	}
	return out, nil
}

// catalogTotals reads the catalog's counts for a grouping, and the keys in
// the catalog's order.
func (s *Server) catalogTotals(ctx context.Context, cq catalog.CountQuery, by, column string) (map[string]int64, []string, error) {
	totals := map[string]int64{}
	var order []string
	add := func(k string, n int64) {
		if _, ok := totals[k]; !ok {
			order = append(order, k)
		}
		totals[k] += n
	}
	if column != "" {
		cq.By = column
		rows, err := s.dailyCounts(ctx, cq)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rows {
			if by == "day" {
				add(r.Day, r.N)
			} else {
				add(r.Key, r.N)
			}
		}
		return totals, order, nil
	}
	rows, err := s.originCounts(ctx, cq)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		if r.ID == "" || isChannelKind(r.Kind) != (by == "channel") {
			continue
		}
		add(r.ID, r.N)
	}
	return totals, order, nil
}

// Origin kinds of a Telegram channel's articles; an outlet's are the rest
// that carry an outlet id (state_media, web).
var channelKinds = []string{"telegram_post", "telegram_channel"}
var outletKinds = []string{"state_media", "web"}

func isChannelKind(kind string) bool { return strings.HasPrefix(kind, "telegram") }

// daysBetween lists the days from..to inclusive.
func daysBetween(from, to string) []string {
	f, err1 := time.Parse(dayLayout, from)
	t, err2 := time.Parse(dayLayout, to)
	if err1 != nil || err2 != nil || t.Before(f) {
		return nil
	}
	var out []string
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(dayLayout))
	}
	return out
}

func (s *Server) apiCounts(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	by := r.URL.Query().Get("by")
	if by == "" {
		by = "day"
	}
	c, err := s.count(r.Context(), f, by)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// total sums a count's rows.
func (c *counts) total() int64 {
	var n int64
	for _, r := range c.Rows {
		n += r.Count
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
