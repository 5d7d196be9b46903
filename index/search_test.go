package index

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/index/query"
)

func TestJapaneseMatchesWordsNotBigrams(t *testing.T) {
	x := corpusIndex(t)
	expect(t, x, q("東京都"), "japan:1")
	// 京都 is a substring of 東京都知事 in japan:1; only japan:2 has the word.
	expect(t, x, q("京都"), "japan:2")
	expect(t, x, q("知事"), "japan:1")
	expect(t, x, q("東京都知事"), "japan:1")
	expect(t, x, q("会議"), "japan:2")
}

func TestJapanesePhrase(t *testing.T) {
	x := corpusIndex(t)
	expect(t, x, q(`"外務省の報道官"`), "japan:3")
	expect(t, x, q(`"日本政府を批判"`), "japan:3")
	expect(t, x, q(`"報道官の外務省"`))       // same words, wrong order
	expect(t, x, q("日本政府"), "japan:3") // a run of words is a phrase
	expect(t, x, q("外務省報道官"))          // so the particle between them matters
	expect(t, x, q("ＮＯＴ"))             // full-width NOT is a word, not an operator
}

func TestStemmingFindsInflectedForms(t *testing.T) {
	x := corpusIndex(t)
	expect(t, x, q("санкции"), "abkhazia:1", "abkhazia:2") // санкций, санкциями
	expect(t, x, q("санкция"), "abkhazia:1", "abkhazia:2")
	expect(t, x, q("sanction lang:fr"), "france:1")
	expect(t, x, q("économique lang:fr"), "france:1")
	expect(t, x, q("Sanktion"), "germany:1")
	expect(t, x, q("sanctions lang:en"), "usa:1") // sanctioned
	expect(t, x, q("sanciones"), "spain:1")       // fallback fields: exact words
}

func TestBooleanQueries(t *testing.T) {
	x := corpusIndex(t)
	expect(t, x, q("санкции AND ЕС"), "abkhazia:2")
	expect(t, x, q("санкции ЕС"), "abkhazia:2")
	expect(t, x, q("санкции -ЕС"), "abkhazia:1")
	expect(t, x, q("санкции NOT ЕС"), "abkhazia:1")
	expect(t, x, q("sanctions OR Sanktionen"), "france:1", "germany:1", "usa:1")
	expect(t, x, q("(санкции OR sanctions) AND (Russie OR России)"), "abkhazia:1", "france:1")
	expect(t, x, q("санкции OR погода AND Сухум"), "abkhazia:1", "abkhazia:2", "abkhazia:3")
	expect(t, x, q("(санкции OR погода) AND Сухум"), "abkhazia:3")
	expect(t, x, q("NOT санкции lang:ru"), "abkhazia:3")
	expect(t, x, q("-sanctions site:usa"))
	expect(t, x, q(`"sanctions économiques"`), "france:1")
	expect(t, x, q(`"économiques sanctions"`))
	// "the" is an English stop word: it drops out of the English branch instead of
	// making it match nothing.
	expect(t, x, q("the banks"), "usa:1")
	expect(t, x, q("the"))
}

func TestFieldsAndFilters(t *testing.T) {
	x := corpusIndex(t)
	expect(t, x, q("site:japan"), "japan:1", "japan:2", "japan:3")
	expect(t, x, q("origin:telegram_post"), "japan:1", "japan:3", "abkhazia:2")
	expect(t, x, q("outlet:TASS"), "japan:2", "abkhazia:1")
	expect(t, x, q("channel:@rusembjp"), "japan:1")
	expect(t, x, q("channel:mid_russia"), "japan:3")
	expect(t, x, q("category:world lang:ja"), "japan:2", "japan:3")
	expect(t, x, q("day:2025-03-12"), "japan:3", "abkhazia:3", "usa:1", "spain:1")
	expect(t, x, q("title:погода"), "abkhazia:3")
	expect(t, x, q("body:погода"))
	expect(t, x, Request{Query: "sanctions OR санкции", Sites: []string{"abkhazia", "usa"}}, "abkhazia:1", "abkhazia:2", "usa:1")
	expect(t, x, Request{Langs: []string{"ru"}}, "abkhazia:1", "abkhazia:2", "abkhazia:3")
	expect(t, x, Request{Langs: []string{"es-ES"}}, "spain:1")
	expect(t, x, Request{OriginKinds: []string{"state_outlet"}, Outlets: []string{"tass"}}, "japan:2", "abkhazia:1")
	expect(t, x, Request{Channels: []string{"rusembjp", "rian_ru"}}, "japan:1", "abkhazia:2")
	expect(t, x, Request{
		From: time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC),
		To:   time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC),
	}, "japan:2", "abkhazia:2", "germany:1") // japan:3, 3-12 09:00 JST, is To itself: excluded
}

func TestFiltersDoNotScore(t *testing.T) {
	x := corpusIndex(t)
	a, err := x.Search(context.Background(), q("санкции"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := x.Search(context.Background(), Request{Query: "санкции", Sites: []string{"abkhazia"},
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Hits) != 2 || len(b.Hits) != 2 {
		t.Fatalf("hits %d and %d", len(a.Hits), len(b.Hits))
	}
	for i := range a.Hits {
		if a.Hits[i].Key != b.Hits[i].Key || a.Hits[i].Score != b.Hits[i].Score {
			t.Errorf("filtered hit %d: %s %g, unfiltered %s %g", i, b.Hits[i].Key, b.Hits[i].Score, a.Hits[i].Key, a.Hits[i].Score)
		}
	}
}

func TestHitFieldsAndSnippet(t *testing.T) {
	x := openTemp(t)
	mustIndex(t, x, Doc{Key: "abkhazia:9", Site: "abkhazia", Lang: "ru", Title: "Заголовок <b>",
		Text:      "Вступление <script>alert(1)</script>. Запад ввёл пакет санкций против России.",
		Published: time.Date(2025, 3, 10, 12, 30, 0, 0, msk), URL: "https://abkhazia.news-pravda.com/world/2025/03/10/9.html"})
	res, err := x.Search(context.Background(), Request{Query: "санкции", Highlight: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Fatalf("hits: %+v", res.Hits)
	}
	h := res.Hits[0]
	if h.Site != "abkhazia" || h.Lang != "ru" || h.Title != "Заголовок <b>" {
		t.Errorf("hit fields: %+v", h)
	}
	if !h.Published.Equal(time.Date(2025, 3, 10, 12, 30, 0, 0, msk)) {
		t.Errorf("published %v", h.Published)
	}
	if h.Fields["url"] != "https://abkhazia.news-pravda.com/world/2025/03/10/9.html" {
		t.Errorf("url %v", h.Fields)
	}
	if !strings.Contains(h.Snippet, "<mark>санкций</mark>") {
		t.Errorf("snippet lacks the match: %s", h.Snippet)
	}
	if strings.Contains(h.Snippet, "<script>") || !strings.Contains(h.Snippet, "&lt;script&gt;") {
		t.Errorf("snippet not escaped: %s", h.Snippet)
	}

	// Japanese offsets survive width folding: the mark covers the original characters.
	mustIndex(t, x, Doc{Key: "japan:9", Site: "japan", Lang: "ja", Title: "速報",
		Text: "ロシア外務省は１２日、Ｔｅｌｅｇｒａｍで声明を出した。", Published: time.Date(2025, 3, 12, 9, 0, 0, 0, jst)})
	res, err = x.Search(context.Background(), Request{Query: "telegram 12", Highlight: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || !strings.Contains(res.Hits[0].Snippet, "<mark>Ｔｅｌｅｇｒａｍ</mark>") ||
		!strings.Contains(res.Hits[0].Snippet, "<mark>１２</mark>") {
		t.Errorf("japanese snippet: %+v", res.Hits)
	}
}

func TestFacets(t *testing.T) {
	x := corpusIndex(t)
	res, err := x.Search(context.Background(), Request{Query: "санкции OR sanctions OR Sanktionen", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 5 {
		t.Fatalf("total %d", res.Total)
	}
	got := res.Facets["site"]
	want := []FacetCount{{"abkhazia", 2}, {"france", 1}, {"germany", 1}, {"usa", 1}}
	if len(got) != len(want) {
		t.Fatalf("site facet %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("site facet %v, want %v", got, want)
		}
	}
	if l := res.Facets["lang"]; len(l) != 4 || l[0] != (FacetCount{"ru", 2}) {
		t.Errorf("lang facet %v", l)
	}
	top, err := x.TopTerms(context.Background(), q("site:japan OR site:abkhazia"), "outlet", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 1 || top[0] != (FacetCount{"tass", 2}) {
		t.Errorf("top outlets %v", top)
	}
	if _, err := x.TopTerms(context.Background(), q(""), "title", 5); !errors.Is(err, ErrBadRequest) {
		t.Errorf("top terms of a text field: %v", err)
	}
}

func TestBadRequests(t *testing.T) {
	x := corpusIndex(t)
	ctx := context.Background()
	var qe *query.Error
	if _, err := x.Search(ctx, q(`"unclosed`)); !errors.As(err, &qe) || qe.Pos != 0 {
		t.Errorf("syntax error: %v", err)
	}
	for _, r := range []Request{
		{Sort: "title"},
		{Size: -1},
		{Size: MaxSize + 1},
		{Sort: "date", After: []string{"yesterday", "x"}},
		{Query: "x", After: []string{"1.5"}},
		{From: time.Now(), To: time.Now().Add(-time.Hour)},
	} {
		if _, err := x.Search(ctx, r); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%+v: %v, want ErrBadRequest", r, err)
		}
	}
}

func TestLeanMappingStillMatchesPhrases(t *testing.T) {
	x := openTemp(t, WithStoredText(false))
	mustIndex(t, x, corpus()...)
	expect(t, x, q(`"sanctions économiques"`), "france:1")
	expect(t, x, q("東京都"), "japan:1") // two tokens: a phrase, which needs positions
	expect(t, x, q("京都"), "japan:2")
	res, err := x.Search(context.Background(), Request{Query: "санкции", Highlight: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 2 || res.Hits[0].Title == "" || res.Hits[0].Snippet != "" {
		t.Fatalf("lean hits: %+v", res.Hits)
	}
}

func FuzzSearch(f *testing.F) {
	for _, s := range []string{"санкции -ЕС", `"外務省の報道官"`, "site:japan OR (lang:ru NOT погода)", "the", "((a", "東京都 OR", "title:x body:\"y z\""} {
		f.Add(s)
	}
	x := corpusIndex(f)
	f.Fuzz(func(t *testing.T, s string) {
		res, err := x.Search(context.Background(), Request{Query: s, Highlight: true, Facets: true})
		if err != nil {
			var qe *query.Error
			if !errors.As(err, &qe) && !errors.Is(err, ErrBadRequest) {
				t.Fatalf("%q: unexpected error %v", s, err)
			}
			return
		}
		if res.Total > uint64(len(corpus())) || len(res.Hits) > len(corpus()) {
			t.Fatalf("%q: %d hits from %d documents", s, res.Total, len(corpus()))
		}
	})
}
