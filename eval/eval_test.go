package eval

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

func TestReadTruth(t *testing.T) {
	in := `{"key":"japan:1","story":"s1","credited":true,"origin":{"kind":"telegram_post","channel":"MID_Russia","post":5,"url":"https://t.me/MID_Russia/5","time":"2025-05-01T07:00:00Z"},"text":"ignored"}

{"key":"hub:2","story":"s1","credited":false,"evidence":true,"origin":{"kind":"state_media","outlet":"tass","url":"https://tass.ru/x/1"}}
`
	got, err := ReadTruth(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Origin.Post != 5 || got[0].Origin.Time.IsZero() || !got[1].Evidence || got[1].Origin.Outlet != "tass" {
		t.Errorf("%+v", got)
	}
	for _, bad := range []string{"{not json}\n", `{"story":"s1"}` + "\n"} {
		if _, err := ReadTruth(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: err %v", bad, err)
		}
	}
}

func TestSameRoot(t *testing.T) {
	post := Root{Kind: "telegram_post", Channel: "MID_Russia", Post: 5, URL: "https://t.me/MID_Russia/5"}
	page := Root{Kind: "state_media", Outlet: "tass", URL: "https://www.tass.ru/politika/1/"}
	for _, tt := range []struct {
		r    Root
		o    catalog.Origin
		same bool
	}{
		{post, catalog.Origin{Kind: "telegram_post", Channel: "mid_russia", Post: "5"}, true},
		{post, catalog.Origin{Kind: "telegram_post", Channel: "MID_Russia", Post: "6"}, false},
		{post, catalog.Origin{Kind: "telegram_channel", Channel: "MID_Russia"}, false},
		{page, catalog.Origin{Kind: "state_media", Outlet: "tass", URL: "https://tass.ru/politika/1"}, true},
		{page, catalog.Origin{Kind: "state_media", Outlet: "ria", URL: "https://tass.ru/politika/1"}, false},
		{page, catalog.Origin{Kind: "state_media", Outlet: "tass", URL: "https://tass.ru/politika/2"}, false},
		{page, catalog.Origin{Kind: "state_media", Outlet: "tass"}, false},
	} {
		if got := SameRoot(tt.r, tt.o); got != tt.same {
			t.Errorf("SameRoot(%+v, %+v) = %v", tt.r, tt.o, got)
		}
	}
}

// TestEvaluate builds a catalog whose every score is known: 4 credited articles (one with
// the wrong post, one unresolved), 3 uncredited (one rightly attributed, one wrongly, one
// not at all), in stories that split one true story and merge another.
func TestEvaluate(t *testing.T) {
	ctx := context.Background()
	cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	t0 := time.Date(2025, 5, 1, 7, 0, 0, 0, time.UTC)
	p5 := Root{Kind: "telegram_post", Channel: "MID_Russia", Post: 5, URL: "https://t.me/MID_Russia/5", Time: t0}
	tass := Root{Kind: "state_media", Outlet: "tass", URL: "https://tass.ru/politika/1", Time: t0}
	o5 := catalog.Origin{Kind: "telegram_post", Channel: "MID_Russia", Post: "5", URL: "https://t.me/MID_Russia/5"}
	o6 := catalog.Origin{Kind: "telegram_post", Channel: "MID_Russia", Post: "6", URL: "https://t.me/MID_Russia/6"}
	otass := catalog.Origin{Kind: "state_media", Outlet: "tass", URL: "https://tass.ru/politika/1"}
	none := catalog.Origin{Kind: "none"}
	rows := []struct {
		id       int64
		credited bool
		evidence bool
		story    string
		root     Root
		got      catalog.Origin
		group    int // catalog story, 0 none
		rootTime time.Time
	}{
		{1, true, false, "s1", p5, o5, 1, t0},
		{2, true, false, "s1", p5, o6, 1, time.Time{}},
		{3, true, false, "s2", tass, otass, 2, t0.Add(time.Minute)},
		{4, true, false, "s2", tass, none, 0, time.Time{}},
		{5, false, true, "s1", p5, o5, 2, time.Time{}},
		{6, false, true, "s2", tass, o5, 1, time.Time{}},
		{7, false, false, "s2", tass, none, 0, time.Time{}},
	}
	var truth []Truth
	stories := map[int]int64{}
	for _, r := range rows {
		a := catalog.Article{Site: "japan", ID: r.id, Published: t0.Add(time.Hour), Origin: r.got}
		if r.credited {
			a.SourceURL = "https://example.org/credit"
		}
		res, err := cat.PutArticle(ctx, a, catalog.Version{CapturedAt: t0, BodyHash: fmt.Sprint(r.id)})
		if err != nil {
			t.Fatal(err)
		}
		if !r.rootTime.IsZero() {
			cat.SetHops(ctx, res.RowID, []catalog.Hop{{Kind: r.got.Kind, URL: r.got.URL, OriginTime: r.rootTime}})
		}
		if r.group != 0 {
			if stories[r.group] == 0 {
				stories[r.group], _ = cat.NewStory(ctx, "test")
			}
			if err := cat.SetStory(ctx, []int64{res.RowID}, stories[r.group]); err != nil {
				t.Fatal(err)
			}
		}
		truth = append(truth, Truth{Key: fmt.Sprintf("japan:%d", r.id), Story: r.story, Credited: r.credited, Evidence: r.evidence, Origin: r.root})
	}
	truth = append(truth, Truth{Key: "hub:99", Story: "s9", Credited: true, Origin: p5}) // never crawled
	rep, err := Evaluate(ctx, cat, truth)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, s Score, claimed, correct int, p, r float64) {
		t.Helper()
		if s.Claimed != claimed || s.Correct != correct || math.Abs(s.Precision-p) > 1e-9 || math.Abs(s.Recall-r) > 1e-9 {
			t.Errorf("%s: %+v, want claimed %d correct %d P %.3f R %.3f", name, s, claimed, correct, p, r)
		}
	}
	if rep.Evaluated != 7 || rep.Missing != 1 || rep.Credited != 4 || rep.Uncredited != 3 {
		t.Errorf("counts %+v", rep)
	}
	check("credited kind", rep.CreditedKind, 3, 3, 1, 0.75)
	check("credited identity", rep.CreditedIdentity, 3, 2, 2.0/3, 0.5)
	check("root time", rep.RootTime, 2, 1, 0.5, 0.5)
	check("uncredited identity", rep.UncreditedIdentity, 2, 1, 0.5, 0.5)
	check("uncredited identity (all)", rep.UncreditedIdentityAll, 2, 1, 0.5, 1.0/3)
	// Truth pairs: s1 {1,2,5} = 3, s2 {3,4,6,7} = 6. Catalog: story 1 {1,2,6} = 3,
	// story 2 {3,5} = 1. Common: {1,2} only.
	if p := rep.Stories; p.TruthPairs != 9 || p.GroupedPairs != 4 || p.CommonPairs != 1 {
		t.Errorf("pairs %+v", p)
	}
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil || !strings.Contains(b.String(), "story pairs") || !strings.Contains(b.String(), "0.6667") {
		t.Errorf("table:\n%s", b.String())
	}
}
