package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	hlhtml "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/pravda-archive/pravda/index/query"
)

// ErrBadRequest marks a Request the index cannot run (bad sort, cursor or size). Query
// syntax errors are *query.Error instead.
var ErrBadRequest = errors.New("index: bad request")

// Sort orders.
const (
	SortRelevance = "relevance"
	SortDate      = "date"  // oldest first
	SortDateDesc  = "-date" // newest first
)

// Paging limits.
const (
	DefaultSize = 20
	MaxSize     = 10000
	// facetSize is how many values a facet returns, maxTopTerms how many TopTerms can.
	// Both are exact counts (columns.go).
	facetSize   = 20
	maxTopTerms = 1000
)

// Request is a search. Filters of one kind are OR-ed (any of Sites), kinds are AND-ed.
type Request struct {
	Query       string // see package query
	Sites       []string
	Langs       []string
	OriginKinds []string
	Outlets     []string
	Channels    []string
	From, To    time.Time // publication time, From inclusive, To exclusive; zero is open
	// FromDay and ToDay bound the publication day as the site dates it, both inclusive,
	// YYYY-MM-DD; empty is open. They are what the catalog's daily counts mean by a
	// day, so counts of a query and totals from the catalog agree.
	FromDay, ToDay string
	Sort           string   // relevance (default with a query), date, -date (default without)
	Size           int      // hits per page, default 20
	After          []string // Result.Next of the previous page
	Highlight      bool     // fill Hit.Snippet
	Facets         bool     // fill Result.Facets
}

// Result is one page of hits.
type Result struct {
	Total  uint64
	Hits   []Hit
	Facets map[string][]FacetCount // by field: site, lang, origin, outlet, channel, category
	Next   []string                // cursor for the next page; nil on the last page
	Took   time.Duration
}

// Hit is one matching document.
type Hit struct {
	Key       string
	Score     float64
	Site      string
	Lang      string
	Title     string
	Published time.Time // zero for undated documents
	// Snippet is HTML: the best passage of the body with matches in <mark>, everything
	// else escaped. Empty unless Request.Highlight, and for months without stored text.
	Snippet string
	Fields  map[string]any // other stored fields: url
}

// FacetCount is one value of a facet and how many hits have it.
type FacetCount struct {
	Term  string
	Count int
}

// facetFields are the facets Search returns, by the name the query language uses.
var facetFields = []string{"site", "lang", "origin", "outlet", "channel", "category"}

// Search runs a query and returns one page of hits.
func (x *Index) Search(ctx context.Context, r Request) (*Result, error) {
	return x.search(ctx, r, facetFields)
}

// search is Search with the facets to compute when r.Facets is set.
func (x *Index) search(ctx context.Context, r Request, facets []string) (*Result, error) {
	start := time.Now()
	c, err := x.request(r)
	if err != nil {
		return nil, err
	}
	size, err := pageSize(r.Size)
	if err != nil {
		return nil, err
	}
	p := plan{size: size}
	if p.order, err = sortOrder(r); err != nil {
		return nil, err
	}
	if len(r.After) > 0 {
		if p.after, err = p.order.parseCursor(r.After); err != nil {
			return nil, err
		}
	}
	if r.Facets {
		for _, f := range facets {
			p.fields = append(p.fields, keywordFields[f])
		}
	}
	found, err := x.collect(ctx, c, r, p)
	if err != nil {
		return nil, err
	}
	out := &Result{Total: found.total}
	if out.Hits, err = x.fetch(ctx, c.whole, p.order, found.top, c.scope, r.Highlight); err != nil {
		return nil, err
	}
	if r.Facets {
		out.Facets = map[string][]FacetCount{}
		for _, f := range facets {
			out.Facets[f] = topCounts(found.counts[keywordFields[f]], facetSize)
		}
	}
	if n := len(found.top); n == size && uint64(n) < found.total {
		last := found.top[n-1]
		out.Next = []string{p.order.cursorKey(last), last.id}
	}
	out.Took = time.Since(start)
	return out, nil
}

// fetch reads the stored fields, and the highlights if asked, of the hits that make a
// page, with one query per month naming them, and returns them in rank order. A hit
// deleted since it was collected is left out.
func (x *Index) fetch(ctx context.Context, q bq.Query, o order, top []cand, scope []string, highlight bool) ([]Hit, error) {
	if len(top) == 0 {
		return nil, nil
	}
	byMonth := map[string][]string{}
	for _, c := range top {
		byMonth[c.month] = append(byMonth[c.month], c.id)
	}
	docs := map[string]*search.DocumentMatch{}
	for month, ids := range byMonth {
		idx, err := x.month(month, false)
		if err != nil {
			return nil, err
		}
		if idx == nil {
			continue
		}
		var fq bq.Query = bq.NewDocIDQuery(ids)
		if highlight {
			// The text query again, for the term locations highlighting marks; without
			// the date filters, which the named hits passed already.
			fq = bq.NewConjunctionQuery([]bq.Query{fq, q})
		}
		sr := bleve.NewSearchRequestOptions(fq, len(ids), 0, false)
		sr.Fields = []string{fieldSite, fieldLang, fieldPublished, fieldURL}
		for _, sf := range scope {
			sr.Fields = append(sr.Fields, "title_"+sf)
		}
		if highlight {
			sr.Highlight = bleve.NewHighlightWithStyle(hlhtml.Name)
			for _, sf := range scope {
				sr.Highlight.AddField("body_" + sf)
			}
		}
		res, err := idx.SearchInContext(ctx, sr)
		if err != nil {
			return nil, fmt.Errorf("fetch hits of %s: %w", month, err)
		}
		for _, h := range res.Hits {
			docs[h.ID] = h
		}
	}
	out := make([]Hit, 0, len(top))
	for _, c := range top {
		if d := docs[c.id]; d != nil {
			h := hit(d)
			h.Score = 0 // a date order computes none
			if o == byScore {
				h.Score = c.key
			}
			out = append(out, h)
		}
	}
	return out, nil
}

// compiled is a Request as bleve queries.
type compiled struct {
	q bq.Query // the query and every filter
	// whole is q without the date filters, for the months the dates cover whole: over a
	// year, the filters' union of day terms cost more than the query.
	whole bq.Query
	scope []string // the text-field suffixes the query touches
}

// request compiles the query and filters shared by Search, DayCounts and TopTerms.
func (x *Index) request(r Request) (*compiled, error) {
	node, err := query.Parse(r.Query)
	if err != nil {
		return nil, err
	}
	text, err := query.Compile(node, x.schema, r.Langs)
	if err != nil {
		return nil, err
	}
	var filters []bq.Query
	for _, f := range []struct {
		field, name string
		values      []string
	}{
		{fieldSite, "site", r.Sites},
		{fieldLang, "lang", r.Langs},
		{fieldOrigin, "origin", r.OriginKinds},
		{fieldOutlet, "outlet", r.Outlets},
		{fieldChannel, "channel", r.Channels},
	} {
		var either []bq.Query
		for _, v := range f.values {
			if f.name == "lang" {
				v = normLang(v)
			}
			if v = query.NormalizeKeyword(f.name, v); v != "" {
				t := bq.NewTermQuery(v)
				t.SetField(f.field)
				either = append(either, t)
			}
		}
		switch len(either) {
		case 0:
		case 1:
			filters = append(filters, either[0])
		default:
			filters = append(filters, bq.NewDisjunctionQuery(either))
		}
	}
	dated := filters[:len(filters):len(filters)]
	if !r.From.IsZero() || !r.To.IsZero() {
		if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
			return nil, fmt.Errorf("%w: from %s is not before to %s", ErrBadRequest, r.From, r.To)
		}
		dated = append(dated, whenRange(r.From, r.To))
	}
	if r.FromDay != "" || r.ToDay != "" {
		for _, d := range []string{r.FromDay, r.ToDay} {
			if _, err := time.Parse(dayLayout, d); d != "" && err != nil {
				return nil, fmt.Errorf("%w: day %q (want YYYY-MM-DD)", ErrBadRequest, d)
			}
		}
		if r.FromDay != "" && r.ToDay != "" && r.FromDay > r.ToDay {
			return nil, fmt.Errorf("%w: from day %s is after to day %s", ErrBadRequest, r.FromDay, r.ToDay)
		}
		yes := true
		days := bq.NewTermRangeInclusiveQuery(r.FromDay, r.ToDay, &yes, &yes)
		days.SetField(fieldDay)
		dated = append(dated, days)
	}
	c := &compiled{q: filtered(text, dated), whole: filtered(text, filters)}
	c.scope = suffixes
	if len(r.Langs) > 0 {
		c.scope = nil
		for _, l := range r.Langs {
			if sf := suffixOf(normLang(l)); !slices.Contains(c.scope, sf) {
				c.scope = append(c.scope, sf)
			}
		}
	}
	return c, nil
}

// filtered adds filters to a text query; a filter, unlike a conjunct, does not add to the
// score.
func filtered(text bq.Query, filters []bq.Query) bq.Query {
	if _, none := text.(*bq.MatchNoneQuery); none || len(filters) == 0 {
		return text
	}
	b := bq.NewBooleanQuery([]bq.Query{text}, nil, nil)
	if len(filters) == 1 {
		b.AddFilter(filters[0])
	} else {
		b.AddFilter(bq.NewConjunctionQuery(filters))
	}
	return b
}

// inRange reports whether a month's documents can fall in [from, to). Months are cut in
// each site's own zone, so the range is widened by a day each way.
func inRange(month string, from, to time.Time) bool {
	if month == Undated {
		return from.IsZero() && to.IsZero()
	}
	first, err := time.Parse("2006-01", month)
	if err != nil {
		return false
	}
	next := first.AddDate(0, 1, 0)
	if !from.IsZero() && !next.After(from.Add(-24*time.Hour)) {
		return false
	}
	if !to.IsZero() && !first.Before(to.Add(24*time.Hour)) {
		return false
	}
	return true
}

func pageSize(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultSize, nil
	case n < 0 || n > MaxSize:
		return 0, fmt.Errorf("%w: size %d not in 1..%d", ErrBadRequest, n, MaxSize)
	}
	return n, nil
}

// sortOrder picks the ranking of a request. Every order ends in the document key, so
// that equal scores or dates still have one order and search_after pages neither skip
// nor repeat.
func sortOrder(r Request) (order, error) {
	s := r.Sort
	if s == "" {
		s = SortDateDesc
		if strings.TrimSpace(r.Query) != "" {
			s = SortRelevance
		}
	}
	switch s {
	case SortRelevance:
		return byScore, nil
	case SortDate:
		return byDate, nil
	case SortDateDesc:
		return byDateDesc, nil
	}
	return 0, fmt.Errorf("%w: sort %q (want relevance, date or -date)", ErrBadRequest, s)
}

func hit(h *search.DocumentMatch) Hit {
	out := Hit{Key: h.ID, Score: h.Score}
	str := func(f string) string { s, _ := h.Fields[f].(string); return s }
	out.Site, out.Lang = str(fieldSite), str(fieldLang)
	if p, err := time.Parse(time.RFC3339Nano, str(fieldPublished)); err == nil && !p.Equal(epoch) {
		out.Published = p
	}
	for f, v := range h.Fields {
		if strings.HasPrefix(f, "title_") {
			out.Title, _ = v.(string)
		}
	}
	if u := str(fieldURL); u != "" {
		out.Fields = map[string]any{"url": u}
	}
	for f, frags := range h.Fragments {
		if strings.HasPrefix(f, "body_") && len(frags) > 0 {
			out.Snippet = frags[0]
		}
	}
	return out
}

// topCounts returns the n largest counts, most first, ties in term order.
func topCounts(counts map[string]int, n int) []FacetCount {
	out := make([]FacetCount, 0, len(counts))
	for t, c := range counts {
		out = append(out, FacetCount{Term: t, Count: c})
	}
	slices.SortFunc(out, func(a, b FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Term, b.Term)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
