package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// model is an independent, in-memory statement of what PutArticle,
// MarkDeleted, Seen and SetOrigin should do.
type model struct {
	arts map[string]*modelArticle
}

type modelVersion struct {
	at   int
	hash string
	rec  string
}

type modelArticle struct {
	versions        []modelVersion
	current         int
	deleted         bool
	deletedAt       int
	first, last     int
	lang, day       string
	kind, originID  string
	site            string
	appendedDeleted bool
}

func (m *model) put(site string, id int64, lang, day string, o Origin, at int, hash, rec string) (Outcome, bool) {
	key := fmt.Sprint(site, "/", id)
	a := m.arts[key]
	if a == nil {
		m.arts[key] = &modelArticle{versions: []modelVersion{{at, hash, rec}}, first: at, last: at,
			lang: lang, day: day, kind: o.Kind, originID: o.ID(), site: site}
		return Inserted, false
	}
	newest := at >= a.versions[a.current].at
	eff := -1
	for i, v := range a.versions {
		if v.at <= at && (eff < 0 || v.at >= a.versions[eff].at) {
			eff = i
		}
	}
	if eff < 0 {
		for i, v := range a.versions {
			if eff < 0 || v.at < a.versions[eff].at {
				eff = i
			}
		}
	}
	reappeared := a.deleted && at > a.deletedAt
	seen := func() {
		a.first, a.last = min(a.first, at), max(a.last, at)
		if reappeared {
			a.deleted = false
		}
	}
	if a.versions[eff].hash == hash {
		seen()
		return Unchanged, reappeared
	}
	for _, v := range a.versions {
		if v.rec == rec {
			return Unchanged, false
		}
	}
	a.versions = append(a.versions, modelVersion{at, hash, rec})
	if newest {
		a.current = len(a.versions) - 1
		a.lang, a.day = lang, day
		if o.Kind != "" {
			a.kind, a.originID = o.Kind, o.ID()
		}
	}
	seen()
	return NewVersion, reappeared
}

func (m *model) counts() []string {
	n := map[string]int{}
	for _, a := range m.arts {
		n[strings.Join([]string{a.day, a.site, a.lang, a.kind, a.originID}, "|")]++
	}
	var out []string
	for k, v := range n {
		out = append(out, fmt.Sprintf("%s|%d", k, v))
	}
	sort.Strings(out)
	return out
}

func dbCounts(t *testing.T, c *Catalog, query string) []string {
	t.Helper()
	rows, err := c.r.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var day, site, lang, kind, oid string
		var n int
		if err := rows.Scan(&day, &site, &lang, &kind, &oid, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%s|%d", day, site, lang, kind, oid, n))
	}
	sort.Strings(out)
	return out
}

const (
	storedCounts = "SELECT day, site, lang, origin_kind, origin_id, n FROM daily_counts"
	recount      = `SELECT published_day, site, lang, origin_kind, origin_id, count(*) FROM articles
		GROUP BY published_day, site, lang, origin_kind, origin_id`
)

// TestDailyCountsMatchRecount runs random mixes of inserts, unchanged and
// changed captures, replays, out-of-order captures, deletions, sightings and
// origin changes, and checks after each step against the model and after
// many steps that daily_counts equals a recount from the articles.
func TestDailyCountsMatchRecount(t *testing.T) {
	ctx := context.Background()
	seeds := 6
	ops := 400
	if testing.Short() {
		seeds, ops = 2, 200
	}
	sites := []string{"japan", "canada/en", "france"}
	langs := []string{"ja", "en", "fr"}
	days := []string{"2025-02-27", "2025-02-28", "2025-03-01"}
	origins := []Origin{
		{},
		{Kind: "telegram", Channel: "rusembjp"},
		{Kind: "telegram", Channel: "InfoDefenceFRANCE"},
		{Kind: "outlet", Outlet: "tass"},
		{Kind: "outlet", Outlet: "ria"},
		{Kind: "network", Site: "news-pravda", ArtID: 1029137},
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 42))
			c := openTest(t)
			m := &model{arts: map[string]*modelArticle{}}
			type done struct {
				a Article
				v Version
			}
			var history []done
			at := func(minute int) time.Time { return t0.Add(time.Duration(minute) * time.Minute) }
			now := 1000
			rows := map[string]int64{}
			for step := range ops {
				now++
				site, id := sites[rng.IntN(len(sites))], int64(1+rng.IntN(15))
				key := fmt.Sprint(site, "/", id)
				switch op := rng.IntN(20); {
				case op < 12: // a capture: now, or out of order
					a := Article{Site: site, ID: id, Lang: langs[rng.IntN(len(langs))],
						PublishedDay: days[rng.IntN(len(days))], Origin: origins[rng.IntN(len(origins))]}
					when := now
					if op == 11 {
						when = rng.IntN(now)
					}
					v := Version{CapturedAt: at(when), BodyHash: fmt.Sprint("body", rng.IntN(3)),
						RecordID: fmt.Sprint("rec", step, "-", seed)}
					wantOut, wantBack := m.put(site, id, a.Lang, a.PublishedDay, a.Origin, when, v.BodyHash, v.RecordID)
					r, err := c.PutArticle(ctx, a, v)
					if err != nil {
						t.Fatal(err)
					}
					if r.Outcome != wantOut || r.Reappeared != wantBack {
						t.Fatalf("step %d put %s %s@%d: got %v/%v, want %v/%v", step, key, v.BodyHash, when, r.Outcome, r.Reappeared, wantOut, wantBack)
					}
					rows[key] = r.RowID
					history = append(history, done{a, v})
				case op < 14 && len(history) > 0: // replay an earlier capture
					h := history[rng.IntN(len(history))]
					wantOut, wantBack := m.put(h.a.Site, h.a.ID, h.a.Lang, h.a.PublishedDay, h.a.Origin,
						int(h.v.CapturedAt.Sub(t0)/time.Minute), h.v.BodyHash, h.v.RecordID)
					r, err := c.PutArticle(ctx, h.a, h.v)
					if err != nil {
						t.Fatal(err)
					}
					if r.Outcome != wantOut || r.Reappeared != wantBack || wantOut != Unchanged {
						t.Fatalf("step %d replay: got %v/%v, model %v/%v", step, r.Outcome, r.Reappeared, wantOut, wantBack)
					}
				case op < 17: // a 404
					ma := m.arts[key]
					want := ma != nil && !ma.deleted && ma.last < now
					if want {
						ma.deleted, ma.deletedAt = true, now
					}
					got, err := c.MarkDeleted(ctx, site, id, at(now), 404)
					if err != nil || got != want {
						t.Fatalf("step %d MarkDeleted %s = %v, %v; want %v", step, key, got, err, want)
					}
				case op < 18: // a 304
					ma := m.arts[key]
					if ma == nil {
						continue
					}
					want := ma.deleted && now > ma.deletedAt
					ma.last = max(ma.last, now)
					if want {
						ma.deleted = false
					}
					got, err := c.Seen(ctx, site, id, at(now))
					if err != nil || got != want {
						t.Fatalf("step %d Seen %s = %v, %v; want %v", step, key, got, err, want)
					}
				default: // the tracer resolves an origin
					ma := m.arts[key]
					if ma == nil {
						continue
					}
					o := origins[1+rng.IntN(len(origins)-1)]
					ma.kind, ma.originID = o.Kind, o.ID()
					if err := c.SetOrigin(ctx, rows[key], o); err != nil {
						t.Fatal(err)
					}
				}
				if step%50 == 49 || step == ops-1 {
					want := m.counts()
					if got := dbCounts(t, c, storedCounts); !slices.Equal(got, want) {
						t.Fatalf("step %d: daily_counts\n%v\nmodel\n%v", step, got, want)
					}
					if got := dbCounts(t, c, recount); !slices.Equal(got, want) {
						t.Fatalf("step %d: recount\n%v\nmodel\n%v", step, got, want)
					}
				}
			}

			st, err := c.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var versions, deleted int64
			for _, a := range m.arts {
				versions += int64(len(a.versions))
				if a.deleted {
					deleted++
				}
			}
			if st.Articles != int64(len(m.arts)) || st.Versions != versions || st.Deleted != deleted {
				t.Fatalf("stats %+v; model articles %d versions %d deleted %d", st, len(m.arts), versions, deleted)
			}
			for key, a := range m.arts {
				site, id := splitKey(key)
				got, err := c.Article(ctx, site, id)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Versions) != len(a.versions) || got.Versions[got.CurrentVersion-1].BodyHash != a.versions[a.current].hash ||
					got.Deleted() != a.deleted || !got.LastSeen.Equal(at(a.last)) || !got.FirstSeen.Equal(at(a.first)) {
					t.Fatalf("%s: catalog %d versions, current %s, deleted %v, first %v last %v; model %+v",
						key, len(got.Versions), got.Versions[got.CurrentVersion-1].BodyHash, got.Deleted(), got.FirstSeen, got.LastSeen, a)
				}
			}

			// A rebuild agrees with the incrementally kept table.
			before := dbCounts(t, c, storedCounts)
			if err := c.RebuildDailyCounts(ctx); err != nil {
				t.Fatal(err)
			}
			if after := dbCounts(t, c, storedCounts); !slices.Equal(before, after) {
				t.Fatalf("rebuild changed counts:\n%v\n%v", before, after)
			}
		})
	}
}

func splitKey(k string) (string, int64) {
	i := strings.LastIndex(k, "/")
	var id int64
	fmt.Sscan(k[i+1:], &id)
	return k[:i], id
}

func TestRebuildDailyCountsRepairs(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	for i := range 10 {
		mustPut(t, c, sample(int64(i+1)), capture("x", t0))
	}
	want := dbCounts(t, c, storedCounts)
	if _, err := c.w.Exec("UPDATE daily_counts SET n = n + 5"); err != nil {
		t.Fatal(err)
	}
	if err := c.RebuildDailyCounts(ctx); err != nil {
		t.Fatal(err)
	}
	if got := dbCounts(t, c, storedCounts); !slices.Equal(got, want) {
		t.Fatalf("rebuilt %v, want %v", got, want)
	}
}

func TestDailyCountsQueries(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	var caps []Capture
	add := func(site string, id int64, day, lang string, o Origin) {
		caps = append(caps, Capture{Article{Site: site, ID: id, PublishedDay: day, Lang: lang, Origin: o},
			Version{CapturedAt: t0, BodyHash: "h"}})
	}
	emb := Origin{Kind: "telegram", Channel: "rusembjp"}
	tass := Origin{Kind: "outlet", Outlet: "tass"}
	add("japan", 1, "2025-03-01", "ja", emb)
	add("japan", 2, "2025-03-01", "ja", emb)
	add("japan", 3, "2025-03-02", "ja", tass)
	add("canada/en", 1, "2025-03-01", "en", tass)
	add("canada", 1, "2025-03-02", "fr", Origin{})
	add("france", 9, "2025-03-03", "fr", tass)
	if _, err := c.PutArticles(ctx, caps); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    CountQuery
		want string
	}{
		{CountQuery{}, "[{2025-03-01  3} {2025-03-02  2} {2025-03-03  1}]"},
		{CountQuery{From: "2025-03-02", To: "2025-03-02"}, "[{2025-03-02  2}]"},
		{CountQuery{Sites: []string{"canada"}}, "[{2025-03-02  1}]"},
		{CountQuery{By: "site"}, "[{ japan 3} { canada 1} { canada/en 1} { france 1}]"},
		{CountQuery{By: "origin_id", Limit: 2}, "[{ tass 3} { rusembjp 2}]"},
		{CountQuery{By: "origin_kind", OriginKinds: []string{"outlet"}, PerDay: true},
			"[{2025-03-01 outlet 1} {2025-03-02 outlet 1} {2025-03-03 outlet 1}]"},
		{CountQuery{By: "lang", Langs: []string{"ja", "en"}, To: "2025-03-01"}, "[{ ja 2} { en 1}]"},
		{CountQuery{OriginIDs: []string{"tass"}, Sites: []string{"japan", "france"}}, "[{2025-03-02  1} {2025-03-03  1}]"},
	} {
		got, err := c.DailyCounts(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%+v:\n got %v\nwant %s", tc.q, got, tc.want)
		}
	}
	tot, err := c.Totals(ctx, "2025-03-01", "2025-03-02")
	if err != nil || fmt.Sprint(tot) != "[{2025-03-01  3} {2025-03-02  2}]" {
		t.Errorf("Totals = %v, %v", tot, err)
	}
	for _, bad := range []CountQuery{{By: "title"}, {By: "site; DROP TABLE articles"}, {From: "March"}, {To: "2025-13-01"}} {
		if _, err := c.DailyCounts(ctx, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
