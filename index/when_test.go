package index

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bq "github.com/blevesearch/bleve/v2/search/query"
)

// TestWhenRangeIsExact checks date filters against the publication times themselves, over
// bounds on and off every calendar unit, in several zones, open or not.
func TestWhenRangeIsExact(t *testing.T) {
	x := openTemp(t)
	r := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2025, 1, 30, 0, 0, 0, 0, time.UTC)
	var docs []Doc
	for i := range 400 {
		p := start.Add(time.Duration(r.Int64N(int64(5 * 24 * time.Hour))))
		if i%4 == 0 { // some on whole hours and minutes, where ranges are cut
			p = p.Truncate(time.Hour)
		} else {
			p = p.Truncate(time.Second)
		}
		zone := []*time.Location{time.UTC, jst, msk, time.FixedZone("NPT", 5*3600+45*60)}[i%4]
		docs = append(docs, Doc{Key: fmt.Sprintf("t:%d", i), Site: "t", Lang: "en", Title: "tick", Text: "tick", Published: p.In(zone)})
	}
	mustIndex(t, x, docs...)
	bounds := func() time.Time {
		b := start.Add(time.Duration(r.Int64N(int64(6*24*time.Hour))) - 12*time.Hour)
		switch r.IntN(5) {
		case 0:
			b = b.Truncate(24 * time.Hour)
		case 1:
			b = b.Truncate(time.Hour)
		case 2:
			b = b.Truncate(time.Minute)
		case 3:
			b = docs[r.IntN(len(docs))].Published // a bound on a document
		}
		return b.In(jst)
	}
	for i := range 60 {
		from, to := bounds(), bounds()
		if to.Before(from) {
			from, to = to, from
		}
		switch i % 6 {
		case 0:
			from = time.Time{}
		case 1:
			to = time.Time{}
		}
		if !from.IsZero() && !to.IsZero() && !from.Before(to) {
			continue
		}
		var want []string
		for _, d := range docs {
			if (from.IsZero() || !d.Published.Before(from)) && (to.IsZero() || d.Published.Before(to)) {
				want = append(want, d.Key)
			}
		}
		slices.Sort(want)
		got := keys(t, x, Request{Query: "tick", From: from, To: to})
		if !slices.Equal(got, want) {
			t.Fatalf("from %v to %v: %d hits, want %d", from, to, len(got), len(want))
		}
	}
}

func TestWhenRangeIsFewTermRanges(t *testing.T) {
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		from, to time.Time
		parts    int
	}{
		{day, day.AddDate(0, 1, 0), 1},
		{day.Add(-9 * time.Hour), day.AddDate(0, 0, 3).Add(-9 * time.Hour), 3}, // JST days: hours at both ends
		{day.Add(90 * time.Second), day.Add(time.Hour), 2},
		{day.Add(1500 * time.Millisecond), day.Add(2 * time.Second), 0}, // rounds up to an empty range
	} {
		q := whenRange(c.from, c.to)
		n := 1
		switch q := q.(type) {
		case *bq.DisjunctionQuery:
			n = len(q.Disjuncts)
		case *bq.MatchNoneQuery:
			n = 0
		}
		if n != c.parts {
			t.Errorf("[%v, %v): %d term ranges, want %d", c.from, c.to, n, c.parts)
		}
	}
}

func TestDateSortFollowsPublication(t *testing.T) {
	x := openTemp(t)
	base := time.Date(2025, 6, 30, 23, 59, 58, 0, time.UTC)
	var docs []Doc
	for i, step := range []time.Duration{0, 1, 2, 3600, 86400 * 2, 86400 * 40} {
		docs = append(docs, Doc{Key: fmt.Sprintf("s:%d", i), Site: "s", Lang: "en", Title: "tock", Text: "tock",
			Published: base.Add(step * time.Second).In(jst)})
	}
	docs = append(docs, Doc{Key: "s:undated", Site: "s", Lang: "en", Title: "tock", Text: "tock"})
	mustIndex(t, x, docs...)
	for _, desc := range []bool{false, true} {
		s := SortDate
		if desc {
			s = SortDateDesc
		}
		res, err := x.Search(context.Background(), Request{Query: "tock", Sort: s, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Key)
		}
		want := []string{"s:undated", "s:0", "s:1", "s:2", "s:3", "s:4", "s:5"}
		if desc {
			slices.Reverse(want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("sort %s: %v, want %v", s, got, want)
		}
	}
}

func TestOpenWarnsOfMonthsWithoutWhen(t *testing.T) {
	dir := t.TempDir()
	old, err := bleve.NewUsing(filepath.Join(dir, "2024-12"), mapping.NewIndexMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	var log bytes.Buffer
	x, err := Open(dir, WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !strings.Contains(log.String(), "predates the when field") || !strings.Contains(log.String(), "2024-12") {
		t.Fatalf("log: %s", log.String())
	}
	x.Close()
	log.Reset()
	// A month made now carries it.
	x, err = Open(t.TempDir(), WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	if err != nil {
		t.Fatal(err)
	}
	mustIndex(t, x, Doc{Key: "a:1", Site: "a", Lang: "en", Title: "x", Text: "x", Published: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)})
	dir2 := x.dir
	x.Close()
	if x, err = Open(dir2, WithLogger(slog.New(slog.NewTextHandler(&log, nil)))); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if strings.Contains(log.String(), "predates") {
		t.Fatalf("warned of a current month: %s", log.String())
	}
}
