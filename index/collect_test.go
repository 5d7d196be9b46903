package index

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
)

// The hits and their order must be bleve's own for the same sort, ties included: short
// documents of a ten-word vocabulary give many equal scores and, at the hour, equal dates.
func TestRankingEqualsBleveCollector(t *testing.T) {
	x := openTemp(t, WithBatchSize(97))
	mustIndex(t, x, synthetic(700, 3)...)
	for _, c := range []struct {
		r     Request
		order search.SortOrder
	}{
		{Request{Query: "gas OR oil", Size: 40}, search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}},
		{Request{Query: "drone nato", Size: 25}, search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}},
		{Request{Query: "grain -port", Size: 30, Sort: SortDate}, search.SortOrder{&search.SortField{Field: fieldWhen, Type: search.SortFieldAsString, Mode: search.SortFieldMax}, &search.SortDocID{}}},
		{Request{Query: "bank OR treaty", Size: 30, Sort: SortDateDesc}, search.SortOrder{&search.SortField{Field: fieldWhen, Type: search.SortFieldAsString, Mode: search.SortFieldMax, Desc: true}, &search.SortDocID{}}},
	} {
		page, err := x.Search(context.Background(), c.r)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range page.Hits {
			got = append(got, h.Key)
		}
		sr, _, err := x.request(c.r)
		if err != nil {
			t.Fatal(err)
		}
		sr.Size = c.r.Size
		sr.SortByCustom(c.order)
		var months []bleve.Index
		for _, idx := range x.months {
			months = append(months, idx)
		}
		res, err := bleve.NewIndexAlias(months...).Search(sr)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, h := range res.Hits {
			want = append(want, h.ID)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%+v:\n got  %v\n want %v", c.r, got, want)
		}
	}
}

// A month's columns belong to one snapshot: documents added to or deleted from the month
// must show in the next facet and day counts.
func TestCountsFollowNewSnapshots(t *testing.T) {
	x := openTemp(t)
	docs := synthetic(400, 4)
	mustIndex(t, x, docs[:200]...)
	check := func(live []Doc) {
		t.Helper()
		wantSites, wantDays := map[string]int{}, map[string]int{}
		for _, d := range live {
			if strings.Contains(d.Text, "summit") {
				wantSites[d.Site]++
				wantDays[d.Published.Format("2006-01-02")]++
			}
		}
		res, err := x.Search(context.Background(), Request{Query: "summit", Facets: true})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, fc := range res.Facets["site"] {
			got[fc.Term] = fc.Count
		}
		if fmt.Sprint(got) != fmt.Sprint(wantSites) {
			t.Errorf("site facet %v, want %v", got, wantSites)
		}
		days, err := x.DayCounts(context.Background(), q("summit"))
		if err != nil {
			t.Fatal(err)
		}
		gotDays := map[string]int{}
		for _, dc := range days {
			gotDays[dc.Day] = dc.Count
		}
		if fmt.Sprint(gotDays) != fmt.Sprint(wantDays) {
			t.Errorf("day counts %v, want %v", gotDays, wantDays)
		}
	}
	check(docs[:200])
	mustIndex(t, x, docs[200:]...)
	check(docs)
	var gone []string
	for _, d := range docs[:50] {
		gone = append(gone, d.Key)
	}
	if err := x.Delete(context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	check(docs[50:])
}

func TestCursorErrors(t *testing.T) {
	x := openTemp(t)
	mustIndex(t, x, synthetic(20, 5)...)
	for _, r := range []Request{
		{Query: "gas", After: []string{"x", "usa:1"}},
		{Query: "gas", After: []string{"1.5"}},
		{Query: "gas", After: []string{"1.5", ""}},
		{Sort: SortDate, After: []string{"s20251399000000", "usa:1"}},
		{Sort: SortDate, After: []string{"d20250101", "usa:1"}},
	} {
		if _, err := x.Search(context.Background(), r); err == nil || !strings.Contains(err.Error(), "cursor") {
			t.Errorf("%+v: %v, want a cursor error", r, err)
		}
	}
}
