package sim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkArticlePage serves cached article pages through the handler (no network), the
// cost the simulator adds to every crawler benchmark.
func BenchmarkArticlePage(b *testing.B) {
	n := newNet(b, Config{Seed: 1})
	var reqs []*http.Request
	for _, tr := range n.Truth() {
		r := httptest.NewRequest("GET", tr.URL, nil)
		r.Header.Set("Accept-Encoding", "gzip")
		reqs = append(reqs, r)
	}
	h := n.Handler()
	for _, r := range reqs { // warm the page cache
		h.ServeHTTP(&discard{h: http.Header{}}, r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; b.Loop(); i++ {
		h.ServeHTTP(&discard{h: http.Header{}}, reqs[i%len(reqs)])
	}
	reportRates(b, cpuTime()-cpu)
}

// reportRates reports pages per wall-clock second and per CPU second of the process.
func reportRates(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "pages/cpu-s")
	}
}

// BenchmarkArticlePageHTTP is the same over a loopback TCP connection with keep-alive.
func BenchmarkArticlePageHTTP(b *testing.B) {
	n := newNet(b, Config{Seed: 1})
	srv := httptest.NewServer(n.Handler())
	defer srv.Close()
	truth := n.Truth()
	c := srv.Client()
	for _, tr := range truth { // warm the page cache
		n.page(n.w.seqByKey[tr.Key[:strings.LastIndex(tr.Key, ":")]].byID[tr.ID], false, false)
	}
	cpu := cpuTime()
	for i := 0; b.Loop(); i++ {
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		req.Host = hostOfURL(truth[i%len(truth)].URL)
		req.URL.Path = truth[i%len(truth)].URL[len("https://"+req.Host):]
		res, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("%s: %d", req.URL, res.StatusCode)
		}
	}
	reportRates(b, cpuTime()-cpu) // client and server share the process
}

// BenchmarkRenderArticle is the cost of a page's first request: rendering and gzipping.
func BenchmarkRenderArticle(b *testing.B) {
	n := newNet(b, Config{Seed: 1})
	arts := n.w.articles
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; b.Loop(); i++ {
		a := arts[i%len(arts)]
		a.pages[0][0].Store(nil)
		n.page(a, false, false)
	}
	reportRates(b, cpuTime()-cpu)
}

// BenchmarkGenerate is the cost of New for the default world.
func BenchmarkGenerate(b *testing.B) {
	articles := 0
	cpu := cpuTime()
	for b.Loop() {
		articles = len(newNet(b, Config{Seed: 1, Days: 10, PerDay: 100}).w.articles)
	}
	if c := cpuTime() - cpu; c > 0 {
		b.ReportMetric(float64(articles*b.N)/c.Seconds(), "articles/cpu-s")
	}
}
