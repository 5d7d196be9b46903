package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestPutLifecycle(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	a := sample(101)

	r := mustPut(t, c, a, capture("本文 v1", t0))
	if r.Outcome != Inserted || r.Version != 1 || r.RowID == 0 || r.Reappeared {
		t.Fatalf("first put = %+v, want inserted v1", r)
	}

	r2 := mustPut(t, c, a, capture("本文 v1", t0.Add(time.Hour)))
	if r2.Outcome != Unchanged || r2.Version != 1 || r2.RowID != r.RowID {
		t.Fatalf("same body = %+v, want unchanged v1", r2)
	}
	got, err := c.Article(ctx, "japan", 101)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastSeen.Equal(t0.Add(time.Hour)) || !got.FirstSeen.Equal(t0) || len(got.Versions) != 1 {
		t.Fatalf("after unchanged: first %v last %v versions %d", got.FirstSeen, got.LastSeen, len(got.Versions))
	}

	edited := a
	edited.Title = "ザハロワ報道官の会見（更新）"
	r3 := mustPut(t, c, edited, capture("本文 v2", t0.Add(2*time.Hour)))
	if r3.Outcome != NewVersion || r3.Version != 2 {
		t.Fatalf("changed body = %+v, want new version 2", r3)
	}
	got, _ = c.Article(ctx, "japan", 101)
	if got.Title != edited.Title || got.CurrentVersion != 2 || len(got.Versions) != 2 {
		t.Fatalf("after edit: title %q current %d versions %d", got.Title, got.CurrentVersion, len(got.Versions))
	}
	if got.Versions[0].Text != "本文 v1" || got.Versions[1].Text != "本文 v2" {
		t.Fatalf("both captures must be kept: %q, %q", got.Versions[0].Text, got.Versions[1].Text)
	}

	// A 404 after the last capture marks it deleted, once.
	del := t0.Add(3 * time.Hour)
	if ok, err := c.MarkDeleted(ctx, "japan", 101, del, 404); err != nil || !ok {
		t.Fatalf("MarkDeleted = %v, %v; want true", ok, err)
	}
	if ok, _ := c.MarkDeleted(ctx, "japan", 101, del.Add(time.Hour), 410); ok {
		t.Fatal("second MarkDeleted changed an already deleted article")
	}
	if ok, _ := c.MarkDeleted(ctx, "japan", 999, del, 404); ok {
		t.Fatal("MarkDeleted of an unknown article reported a change")
	}
	got, _ = c.Article(ctx, "japan", 101)
	if !got.Deleted() || !got.DeletedAt.Equal(del) || got.DeleteStatus != 404 {
		t.Fatalf("deleted: at %v status %d", got.DeletedAt, got.DeleteStatus)
	}

	// A replay of a capture from before the deletion does not resurrect it.
	r4 := mustPut(t, c, edited, capture("本文 v2", t0.Add(2*time.Hour)))
	if r4.Outcome != Unchanged || r4.Reappeared {
		t.Fatalf("replayed pre-deletion capture = %+v", r4)
	}
	if got, _ = c.Article(ctx, "japan", 101); !got.Deleted() {
		t.Fatal("a replayed old capture cleared the deletion")
	}

	// It comes back with the same body: the deletion is cleared.
	r5 := mustPut(t, c, edited, capture("本文 v2", t0.Add(4*time.Hour)))
	if r5.Outcome != Unchanged || !r5.Reappeared {
		t.Fatalf("reappearance with same body = %+v", r5)
	}
	got, _ = c.Article(ctx, "japan", 101)
	if got.Deleted() || got.DeleteStatus != 0 {
		t.Fatalf("deletion not cleared: %v %d", got.DeletedAt, got.DeleteStatus)
	}

	// Deleted again, back with a new body: new version and cleared.
	if ok, _ := c.MarkDeleted(ctx, "japan", 101, t0.Add(5*time.Hour), 410); !ok {
		t.Fatal("second deletion not recorded")
	}
	r6 := mustPut(t, c, edited, capture("本文 v3", t0.Add(6*time.Hour)))
	if r6.Outcome != NewVersion || !r6.Reappeared || r6.Version != 3 {
		t.Fatalf("reappearance with new body = %+v", r6)
	}
	// A 404 older than the last sighting is stale.
	if ok, _ := c.MarkDeleted(ctx, "japan", 101, t0.Add(5*time.Hour+30*time.Minute), 404); ok {
		t.Fatal("a 404 older than last_seen marked the article deleted")
	}
	// One article, counted once, whatever happened to it.
	if n := countRows(t, c, "SELECT sum(n) FROM daily_counts"); n != 1 {
		t.Fatalf("daily counts total %d, want 1", n)
	}
}

func TestReplayIsIdempotent(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	type step struct {
		id   int64
		body string
		at   time.Duration
	}
	steps := []step{{1, "a", 0}, {2, "b", 1}, {1, "a2", 2}, {1, "a", 3}, {2, "b", 4}, {3, "c", 5}}
	run := func() []PutResult {
		var out []PutResult
		for _, s := range steps {
			out = append(out, mustPut(t, c, sample(s.id), capture(s.body, t0.Add(s.at*time.Hour))))
		}
		return out
	}
	first := run()
	want := []Outcome{Inserted, Inserted, NewVersion, NewVersion, Unchanged, Inserted}
	for i, r := range first {
		if r.Outcome != want[i] {
			t.Errorf("step %d: %v, want %v", i, r.Outcome, want[i])
		}
	}
	snapshot := func() string {
		var b strings.Builder
		for _, q := range []string{
			"SELECT group_concat(site || art_id || first_seen || last_seen || current_version, ';') FROM articles",
			"SELECT group_concat(article || ':' || n || body_hash, ';') FROM versions",
			"SELECT group_concat(day || site || n, ';') FROM daily_counts",
			"SELECT count(*) FROM alternates", "SELECT count(*) FROM images",
		} {
			var s string
			if err := c.r.QueryRowContext(ctx, q).Scan(&s); err != nil {
				t.Fatal(err)
			}
			b.WriteString(s + "\n")
		}
		return b.String()
	}
	before := snapshot()
	for i, r := range run() {
		if r.Outcome != Unchanged || r.RowID != first[i].RowID {
			t.Errorf("replay step %d: %+v, want unchanged", i, r)
		}
	}
	if after := snapshot(); after != before {
		t.Fatalf("replay changed the catalog:\n%s\nvs\n%s", before, after)
	}
	a, _ := c.Article(ctx, "japan", 1)
	if len(a.Versions) != 3 || a.Versions[2].Text != "a" || a.CurrentVersion != 3 {
		t.Fatalf("article 1: %d versions, current %d", len(a.Versions), a.CurrentVersion)
	}
}

func TestOutOfOrderCaptureKeepsNewestFields(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	newer := sample(7)
	newer.Title = "newer"
	mustPut(t, c, newer, capture("new body", t0.Add(time.Hour)))
	older := sample(7)
	older.Title = "older"
	r := mustPut(t, c, older, capture("old body", t0))
	if r.Outcome != NewVersion || r.Version != 1 {
		t.Fatalf("older capture = %+v, want a new version with current still 1", r)
	}
	a, _ := c.Article(ctx, "japan", 7)
	if a.Title != "newer" || a.CurrentVersion != 1 || !a.FirstSeen.Equal(t0) || !a.LastSeen.Equal(t0.Add(time.Hour)) {
		t.Fatalf("title %q current %d first %v last %v", a.Title, a.CurrentVersion, a.FirstSeen, a.LastSeen)
	}
}

func TestNewVersionKeepsKnownOriginAndDate(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	a := sample(8)
	mustPut(t, c, a, capture("x", t0))
	b := sample(8)
	b.Origin, b.Published = Origin{}, time.Time{}
	mustPut(t, c, b, capture("y", t0.Add(time.Hour)))
	got, _ := c.Article(ctx, "japan", 8)
	if got.Origin.Channel != "rusembjp" || !got.Published.Equal(a.Published) || got.PublishedDay != "2025-03-01" {
		t.Fatalf("origin %+v published %v day %s", got.Origin, got.Published, got.PublishedDay)
	}
	if _, off := got.Published.Zone(); off != 9*3600 {
		t.Fatalf("published lost the site offset: %v", got.Published)
	}
}

func TestPutRejectsAndClips(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	good := capture("x", t0)
	for name, tc := range map[string]struct {
		a Article
		v Version
	}{
		"no site":   {Article{ID: 1}, good},
		"zero id":   {Article{Site: "japan"}, good},
		"no hash":   {sample(1), Version{CapturedAt: t0}},
		"no time":   {sample(1), Version{BodyHash: "h"}},
		"bad day":   {func() Article { a := sample(1); a.PublishedDay = "2025/03/01"; return a }(), good},
		"neg id":    {Article{Site: "japan", ID: -4}, good},
		"empty all": {Article{}, Version{}},
	} {
		if _, err := c.PutArticle(ctx, tc.a, tc.v); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if n := countRows(t, c, "SELECT count(*) FROM articles"); n != 0 {
		t.Fatalf("%d articles stored from rejected input", n)
	}

	hostile := sample(2)
	hostile.Title = strings.Repeat("長", maxTitle) + "\xff\xfe"
	hostile.Alternates = make([]Alternate, 3*maxLinks)
	for i := range hostile.Alternates {
		hostile.Alternates[i] = Alternate{Lang: "xx", URL: "https://x.example/" + strings.Repeat("a", i%7) + string(rune('a'+i%26)) + strings.Repeat("b", i)}
	}
	v := capture("y", t0)
	v.Text = "\xff" + strings.Repeat("本", maxText)
	if _, err := c.PutArticle(ctx, hostile, v); err != nil {
		t.Fatal(err)
	}
	got, err := c.Article(ctx, "japan", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Title) > maxTitle || !utf8.ValidString(got.Title) {
		t.Errorf("title %d bytes, valid %v", len(got.Title), utf8.ValidString(got.Title))
	}
	if tx := got.Versions[0].Text; len(tx) > maxText || !utf8.ValidString(tx) || !strings.HasPrefix(tx, "\uFFFD本") {
		t.Errorf("text %d bytes, valid %v", len(tx), utf8.ValidString(tx))
	}
	if len(got.Alternates) != maxLinks {
		t.Errorf("%d alternates kept, want cap %d", len(got.Alternates), maxLinks)
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"日本語", 4, "日"}, // never half a rune
		{"日本語", 6, "日本"},
		{"a\xffb", 10, "a\uFFFDb"},
		{"", 0, ""},
	} {
		if got := clip(tc.in, tc.n); got != tc.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestPutArticlesIsAtomic(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	caps := []Capture{{sample(1), capture("a", t0)}, {sample(2), capture("b", t0)}, {sample(1), capture("a", t0.Add(time.Hour))}}
	res, err := c.PutArticles(ctx, caps)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != Inserted || res[1].Outcome != Inserted || res[2].Outcome != Unchanged {
		t.Fatalf("batch outcomes %v %v %v", res[0].Outcome, res[1].Outcome, res[2].Outcome)
	}
	bad := []Capture{{sample(3), capture("c", t0)}, {Article{Site: "japan", ID: 4}, Version{CapturedAt: t0}}}
	if _, err := c.PutArticles(ctx, bad); err == nil {
		t.Fatal("batch with an invalid capture accepted")
	}
	if ok, _ := c.Has(ctx, "japan", 3); ok {
		t.Fatal("part of a failed batch was stored")
	}
}

func TestSeenAndSetOrigin(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	r := mustPut(t, c, sample(5), capture("x", t0))
	if _, err := c.Seen(ctx, "japan", 6, t0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Seen of unknown article: %v", err)
	}
	if again, err := c.Seen(ctx, "japan", 5, t0.Add(time.Hour)); err != nil || again {
		t.Fatalf("Seen = %v, %v", again, err)
	}
	c.MarkDeleted(ctx, "japan", 5, t0.Add(2*time.Hour), 404)
	if again, err := c.Seen(ctx, "japan", 5, t0.Add(3*time.Hour)); err != nil || !again {
		t.Fatalf("Seen after deletion = %v, %v; want reappeared", again, err)
	}

	tass := Origin{Kind: "outlet", Outlet: "tass", Owner: "Russian state", URL: "https://tass.ru/politika/1"}
	if err := c.SetOrigin(ctx, r.RowID, tass); err != nil {
		t.Fatal(err)
	}
	rows, err := c.DailyCounts(ctx, CountQuery{By: "origin_id"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Key != "tass" || rows[0].N != 1 {
		t.Fatalf("counts after SetOrigin: %+v", rows)
	}
	if err := c.SetOrigin(ctx, 9999, tass); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetOrigin of unknown row: %v", err)
	}
}

// Two different bodies captured in the same millisecond (the page and its
// AMP copy, say) leave only the WARC record id to tell a replay apart.
func TestReplaySameInstant(t *testing.T) {
	c := openTest(t)
	first, second := capture("page", t0), capture("amp page", t0)
	second.WARCOffset += 5000
	mustPut(t, c, sample(1), first)
	if r := mustPut(t, c, sample(1), second); r.Outcome != NewVersion {
		t.Fatalf("second body = %v", r.Outcome)
	}
	for _, v := range []Version{first, second} {
		if r := mustPut(t, c, sample(1), v); r.Outcome != Unchanged {
			t.Fatalf("replay of %s = %v, want unchanged", v.Text, r.Outcome)
		}
	}
	if n := countRows(t, c, "SELECT count(*) FROM versions"); n != 2 {
		t.Fatalf("%d versions, want 2", n)
	}
}
