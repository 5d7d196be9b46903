package index

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestBenchGeneratorIsDeterministic(t *testing.T) {
	a, b := newBenchGen(7, 50).docs(50), newBenchGen(7, 50).docs(50)
	langs := map[string]int{}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Text != b[i].Text || !a[i].Published.Equal(b[i].Published) {
			t.Fatalf("doc %d differs between runs", i)
		}
		langs[a[i].Lang]++
		if a[i].Published.Year() != 2025 || a[i].Text == "" || a[i].Title == "" {
			t.Fatalf("doc %d: %+v", i, a[i])
		}
		if i > 0 && a[i].Published.Sub(a[i-1].Published) < -24*time.Hour {
			t.Fatalf("doc %d published long before its predecessor", i)
		}
	}
	if len(langs) != 5 {
		t.Fatalf("languages %v", langs)
	}
}

func TestBenchRunsAndAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 1,500 articles three times")
	}
	var out bytes.Buffer
	res, err := Bench(context.Background(), BenchConfig{Docs: 1500, Dir: t.TempDir(), Out: &out, Queries: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if len(res.Engines) != 3 || !strings.Contains(out.String(), "sqlite fts5 (peer)") {
		t.Fatalf("result %+v", res)
	}
	for _, e := range res.Engines {
		if e.DocsPerSec <= 0 || e.DiskBytes <= 0 || e.QueryP95 <= 0 || e.SeriesP50 <= 0 || e.MeanHits <= 0 {
			t.Errorf("%s: %+v", e.Engine, e)
		}
	}
	// Stemming and per-language analysis find at least what plain FTS5 finds.
	if res.Engines[0].MeanHits < res.Engines[2].MeanHits {
		t.Errorf("bleve finds %.1f hits a query, FTS5 %.1f", res.Engines[0].MeanHits, res.Engines[2].MeanHits)
	}
	if res.Engines[0].MeanHits != res.Engines[1].MeanHits {
		t.Errorf("lean and stored mappings disagree: %.1f vs %.1f", res.Engines[1].MeanHits, res.Engines[0].MeanHits)
	}
}

// benchIndex is an index of n generated articles shared by the Go benchmarks.
func benchIndex(b *testing.B, n int) *Index {
	b.Helper()
	x := openTemp(b)
	gen := newBenchGen(1, n)
	for left := n; left > 0; left -= 5000 {
		mustIndex(b, x, gen.docs(min(left, 5000))...)
	}
	return x
}

func BenchmarkIndex(b *testing.B) {
	x := openTemp(b)
	gen := newBenchGen(1, b.N)
	docs := gen.docs(b.N)
	b.ResetTimer()
	start := time.Now()
	mustIndex(b, x, docs...)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "docs/s")
}

func BenchmarkSearch(b *testing.B) {
	x := benchIndex(b, 10000)
	qgen := newBenchGen(2, 1)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := x.Search(ctx, Request{Query: qgen.query(2).String(), Size: 10, Facets: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDayCounts(b *testing.B) {
	x := benchIndex(b, 10000)
	qgen := newBenchGen(2, 1)
	ctx := context.Background()
	from, to := benchYear, benchYear.AddDate(1, 0, 0)
	b.ResetTimer()
	for b.Loop() {
		if _, err := x.DayCounts(ctx, Request{Query: qgen.query(1).String(), From: from, To: to}); err != nil {
			b.Fatal(err)
		}
	}
}
