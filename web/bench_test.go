package web

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
)

// BenchmarkRoutes measures the pages and endpoints over a synthetic archive
// of PRAVDA_WEB_BENCH_N articles (default 20,000) spread over 120 days, 60
// sites and 200 origins; PRAVDA_WEB_BENCH_INDEXED caps how many of them are
// also indexed (default all; indexing is the slow part of the set-up).
//
// PRAVDA_WEB_BENCH_DIR keeps the archive there, built once, for later runs.
// Each route reports its first, uncached request as cold-ms.
//
//	PRAVDA_WEB_BENCH_N=1000000 PRAVDA_WEB_BENCH_INDEXED=100000 go test ./web -run '^$' -bench Routes -benchtime 20x
func BenchmarkRoutes(b *testing.B) {
	n := envInt("PRAVDA_WEB_BENCH_N", 20000)
	indexed := min(n, envInt("PRAVDA_WEB_BENCH_INDEXED", n))
	ctx := context.Background()
	dir := os.Getenv("PRAVDA_WEB_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	_, statErr := os.Stat(filepath.Join(dir, "catalog.db"))
	built := statErr == nil
	cat, err := catalog.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer cat.Close()
	x, err := index.Open(filepath.Join(dir, "index"), index.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()

	start := time.Now()
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"外務省", "報道官", "制裁", "会見", "政府", "批判", "ロシア", "日本", "大使館", "声明"}
	day0 := time.Date(2025, 1, 1, 0, 0, 0, 0, jst)
	var caps []catalog.Capture
	first := "" // the site of article 1
	var docs []index.Doc
	flush := func() {
		if len(caps) > 0 {
			if _, err := cat.PutArticles(ctx, caps); err != nil {
				b.Fatal(err)
			}
			caps = caps[:0]
		}
		if len(docs) > 0 {
			if err := x.Index(ctx, docs); err != nil {
				b.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	for i := range n {
		if built {
			break
		}
		site := fmt.Sprintf("site%02d", r.IntN(60))
		if i == 0 {
			first = site
		}
		pub := day0.Add(time.Duration(r.IntN(120*24*60)) * time.Minute)
		o := catalog.Origin{Kind: "telegram_post", Channel: fmt.Sprintf("chan%03d", r.IntN(150))}
		if r.IntN(4) == 0 {
			o = catalog.Origin{Kind: "state_media", Outlet: fmt.Sprintf("outlet%02d", r.IntN(50))}
		}
		title := words[r.IntN(len(words))] + words[r.IntN(len(words))]
		text := ""
		for range 40 {
			text += words[r.IntN(len(words))]
		}
		a := catalog.Article{Site: site, ID: int64(i + 1), URL: fmt.Sprintf("https://%s.example/a/%d.html", site, i+1),
			Lang: "ja", Title: title, Published: pub, Origin: o}
		caps = append(caps, catalog.Capture{Article: a, Version: catalog.Version{CapturedAt: pub, BodyHash: strconv.Itoa(i), Text: text}})
		if i < indexed {
			docs = append(docs, index.Doc{Key: site + ":" + strconv.Itoa(i+1), Site: site, Lang: "ja", Title: title, Text: text,
				Published: pub, OriginKind: o.Kind, Outlet: o.Outlet, Channel: o.Channel})
		}
		if len(caps) == 10000 {
			flush()
		}
	}
	flush()
	if built {
		first = "site46" // article 1's site with the fixed seed
	}
	b.Logf("built %d articles (%d indexed) in %v", n, indexed, time.Since(start).Round(time.Second))

	srv, err := New(Options{Catalog: cat, Index: x, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	for _, path := range []string{
		"/",
		"/?q=%E5%A4%96%E5%8B%99%E7%9C%81", // 外務省
		"/?q=%E5%A4%96%E5%8B%99%E7%9C%81&site=site01",
		"/api/v1/search?q=%E5%88%B6%E8%A3%81&size=100", // 制裁
		"/api/v1/counts",
		"/api/v1/counts?by=site",
		"/api/v1/counts?by=channel",
		"/api/v1/counts?q=%E5%88%B6%E8%A3%81",
		"/api/v1/counts?q=%E5%88%B6%E8%A3%81&by=site",
		"/articles/" + first + "/1",
		"/origins/channel/chan007",
		"/api/v1/origins/outlet/outlet07",
		"/sites/site01",
	} {
		b.Run(path, func(b *testing.B) {
			start := time.Now()
			if resp, err := http.Get(ts.URL + path); err == nil {
				resp.Body.Close()
			}
			cold := time.Since(start)
			for b.Loop() {
				resp, err := http.Get(ts.URL + path)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%s: %d", path, resp.StatusCode)
				}
			}
			b.ReportMetric(float64(cold.Microseconds())/1000, "cold-ms")
		})
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
