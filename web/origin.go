package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/index/query"
)

// Lag samples: the newest articles of an origin, at most sampleSize, and
// without an index at most sampleDays days of them.
const (
	sampleSize = 500
	sampleDays = 14
	recentSize = 20
)

// originReport is what the archive knows of one origin: a Telegram channel
// or an outlet.
type originReport struct {
	Kind     string `json:"kind"` // channel or outlet
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Owner    string `json:"owner,omitempty"`
	Platform string `json:"platform,omitempty"`
	URL      string `json:"url,omitempty"`
	Known    bool   `json:"known"` // in the seeds registry
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	Articles int64  `json:"articles"` // citing it, in the range
	// BySite: per site, the articles citing it (count), all the site's
	// articles (total) and the share.
	BySite []countRow `json:"by_site"`
	// OverTime: per day, the articles citing it, all articles that day and
	// the share.
	OverTime []countRow `json:"over_time"`
	// Lag is the distribution of publication lags over the newest articles
	// citing the origin; LagSource says where the sample came from.
	Lag       lagStats      `json:"lag"`
	LagSource string        `json:"lag_source"`
	Recent    []summaryJSON `json:"recent"`
}

type lagStats struct {
	Sample  int         `json:"sample"` // articles looked at
	Known   int         `json:"known"`  // of which have a lag
	P10     *int64      `json:"p10_seconds,omitempty"`
	Median  *int64      `json:"median_seconds,omitempty"`
	P90     *int64      `json:"p90_seconds,omitempty"`
	Buckets []lagBucket `json:"buckets"`
}

type lagBucket struct {
	Label string `json:"label"`
	// Upper is the bucket's exclusive upper bound in seconds; the last
	// bucket has none.
	Upper *int64 `json:"upper_seconds,omitempty"`
	N     int    `json:"n"`
}

var lagEdges = []struct {
	label string
	upper time.Duration
}{
	{"before origin", 0},
	{"< 15 min", 15 * time.Minute},
	{"15–30 min", 30 * time.Minute},
	{"30–60 min", time.Hour},
	{"1–2 h", 2 * time.Hour},
	{"2–6 h", 6 * time.Hour},
	{"6–24 h", 24 * time.Hour},
	{"1–3 d", 72 * time.Hour},
}

func lagDistribution(sample []catalog.Summary) lagStats {
	st := lagStats{Sample: len(sample)}
	var lags []time.Duration
	for _, sm := range sample {
		if sm.HasLag {
			lags = append(lags, sm.Lag)
		}
	}
	st.Known = len(lags)
	for _, e := range lagEdges {
		u := int64(e.upper / time.Second)
		st.Buckets = append(st.Buckets, lagBucket{Label: e.label, Upper: &u})
	}
	st.Buckets = append(st.Buckets, lagBucket{Label: "> 3 d"})
	for _, l := range lags {
		i := len(lagEdges)
		for j, e := range lagEdges {
			if l < e.upper {
				i = j
				break
			}
		}
		st.Buckets[i].N++
	}
	if len(lags) > 0 {
		slices.Sort(lags)
		q := func(p float64) *int64 {
			v := int64(lags[int(p*float64(len(lags)-1)+0.5)] / time.Second)
			return &v
		}
		st.P10, st.Median, st.P90 = q(0.1), q(0.5), q(0.9)
	}
	return st
}

func (s *Server) originReport(ctx context.Context, kind, id string, f filters) (*originReport, error) {
	var kinds []string
	switch kind {
	case "channel":
		kinds = channelKinds
		id = query.NormalizeKeyword("channel", id)
	case "outlet":
		kinds = outletKinds
		id = strings.TrimSpace(id)
	default:
		return nil, notFoundf("origin kind %q: want channel or outlet", clipText(kind, 30))
	}
	if id == "" || len(id) > maxValueLen {
		return nil, notFoundf("no origin id")
	}
	rep := &originReport{Kind: kind, ID: id, BySite: []countRow{}, OverTime: []countRow{}, Recent: []summaryJSON{}}
	ids := s.spellings(id)
	if kind == "channel" {
		if c, ok := s.reg.Channel(id); ok {
			rep.ID, rep.Name, rep.Owner, rep.Known = c.Name, c.Title, c.Owner, true
			rep.Platform, rep.URL = "telegram", "https://t.me/"+c.Name
		}
	} else if o, ok := s.reg.OutletByID(strings.ToLower(id)); ok {
		rep.ID, rep.Name, rep.Owner, rep.Platform, rep.Known = o.ID, o.Name, o.Owner, o.Platform, true
		if len(o.Domains) > 0 {
			rep.URL = "https://" + o.Domains[0] + "/"
		}
		ids = append(ids, o.ID)
	}
	if info, err := s.cat.OriginInfoByID(ctx, rep.ID); err == nil {
		rep.Name = cmp(rep.Name, info.Name)
		rep.Owner = cmp(rep.Owner, info.Owner)
		rep.URL = cmp(rep.URL, info.URL)
		rep.Known = true
	} else if !errors.Is(err, catalog.ErrNotFound) {
		return nil, err
	}

	f, err := s.window(ctx, f)
	if err != nil {
		return nil, err
	}
	rep.From, rep.To = f.From, f.To
	if f.From == "" { // an empty archive
		if !rep.Known {
			return nil, notFoundf("no articles cite %s %s", kind, clipText(id, 60))
		}
		rep.Lag = lagDistribution(nil)
		return rep, nil
	}
	cq := catalog.CountQuery{From: f.From, To: f.To, OriginKinds: kinds, OriginIDs: ids}

	// Independent reads, side by side: by site, by day, the archive's daily
	// totals, and the index's sample of the newest articles.
	var bySite, byDay, totals []catalog.CountRow
	var sample []catalog.Summary
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		q := cq
		q.By = "site"
		bySite, err = s.dailyCounts(gctx, q)
		return err
	})
	g.Go(func() (err error) {
		q := cq
		q.By = "day"
		byDay, err = s.dailyCounts(gctx, q)
		return err
	})
	g.Go(func() (err error) {
		totals, err = s.totals(gctx, f.From, f.To)
		return err
	})
	if s.idx != nil {
		g.Go(func() (err error) {
			sample, err = s.indexSample(gctx, kind, rep.ID, f)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	var sites []string
	for _, r := range bySite {
		sites = append(sites, r.Key)
		rep.Articles += r.N
	}
	if rep.Articles == 0 && !rep.Known {
		return nil, notFoundf("no articles cite %s %s", kind, clipText(id, 60))
	}
	// Each site's own total, for the share: all sites at once, the same
	// query (and cache entry) for every origin over the same days.
	siteTotals := map[string]int64{}
	if len(sites) > 0 {
		rows, err := s.dailyCounts(ctx, catalog.CountQuery{From: f.From, To: f.To, By: "site"})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			siteTotals[r.Key] = r.N
		}
	}
	for _, r := range bySite {
		rep.BySite = append(rep.BySite, ratioRow(r.Key, r.N, siteTotals[r.Key]))
	}
	dayN, dayT := map[string]int64{}, map[string]int64{}
	for _, r := range byDay {
		dayN[r.Day] = r.N
	}
	for _, r := range totals {
		dayT[r.Day] = r.N
	}
	for _, d := range daysBetween(f.From, f.To) {
		rep.OverTime = append(rep.OverTime, ratioRow(d, dayN[d], dayT[d]))
	}

	rep.LagSource = "index"
	if s.idx == nil {
		rep.LagSource = "catalog"
		if sample, err = s.catalogSample(ctx, ids, kinds, byDay); err != nil {
			return nil, err
		}
	}
	rep.Lag = lagDistribution(sample)
	rep.Recent = summariesOf(sample[:min(len(sample), recentSize)])
	return rep, nil
}

// indexSample is the newest articles citing an origin, from the index: a
// keyword filter, newest first, then a lookup in the catalog per key.
func (s *Server) indexSample(ctx context.Context, kind, id string, f filters) ([]catalog.Summary, error) {
	req := filters{From: f.From, To: f.To}.request()
	if kind == "channel" {
		req.Channels = []string{id}
	} else {
		req.Outlets = []string{id}
	}
	req.Sort, req.Size = index.SortDateDesc, sampleSize
	res, err := s.idx.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	hs, err := s.hits(ctx, res.Hits)
	if err != nil {
		return nil, err
	}
	var out []catalog.Summary
	for _, h := range hs {
		if h.summary != nil {
			out = append(out, *h.summary)
		}
	}
	return out, nil
}

// catalogSample is the same without an index: the catalog one day at a
// time, newest day first, over the days daily_counts says the origin has
// articles, at most sampleDays of them.
func (s *Server) catalogSample(ctx context.Context, ids, kinds []string, byDay []catalog.CountRow) ([]catalog.Summary, error) {
	var out []catalog.Summary
	days := 0
	for i := len(byDay) - 1; i >= 0 && len(out) < sampleSize && days < sampleDays; i-- {
		if byDay[i].N == 0 {
			continue
		}
		days++
		for _, x := range slices.Compact(slices.Sorted(slices.Values(ids))) {
			got, err := s.cat.OriginArticles(ctx, byDay[i].Day, kinds, x, sampleSize-len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
		}
	}
	return out, nil
}

func ratioRow(key string, n, total int64) countRow {
	r := countRow{Key: key, Count: n, Total: total}
	if total > 0 {
		r.Ratio = float64(n) / float64(total)
	}
	return r
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Server) apiOrigin(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	rep, err := s.originReport(r.Context(), r.PathValue("kind"), r.PathValue("id"), filters{From: f.From, To: f.To})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

type originView struct {
	R        *originReport
	Timeline template.HTML
	Sites    template.HTML
	Lags     template.HTML
	Search   string // the search page filtered to this origin
}

func (s *Server) originPage(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	rep, err := s.originReport(r.Context(), r.PathValue("kind"), r.PathValue("id"), filters{From: f.From, To: f.To})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := originView{R: rep, Timeline: timelineSVG(rep.OverTime, true, "Articles citing "+rep.ID+" per day")}
	var labels []string
	var values []int64
	for _, row := range rep.BySite[:min(len(rep.BySite), 30)] {
		labels, values = append(labels, row.Key), append(values, row.Count)
	}
	v.Sites = barsSVG(labels, values, "Articles citing "+rep.ID+" by site")
	labels, values = nil, nil
	for _, b := range rep.Lag.Buckets {
		labels, values = append(labels, b.Label), append(values, int64(b.N))
	}
	if rep.Lag.Known > 0 {
		v.Lags = barsSVG(labels, values, "Publication lag after "+rep.ID)
	}
	param := "outlet"
	if rep.Kind == "channel" {
		param = "channel"
	}
	v.Search = "/?" + url.Values{param: {strings.ToLower(rep.ID)}}.Encode()
	s.render(w, r, http.StatusOK, "origin", page{Title: rep.ID, Data: v})
}
