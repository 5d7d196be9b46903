package report

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

// Daily builds the report of one day from the catalog. The day is the
// calendar date of day in its own location (its time of day is ignored), so
// time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) names 1 March whatever
// opts.Zone is; for "yesterday in Tokyo" pass
// time.Now().In(tokyo).AddDate(0, 0, -1). Any past day can be reported.
func Daily(ctx context.Context, cat *catalog.Catalog, day time.Time, opts Options) (*Day, error) {
	start := time.Now()
	date := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	what := "daily report " + date.Format(dayLayout)
	if err := opts.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	sites, err := cat.Sites(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	origins, err := cat.Origins(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}

	src, err := openSource(ctx, cat.Path(), opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer src.close()
	w := newWindow(date)
	first, err := src.firstDay(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	cells, scanned, err := src.counts(ctx, w)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	lags, err := src.lags(ctx, w.last())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}

	b := builder{
		w:       w,
		cells:   cells,
		rule:    opts.Spike.withDefaults(),
		sites:   map[string]catalog.Site{},
		origins: map[string]catalog.OriginInfo{},
	}
	for i, d := range w.days {
		b.covered[i] = first != "" && d >= first
	}
	for _, s := range sites {
		b.sites[s.Name] = s
	}
	for _, o := range origins {
		b.origins[o.ID] = o
	}
	d := b.build(opts, lags)
	d.Zone = opts.zoneName()
	d.Sites = slices.Clone(opts.Sites)
	d.Generated = time.Now().UTC()
	slog.DebugContext(ctx, "daily report built", "day", d.Date, "zone", d.Zone,
		"rows_scanned", scanned, "cells", len(cells), "spikes", len(d.Spikes), "took", time.Since(start))
	return d, nil
}

// Positions in the window.
const (
	today     = historyDays - 1
	yesterday = today - 1
)

type builder struct {
	w       *window
	cells   map[cell]*series
	covered [historyDays]bool
	rule    SpikeRule
	sites   map[string]catalog.Site
	origins map[string]catalog.OriginInfo
}

func (b *builder) build(opts Options, lags []lagRow) *Day {
	d := &Day{Date: b.w.last(), SpikeRule: b.rule}

	total := new(series)
	bySite := map[string]*series{}
	byLang := map[string]*series{}
	byKind := map[string]*series{}
	byOrigin := map[originKey]*series{}
	for c, s := range b.cells {
		addTo(total, s)
		addTo(group(bySite, c.site), s)
		addTo(group(byLang, c.lang), s)
		addTo(group(byKind, c.kind), s)
		if c.id != "" {
			addTo(group(byOrigin, originKey{c.kind, c.id}), s)
		}
	}

	d.Total = b.count("", total, total[today])
	lagBySite := map[string][]time.Duration{}
	var allLags []time.Duration
	for _, l := range lags {
		lagBySite[l.site] = append(lagBySite[l.site], l.lag)
		allLags = append(allLags, l.lag)
	}
	d.Total.Lag = median(allLags)

	for site, s := range bySite {
		if !recent(s) {
			continue
		}
		c := b.count(site, s, d.Total.N)
		c.Spike = b.rule.Flags(c.N, c.Baseline)
		c.Label, c.Lang = b.siteLabel(site)
		c.Lag = median(lagBySite[site])
		d.BySite = append(d.BySite, c)
		if c.Spike {
			d.Spikes = append(d.Spikes, b.spike("site", c))
		}
	}
	// The rule is for sites and origins: a language or an origin kind
	// rises only through them.
	for lang, s := range byLang {
		if recent(s) {
			d.ByLang = append(d.ByLang, b.count(lang, s, d.Total.N))
		}
	}
	for kind, s := range byKind {
		if recent(s) {
			d.ByOriginKind = append(d.ByOriginKind, b.count(kind, s, d.Total.N))
		}
	}
	flagged := map[originKey]bool{}
	for k, s := range byOrigin {
		c := b.count(k.id, s, d.Total.N)
		c.Kind = k.kind
		c.Spike = b.rule.Flags(c.N, c.Baseline)
		if o, ok := b.origins[k.id]; ok {
			c.Label = o.Name
		}
		if c.Spike {
			flagged[k] = true
			d.Spikes = append(d.Spikes, b.spike("origin", c))
		}
		if c.N == 0 {
			continue
		}
		if strings.HasPrefix(k.kind, "telegram") { // telegram_post, telegram_channel
			d.TopChannels = append(d.TopChannels, c)
		} else {
			d.TopOutlets = append(d.TopOutlets, c)
		}
	}
	for _, l := range [][]Count{d.BySite, d.ByLang, d.ByOriginKind, d.TopOutlets, d.TopChannels} {
		slices.SortFunc(l, byCount)
	}
	d.TopOutlets = d.TopOutlets[:min(len(d.TopOutlets), opts.top())]
	d.TopChannels = d.TopChannels[:min(len(d.TopChannels), opts.top())]
	slices.SortFunc(d.Spikes, func(a, b Spike) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Scope, b.Scope), cmp.Compare(a.Key, b.Key))
	})

	spikedSite := map[string]bool{}
	for _, s := range d.Spikes {
		if s.Scope == "site" {
			spikedSite[s.Key] = true
		}
	}
	for c, s := range b.cells {
		if s[today] == 0 && s[yesterday] == 0 {
			continue
		}
		r := Row{Day: d.Date, Site: c.site, Lang: c.lang, OriginKind: c.kind, OriginID: c.id,
			Count: s[today], Prev: s[yesterday], Baseline: b.baseline(s)}
		switch site, origin := spikedSite[c.site], c.id != "" && flagged[originKey{c.kind, c.id}]; {
		case site && origin:
			r.Spike = "site+origin"
		case site:
			r.Spike = "site"
		case origin:
			r.Spike = "origin"
		}
		d.Rows = append(d.Rows, r)
	}
	slices.SortFunc(d.Rows, func(a, b Row) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.Lang, b.Lang),
			cmp.Compare(a.OriginKind, b.OriginKind), cmp.Compare(a.OriginID, b.OriginID))
	})

	d.History = b.history(bySite, total, opts.chartSites())
	// Empty lists, not nulls, for JSON readers.
	for _, l := range []*[]Count{&d.BySite, &d.ByLang, &d.ByOriginKind, &d.TopOutlets, &d.TopChannels} {
		if *l == nil {
			*l = []Count{}
		}
	}
	if d.Spikes == nil {
		d.Spikes = []Spike{}
	}
	if d.Rows == nil {
		d.Rows = []Row{}
	}
	if d.History.Series == nil {
		d.History.Series = []Series{}
	}
	return d
}

type originKey struct{ kind, id string }

func group[K comparable](m map[K]*series, k K) *series {
	s := m[k]
	if s == nil {
		s = new(series)
		m[k] = s
	}
	return s
}

func addTo(dst, src *series) {
	for i := range dst {
		dst[i] += src[i]
	}
}

// recent reports whether a group had articles on the day or in its baseline
// week: a site that fell silent today is listed with its drop.
func recent(s *series) bool {
	for i := today - baselineDays; i <= today; i++ {
		if s[i] != 0 {
			return true
		}
	}
	return false
}

func (b *builder) baseline(s *series) Baseline {
	var bl Baseline
	var sum float64
	for i := today - baselineDays; i < today; i++ {
		if b.covered[i] {
			bl.Days++
			sum += float64(s[i])
		}
	}
	if bl.Days == 0 {
		return bl
	}
	bl.Mean = sum / float64(bl.Days)
	if bl.Days > 1 {
		var ss float64
		for i := today - baselineDays; i < today; i++ {
			if b.covered[i] {
				dv := float64(s[i]) - bl.Mean
				ss += dv * dv
			}
		}
		bl.StdDev = math.Sqrt(ss / float64(bl.Days-1))
	}
	return bl
}

func (b *builder) count(key string, s *series, total int64) Count {
	c := Count{Key: key, N: s[today], Prev: s[yesterday], Baseline: b.baseline(s)}
	c.Change = c.N - c.Prev
	if total > 0 {
		c.Share = float64(c.N) / float64(total)
	}
	return c
}

func (b *builder) spike(scope string, c Count) Spike {
	return Spike{Scope: scope, Key: c.Key, Kind: c.Kind, Label: c.Label, Lang: c.Lang,
		N: c.N, Baseline: c.Baseline, Threshold: b.rule.Threshold(c.Baseline)}
}

// siteLabel is the site's display name from the seeds and, when the site
// has one language, that language, so that pages can mark it up.
func (b *builder) siteLabel(name string) (label, lang string) {
	s, ok := b.sites[name]
	if !ok {
		return "", ""
	}
	if len(s.Langs) == 1 {
		lang = s.Langs[0]
	}
	return s.Display, lang
}

func byCount(a, b Count) int {
	return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(b.Prev, a.Prev),
		cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Key, b.Key))
}

func median(ds []time.Duration) *Lag {
	l := &Lag{Articles: len(ds)}
	if len(ds) == 0 {
		return l
	}
	slices.Sort(ds)
	if m := len(ds) / 2; len(ds)%2 == 1 {
		l.Median = ds[m]
	} else {
		l.Median = ds[m-1] + (ds[m]-ds[m-1])/2
	}
	return l
}

// history keeps the n sites with most articles over the window, and sums
// the others, for the chart.
func (b *builder) history(bySite map[string]*series, total *series, n int) History {
	h := History{Days: b.w.days[:], Totals: total[:]}
	type ranked struct {
		site string
		sum  int64
	}
	var rs []ranked
	for site, s := range bySite {
		var sum int64
		for _, v := range s {
			sum += v
		}
		if sum > 0 {
			rs = append(rs, ranked{site, sum})
		}
	}
	slices.SortFunc(rs, func(a, b ranked) int { return cmp.Or(cmp.Compare(b.sum, a.sum), cmp.Compare(a.site, b.site)) })
	// Another colour is better than an "other" band holding just one site.
	if len(rs) == n+1 && n < len(palette) {
		n++
	}
	other := new(series)
	for i, r := range rs {
		s := bySite[r.site]
		if i >= n {
			addTo(other, s)
			continue
		}
		label, lang := b.siteLabel(r.site)
		if label == "" {
			label = r.site
		}
		h.Series = append(h.Series, Series{Key: r.site, Label: label, Lang: lang, Counts: slices.Clone(s[:])})
	}
	if len(rs) > n {
		h.Series = append(h.Series, Series{Label: fmt.Sprintf("other (%d sites)", len(rs)-n), Counts: other[:]})
	}
	return h
}
