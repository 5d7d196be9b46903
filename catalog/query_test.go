package catalog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func refIDs(rs []Ref) string {
	var s []string
	for _, r := range rs {
		s = append(s, fmt.Sprint(r.Site, "/", r.ID))
	}
	return fmt.Sprint(s)
}

func TestLookups(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)

	if id, err := c.NewestID(ctx, "japan"); err != nil || id != 0 {
		t.Fatalf("NewestID of empty site = %d, %v", id, err)
	}
	// The article moved host: captured first on the legacy domain.
	old := sample(705269)
	old.URL = "https://pravda-jp.com/world/2024/08/01/705269.html"
	old.CanonicalURL = old.URL
	mustPut(t, c, old, capture("x", t0))
	moved := sample(705269)
	moved.URL = "https://japan.news-pravda.com/world/2024/08/01/705269-amp.html"
	moved.CanonicalURL = "https://japan.news-pravda.com/world/2024/08/01/705269.html"
	mustPut(t, c, moved, capture("x2", t0.Add(time.Hour)))
	mustPut(t, c, sample(12), capture("y", t0.Add(2*time.Hour)))
	fr := sample(3)
	fr.Site, fr.Lang = "france", "fr"
	fr.Images = sample(12).Images // the same photo on the French edition
	fr.SourceURL = "https://tass.ru/politika/1"
	mustPut(t, c, fr, capture("z", t0.Add(3*time.Hour)))

	for _, u := range []string{old.URL, moved.URL, moved.CanonicalURL} {
		a, err := c.ArticleByURL(ctx, u)
		if err != nil || a.ID != 705269 {
			t.Errorf("ArticleByURL(%s) = %v, %v", u, a, err)
		}
	}
	if _, err := c.ArticleByURL(ctx, "https://japan.news-pravda.com/none.html"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown URL: %v", err)
	}
	if _, err := c.Article(ctx, "japan", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown article: %v", err)
	}
	if ok, _ := c.Has(ctx, "japan", 12); !ok {
		t.Error("Has(japan/12) false")
	}
	if ok, _ := c.Has(ctx, "france", 12); ok {
		t.Error("Has(france/12) true")
	}
	if id, _ := c.NewestID(ctx, "japan"); id != 705269 {
		t.Errorf("NewestID = %d", id)
	}

	imgs, err := c.ArticlesByImage(ctx, sample(12).Images[0].MD5)
	if err != nil || refIDs(imgs) != "[france/3 japan/12]" {
		t.Errorf("ArticlesByImage = %v, %v", refIDs(imgs), err)
	}
	alts, err := c.ArticlesByAlternate(ctx, sample(12).Alternates[0].URL)
	if err != nil || refIDs(alts) != "[japan/12]" {
		t.Errorf("ArticlesByAlternate = %v, %v", refIDs(alts), err)
	}
	src, err := c.ArticlesByOriginURL(ctx, "https://tass.ru/politika/1")
	if err != nil || refIDs(src) != "[france/3]" {
		t.Errorf("ArticlesByOriginURL(source) = %v, %v", refIDs(src), err)
	}

	rec, err := c.Recent(ctx, t0.Add(30*time.Minute), nil)
	if err != nil || refIDs(rec) != "[france/3 japan/12]" {
		t.Errorf("Recent = %v, %v", refIDs(rec), err)
	}
	rec, _ = c.Recent(ctx, t0, []string{"japan"})
	if refIDs(rec) != "[japan/12 japan/705269]" {
		t.Errorf("Recent(japan) = %v", refIDs(rec))
	}
	// The Ref carries the current version's validators for a conditional GET.
	r := rec[1]
	cur := capture("x2", t0.Add(time.Hour))
	if r.URL != moved.URL || r.CanonicalURL != moved.CanonicalURL || r.ETag != cur.ETag || r.PayloadDigest != cur.PayloadDigest {
		t.Errorf("ref %+v", r)
	}
	// A later identical capture with new validators updates them.
	again := capture("x2", t0.Add(5*time.Hour))
	again.ETag, again.LastModified = `"v2"`, "Sat, 01 Mar 2025 14:00:00 GMT"
	mustPut(t, c, moved, again)
	rec, _ = c.Recent(ctx, t0, []string{"japan"})
	if r := rec[1]; r.ETag != `"v2"` || r.LastModified != again.LastModified || !r.LastSeen.Equal(again.CapturedAt) {
		t.Errorf("validators not refreshed: %+v", r)
	}
}

func TestHopsAndOrigins(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	r := mustPut(t, c, sample(40), capture("x", t0))
	postTime := time.Date(2025, 3, 1, 7, 10, 0, 0, time.UTC)
	hops := []Hop{
		{Kind: "network", URL: "https://news-pravda.com/world/2025/03/01/1029137.html", Evidence: "data-source-url"},
		{Kind: "telegram", URL: "https://t.me/rusembjp/4521", Channel: "rusembjp", Post: "4521",
			Evidence: "t.me/s timestamp", WARCFile: "origins-00001.warc.gz", WARCOffset: 777,
			OriginTime: postTime, Lag: 83 * time.Minute},
	}
	if err := c.SetHops(ctx, r.RowID, hops); err != nil {
		t.Fatal(err)
	}
	if err := c.SetHops(ctx, 999999, hops); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetHops on unknown article: %v", err)
	}
	a, _ := c.Article(ctx, "japan", 40)
	if len(a.Hops) != 2 || a.Hops[0].N != 1 || a.Hops[1].N != 2 || a.Hops[0].Lag != 0 || !a.Hops[0].OriginTime.IsZero() {
		t.Fatalf("hops %+v", a.Hops)
	}
	if h := a.Hops[1]; h.Lag != 83*time.Minute || !h.OriginTime.Equal(postTime) || h.WARCOffset != 777 || h.Channel != "rusembjp" {
		t.Fatalf("hop 2 %+v", h)
	}
	if n := countRows(t, c, "SELECT count(*) FROM hops WHERE lag_seconds IS NULL"); n != 1 {
		t.Fatalf("unknown lag stored as a number: %d NULLs", n)
	}
	via, _ := c.ArticlesByOriginURL(ctx, hops[0].URL)
	if refIDs(via) != "[japan/40]" {
		t.Fatalf("ArticlesByOriginURL via hop = %v", refIDs(via))
	}
	// Replacing the chain drops the old hops.
	if err := c.SetHops(ctx, r.RowID, hops[1:]); err != nil {
		t.Fatal(err)
	}
	if via, _ := c.ArticlesByOriginURL(ctx, hops[0].URL); len(via) != 0 {
		t.Fatalf("old hop still found: %v", refIDs(via))
	}

	if err := c.SyncOrigins(ctx, []OriginInfo{{ID: "rusembjp", Kind: "telegram", Name: "Russian Embassy in Japan", Owner: "Russian MFA"},
		{ID: "tass", Kind: "outlet", Name: "TASS"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.SyncOrigins(ctx, []OriginInfo{{ID: "tass", Kind: "outlet", Name: "ТАСС", Owner: "Russian state"}}); err != nil {
		t.Fatal(err)
	}
	known, _ := c.Origins(ctx)
	if len(known) != 2 || known[1].Name != "ТАСС" || known[1].Owner != "Russian state" {
		t.Fatalf("origins %+v", known)
	}
	// origin_id joins the registry.
	var name string
	if err := c.r.QueryRow("SELECT o.name FROM articles a JOIN origins o ON o.id = a.origin_id WHERE a.art_id = 40").Scan(&name); err != nil || name != "Russian Embassy in Japan" {
		t.Fatalf("join on origin_id: %q, %v", name, err)
	}
}

func TestStoriesSitesStats(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	var ids []int64
	for i, site := range []string{"japan", "france", "germany"} {
		a := sample(int64(i + 1))
		a.Site = site
		ids = append(ids, mustPut(t, c, a, capture("x", t0)).RowID)
	}
	s1, err := c.NewStory(ctx, "alternates")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetStory(ctx, ids[:2], s1); err != nil {
		t.Fatal(err)
	}
	s2, _ := c.NewStory(ctx, "image")
	if err := c.SetStory(ctx, ids, s2); err != nil { // merged: s1 is now empty
		t.Fatal(err)
	}
	members, _ := c.StoryArticles(ctx, s2)
	if refIDs(members) != "[france/2 germany/3 japan/1]" || members[0].StoryID != s2 {
		t.Fatalf("story %d: %v", s2, refIDs(members))
	}
	if n := countRows(t, c, "SELECT count(*) FROM stories"); n != 1 {
		t.Fatalf("%d stories, want the emptied one dropped", n)
	}
	if err := c.SetStory(ctx, ids[:1], 424242); err == nil {
		t.Fatal("SetStory to an unknown story accepted")
	}
	if err := c.SetStory(ctx, ids[:1], 0); err != nil {
		t.Fatal(err)
	}
	if a, _ := c.Article(ctx, "japan", 1); a.StoryID != 0 {
		t.Fatalf("story not cleared: %d", a.StoryID)
	}

	sites := []Site{{Name: "japan", Host: "japan.news-pravda.com", Display: "Pravda Nihon", Langs: []string{"ja"}, Country: "JP", Kind: "country"},
		{Name: "canada/en", Host: "canada.news-pravda.com", Langs: []string{"en"}, Country: "CA", Kind: "country"}}
	if err := c.SyncSites(ctx, sites); err != nil {
		t.Fatal(err)
	}
	sites[0].Langs = []string{"ja", "en"}
	if err := c.SyncSites(ctx, sites[:1]); err != nil {
		t.Fatal(err)
	}
	got, _ := c.Sites(ctx)
	if len(got) != 2 || got[1].Name != "japan" || fmt.Sprint(got[1].Langs) != "[ja en]" || got[0].Name != "canada/en" {
		t.Fatalf("sites %+v", got)
	}
	if err := c.SyncSites(ctx, []Site{{Host: "x"}}); err == nil {
		t.Fatal("site without a name accepted")
	}

	c.MarkDeleted(ctx, "france", 2, t0.Add(time.Hour), 410)
	mustPut(t, c, sample(1), capture("x changed", t0.Add(time.Hour)))
	st, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 3 || st.Versions != 4 || st.Deleted != 1 || st.Stories != 1 || len(st.Sites) != 3 {
		t.Fatalf("stats %+v", st)
	}
	if fr := st.Sites[0]; fr.Site != "france" || fr.Articles != 1 || fr.Deleted != 1 || fr.NewestID != 2 {
		t.Fatalf("france %+v", fr)
	}
}

// SetTrace leaves an unchanged origin's row alone but still replaces the hops; a changed
// origin moves the article's daily count; an unknown article is ErrNotFound either way.
func TestSetTrace(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	a := sample(41)
	r := mustPut(t, c, a, capture("x", t0))
	countOf := func(kind, id string) int64 {
		return countRows(t, c, "SELECT COALESCE(sum(n), 0) FROM daily_counts WHERE origin_kind = ? AND origin_id = ?", kind, id)
	}
	stored := func() Origin {
		got, err := c.Article(ctx, "japan", 41)
		if err != nil {
			t.Fatal(err)
		}
		return got.Origin
	}
	same := stored()
	hop := []Hop{{Kind: "telegram", URL: a.Origin.URL, Channel: "rusembjp", Post: "41", Evidence: "t.me/s timestamp"}}
	if err := c.SetTrace(ctx, r.RowID, same, hop); err != nil {
		t.Fatal(err)
	}
	got, _ := c.Article(ctx, "japan", 41)
	if got.Origin != same || len(got.Hops) != 1 || got.Hops[0].URL != a.Origin.URL {
		t.Fatalf("same origin: origin %+v hops %+v", got.Origin, got.Hops)
	}

	tass := Origin{Kind: "outlet", Outlet: "tass", URL: "https://tass.ru/politika/1"}
	if err := c.SetTrace(ctx, r.RowID, tass, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = c.Article(ctx, "japan", 41)
	if got.Origin.Outlet != "tass" || got.Origin.Kind != "outlet" || len(got.Hops) != 0 {
		t.Fatalf("changed origin: origin %+v hops %+v", got.Origin, got.Hops)
	}
	if countOf("telegram", "rusembjp") != 0 || countOf("outlet", "tass") != 1 {
		t.Errorf("daily count not moved: telegram %d, tass %d", countOf("telegram", "rusembjp"), countOf("outlet", "tass"))
	}

	for _, o := range []Origin{tass, same} {
		if err := c.SetTrace(ctx, 999999, o, hop); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetTrace(%s) on an unknown article: %v", o.Kind, err)
		}
	}
}
