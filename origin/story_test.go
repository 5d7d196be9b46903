package origin_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/origin"
)

const (
	enText = "The operator of a gas pipeline to southern Europe has announced scheduled maintenance lasting 17 days. " +
		"Deliveries will be reduced by 3% during the work.\n\nCustomers were notified in advance, the company said. " +
		"Regular maintenance is needed to keep the compressor stations safe.\n\nMarkets reacted calmly because the work " +
		"had been expected, said orientalist Pavel Kuznetsov."
	// The same template, another story: other numbers, another expert.
	enOther = "The operator of a gas pipeline to southern Europe has announced scheduled maintenance lasting 14 days. " +
		"Deliveries will be reduced by 39% during the work.\n\nCustomers were notified in advance, the company said. " +
		"Regular maintenance is needed to keep the compressor stations safe.\n\nMarkets reacted calmly because the work " +
		"had been expected, said international lawyer Marina Zaitseva."
)

func storyOf(t *testing.T, c *catalog.Catalog, site string, id int64) *catalog.Article {
	t.Helper()
	a, err := c.Article(context.Background(), site, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRegroupJoinsEditionsAndInfersOrigins(t *testing.T) {
	c := openCatalog(t)
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	post := "https://t.me/rian_ru/77"
	root := catalog.Origin{Kind: "telegram_post", Channel: "rian_ru", Post: "77", URL: post}
	// Story 1: japan and hub credit the post; hub names francais as an alternate; francais
	// is uncredited; deutsch is uncredited but shows the story's image; canada is an
	// uncredited English copy of hub's text.
	put(t, c, art{site: "japan", id: 1, credURL: post, pub: pub, images: []string{"aa" + strings.Repeat("0", 30)}, lang: "ja"})
	put(t, c, art{site: "hub", id: 2, credURL: post, pub: pub, text: enText, lang: "en",
		alternates: []string{artURL("francais", 3, pub)}})
	put(t, c, art{site: "francais", id: 3, pub: pub, lang: "fr"})
	put(t, c, art{site: "deutsch", id: 4, pub: pub, lang: "de", images: []string{"aa" + strings.Repeat("0", 30)}})
	put(t, c, art{site: "canada", id: 5, pub: pub.Add(time.Hour), text: enText, lang: "en"})
	// Unrelated: a template-mate of hub's text (uncredited), and a lone uncredited article.
	put(t, c, art{site: "canada", id: 6, pub: pub, text: enOther, lang: "en"})
	put(t, c, art{site: "japan", id: 7, pub: pub, lang: "ja"})
	g := &origin.Grouper{Catalog: c}
	st, err := g.Regroup(context.Background(), origin.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Stories != 1 || st.Created != 1 || st.Attributed != 3 || st.Links["text"] != 1 {
		t.Errorf("stats %+v", st)
	}
	story := storyOf(t, c, "japan", 1).StoryID
	for _, k := range []struct {
		site string
		id   int64
		via  string
	}{{"hub", 2, ""}, {"francais", 3, "alternate"}, {"deutsch", 4, "image"}, {"canada", 5, "text J=0.9"}} {
		a := storyOf(t, c, k.site, k.id)
		if a.StoryID != story || story == 0 {
			t.Errorf("%s:%d in story %d, want %d", k.site, k.id, a.StoryID, story)
		}
		if k.via == "" {
			continue
		}
		if a.Origin != root || !origin.Inferred(a.Hops) || !strings.Contains(a.Hops[0].Evidence, k.via) {
			t.Errorf("%s:%d: origin %+v, hops %+v", k.site, k.id, a.Origin, a.Hops)
		}
	}
	for _, k := range []int64{6, 7} {
		site := map[int64]string{6: "canada", 7: "japan"}[k]
		if a := storyOf(t, c, site, k); a.StoryID != 0 || a.Origin.Kind != "none" || len(a.Hops) != 0 {
			t.Errorf("%s:%d: story %d origin %+v", site, k, a.StoryID, a.Origin)
		}
	}
	method, _ := c.StoryMethod(context.Background(), story)
	if method != "alternate+image+origin+text" {
		t.Errorf("method %q", method)
	}

	// Again: nothing changes, the story keeps its id.
	st, err = g.Regroup(context.Background(), origin.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Created != 0 || st.Moved != 0 || st.Attributed != 0 || st.Stories != 1 || st.Inferred != 3 {
		t.Errorf("second regroup changed things: %+v", st)
	}
	if got := storyOf(t, c, "deutsch", 4).StoryID; got != story {
		t.Errorf("story id changed: %d → %d", story, got)
	}
	s, _ := c.Stats(context.Background())
	if s.Stories != 1 {
		t.Errorf("%d stories in the catalog", s.Stories)
	}
}

func TestRegroupWithdrawsUnsupportedInference(t *testing.T) {
	c := openCatalog(t)
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	img := strings.Repeat("b", 32)
	// Two credited editions sharing an image but crediting different posts: no root the
	// story agrees on, so the uncredited one sharing the image is not attributed.
	put(t, c, art{site: "japan", id: 1, credURL: "https://t.me/rian_ru/1", pub: pub, images: []string{img}})
	put(t, c, art{site: "hub", id: 2, credURL: "https://t.me/tass_agency/2", pub: pub, images: []string{img}})
	put(t, c, art{site: "francais", id: 3, pub: pub, images: []string{img}})
	g := &origin.Grouper{Catalog: c}
	if _, err := g.Regroup(context.Background(), origin.Scope{}); err != nil {
		t.Fatal(err)
	}
	if a := storyOf(t, c, "francais", 3); a.Origin.Kind != "none" || a.StoryID == 0 {
		t.Errorf("attributed despite disagreement: %+v story %d", a.Origin, a.StoryID)
	}
	// Three to one is a clear majority.
	put(t, c, art{site: "deutsch", id: 4, credURL: "https://t.me/rian_ru/1", pub: pub, images: []string{img}})
	put(t, c, art{site: "canada", id: 5, credURL: "https://t.me/rian_ru/1", pub: pub, images: []string{img}})
	if _, err := g.Regroup(context.Background(), origin.Scope{}); err != nil {
		t.Fatal(err)
	}
	a := storyOf(t, c, "francais", 3)
	if a.Origin.Channel != "rian_ru" || !origin.Inferred(a.Hops) {
		t.Fatalf("not attributed to the majority root: %+v", a.Origin)
	}
	// An inference is withdrawn when the story stops supporting it.
	for _, id := range []int64{4, 5} {
		b := storyOf(t, c, map[int64]string{4: "deutsch", 5: "canada"}[id], id)
		if err := c.SetOrigin(context.Background(), b.RowID, catalog.Origin{Kind: "telegram_post", Channel: "tass_agency", Post: "2", URL: "https://t.me/tass_agency/2"}); err != nil {
			t.Fatal(err)
		}
	}
	c.SetOrigin(context.Background(), storyOf(t, c, "japan", 1).RowID, catalog.Origin{Kind: "telegram_post", Channel: "other", Post: "9", URL: "https://t.me/other/9"})
	st, err := g.Regroup(context.Background(), origin.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	a = storyOf(t, c, "francais", 3)
	if a.Origin.Channel != "tass_agency" || st.Attributed != 1 {
		t.Errorf("after the majority moved: %+v (%+v)", a.Origin, st)
	}
}

func TestRegroupIgnoresStockImages(t *testing.T) {
	c := openCatalog(t)
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	logo := strings.Repeat("c", 32)
	for i := int64(1); i <= 5; i++ {
		put(t, c, art{site: "hub", id: i, credURL: fmt.Sprintf("https://t.me/rian_ru/%d", i), pub: pub, images: []string{logo}})
	}
	g := &origin.Grouper{Catalog: c, MaxImageShare: 4}
	st, err := g.Regroup(context.Background(), origin.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Stories != 0 || st.Links["image"] != 0 {
		t.Errorf("an image on 5 articles joined them: %+v", st)
	}
}

func TestRegroupRangeLeavesOtherDaysAlone(t *testing.T) {
	c := openCatalog(t)
	day1 := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	day9 := day1.AddDate(0, 0, 8)
	img1, img9 := strings.Repeat("d", 32), strings.Repeat("e", 32)
	put(t, c, art{site: "hub", id: 1, credURL: "https://t.me/rian_ru/1", pub: day1, images: []string{img1}})
	put(t, c, art{site: "japan", id: 1, pub: day1, images: []string{img1}})
	put(t, c, art{site: "hub", id: 9, credURL: "https://t.me/rian_ru/9", pub: day9, images: []string{img9}})
	put(t, c, art{site: "japan", id: 9, pub: day9, images: []string{img9}})
	g := &origin.Grouper{Catalog: c}
	st, err := g.Regroup(context.Background(), origin.Scope{From: "2025-05-09", To: "2025-05-09"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 2 || st.Stories != 1 {
		t.Errorf("stats %+v", st)
	}
	if storyOf(t, c, "japan", 1).StoryID != 0 || storyOf(t, c, "japan", 9).StoryID == 0 {
		t.Error("regrouped outside the range, or not inside it")
	}
}

func TestRegroupTextNeverMergesStories(t *testing.T) {
	c := openCatalog(t)
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	imgA, imgB := strings.Repeat("a", 32), strings.Repeat("f", 32)
	// Story A: a credited edition and an uncredited one sharing its image. Story B: a
	// credited edition whose text the uncredited edition of A happens to copy.
	put(t, c, art{site: "japan", id: 1, credURL: "https://t.me/rian_ru/1", pub: pub, images: []string{imgA}})
	put(t, c, art{site: "hub", id: 2, pub: pub, text: enText, images: []string{imgA}})
	put(t, c, art{site: "canada", id: 3, credURL: "https://t.me/tass_agency/3", pub: pub, text: enText, images: []string{imgB}})
	put(t, c, art{site: "deutsch", id: 4, credURL: "https://t.me/tass_agency/3", pub: pub, text: enOther, images: []string{imgB}})
	// Two lone uncredited copies of deutsch:4's text: more like each other than like it,
	// but they attach to story B, which carries the credit.
	put(t, c, art{site: "francais", id: 5, pub: pub, text: enOther})
	put(t, c, art{site: "francais", id: 6, pub: pub, text: enOther + " "})
	st, err := (&origin.Grouper{Catalog: c}).Regroup(context.Background(), origin.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := storyOf(t, c, "japan", 1).StoryID, storyOf(t, c, "canada", 3).StoryID
	if a == 0 || b == 0 || a == b || st.Stories != 2 {
		t.Fatalf("stories %d and %d (%+v)", a, b, st)
	}
	if got := storyOf(t, c, "hub", 2); got.StoryID != a || got.Origin.Channel != "rian_ru" {
		t.Errorf("hub:2 in story %d with origin %+v", got.StoryID, got.Origin)
	}
	for _, id := range []int64{5, 6} {
		if got := storyOf(t, c, "francais", id); got.StoryID != b || got.Origin.Channel != "tass_agency" {
			t.Errorf("francais:%d in story %d with origin %+v", id, got.StoryID, got.Origin)
		}
	}
}

func TestRegroupChangedLeavesTheRangeEdgesAlone(t *testing.T) {
	c := openCatalog(t)
	day1 := time.Date(2025, 5, 1, 10, 0, 0, 0, msk)
	img := strings.Repeat("9", 32)
	put(t, c, art{site: "hub", id: 20, credURL: "https://t.me/rian_ru/20", pub: day1, text: enText, images: []string{img}})
	put(t, c, art{site: "japan", id: 20, credURL: "https://t.me/rian_ru/20", pub: day1, images: []string{img}})
	// An uncredited copy a day later, joined by its text only.
	put(t, c, art{site: "canada", id: 21, pub: day1.Add(24 * time.Hour), text: enText})
	g := &origin.Grouper{Catalog: c}
	if _, err := g.Regroup(context.Background(), origin.Scope{}); err != nil {
		t.Fatal(err)
	}
	story := storyOf(t, c, "hub", 20).StoryID
	if got := storyOf(t, c, "canada", 21); got.StoryID != story || story == 0 {
		t.Fatalf("copy in story %d, want %d", got.StoryID, story)
	}
	// A later pass's regroup reads from the copy's day on, without the story it copies.
	// It rewrites only the groups of what the pass changed.
	row := put(t, c, art{site: "japan", id: 30, pub: day1.Add(72 * time.Hour)})
	sc := origin.Scope{From: "2025-05-02", To: "2025-05-05", Changed: []int64{row}}
	if _, err := g.Regroup(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	if got := storyOf(t, c, "canada", 21); got.StoryID != story || got.Origin.Channel != "rian_ru" {
		t.Errorf("copy at the range's edge: story %d, origin %+v", got.StoryID, got.Origin)
	}
	// Without Changed the whole range is rewritten, but a story it sees in part (its
	// credited editions lie before the range) is left as it is: the range cannot tell a
	// group that fell apart from one whose links it does not read.
	sc.Changed = nil
	if _, err := g.Regroup(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	if got := storyOf(t, c, "canada", 21); got.StoryID != story || got.Origin.Channel != "rian_ru" {
		t.Errorf("full rewrite of the range: copy in story %d, origin %+v", got.StoryID, got.Origin)
	}
	// Read whole, the story is rewritten: with its text changed, the copy leaves it.
	put(t, c, art{site: "canada", id: 21, pub: day1.Add(24 * time.Hour), text: enOther, capture: 1021})
	if _, err := g.Regroup(context.Background(), origin.Scope{}); err != nil {
		t.Fatal(err)
	}
	if got := storyOf(t, c, "canada", 21); got.StoryID != 0 || got.Origin.Kind != "none" {
		t.Errorf("full rewrite: the changed copy kept story %d, origin %+v", got.StoryID, got.Origin)
	}
}
