package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

var (
	jst   = time.FixedZone("JST", 9*3600)
	cet   = time.FixedZone("CET", 3600)
	est   = time.FixedZone("EST", -5*3600)
	tokyo = mustZone("Asia/Tokyo")
)

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		// No tzdata on the machine: Tokyo has had no DST since 1951.
		return time.FixedZone(name, 9*3600)
	}
	return z
}

// reportDay is the day most tests report on.
var reportDay = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

type siteSpec struct {
	name, lang, display string
	zone                *time.Location
}

var testSites = []siteSpec{
	{"japan", "ja", "プラウダ・ニホン", jst},
	{"serbia", "sr", "Правда Србија", cet},
	{"france", "fr", "Pravda France", cet},
	{"canada/en", "en", "Pravda Canada (EN)", est},
	{"balkan", "sr", "Pravda Balkan", cet},
}

func spec(site string) siteSpec {
	for _, s := range testSites {
		if s.name == site {
			return s
		}
	}
	panic("unknown test site " + site)
}

var testOrigins = []catalog.Origin{
	{Kind: "telegram_post", Channel: "rusembjp", Platform: "telegram"},
	{Kind: "telegram_post", Channel: "mid_russia", Platform: "telegram"},
	{Kind: "outlet", Outlet: "tass", Platform: "web"},
	{Kind: "outlet", Outlet: "ria", Platform: "web"},
	{}, // unresolved
}

// art is an article as a test inserted it, to count directly.
type art struct {
	site, lang string
	origin     catalog.Origin
	published  time.Time // in the site's zone; zero if unknown
	day        string    // PublishedDay given when published is zero
	rowID      int64
}

type fixture struct {
	t       testing.TB
	cat     *catalog.Catalog
	arts    []art
	pending []art
	nextID  map[string]int64
	days    map[string][]string // per zone name: each article's day
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cat.Close(); err != nil {
			t.Error(err)
		}
	})
	var sites []catalog.Site
	for _, s := range testSites {
		sites = append(sites, catalog.Site{Name: s.name, Display: s.display, Langs: []string{s.lang},
			Host: s.name + ".news-pravda.com"})
	}
	if err := cat.SyncSites(ctx, sites); err != nil {
		t.Fatal(err)
	}
	err = cat.SyncOrigins(ctx, []catalog.OriginInfo{
		{ID: "rusembjp", Kind: "telegram", Name: "在日ロシア大使館"},
		{ID: "mid_russia", Kind: "telegram", Name: "МИД России"},
		{ID: "tass", Kind: "outlet", Name: "TASS"},
		{ID: "ria", Kind: "outlet", Name: "RIA Novosti"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, cat: cat, nextID: map[string]int64{}, days: map[string][]string{}}
}

// add queues an article published at the given site-local time.
func (f *fixture) add(site string, published time.Time, o catalog.Origin) {
	lang := spec(site).lang
	f.pending = append(f.pending, art{site: site, lang: lang, origin: o, published: published})
}

// addDay queues n articles spread over a site-local day, origins drawn by r.
func (f *fixture) addDay(r *rand.Rand, site string, day time.Time, n int) {
	z := spec(site).zone
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, z)
	for range n {
		at := start.Add(time.Duration(r.Int64N(int64(24*time.Hour/time.Second))) * time.Second)
		f.add(site, at, testOrigins[r.IntN(len(testOrigins))])
	}
}

func (f *fixture) flush() {
	f.t.Helper()
	const batch = 2000
	for len(f.pending) > 0 {
		n := min(batch, len(f.pending))
		part := f.pending[:n]
		caps := make([]catalog.Capture, n)
		for i, a := range part {
			f.nextID[a.site]++
			id := f.nextID[a.site]
			captured := a.published.Add(time.Hour)
			if a.published.IsZero() {
				captured = reportDay
			}
			caps[i] = catalog.Capture{
				Article: catalog.Article{
					Site: a.site, ID: id, Lang: a.lang, Title: fmt.Sprintf("%s %d", a.site, id),
					URL:       fmt.Sprintf("https://%s.news-pravda.com/world/%d.html", a.site, id),
					Published: a.published, PublishedDay: a.day, Origin: a.origin,
				},
				Version: catalog.Version{CapturedAt: captured, Status: 200,
					BodyHash: fmt.Sprintf("%s-%d", a.site, id),
					RecordID: fmt.Sprintf("<urn:uuid:%s-%d>", a.site, id)},
			}
		}
		res, err := f.cat.PutArticles(context.Background(), caps)
		if err != nil {
			f.t.Fatal(err)
		}
		for i := range part {
			part[i].rowID = res[i].RowID
		}
		f.arts = append(f.arts, part...)
		clear(f.days)
		f.pending = f.pending[n:]
	}
}

// dayIn is the day an article belongs to under opts, computed directly
// from what was inserted.
func dayIn(a art, opts Options) string {
	switch {
	case a.published.IsZero():
		return a.day
	case opts.SiteLocal:
		return a.published.Format(dayLayout)
	}
	return a.published.In(opts.zone()).Format(dayLayout)
}

// direct counts inserted articles on day whose key satisfies keep.
func (f *fixture) direct(day string, opts Options, keep func(art) bool) int64 {
	days := f.days[opts.zoneName()]
	if days == nil {
		for _, a := range f.arts {
			days = append(days, dayIn(a, opts))
		}
		f.days[opts.zoneName()] = days
	}
	var n int64
	for i, a := range f.arts {
		if days[i] == day && keep(a) && (len(opts.Sites) == 0 || slices.Contains(opts.Sites, a.site)) {
			n++
		}
	}
	return n
}

func (f *fixture) report(day time.Time, opts Options) *Day {
	f.t.Helper()
	d, err := Daily(context.Background(), f.cat, day, opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func shift(day time.Time, n int) string { return day.AddDate(0, 0, n).Format(dayLayout) }

func all(art) bool { return true }
