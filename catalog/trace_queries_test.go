package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestChangedAndUntraced(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	old := mustPut(t, c, sample(1), capture("one", t0))
	edited := mustPut(t, c, sample(2), capture("two", t0))
	pass := t0.Add(time.Hour)
	// The pass: one new article, one new version, one unchanged revisit.
	fresh := mustPut(t, c, sample(3), capture("three", pass.Add(time.Minute)))
	mustPut(t, c, sample(2), capture("two, edited", pass.Add(2*time.Minute)))
	mustPut(t, c, sample(1), capture("one", pass.Add(3*time.Minute)))

	got, err := c.Changed(ctx, pass)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{edited.RowID, fresh.RowID}; !slices.Equal(got, want) {
		t.Errorf("changed %v, want %v", got, want)
	}

	untraced, err := c.Untraced(ctx, 10)
	if err != nil || len(untraced) != 3 {
		t.Fatalf("untraced %v %v", untraced, err)
	}
	if err := c.SetHops(ctx, old.RowID, []Hop{{Kind: "telegram_post", URL: "https://t.me/rusembjp/1", Evidence: "data-source-url"}}); err != nil {
		t.Fatal(err)
	}
	if untraced, _ = c.Untraced(ctx, 1); !slices.Equal(untraced, []int64{edited.RowID}) {
		t.Errorf("untraced after one trace, limit 1: %v", untraced)
	}
	a := sample(4)
	a.SourceURL, a.SourceTitle = "", ""
	mustPut(t, c, a, capture("four", pass))
	if untraced, _ = c.Untraced(ctx, 10); len(untraced) != 2 {
		t.Errorf("an uncredited article counts as untraced: %v", untraced)
	}
}

func TestLinkedArticles(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	a := sample(1)
	a.PublishedDay = "2025-03-01"
	r1 := mustPut(t, c, a, capture("body one", t0))
	b := sample(2)
	b.PublishedDay = "2025-03-05"
	mustPut(t, c, b, capture("body two", t0))
	at := time.Date(2025, 3, 1, 5, 0, 0, 0, time.UTC)
	if err := c.SetHops(ctx, r1.RowID, []Hop{
		{Kind: "network", URL: "https://news-pravda.com/x/1.html", Evidence: "inferred: image", OriginTime: at.Add(time.Hour)},
		{Kind: "telegram_post", URL: "https://t.me/rusembjp/1", OriginTime: at},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := c.LinkedArticles(ctx, "2025-03-01", "2025-03-02")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d articles in the range, want 1", len(got))
	}
	l := got[0]
	if l.ID != 1 || len(l.Alternates) != 2 || len(l.Images) != 1 || l.Images[0] != a.Images[0].MD5 {
		t.Errorf("linked %+v", l)
	}
	if !slices.Equal(l.HopURLs, []string{"https://news-pravda.com/x/1.html", "https://t.me/rusembjp/1"}) || !l.Inferred || !l.RootTime.Equal(at) {
		t.Errorf("hops %v inferred %v root time %v", l.HopURLs, l.Inferred, l.RootTime)
	}
	all, err := c.LinkedArticles(ctx, "", "")
	if err != nil || len(all) != 2 || all[1].Inferred {
		t.Errorf("all: %d, %v", len(all), err)
	}
}

// Texts gives each asked article's current text at its index, across query chunks, and
// skips an id that names no article.
func TestTexts(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	var ids []int64
	for i := range idsChunk + 10 {
		r := mustPut(t, c, sample(int64(i+1)), capture(fmt.Sprintf("body %d", i), t0))
		ids = append(ids, r.RowID)
	}
	// An edit: the text is the new version's.
	mustPut(t, c, sample(3), capture("body 2, edited", t0.Add(time.Hour)))
	ask := slices.Clone(ids)
	slices.Reverse(ask)
	ask = slices.Insert(ask, 7, 1_000_000)
	got := make([]string, len(ask))
	calls := 0
	err := c.Texts(ctx, ask, func(k int, text string) error {
		calls++
		if got[k] != "" {
			t.Errorf("index %d given twice", k)
		}
		got[k] = text
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != len(ids) || got[7] != "" {
		t.Errorf("%d texts for %d articles and one unknown id (%q)", calls, len(ids), got[7])
	}
	for k, id := range ask {
		want := ""
		if id != 1_000_000 {
			want = fmt.Sprintf("body %d", id-ids[0])
			if id == ids[2] {
				want = "body 2, edited"
			}
		}
		if got[k] != want {
			t.Fatalf("text %d (row %d) = %q, want %q", k, id, got[k], want)
		}
	}
	stop := errors.New("stop")
	if err := c.Texts(ctx, ids, func(int, string) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("an error from fn: %v", err)
	}
}

func TestStoryMethod(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	id, err := c.NewStory(ctx, "image")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetStoryMethod(ctx, id, "alternate+image"); err != nil {
		t.Fatal(err)
	}
	if m, err := c.StoryMethod(ctx, id); err != nil || m != "alternate+image" {
		t.Errorf("method %q %v", m, err)
	}
	if m, err := c.StoryMethod(ctx, id+1); err != nil || m != "" {
		t.Errorf("unknown story: %q %v", m, err)
	}
}

func TestPublishedDaysOf(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	var rows []int64
	for i, day := range []string{"2025-03-05", "2025-03-01", "2025-03-05", "2025-03-09"} {
		a := sample(int64(i + 1))
		a.PublishedDay = day
		rows = append(rows, mustPut(t, c, a, capture("body", t0)).RowID)
	}
	days, err := c.PublishedDaysOf(ctx, []int64{rows[0], rows[2], rows[3]})
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 2 || !days["2025-03-05"] || !days["2025-03-09"] {
		t.Errorf("days of three articles: %v", days)
	}
}

func TestStorySizes(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	var rows []int64
	for i := range 5 {
		rows = append(rows, mustPut(t, c, sample(int64(i+1)), capture(fmt.Sprint(i), t0)).RowID)
	}
	s1, err := c.NewStory(ctx, "image")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := c.NewStory(ctx, "alternate")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetStory(ctx, rows[:3], s1); err != nil {
		t.Fatal(err)
	}
	if err := c.SetStory(ctx, rows[3:4], s2); err != nil {
		t.Fatal(err)
	}
	got, err := c.StorySizes(ctx, []int64{s1, s2, s2 + 100})
	if err != nil || len(got) != 2 || got[s1] != 3 || got[s2] != 1 {
		t.Errorf("story sizes %v, %v; want %d:3 %d:1", got, err, s1, s2)
	}
}
