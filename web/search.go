package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/seeds"
)

// Page sizes, and the days the front page shows.
const (
	pageSize    = 20
	maxPageSize = 200
	browseDays  = 7
)

// hit is a search hit as the API and the page show it: the index's fields
// and, from the catalog, the article's origin and story.
type hit struct {
	Key       string        `json:"key"`
	Site      string        `json:"site"`
	ID        int64         `json:"id"`
	Lang      string        `json:"lang"`
	Title     string        `json:"title"`
	Published *time.Time    `json:"published,omitempty"`
	URL       string        `json:"url,omitempty"`
	Score     float64       `json:"score"`
	Snippet   template.HTML `json:"snippet"` // HTML: only <mark> elements, the rest escaped
	Origin    *originRef    `json:"origin,omitempty"`
	StoryID   int64         `json:"story_id,omitempty"`
	Page      string        `json:"page"` // the article page
	API       string        `json:"api"`  // the article record
	summary   *catalog.Summary
}

// originRef is an article's resolved origin, briefly.
type originRef struct {
	Kind    string `json:"kind"`
	Outlet  string `json:"outlet,omitempty"`
	Channel string `json:"channel,omitempty"`
	Post    string `json:"post,omitempty"`
	URL     string `json:"url,omitempty"`
	Page    string `json:"page,omitempty"` // the origin page, for an outlet or channel
}

func refOf(o catalog.Origin) *originRef {
	if o.Kind == "" {
		return nil
	}
	r := &originRef{Kind: o.Kind, Outlet: o.Outlet, Channel: o.Channel, Post: o.Post, URL: o.URL}
	switch {
	case o.Channel != "":
		r.Page = originPath("channel", o.Channel)
	case o.Outlet != "":
		r.Page = originPath("outlet", o.Outlet)
	}
	return r
}

// searchResult is the answer of /api/v1/search.
type searchResult struct {
	Query   string                  `json:"q"`
	Total   uint64                  `json:"total"`
	TookMS  float64                 `json:"took_ms"`
	Hits    []hit                   `json:"hits"`
	Facets  map[string][]facetCount `json:"facets"`
	Next    string                  `json:"next,omitempty"`     // cursor: pass as after=
	NextAPI string                  `json:"next_url,omitempty"` // the next page's URL
}

type facetCount struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// search runs a search and joins the hits with the catalog.
func (s *Server) search(ctx context.Context, p searchParams) (*searchResult, error) {
	if s.idx == nil {
		return nil, errNoIndex
	}
	req := p.request()
	req.Highlight, req.Facets = true, !p.NoFacets
	res, err := s.idx.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &searchResult{Query: p.Q, Total: res.Total, TookMS: float64(res.Took.Microseconds()) / 1000,
		Hits: []hit{}, Facets: map[string][]facetCount{}}
	for name, fcs := range res.Facets {
		out.Facets[name] = []facetCount{}
		for _, fc := range fcs {
			out.Facets[name] = append(out.Facets[name], facetCount{fc.Term, fc.Count})
		}
	}
	if out.Hits, err = s.hits(ctx, res.Hits); err != nil {
		return nil, err
	}
	prev, _ := decodeCursor(p.After)
	seen := prev.Seen + uint64(len(res.Hits))
	if len(res.Next) > 0 && seen < res.Total {
		out.Next = encodeCursor(cursor{After: res.Next, Seen: seen})
		v := p.values()
		v.Set("after", out.Next)
		if p.Size != pageSize {
			v.Set("size", itoa(int64(p.Size)))
		}
		out.NextAPI = "/api/v1/search?" + v.Encode()
	}
	return out, nil
}

// hits converts index hits, looking their articles up in the catalog by key
// (one indexed lookup each).
func (s *Server) hits(ctx context.Context, in []index.Hit) ([]hit, error) {
	out := make([]hit, 0, len(in))
	keys := make([]catalog.ArticleKey, 0, len(in))
	for _, h := range in {
		site, id, err := seeds.ParseKey(h.Key)
		if err != nil {
			s.log.Warn("web: index key is not SITE:ID", "key", h.Key)
			continue
		}
		x := hit{Key: h.Key, Site: site, ID: id, Lang: h.Lang, Title: h.Title, Score: h.Score,
			Snippet: safeSnippet(h.Snippet), Page: articlePath(site, id), API: "/api/v1" + articlePath(site, id)}
		if !h.Published.IsZero() {
			p := h.Published
			x.Published = &p
		}
		if u, ok := h.Fields["url"].(string); ok {
			x.URL = u
		}
		out = append(out, x)
		keys = append(keys, catalog.ArticleKey{Site: site, ID: id})
	}
	sums, err := s.cat.Summaries(ctx, keys)
	if err != nil {
		return nil, err
	}
	byKey := make(map[catalog.ArticleKey]*catalog.Summary, len(sums))
	for i := range sums {
		byKey[catalog.ArticleKey{Site: sums[i].Site, ID: sums[i].ID}] = &sums[i]
	}
	for i := range out {
		if sm := byKey[catalog.ArticleKey{Site: out[i].Site, ID: out[i].ID}]; sm != nil {
			out[i].summary = sm
			out[i].Origin = refOf(sm.Origin)
			if !sm.Published.IsZero() { // in the site's own zone, as it dates it
				p := sm.Published
				out[i].Published = &p
			}
			out[i].StoryID = sm.StoryID
			if out[i].URL == "" {
				out[i].URL = sm.URL
			}
			if out[i].Title == "" {
				out[i].Title = sm.Title
			}
		}
	}
	return out, nil
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	p, err := parseSearch(r.URL.Query(), pageSize, maxPageSize)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	res, err := s.search(r.Context(), p)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// searchView is the search page's data.
type searchView struct {
	P       searchParams
	Sorts   []option
	Error   string
	Caret   *caret // where a malformed query went wrong
	NoIndex bool
	Empty   bool   // the archive holds no article
	Browse  string // the days the front page shows, when nothing was asked
	Result  *searchResult
	Facets  []facetView
	Chart   template.HTML
	Counted int64 // articles in the timeline
	Range   string
	Next    string
	Export  struct{ CSV, JSONL string }
	Clear   string // the page without filters
}

type option struct {
	Value, Label string
	Selected     bool
}

// caret marks the position of a syntax error in the query.
type caret struct{ Before, At, After string }

type facetView struct {
	Name   string
	Param  string
	Values []facetValue
}

type facetValue struct {
	Term     string
	Count    int
	Selected bool
	URL      string // the page with this value toggled
}

// facetParams maps the index's facet names to the page's parameters.
var facetParams = []struct{ facet, param, label string }{
	{"site", "site", "Site"},
	{"lang", "lang", "Language"},
	{"origin", "origin", "Origin kind"},
	{"outlet", "outlet", "Outlet"},
	{"channel", "channel", "Telegram channel"},
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := searchView{}
	p, err := parseSearch(r.URL.Query(), pageSize, maxPageSize)
	v.P = p
	v.Sorts = []option{{"", "default", p.Sort == ""}, {index.SortRelevance, "relevance", p.Sort == index.SortRelevance},
		{index.SortDateDesc, "newest first", p.Sort == index.SortDateDesc}, {index.SortDate, "oldest first", p.Sort == index.SortDate}}
	v.Clear = "/"
	if p.Q != "" {
		v.Clear = "/?" + url.Values{"q": {p.Q}}.Encode()
	}
	status := http.StatusOK
	fail := func(err error) {
		pr := s.classify(r, err)
		status, v.Error = pr.Status, pr.Msg
		if pr.Position != nil {
			v.Caret = caretAt(p.Q, *pr.Position)
		}
	}
	if err != nil {
		fail(err)
		s.render(w, r, status, "search", page{Title: "Search", Nav: "search", Data: v})
		return
	}
	_, last, err := s.dayRange(ctx)
	if err != nil {
		fail(err)
	}
	v.Empty = last == ""
	// With nothing asked, the page shows the newest articles: of the newest
	// browseDays only, because sorting and faceting the whole index costs
	// about a second per million articles and the front page is the one
	// opened most.
	sp := p
	if p.Q == "" && p.From == "" && p.To == "" && len(p.values()) == 0 && last != "" {
		d, _ := time.Parse(dayLayout, last)
		sp.From = d.AddDate(0, 0, -(browseDays - 1)).Format(dayLayout)
		v.Browse = sp.From + " – " + last
	}
	// The hits and the timeline are independent passes over the index and
	// the catalog: run them side by side.
	var res *searchResult
	var searchErr error
	var wg sync.WaitGroup
	if s.idx == nil {
		v.NoIndex = true
	} else {
		wg.Go(func() { res, searchErr = s.search(ctx, sp) })
	}
	// The timeline: the query's daily counts when there is an index,
	// otherwise the catalog's counts for the filters.
	f := p.filters
	if s.idx == nil {
		f.Q = ""
	}
	var c *counts
	var countErr error
	if !v.Empty {
		c, countErr = s.count(ctx, f, "day")
	}
	wg.Wait()
	if searchErr != nil {
		fail(searchErr)
	} else if res != nil {
		v.Result = res
		v.Facets = facetViews(p, res.Facets)
		if res.Next != "" {
			q := p.values()
			q.Set("after", res.Next)
			if p.Size != pageSize {
				q.Set("size", itoa(int64(p.Size)))
			}
			v.Next = "/?" + q.Encode()
		}
		ex := p.values()
		ex.Set("format", "csv")
		v.Export.CSV = "/api/v1/export?" + ex.Encode()
		ex.Set("format", "jsonl")
		v.Export.JSONL = "/api/v1/export?" + ex.Encode()
	}
	if countErr != nil {
		if v.Error == "" {
			fail(countErr)
		}
	} else if c != nil && v.Error == "" {
		label := "Articles per day"
		if f.Q != "" {
			label = "Articles per day matching the query, and their share of all articles"
		}
		v.Chart = timelineSVG(c.Rows, f.Q != "", label)
		v.Counted = c.total()
		v.Range = c.From + " – " + c.To
	}
	s.render(w, r, status, "search", page{Title: "Search", Nav: "search", Data: v})
}

func facetViews(p searchParams, facets map[string][]facetCount) []facetView {
	var out []facetView
	for _, fp := range facetParams {
		counts := facets[fp.facet]
		selected := p.values()[fp.param]
		fv := facetView{Name: fp.label, Param: fp.param}
		seen := map[string]bool{}
		for _, c := range counts {
			on := slices.Contains(selected, c.Term)
			seen[c.Term] = true
			fv.Values = append(fv.Values, facetValue{Term: c.Term, Count: c.Count, Selected: on, URL: toggle(p, fp.param, c.Term)})
		}
		// A selected value the facet no longer lists can still be removed.
		for _, sv := range selected {
			if !seen[sv] {
				fv.Values = append(fv.Values, facetValue{Term: sv, Selected: true, URL: toggle(p, fp.param, sv)})
			}
		}
		if len(fv.Values) > 0 {
			out = append(out, fv)
		}
	}
	return out
}

// toggle is the search page's URL with one filter value added or removed,
// back on the first page.
func toggle(p searchParams, param, value string) string {
	v := p.values()
	vals := v[param]
	if i := slices.Index(vals, value); i >= 0 {
		vals = slices.Delete(slices.Clone(vals), i, i+1)
	} else {
		vals = append(slices.Clone(vals), value)
	}
	if len(vals) == 0 {
		v.Del(param)
	} else {
		v[param] = vals
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// caretAt splits a query at a rune position for the error display.
func caretAt(q string, pos int) *caret {
	rs := []rune(q)
	if pos < 0 {
		pos = 0
	}
	if pos >= len(rs) {
		return &caret{Before: q, At: " "}
	}
	return &caret{Before: string(rs[:pos]), At: string(rs[pos : pos+1]), After: string(rs[pos+1:])}
}
