package index

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
)

func count(t testing.TB, x *Index) uint64 {
	t.Helper()
	n, err := x.Count()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReindexIsIdempotent(t *testing.T) {
	x := corpusIndex(t)
	n := count(t, x)
	if n != uint64(len(corpus())) {
		t.Fatalf("count %d, want %d", n, len(corpus()))
	}
	mustIndex(t, x, corpus()...)
	if got := count(t, x); got != n {
		t.Fatalf("count after re-indexing %d, want %d", got, n)
	}
	// A changed body replaces the old one.
	d := corpus()[5]
	d.Text = "В Сухуме прошли переговоры о санкциях."
	mustIndex(t, x, d)
	expect(t, x, q("солнечно"))
	expect(t, x, q("переговоры"), "abkhazia:3")
	// Within one call the last copy of a key wins.
	a, b := d, d
	a.Text, b.Text = "первый", "второй"
	mustIndex(t, x, a, b)
	expect(t, x, q("первый"))
	expect(t, x, q("второй"), "abkhazia:3")
	if got := count(t, x); got != n {
		t.Fatalf("count %d, want %d", got, n)
	}
}

func TestMonthMove(t *testing.T) {
	x := openTemp(t)
	d := Doc{Key: "usa:7", Site: "usa", Lang: "en", Title: "Moved", Text: "A dated story about tariffs.",
		Published: time.Date(2025, 1, 31, 23, 0, 0, 0, time.UTC)}
	mustIndex(t, x, d)
	if m := x.Months(); !slices.Equal(m, []string{"2025-01"}) {
		t.Fatalf("months %v", m)
	}
	// The site corrected the date: the article now belongs to February.
	d.Published = time.Date(2025, 2, 1, 1, 0, 0, 0, time.UTC)
	mustIndex(t, x, d)
	if m := x.Months(); !slices.Equal(m, []string{"2025-01", "2025-02"}) {
		t.Fatalf("months %v", m)
	}
	if got := count(t, x); got != 1 {
		t.Fatalf("count %d after a month move, want 1", got)
	}
	jan, _ := x.month("2025-01", false)
	if n, _ := jan.DocCount(); n != 0 {
		t.Fatalf("old month still holds %d documents", n)
	}
	res, err := x.Search(context.Background(), q("tariffs"))
	if err != nil || res.Total != 1 || !res.Hits[0].Published.Equal(d.Published) {
		t.Fatalf("search after move: %+v %v", res, err)
	}
	// And to no date at all.
	d.Published = time.Time{}
	mustIndex(t, x, d)
	if got := count(t, x); got != 1 {
		t.Fatalf("count %d after undating, want 1", got)
	}
	res, err = x.Search(context.Background(), q("tariffs"))
	if err != nil || res.Total != 1 || !res.Hits[0].Published.IsZero() {
		t.Fatalf("undated hit: %+v %v", res, err)
	}
	expect(t, x, Request{Query: "tariffs", From: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)})
}

func TestDelete(t *testing.T) {
	x := corpusIndex(t)
	if err := x.Delete(context.Background(), []string{"japan:1", "usa:1", "nope:0"}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, x); got != uint64(len(corpus())-2) {
		t.Fatalf("count %d", got)
	}
	expect(t, x, q("東京都"))
	expect(t, x, q("site:usa"))
}

func TestInvalidDocsAreSkipped(t *testing.T) {
	x := openTemp(t)
	err := x.Index(context.Background(), []Doc{
		{Key: "", Lang: "en", Text: "no key"},
		{Key: "ok:1", Lang: "en", Text: "valid \xff\xfe bytes " + strings.Repeat("word ", MaxText/4)},
		{Key: "ok:2", Lang: "xx-YY", Title: strings.Repeat("é", MaxTitle), Published: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)},
	})
	if !errors.Is(err, ErrInvalidDoc) {
		t.Fatalf("error %v, want ErrInvalidDoc", err)
	}
	if got := count(t, x); got != 2 {
		t.Fatalf("count %d, want the 2 valid documents", got)
	}
	expect(t, x, q("valid"), "ok:1")
	if m := x.Months(); !slices.Equal(m, []string{Undated}) {
		t.Fatalf("months %v: the year 3000 is not a date", m)
	}
}

func TestReopenKeepsDocuments(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustIndex(t, x, corpus()...)
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Search(context.Background(), q("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("search after close: %v", err)
	}
	// A month whose creation was cut short is cleared on open.
	if err := os.Mkdir(filepath.Join(dir, "2024-12"), 0o755); err != nil {
		t.Fatal(err)
	}
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := count(t, x); got != uint64(len(corpus())) {
		t.Fatalf("count after reopen %d", got)
	}
	if m := x.Months(); !slices.Equal(m, []string{"2025-03"}) {
		t.Fatalf("months %v", m)
	}
	expect(t, x, q("京都"), "japan:2")
}

// synthetic makes n short English documents spread over days in 2025, with a small
// vocabulary so that many share terms and scores.
func synthetic(n int, seed uint64) []Doc {
	r := rand.New(rand.NewPCG(seed, 1))
	words := []string{"gas", "oil", "grain", "nato", "border", "drone", "bank", "port", "treaty", "summit"}
	sites := []string{"usa", "uk", "hub", "canada"}
	docs := make([]Doc, n)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range docs {
		var b strings.Builder
		for range 3 + r.IntN(4) {
			b.WriteString(words[r.IntN(len(words))] + " ")
		}
		docs[i] = Doc{
			Key:       fmt.Sprintf("%s:%d", sites[i%len(sites)], i),
			Site:      sites[i%len(sites)],
			Lang:      "en",
			Title:     "report",
			Text:      b.String(),
			Published: start.Add(time.Duration(r.IntN(120*24)) * time.Hour),
		}
	}
	return docs
}

func TestSearchAfterVisitsEveryHitOnce(t *testing.T) {
	x := openTemp(t, WithBatchSize(97))
	docs := synthetic(600, 1)
	mustIndex(t, x, docs...)
	want := 0
	for _, d := range docs {
		if strings.Contains(d.Text, "gas") || strings.Contains(d.Text, "oil") {
			want++
		}
	}
	for _, r := range []Request{
		{Query: "gas OR oil", Size: 17},
		{Query: "gas OR oil", Size: 17, Sort: SortDate},
		{Query: "gas OR oil", Size: 17, Sort: SortDateDesc},
		{Size: 50}, // no query: newest first
	} {
		seen := map[string]bool{}
		total := uint64(0)
		pages := 0
		for {
			res, err := x.Search(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			total = res.Total
			for _, h := range res.Hits {
				if seen[h.Key] {
					t.Fatalf("%+v: %s on two pages", r, h.Key)
				}
				seen[h.Key] = true
			}
			pages++
			if res.Next == nil {
				break
			}
			r.After = res.Next
		}
		n := want
		if r.Query == "" {
			n = len(docs)
		}
		if len(seen) != n || total != uint64(n) {
			t.Errorf("%+v: %d distinct hits, total %d, want %d", r, len(seen), total, n)
		}
		if pages < 2 {
			t.Errorf("%+v: one page", r)
		}
	}
}

func TestDayCountsEqualDirectCounts(t *testing.T) {
	x := openTemp(t)
	docs := synthetic(800, 2)
	mustIndex(t, x, docs...)
	from := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)
	want := map[string]int{}
	for _, d := range docs {
		if strings.Contains(d.Text, "drone") && d.Site != "uk" && !d.Published.Before(from) && d.Published.Before(to) {
			want[d.Published.Format("2006-01-02")]++
		}
	}
	got, err := x.DayCounts(context.Background(), Request{Query: "drone -site:uk", From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 42 { // every day of the range, zeros included
		t.Errorf("%d days, want 42", len(got))
	}
	for i, dc := range got {
		if dc.Count != want[dc.Day] {
			t.Errorf("%s: %d, want %d", dc.Day, dc.Count, want[dc.Day])
		}
		if i > 0 && got[i-1].Day >= dc.Day {
			t.Errorf("days out of order at %s", dc.Day)
		}
	}
	// Open range: only days with documents.
	all, err := x.DayCounts(context.Background(), q("drone"))
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, dc := range all {
		sum += dc.Count
		if dc.Count == 0 {
			t.Errorf("zero day %s in an open range", dc.Day)
		}
	}
	direct := 0
	for _, d := range docs {
		if strings.Contains(d.Text, "drone") {
			direct++
		}
	}
	if sum != direct {
		t.Errorf("day counts sum to %d, want %d", sum, direct)
	}
}

func TestForceMerge(t *testing.T) {
	x := openTemp(t, WithBatchSize(50))
	mustIndex(t, x, synthetic(400, 3)...)
	month := "2025-02"
	before := count(t, x)
	if err := x.ForceMerge(context.Background(), month); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for rootSegments(t, x, month) > 1 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := rootSegments(t, x, month); n != 1 {
		t.Errorf("%d segments after force merge", n)
	}
	if got := count(t, x); got != before {
		t.Errorf("count %d after merge, want %d", got, before)
	}
	if err := x.ForceMerge(context.Background(), "../etc"); err == nil {
		t.Error("bad month name accepted")
	}
	if err := x.ForceMerge(context.Background(), "1999-01"); err == nil {
		t.Error("missing month accepted")
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	x := openTemp(t)
	start := time.Now()
	_, err := Open(x.dir, WithLockTimeout(500*time.Millisecond))
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("second open took %v", d)
	}
	if !strings.Contains(err.Error(), "pravda serve") {
		t.Errorf("message %q does not say what to do", err)
	}
}

const childEnv = "PRAVDA_INDEX_LOCK_CHILD"

// TestLockedAcrossProcesses opens the index here and again from a child process, which
// must get ErrLocked within a few seconds instead of blocking.
func TestLockedAcrossProcesses(t *testing.T) {
	if dir := os.Getenv(childEnv); dir != "" {
		_, err := Open(dir, WithLockTimeout(time.Second))
		if errors.Is(err, ErrLocked) {
			fmt.Println("CHILD: locked")
		} else {
			fmt.Println("CHILD: opened", err)
		}
		return
	}
	x := corpusIndex(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockedAcrossProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+x.dir)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "CHILD: locked") {
		t.Fatalf("child was not locked out:\n%s", out)
	}
	if took > 3*time.Second {
		t.Fatalf("child took %v to fail", took)
	}
	// Once released, the other process gets in.
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(os.Args[0], "-test.run=^TestLockedAcrossProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+x.dir)
	out, _ = cmd.CombinedOutput()
	if !strings.Contains(string(out), "CHILD: opened <nil>") {
		t.Fatalf("child could not open a released index:\n%s", out)
	}
}

// TestBoltLockTimesOut covers the second line of defence: a month held open by bleve
// outside our directory lock (another tool, or a platform without flock) makes Open fail
// with ErrLocked after the timeout instead of blocking in bolt forever.
func TestBoltLockTimesOut(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustIndex(t, x, corpus()...)
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	held, err := bleve.Open(filepath.Join(dir, "2025-03"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Open(dir, WithLockTimeout(300*time.Millisecond))
	if !errors.Is(err, ErrLocked) {
		held.Close()
		t.Fatalf("open: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		held.Close()
		t.Fatalf("took %v", d)
	}
	// The failed open released the directory lock it took.
	held.Close()
	y, err := Open(dir)
	if err != nil {
		t.Fatalf("open after release: %v", err)
	}
	y.Close()
}

func TestIndexStopsOnCancel(t *testing.T) {
	x := openTemp(t, WithBatchSize(10))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := x.Index(ctx, synthetic(100, 4)); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if err := x.Delete(ctx, []string{"usa:0"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("delete error %v, want context.Canceled", err)
	}
}
