package catalog

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system time. The benchmarks report CPU
// time per article besides wall time: on a shared machine the wall time
// says more about the neighbours than about the catalog.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func report(b *testing.B, n int, start time.Time, cpu0 time.Duration) {
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "articles/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(n), "cpu-µs/article")
}

// benchBody is about the size of a Pravda Nihon article's text (~3 KB).
var benchBody = strings.Repeat("ロシア外務省のザハロワ報道官は記者会見で、日本政府の対応を批判した。", 30)

// BenchmarkPutArticle measures new articles, one transaction each: the
// crawler's path.
func BenchmarkPutArticle(b *testing.B) {
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ReportAllocs()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; b.Loop(); i++ {
		a := sample(int64(i + 1))
		a.PublishedDay = t0.AddDate(0, 0, i/100).Format(dayLayout)
		if _, err := c.PutArticle(ctx, a, capture(benchBody+fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second))); err != nil {
			b.Fatal(err)
		}
	}
	report(b, b.N, start, cpu0)
}

// BenchmarkPutArticleParallel measures new articles from 8 concurrent
// callers, like crawler workers: their puts share group commits.
func BenchmarkPutArticleParallel(b *testing.B) {
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var next atomic.Int64
	b.SetParallelism(4) // 4 × GOMAXPROCS goroutines
	b.ReportAllocs()
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			a := sample(i)
			if _, err := c.PutArticle(ctx, a, capture(benchBody+fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	report(b, b.N, start, cpu0)
}

// BenchmarkPutArticleUnchanged measures rechecks that find the same body.
func BenchmarkPutArticleUnchanged(b *testing.B) {
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	const n = 1000
	var caps []Capture
	for i := range n {
		caps = append(caps, Capture{sample(int64(i + 1)), capture(benchBody+fmt.Sprint(i), t0)})
	}
	if _, err := c.PutArticles(ctx, caps); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; b.Loop(); i++ {
		cp := caps[i%n]
		cp.Version.CapturedAt = t0.Add(time.Duration(i+1) * time.Second)
		r, err := c.PutArticle(ctx, cp.Article, cp.Version)
		if err != nil || r.Outcome != Unchanged {
			b.Fatal(r, err)
		}
	}
	report(b, b.N, start, cpu0)
}

// BenchmarkPutArticles measures bulk loads, 500 captures per transaction.
func BenchmarkPutArticles(b *testing.B) {
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	const batch = 500
	b.ReportAllocs()
	start, cpu0 := time.Now(), cpuTime()
	id := 0
	for b.Loop() {
		caps := make([]Capture, batch)
		for j := range caps {
			id++
			caps[j] = Capture{sample(int64(id)), capture(benchBody+fmt.Sprint(id), t0.Add(time.Duration(id)*time.Second))}
		}
		if _, err := c.PutArticles(ctx, caps); err != nil {
			b.Fatal(err)
		}
	}
	report(b, b.N*batch, start, cpu0)
}

func BenchmarkLogFetch(b *testing.B) {
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	f := FetchLog{Run: 0, URL: "https://japan.news-pravda.com/world/2025/03/01/123.html", Host: "japan.news-pravda.com",
		Status: 200, Bytes: 40000, StartedAt: t0, Duration: 120 * time.Millisecond}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.LogFetch(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkArticle(b *testing.B) {
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var caps []Capture
	for i := range 1000 {
		caps = append(caps, Capture{sample(int64(i + 1)), capture(benchBody, t0)})
	}
	if _, err := c.PutArticles(ctx, caps); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := c.Article(ctx, "japan", int64(i%1000+1)); err != nil {
			b.Fatal(err)
		}
	}
}
