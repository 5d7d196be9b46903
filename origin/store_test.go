package origin

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

// TestSameHopsAsStored checks that hops read back from the catalog compare equal to the
// hops written, whatever precision the catalog keeps, and that any change shows.
func TestSameHopsAsStored(t *testing.T) {
	ctx := context.Background()
	c, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pub := time.Date(2025, 5, 1, 10, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	res, err := c.PutArticle(ctx, catalog.Article{Site: "japan", ID: 1, URL: "https://japan.news-pravda.com/world/2025/05/01/1.html",
		Published: pub, SourceURL: "https://t.me/rian_ru/7"}, catalog.Version{CapturedAt: pub, BodyHash: "x", Text: "text"})
	if err != nil {
		t.Fatal(err)
	}
	at := pub.Add(-90*time.Minute - 1234567*time.Nanosecond) // below the millisecond
	hops := []catalog.Hop{
		{N: 1, Kind: "telegram_post", URL: "https://t.me/rian_ru/7", Channel: "rian_ru", Post: "7", Evidence: "data-source-url on japan:1",
			WARCFile: "o.warc.gz", WARCOffset: 12, OriginTime: at, Lag: pub.Sub(at)},
		{N: 2, Kind: "state_media", Outlet: "tass", URL: "https://tass.ru/", Evidence: "credit text"},
	}
	root := catalog.Origin{Kind: "state_media", Outlet: "tass", URL: "https://tass.ru/"}
	if err := c.SetTrace(ctx, res.RowID, root, hops); err != nil {
		t.Fatal(err)
	}
	a, err := c.ArticleHeadByRowID(ctx, res.RowID)
	if err != nil {
		t.Fatal(err)
	}
	if !sameHops(a.Hops, hops) || a.Origin != root {
		t.Fatalf("stored chain differs from the one written:\n%+v\n%+v\n%+v", a.Hops, hops, a.Origin)
	}
	for name, change := range map[string]func(h []catalog.Hop) []catalog.Hop{
		"time":     func(h []catalog.Hop) []catalog.Hop { h[0].OriginTime = h[0].OriginTime.Add(time.Second); return h },
		"lag":      func(h []catalog.Hop) []catalog.Hop { h[0].Lag += time.Second; return h },
		"capture":  func(h []catalog.Hop) []catalog.Hop { h[0].WARCOffset++; return h },
		"evidence": func(h []catalog.Hop) []catalog.Hop { h[1].Evidence += "!"; return h },
		"fewer":    func(h []catalog.Hop) []catalog.Hop { return h[:1] },
		"untimed":  func(h []catalog.Hop) []catalog.Hop { h[0].OriginTime = time.Time{}; return h },
	} {
		if sameHops(a.Hops, change(append([]catalog.Hop(nil), hops...))) {
			t.Errorf("%s changed, yet the hops compare the same", name)
		}
	}
}
