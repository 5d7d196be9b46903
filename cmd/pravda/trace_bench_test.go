package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/ingest"
	"github.com/pravda-archive/pravda/origin"
	"github.com/pravda-archive/pravda/seeds"
	"github.com/pravda-archive/pravda/sim"
)

// BenchmarkTraceStage times the trace stage over a crawled week of the simulated network
// (~3,000 articles on six sites): every article traced afresh (origin pages fetched and
// archived again, with the crawl's test politeness) and all stories regrouped. It reports
// the time per 1,000 articles. The crawl that sets it up is not timed.
func BenchmarkTraceStage(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := sim.Start(ctx, sim.Config{Seed: 5, Days: 7, PerDay: 60}, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ca := filepath.Join(b.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.Network.CA(), 0o644); err != nil {
		b.Fatal(err)
	}
	data := b.TempDir()
	if code := Main(ctx, crawlArgs(srv, ca, data, "--workers", "16"), io.Discard, io.Discard); code != 0 {
		b.Fatalf("crawl: exit %d", code)
	}
	cat, err := openCatalog(ctx, data)
	if err != nil {
		b.Fatal(err)
	}
	defer cat.Close()
	ids, err := cat.Changed(ctx, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	reg := seeds.Default()
	var ff fetchFlags
	ff.ca = ca
	ff.resolve.Set("*=" + srv.Addr)
	tlsConf, err := crawler.TLSConfig(ca)
	if err != nil {
		b.Fatal(err)
	}
	w, err := archive.Open(filepath.Join(data, "warc"))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	dialer := ff.dialer()
	cfg := crawler.Config{Registry: reg, Dialer: dialer,
		Politeness: crawler.Politeness{PerHost: 4, PerIP: 16, Delay: time.Millisecond},
		Transport:  w.Transport(archive.TransportOptions{DialContext: dialer.DialContext, TLSConfig: tlsConf})}
	in := &ingest.Ingester{Registry: reg, Catalog: cat}
	b.ResetTimer()
	for b.Loop() {
		fetcher, err := crawler.NewFetcher(cfg)
		if err != nil {
			b.Fatal(err)
		}
		tr := newTracer(crawlOptions{reg: reg, workers: 8, log: slog.New(slog.DiscardHandler)}, cat, fetcher, in)
		if _, err := tr.TraceAll(ctx, ids); err != nil {
			b.Fatal(err)
		}
		if _, err := (&origin.Grouper{Registry: reg, Catalog: cat}).Regroup(ctx, origin.Scope{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(len(ids))*1000, "ms/1000articles")
}
