package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/pravda-archive/pravda/index/query"
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
		cq, err := x.request(c.r)
		if err != nil {
			t.Fatal(err)
		}
		sr := bleve.NewSearchRequest(cq.q)
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

// query.Phrase must find what bleve's multi-phrase query finds, with the same scores and
// the same locations to highlight: gaps, alternatives at a position and repeated terms
// included.
func TestPhraseEqualsBleveMultiPhrase(t *testing.T) {
	x := openTemp(t)
	mustIndex(t, x, synthetic(600, 6)...)
	for _, terms := range [][][]string{
		{{"gas"}, {"oil"}},
		{{"gas"}, {"gas"}},
		{{"drone"}, nil, {"bank"}},
		{{"nato", "port"}, {"border"}},
		{{"summit"}, {"treaty", "grain"}, {"gas"}},
		{{"missing"}, {"gas"}},
	} {
		for _, idx := range x.months {
			run := func(q bq.Query) []string {
				sr := bleve.NewSearchRequestOptions(q, 1000, 0, false)
				sr.IncludeLocations = true
				res, err := idx.Search(sr)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, h := range res.Hits {
					out = append(out, fmt.Sprintf("%s %.9f %v", h.ID, h.Score, locs(h.Locations)))
				}
				slices.Sort(out)
				return out
			}
			got := run(query.NewPhrase(terms, "body_en"))
			want := run(bq.NewMultiPhraseQuery(terms, "body_en"))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%v: got %d hits, want %d\n got  %.300v\n want %.300v", terms, len(got), len(want), got, want)
			}
		}
	}
}

func locs(m search.FieldTermLocationMap) string {
	var out []string
	for f, tlm := range m {
		for term, ls := range tlm {
			for _, l := range ls {
				out = append(out, fmt.Sprintf("%s:%s@%d", f, term, l.Pos))
			}
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// Months a range covers whole are searched without the date filter; those at its ends
// with it, and a month is cut in the site's zone, so a document can sit in a month its
// UTC time is not in.
func TestRangesOverWholeMonths(t *testing.T) {
	x := openTemp(t)
	zones := []*time.Location{time.FixedZone("JST", 9*3600), time.FixedZone("EST", -5*3600), time.UTC}
	var docs []Doc
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 900 {
		// Every 6 hours plus a little, half a year, bunched around month ends.
		at := start.Add(time.Duration(i)*4*time.Hour + time.Duration(i%7)*time.Minute)
		docs = append(docs, Doc{
			Key: fmt.Sprintf("usa:%d", i), Site: "usa", Lang: "en", Title: "t", Text: "gas report",
			Published: at.In(zones[i%len(zones)]),
		})
	}
	mustIndex(t, x, docs...)
	for _, rg := range [][2]time.Time{
		{time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 2, 28, 20, 0, 0, 0, time.UTC), {}},
		{{}, time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)},
	} {
		want := 0
		for _, d := range docs {
			if (rg[0].IsZero() || !d.Published.Before(rg[0])) && (rg[1].IsZero() || d.Published.Before(rg[1])) {
				want++
			}
		}
		res, err := x.Search(context.Background(), Request{Query: "gas", From: rg[0], To: rg[1], Facets: true})
		if err != nil {
			t.Fatal(err)
		}
		days, err := x.DayCounts(context.Background(), Request{Query: "gas", From: rg[0], To: rg[1]})
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, dc := range days {
			sum += dc.Count
		}
		if res.Total != uint64(want) || sum != want {
			t.Errorf("%v: total %d, day counts sum %d, want %d", rg, res.Total, sum, want)
		}
	}
}

// A day range means days as the sites date them, as the catalog's daily counts do: an
// article published at 01:57 in Moscow on the 27th is in the 27th, though in UTC it is
// the 26th. Months whole in the range skip the filter, the rest keep it.
func TestDayRangesAreSiteDays(t *testing.T) {
	x := openTemp(t)
	msk := time.FixedZone("MSK", 3*3600)
	var docs []Doc
	for i := range 120 {
		at := time.Date(2025, 1, 20, 1, 57, 0, 0, msk).Add(time.Duration(i) * 11 * time.Hour)
		docs = append(docs, Doc{Key: fmt.Sprintf("japan:%d", i), Site: "japan", Lang: "ja", Title: "t", Text: "東京都の報道官", Published: at})
	}
	mustIndex(t, x, docs...)
	for _, rg := range [][2]string{{"2025-01-27", "2025-02-10"}, {"2025-01-20", "2025-02-28"}, {"2025-02-01", "2025-02-28"}, {"2025-02-01", ""}, {"", "2025-01-31"}, {"2025-01-21", "2025-01-21"}} {
		want := map[string]int{}
		total := 0
		for _, d := range docs {
			day := d.Published.Format("2006-01-02")
			if (rg[0] == "" || day >= rg[0]) && (rg[1] == "" || day <= rg[1]) {
				want[day]++
				total++
			}
		}
		res, err := x.Search(context.Background(), Request{Query: "報道官", FromDay: rg[0], ToDay: rg[1]})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != uint64(total) {
			t.Errorf("%v: total %d, want %d", rg, res.Total, total)
		}
		days, err := x.DayCounts(context.Background(), Request{Query: "報道官", FromDay: rg[0], ToDay: rg[1]})
		if err != nil {
			t.Fatal(err)
		}
		for _, dc := range days {
			if dc.Count != want[dc.Day] || (rg[0] != "" && dc.Day < rg[0]) || (rg[1] != "" && dc.Day > rg[1]) {
				t.Errorf("%v: %s has %d, want %d", rg, dc.Day, dc.Count, want[dc.Day])
			}
		}
		if rg[0] != "" && rg[1] != "" && (len(days) == 0 || days[0].Day != rg[0] || days[len(days)-1].Day != rg[1]) {
			t.Errorf("%v: days %v do not span the range", rg, days)
		}
	}
	if _, err := x.Search(context.Background(), Request{FromDay: "2025-13-01"}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("bad day: %v", err)
	}
}

// Searches running while batches land in the same months, as in the daemon: no error, no
// race, hits never above what is indexed, and exact counts once the writes stop.
func TestSearchWhileIndexing(t *testing.T) {
	x := openTemp(t, WithBatchSize(50))
	docs := synthetic(600, 7)
	mustIndex(t, x, docs[:100]...)
	done := make(chan error, 1)
	go func() {
		for i := 100; i < len(docs); i += 50 {
			if err := x.Index(context.Background(), docs[i:i+50]); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	searching := true
	for searching {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			searching = false
		default:
		}
		res, err := x.Search(context.Background(), Request{Query: "gas OR oil", Facets: true, Size: 5})
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, fc := range res.Facets["site"] {
			sum += fc.Count
		}
		if uint64(sum) != res.Total || res.Total > uint64(len(docs)) {
			t.Fatalf("site facet sums to %d, total %d", sum, res.Total)
		}
		if _, err := x.DayCounts(context.Background(), q("drone")); err != nil {
			t.Fatal(err)
		}
	}
	want := 0
	for _, d := range docs {
		if strings.Contains(d.Text, "gas") || strings.Contains(d.Text, "oil") {
			want++
		}
	}
	res, err := x.Search(context.Background(), Request{Query: "gas OR oil", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != uint64(want) {
		t.Errorf("total %d, want %d", res.Total, want)
	}
}
