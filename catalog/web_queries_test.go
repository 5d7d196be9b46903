package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestSummaries(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	for id := int64(1); id <= 3; id++ {
		mustPut(t, c, sample(id), capture(fmt.Sprint("body ", id), t0))
	}
	r := mustPut(t, c, sample(4), capture("body 4", t0))
	origin := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	if err := c.SetHops(ctx, r.RowID, []Hop{
		{Kind: "network", URL: "https://news-pravda.com/x/2025/03/01/9.html"},
		{Kind: "telegram_post", URL: "https://t.me/rusembjp/4", OriginTime: origin, Lag: 30 * time.Minute},
		{Kind: "telegram_post", URL: "https://t.me/other/1"}, // no time: the lag comes from hop 2
	}); err != nil {
		t.Fatal(err)
	}

	got, err := c.Summaries(ctx, []ArticleKey{{"japan", 4}, {"japan", 99}, {"nowhere", 1}, {"japan", 2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != 4 || got[1].ID != 2 {
		t.Fatalf("got %+v, want japan 4 then japan 2", got)
	}
	if !got[0].HasLag || got[0].Lag != 30*time.Minute {
		t.Errorf("lag of 4 = %v %v, want 30m", got[0].Lag, got[0].HasLag)
	}
	if got[1].HasLag {
		t.Errorf("article 2 has no hops but HasLag")
	}
	s := got[1]
	if s.Title != "ザハロワ報道官の会見" || s.Lang != "ja" || s.Origin.Channel != "rusembjp" || s.PublishedDay != "2025-03-01" {
		t.Errorf("summary fields: %+v", s)
	}
	if _, off := s.Published.Zone(); off != 9*3600 {
		t.Errorf("published lost its offset: %v", s.Published)
	}
	if _, err := c.Summaries(ctx, make([]ArticleKey, maxSummaries+1)); err == nil {
		t.Error("no error for too many keys")
	}
}

func TestStory(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	var rows []int64
	for id := int64(1); id <= 3; id++ {
		rows = append(rows, mustPut(t, c, sample(id), capture(fmt.Sprint("b", id), t0)).RowID)
	}
	sid, err := c.NewStory(ctx, "alternates")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetStory(ctx, rows[1:], sid); err != nil {
		t.Fatal(err)
	}
	info, members, err := c.Story(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	if info.Method != "alternates" || info.CreatedAt.IsZero() {
		t.Errorf("info %+v", info)
	}
	if len(members) != 2 || members[0].ID != 2 || members[1].ID != 3 || members[0].StoryID != sid {
		t.Errorf("members %+v", members)
	}
	if _, _, err := c.Story(ctx, sid+100); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown story: %v, want ErrNotFound", err)
	}
}

func TestOriginCountsAndArticles(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	put := func(id int64, day int, kind, outlet, channel string) {
		a := sample(id)
		a.Published = time.Date(2025, 3, day, 10, 0, 0, int(id), jst)
		a.Origin = Origin{Kind: kind, Outlet: outlet, Channel: channel}
		mustPut(t, c, a, capture(fmt.Sprint("b", id), t0))
	}
	put(1, 1, "telegram_post", "", "rt")
	put(2, 1, "telegram_post", "", "rt")
	put(3, 2, "telegram_post", "", "rt")
	put(4, 2, "state_media", "rt", "") // an outlet with a channel's name
	put(5, 2, "none", "", "")

	got, err := c.OriginCounts(ctx, CountQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := []OriginCount{{"telegram_post", "rt", 3}, {"none", "", 1}, {"state_media", "rt", 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("origin counts %v, want %v", got, want)
	}
	got, err = c.OriginCounts(ctx, CountQuery{From: "2025-03-02", OriginKinds: []string{"state_media"}})
	if err != nil || len(got) != 1 || got[0].N != 1 {
		t.Errorf("filtered: %v %v", got, err)
	}
	if _, err := c.OriginCounts(ctx, CountQuery{From: "yesterday"}); err == nil {
		t.Error("bad day accepted")
	}

	arts, err := c.OriginArticles(ctx, "2025-03-01", []string{"telegram_post"}, "rt", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 || arts[0].ID != 2 || arts[1].ID != 1 {
		t.Errorf("articles on day 1: %+v, want 2 then 1", arts)
	}
	arts, err = c.OriginArticles(ctx, "2025-03-02", []string{"state_media"}, "rt", 10)
	if err != nil || len(arts) != 1 || arts[0].ID != 4 {
		t.Errorf("outlet rt on day 2: %+v %v", arts, err)
	}

	first, last, err := c.DayRange(ctx)
	if err != nil || first != "2025-03-01" || last != "2025-03-02" {
		t.Errorf("day range %q %q %v", first, last, err)
	}
}

func TestOriginInfoByID(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	if err := c.SyncOrigins(ctx, []OriginInfo{{ID: "tass", Kind: "state_media", Name: "TASS"}}); err != nil {
		t.Fatal(err)
	}
	o, err := c.OriginInfoByID(ctx, "tass")
	if err != nil || o.Name != "TASS" {
		t.Errorf("tass: %+v %v", o, err)
	}
	if _, err := c.OriginInfoByID(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
	empty := openTest(t)
	first, last, err := empty.DayRange(ctx)
	if err != nil || first != "" || last != "" {
		t.Errorf("empty day range %q %q %v", first, last, err)
	}
	if !strings.Contains(fmt.Sprint(empty.OriginArticles(ctx, "bad", nil, "x", 1)), "YYYY-MM-DD") {
		t.Error("bad day accepted")
	}
}
