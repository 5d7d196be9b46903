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
