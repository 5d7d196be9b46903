package origin_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/origin"
)

// A range of more articles than WindowArticles is regrouped in windows: a link between
// articles further apart than a window and its margins is not seen, while one range read
// whole joins them.
func TestRegroupWindowsBoundWhatIsRead(t *testing.T) {
	img := []string{"bb" + strings.Repeat("1", 30)}
	day := func(n int) time.Time { return time.Date(2025, 5, n, 10, 0, 0, 0, msk) }
	for _, tc := range []struct {
		window int
		joined bool
	}{{-1, true}, {1, false}, {100, true}} {
		t.Run(fmt.Sprint(tc.window), func(t *testing.T) {
			c := openCatalog(t)
			put(t, c, art{site: "japan", id: 1, pub: day(1), lang: "ja", images: img})
			put(t, c, art{site: "hub", id: 2, pub: day(14), lang: "en", images: img})
			// Near neighbours, each within a window's margin of the next: joined either way.
			put(t, c, art{site: "japan", id: 3, pub: day(6), lang: "ja", images: []string{"cc" + strings.Repeat("2", 30)}})
			put(t, c, art{site: "hub", id: 4, pub: day(7), lang: "en", images: []string{"cc" + strings.Repeat("2", 30)}})
			g := &origin.Grouper{Catalog: c, WindowArticles: tc.window}
			st, err := g.Regroup(context.Background(), origin.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			if st.Articles != 4 {
				t.Errorf("regrouped %d articles, want each of 4 counted once", st.Articles)
			}
			far := storyOf(t, c, "japan", 1).StoryID
			if got := far != 0 && far == storyOf(t, c, "hub", 2).StoryID; got != tc.joined {
				t.Errorf("articles 13 days apart joined = %v, want %v", got, tc.joined)
			}
			if s := storyOf(t, c, "japan", 3).StoryID; s == 0 || s != storyOf(t, c, "hub", 4).StoryID {
				t.Errorf("neighbours across a window edge not joined")
			}
		})
	}
}

// On the simulator, whose editions appear within a day of each other, regrouping in
// windows of a day or two gives the stories and inferred origins of one regroup of the whole
// range.
func TestRegroupWindowsMatchOneRange(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a simulated catalog")
	}
	ctx := context.Background()
	s := newSimCatalogOf(t, 9, 12)
	if _, err := s.tracer().TraceAll(ctx, s.ids); err != nil {
		t.Fatal(err)
	}
	counts, err := s.cat.Totals(ctx, "", "")
	if err != nil || len(counts) < 7 {
		t.Fatalf("day counts %v: %v", counts, err)
	}
	mid := counts[len(counts)/2].Day
	result := func(window int, changed []int64) (string, int) {
		if err := s.cat.SetStory(ctx, changed, 0); err != nil {
			t.Fatal(err)
		}
		// Inferred origins are the regroup's output: start each run without them.
		for _, id := range changed {
			a, err := s.cat.ArticleHeadByRowID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Hops) > 0 && strings.HasPrefix(a.Hops[0].Evidence, "inferred") {
				if err := s.cat.SetTrace(ctx, id, catalog.Origin{Kind: string(origin.KindNone)}, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		g := &origin.Grouper{Catalog: s.cat, WindowArticles: window}
		st, err := g.Regroup(ctx, origin.Scope{Changed: changed})
		if err != nil {
			t.Fatal(err)
		}
		members := map[int64][]string{}
		var inferred []string
		for _, id := range s.ids {
			a, err := s.cat.ArticleHeadByRowID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			k := fmt.Sprintf("%s:%d", a.Site, a.ID)
			if a.StoryID != 0 {
				members[a.StoryID] = append(members[a.StoryID], k)
			}
			if len(a.Hops) > 0 && strings.HasPrefix(a.Hops[0].Evidence, "inferred") {
				inferred = append(inferred, k+"="+a.Origin.URL)
			}
		}
		var groups []string
		for _, m := range members {
			slices.Sort(m)
			groups = append(groups, strings.Join(m, " "))
		}
		slices.Sort(groups)
		slices.Sort(inferred)
		return strings.Join(groups, "\n") + "\n--\n" + strings.Join(inferred, "\n"), st.Articles
	}
	// The simulated days hold some 60 articles each: windows of 200 have a core day or two.
	const window = 200
	whole, n := result(-1, s.ids)
	windowed, nw := result(window, s.ids)
	if n != len(s.ids) || nw != n {
		t.Errorf("regrouped %d and %d articles, want %d each", n, nw, len(s.ids))
	}
	if strings.Count(whole, "\n") < 50 {
		t.Fatalf("too few stories to compare:\n%s", whole)
	}
	if whole != windowed {
		t.Errorf("windows of %d articles gave other stories than one range", window)
	}
	// And again: nothing changes the second time.
	for _, w := range []int{window, 60} {
		st, err := (&origin.Grouper{Catalog: s.cat, WindowArticles: w}).Regroup(ctx, origin.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		if st.Moved != 0 || st.Created != 0 || st.Attributed != 0 || st.Dropped != 0 {
			t.Errorf("windows of %d regrouped again: %d moved, %d stories made, %d attributed, %d dropped; want none",
				w, st.Moved, st.Created, st.Attributed, st.Dropped)
		}
	}

	// Changed articles of one day: only the window whose core holds that day is read,
	// and it puts them back where they were.
	var oneDay []int64
	for _, id := range s.ids {
		a, err := s.cat.ArticleHeadByRowID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.PublishedDay == mid {
			oneDay = append(oneDay, id)
		}
	}
	again, na := result(window, oneDay)
	if again != whole {
		t.Errorf("regrouping one day's articles changed the stories")
	}
	if na < len(oneDay) || na > len(s.ids)/2 {
		t.Errorf("regrouped %d articles for one day's %d (of %d): windows without a changed article were not skipped",
			na, len(oneDay), len(s.ids))
	}
}

// A story whose members a window sees only in part is left to the windows that see it
// whole: regrouping twice changes nothing the second time, and an article new to the
// story still joins it from a window that sees it in part.
func TestRegroupWindowsLeaveStoriesSeenInPart(t *testing.T) {
	ctx := context.Background()
	c := openCatalog(t)
	day := func(n int) time.Time { return time.Date(2025, 5, n, 10, 0, 0, 0, msk) }
	img := func(d byte) []string { return []string{strings.Repeat(string(d), 32)} }
	// p and q are linked only through x, which the window of their first day does not
	// read (x is five days after p); p and r share an image of their own.
	put(t, c, art{site: "japan", id: 1, pub: day(1), lang: "ja", images: append(img('1'), img('3')...)})
	put(t, c, art{site: "hub", id: 2, pub: day(1), lang: "en", images: img('3')})
	put(t, c, art{site: "francais", id: 3, pub: day(4), lang: "fr", images: img('2')})
	put(t, c, art{site: "deutsch", id: 4, pub: day(6), lang: "de", images: append(img('1'), img('2')...)})
	g := &origin.Grouper{Catalog: c, WindowArticles: 1}
	if _, err := g.Regroup(ctx, origin.Scope{}); err != nil {
		t.Fatal(err)
	}
	story := storyOf(t, c, "japan", 1).StoryID
	for _, k := range []struct {
		site string
		id   int64
	}{{"hub", 2}, {"francais", 3}, {"deutsch", 4}} {
		if s := storyOf(t, c, k.site, k.id).StoryID; s != story || story == 0 {
			t.Errorf("%s:%d in story %d, want %d", k.site, k.id, s, story)
		}
	}
	for run := range 2 {
		st, err := g.Regroup(ctx, origin.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		if st.Moved != 0 || st.Created != 0 {
			t.Errorf("regroup %d again: %d moved, %d stories made, want none", run+2, st.Moved, st.Created)
		}
	}
	// A new edition of p's day, linked to p alone: its window sees the story in part, and
	// it joins the story.
	n := put(t, c, art{site: "canada", id: 5, pub: day(1), lang: "en", images: img('3')})
	st, err := g.Regroup(ctx, origin.Scope{Changed: []int64{n}})
	if err != nil {
		t.Fatal(err)
	}
	if s := storyOf(t, c, "canada", 5).StoryID; s != story || st.Moved != 1 {
		t.Errorf("the new edition is in story %d (want %d), %d moved", s, story, st.Moved)
	}
}
