package index

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

var (
	jst = time.FixedZone("JST", 9*3600)
	msk = time.FixedZone("MSK", 3*3600)
	cet = time.FixedZone("CET", 3600)
)

func openTemp(t testing.TB, opts ...Option) *Index {
	t.Helper()
	x, err := Open(t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func mustIndex(t testing.TB, x *Index, docs ...Doc) {
	t.Helper()
	if err := x.Index(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
}

// keys runs a query and returns the sorted keys of every hit.
func keys(t testing.TB, x *Index, r Request) []string {
	t.Helper()
	if r.Size == 0 {
		r.Size = 1000
	}
	res, err := x.Search(context.Background(), r)
	if err != nil {
		t.Fatalf("search %q: %v", r.Query, err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Key)
	}
	slices.Sort(out)
	return out
}

func q(s string) Request { return Request{Query: s} }

func expect(t *testing.T, x *Index, r Request, want ...string) {
	t.Helper()
	slices.Sort(want)
	got := keys(t, x, r)
	if !slices.Equal(got, want) {
		t.Errorf("%q (langs %v sites %v): got %v, want %v", r.Query, r.Langs, r.Sites, got, want)
	}
}

// rootSegments reports how many file segments a month's index has.
func rootSegments(t testing.TB, x *Index, month string) uint64 {
	t.Helper()
	idx, err := x.month(month, false)
	if err != nil || idx == nil {
		t.Fatalf("month %s: %v", month, err)
	}
	adv, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := adv.(*scorch.Scorch).StatsMap()["TotFileSegmentsAtRoot"].(uint64)
	return n
}

// corpus is a small multilingual set of articles with known contents.
func corpus() []Doc {
	return []Doc{
		{Key: "japan:1", Site: "japan", Lang: "ja", Category: "japan", Title: "東京都知事が会見",
			Text: "東京都知事は記者会見で新しい政策について語った。", Published: time.Date(2025, 3, 10, 9, 0, 0, 0, jst),
			OriginKind: "telegram_post", Channel: "rusembjp"},
		{Key: "japan:2", Site: "japan", Lang: "ja", Category: "world", Title: "国際会議",
			Text: "京都で国際会議が開かれた。", Published: time.Date(2025, 3, 11, 9, 0, 0, 0, jst),
			OriginKind: "state_outlet", Outlet: "tass"},
		{Key: "japan:3", Site: "japan", Lang: "ja", Category: "world", Title: "報道官の発言",
			Text: "ロシア外務省の報道官は日本政府を批判した。", Published: time.Date(2025, 3, 12, 9, 0, 0, 0, jst),
			OriginKind: "telegram_post", Channel: "MID_Russia"},
		{Key: "abkhazia:1", Site: "abkhazia", Lang: "ru", Title: "Новые ограничения",
			Text: "Запад ввёл новый пакет санкций против России.", Published: time.Date(2025, 3, 10, 12, 0, 0, 0, msk),
			OriginKind: "state_outlet", Outlet: "tass"},
		{Key: "abkhazia:2", Site: "abkhazia", Lang: "ru", Title: "Брюссель",
			Text: "Страны ЕС спорят над санкциями.", Published: time.Date(2025, 3, 11, 12, 0, 0, 0, msk),
			OriginKind: "telegram_post", Channel: "rian_ru"},
		{Key: "abkhazia:3", Site: "abkhazia", Lang: "ru", Title: "Погода",
			Text: "В Сухуме солнечно и тепло.", Published: time.Date(2025, 3, 12, 12, 0, 0, 0, msk)},
		{Key: "france:1", Site: "france", Lang: "fr", Title: "L'Europe durcit le ton",
			Text: "Les sanctions économiques contre la Russie se multiplient.", Published: time.Date(2025, 3, 10, 8, 0, 0, 0, cet),
			OriginKind: "state_outlet", Outlet: "ria"},
		{Key: "germany:1", Site: "germany", Lang: "de", Title: "Berlin handelt",
			Text: "Die Bundesregierung verhängt neue Sanktionen gegen Banken.", Published: time.Date(2025, 3, 11, 8, 0, 0, 0, cet)},
		{Key: "usa:1", Site: "usa", Lang: "en", Title: "Washington acts",
			Text: "The United States sanctioned three Russian banks.", Published: time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)},
		{Key: "spain:1", Site: "spain", Lang: "es", Title: "Bruselas",
			Text: "Las sanciones de la UE contra Rusia.", Published: time.Date(2025, 3, 12, 8, 0, 0, 0, cet)},
	}
}

func corpusIndex(t testing.TB) *Index {
	t.Helper()
	x := openTemp(t)
	mustIndex(t, x, corpus()...)
	return x
}
