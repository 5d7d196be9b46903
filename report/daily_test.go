package report

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

// randomFixture is two weeks of ordinary traffic: every site publishes 30
// to 70 articles a day at random times, from random origins.
func randomFixture(t testing.TB) *fixture {
	f := newFixture(t)
	r := rand.New(rand.NewPCG(1, 2))
	for i := -13; i <= 0; i++ {
		for _, s := range []string{"japan", "serbia", "france", "canada/en"} {
			f.addDay(r, s, reportDay.AddDate(0, 0, i), 30+r.IntN(41))
		}
	}
	f.flush()
	return f
}

func TestDaily(t *testing.T) {
	f := randomFixture(t)
	t.Run("direct count", func(t *testing.T) { testDirectCount(t, f) })
	t.Run("sites filter", func(t *testing.T) { testSitesFilter(t, f) })
	t.Run("canceled", func(t *testing.T) { testCanceled(t, f) })
}

func testDirectCount(t *testing.T, f *fixture) {
	modes := map[string]Options{
		"utc":        {},
		"tokyo":      {Zone: tokyo},
		"site-local": {SiteLocal: true},
		"filtered":   {Zone: tokyo, Sites: []string{"japan", "canada/en"}},
	}
	for name, opts := range modes {
		for _, back := range []int{0, 4} {
			day := reportDay.AddDate(0, 0, -back)
			d := f.report(day, opts)
			date := day.Format(dayLayout)
			if d.Date != date {
				t.Fatalf("%s: date %s, want %s", name, d.Date, date)
			}
			prev := shift(day, -1)
			if want := f.direct(date, opts, all); d.Total.N != want || want == 0 {
				t.Errorf("%s %s: total %d, direct count %d", name, date, d.Total.N, want)
			}
			if want := f.direct(prev, opts, all); d.Total.Prev != want {
				t.Errorf("%s %s: previous day %d, direct count %d", name, date, d.Total.Prev, want)
			}
			check := func(what string, cs []Count, key func(art) string) {
				t.Helper()
				seen := map[string]bool{}
				for _, c := range cs {
					k := c.Key
					if c.Kind != "" {
						k = c.Kind + "/" + c.Key
					}
					seen[k] = true
					keep := func(a art) bool { return key(a) == k }
					if want := f.direct(date, opts, keep); c.N != want {
						t.Errorf("%s %s: %s %q: %d, direct count %d", name, date, what, k, c.N, want)
					}
					if want := f.direct(prev, opts, keep); c.Prev != want {
						t.Errorf("%s %s: %s %q: previous %d, direct count %d", name, date, what, k, c.Prev, want)
					}
					var sum, sq float64
					for i := 1; i <= 7; i++ {
						n := float64(f.direct(shift(day, -i), opts, keep))
						sum += n
						sq += n * n
					}
					mean := sum / 7
					sd := math.Sqrt((sq - 7*mean*mean) / 6)
					if c.Baseline.Days != 7 || math.Abs(c.Baseline.Mean-mean) > 1e-9 || math.Abs(c.Baseline.StdDev-sd) > 1e-6 {
						t.Errorf("%s %s: %s %q: baseline %+v, direct mean %.3f sd %.3f", name, date, what, k, c.Baseline, mean, sd)
					}
				}
				// Every key with articles that day is listed.
				for _, a := range f.arts {
					if dayIn(a, opts) == date && key(a) != "" && !seen[key(a)] && inFilter(opts, a.site) {
						t.Errorf("%s %s: %s %q missing", name, date, what, key(a))
					}
				}
			}
			check("site", d.BySite, func(a art) string { return a.site })
			check("lang", d.ByLang, func(a art) string { return a.lang })
			check("origin kind", d.ByOriginKind, func(a art) string { return a.origin.Kind })
			check("channel", d.TopChannels, func(a art) string {
				if strings.HasPrefix(a.origin.Kind, "telegram") {
					return a.origin.Kind + "/" + a.origin.ID()
				}
				return ""
			})
			check("outlet", d.TopOutlets, func(a art) string {
				if !strings.HasPrefix(a.origin.Kind, "telegram") && a.origin.ID() != "" {
					return a.origin.Kind + "/" + a.origin.ID()
				}
				return ""
			})

			// The finest rows: each equals its direct count and together
			// they are the total.
			var sum int64
			for _, r := range d.Rows {
				keep := func(a art) bool {
					return a.site == r.Site && a.lang == r.Lang && a.origin.Kind == r.OriginKind && a.origin.ID() == r.OriginID
				}
				if want := f.direct(date, opts, keep); r.Count != want {
					t.Errorf("%s %s: row %+v: direct count %d", name, date, r, want)
				}
				if want := f.direct(prev, opts, keep); r.Prev != want {
					t.Errorf("%s %s: row %+v: direct previous %d", name, date, r, want)
				}
				sum += r.Count
			}
			if sum != d.Total.N {
				t.Errorf("%s %s: rows sum to %d, total %d", name, date, sum, d.Total.N)
			}
			// The chart's history ends with the report day's total.
			h := d.History
			if len(h.Days) != 30 || h.Days[29] != date || h.Totals[29] != d.Total.N || h.Totals[28] != d.Total.Prev {
				t.Errorf("%s %s: history ends %v %v", name, date, h.Days[len(h.Days)-1:], h.Totals[len(h.Totals)-2:])
			}
			// Ordinary noise, up to ±40% here, is never a spike.
			// (The first days of the fixture hold no history.)
			if len(d.Spikes) != 0 {
				t.Errorf("%s %s: spikes on an ordinary day: %+v", name, date, d.Spikes)
			}
		}
	}
}

func inFilter(opts Options, site string) bool {
	if len(opts.Sites) == 0 {
		return true
	}
	for _, s := range opts.Sites {
		if s == site {
			return true
		}
	}
	return false
}

// The day an article counts for depends on the zone; the catalog's
// site-local day is kept when the publication instant is unknown.
func TestDayBoundaries(t *testing.T) {
	f := newFixture(t)
	// 08:30 in Tokyo on 1 March is 23:30 UTC on 28 February.
	f.add("japan", time.Date(2025, 3, 1, 8, 30, 0, 0, jst), testOrigins[0])
	// 20:00 in Toronto on 28 February is 01:00 UTC, 10:00 in Tokyo on 1 March.
	f.add("canada/en", time.Date(2025, 2, 28, 20, 0, 0, 0, est), testOrigins[2])
	// Only the URL date is known.
	f.pending = append(f.pending, art{site: "france", lang: "fr", day: "2025-03-01"})
	f.flush()

	cases := []struct {
		opts                  Options
		feb28, mar1           int64
		japanMar1, canadaMar1 int64
		wantZone              string
	}{
		{Options{}, 1, 2, 0, 1, "UTC"},
		{Options{Zone: tokyo}, 0, 3, 1, 1, tokyo.String()},
		{Options{SiteLocal: true}, 1, 2, 1, 0, "site-local"},
	}
	for _, c := range cases {
		feb := f.report(time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC), c.opts)
		mar := f.report(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), c.opts)
		if feb.Total.N != c.feb28 || mar.Total.N != c.mar1 || mar.Total.Prev != c.feb28 {
			t.Errorf("%s: 28 Feb %d, 1 Mar %d (prev %d); want %d, %d", c.wantZone,
				feb.Total.N, mar.Total.N, mar.Total.Prev, c.feb28, c.mar1)
		}
		got := map[string]int64{}
		for _, s := range mar.BySite {
			got[s.Key] = s.N
		}
		if got["japan"] != c.japanMar1 || got["canada/en"] != c.canadaMar1 || got["france"] != 1 {
			t.Errorf("%s: 1 Mar by site %v", c.wantZone, got)
		}
		if mar.Zone != c.wantZone {
			t.Errorf("zone %q, want %q", mar.Zone, c.wantZone)
		}
	}
}

func testSitesFilter(t *testing.T, f *fixture) {
	d := f.report(reportDay, Options{Sites: []string{"japan"}})
	if len(d.BySite) != 1 || d.BySite[0].Key != "japan" || d.BySite[0].Label != "プラウダ・ニホン" || d.BySite[0].Lang != "ja" {
		t.Fatalf("by site %+v", d.BySite)
	}
	if d.Total.N != d.BySite[0].N || d.BySite[0].Share != 1 {
		t.Errorf("total %d, japan %d share %v", d.Total.N, d.BySite[0].N, d.BySite[0].Share)
	}
	for _, r := range d.Rows {
		if r.Site != "japan" {
			t.Errorf("row of %s in a japan-only report", r.Site)
		}
	}
	if _, err := Daily(context.Background(), f.cat, reportDay, Options{Sites: make([]string, maxSites+1)}); err == nil {
		t.Error("an oversized site filter was accepted")
	}
}

func TestLag(t *testing.T) {
	f := newFixture(t)
	noon := time.Date(2025, 3, 1, 12, 0, 0, 0, jst)
	for range 5 {
		f.add("japan", noon, testOrigins[0])
	}
	f.add("france", time.Date(2025, 3, 1, 12, 0, 0, 0, cet), testOrigins[2])
	f.add("japan", time.Date(2025, 2, 28, 12, 0, 0, 0, jst), testOrigins[0])
	f.flush()
	hop := func(kind string, lag time.Duration) catalog.Hop {
		if lag < 0 {
			return catalog.Hop{Kind: kind}
		}
		return catalog.Hop{Kind: kind, OriginTime: noon.Add(-lag), Lag: lag}
	}
	const unknown = -1
	chains := [][]catalog.Hop{
		{hop("network", time.Minute), hop("telegram", 10*time.Minute)}, // deepest: 10 min
		{hop("network", 2*time.Minute), hop("telegram", unknown)},      // deepest known: 2 min
		{hop("telegram", 30*time.Minute)},
		{hop("other", unknown)}, // no lag at all
		nil,                     // no chain
	}
	ctx := context.Background()
	for i, hs := range chains {
		if hs == nil {
			continue
		}
		if err := f.cat.SetHops(ctx, f.arts[i].rowID, hs); err != nil {
			t.Fatal(err)
		}
	}
	// The day before has a chain too, which must not leak into 1 March.
	if err := f.cat.SetHops(ctx, f.arts[6].rowID, []catalog.Hop{hop("telegram", 5*time.Hour)}); err != nil {
		t.Fatal(err)
	}

	d := f.report(reportDay, Options{Zone: tokyo})
	if l := d.Total.Lag; l.Articles != 3 || l.Median != 10*time.Minute {
		t.Errorf("total lag %+v, want 3 articles, median 10m", l)
	}
	for _, s := range d.BySite {
		switch s.Key {
		case "japan":
			if s.Lag.Articles != 3 || s.Lag.String() != "10m0s" {
				t.Errorf("japan lag %+v", s.Lag)
			}
		case "france":
			if s.Lag.Articles != 0 || s.Lag.String() != "n/a" {
				t.Errorf("france lag %+v, want n/a", s.Lag)
			}
		}
	}
	// An even number of lags: the median is the midpoint.
	if err := f.cat.SetHops(ctx, f.arts[3].rowID, []catalog.Hop{hop("telegram", 20*time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if l := f.report(reportDay, Options{Zone: tokyo}).Total.Lag; l.Articles != 4 || l.Median != 15*time.Minute {
		t.Errorf("lag of four %+v, want median 15m", l)
	}
	if l := f.report(reportDay.AddDate(0, 0, -2), Options{Zone: tokyo}).Total.Lag; l.String() != "n/a" {
		t.Errorf("a day without chains has lag %v", l)
	}
}

func TestEmptyCatalog(t *testing.T) {
	f := newFixture(t)
	d := f.report(reportDay, Options{})
	if d.Total.N != 0 || len(d.BySite) != 0 || len(d.Spikes) != 0 || len(d.Rows) != 0 {
		t.Errorf("empty catalog gave %+v", d)
	}
	if d.Total.Baseline.String() != "n/a" || d.Total.Lag.String() != "n/a" {
		t.Errorf("baseline %v, lag %v", d.Total.Baseline, d.Total.Lag)
	}
	if _, err := d.WriteAll(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

func testCanceled(t *testing.T, f *fixture) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Daily(ctx, f.cat, reportDay, Options{}); err == nil {
		t.Error("a canceled context was ignored")
	}
}

// A zone that changes offset inside the window (Paris on 30 March) counts
// each article on its local day before and after the change.
func TestZoneWithDST(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}

	f := newFixture(t)
	r := rand.New(rand.NewPCG(9, 10))
	// Articles around every midnight from February to April, in the
	// sites' own zones, so that day boundaries matter.
	for d := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC); d.Month() < 5; d = d.AddDate(0, 0, 1) {
		for _, s := range []string{"japan", "france", "canada/en"} {
			z := spec(s).zone
			mid := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, z)
			for range 6 {
				f.add(s, mid.Add(time.Duration(r.IntN(6*60)-3*60)*time.Minute), testOrigins[r.IntN(len(testOrigins))])
			}
		}
	}
	f.flush()
	opts := Options{Zone: paris}
	for _, day := range []time.Time{
		time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC), // the change itself
		time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 4, 20, 0, 0, 0, 0, time.UTC),
	} {
		d := f.report(day, opts)
		for i, date := range d.History.Days {
			if want := f.direct(date, opts, all); d.History.Totals[i] != want {
				t.Errorf("report %s: %s has %d, direct count %d", d.Date, date, d.History.Totals[i], want)
			}
		}
	}
}
