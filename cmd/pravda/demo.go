package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/config"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/sim"
)

func init() {
	register("demo", "run the whole system offline: simulated network → crawl → WARC + catalog → verify → live daemon", runDemo)
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "[--data DIR] [--sites LIST] [--days N] [--per-day N] [--faults LIST] [--no-serve] [--duration D] [--listen ADDR]", stderr)
	data := fs.String("data", "demo-data", "data `DIR` for the demo (created; a previous demo's is started afresh)")
	var sites, faults listFlag
	fs.Var(&sites, "sites", "sites to simulate and crawl (default: japan, hub, francais, deutsch, canada, abkhazia)")
	fs.Var(&faults, "faults", "simulator faults to inject (e.g. 429,5xx,reset)")
	days := fs.Int("days", 2, "days of simulated history")
	perDay := fs.Int("per-day", 15, "simulated articles per site per day")
	seed := fs.Int64("seed", 1, "simulation seed")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	noServe := fs.Bool("no-serve", false, "stop after the batch steps instead of going live with the daemon")
	duration := fs.Duration("duration", 0, "how long the live part runs (default: until Ctrl-C)")
	listen := fs.String("listen", "127.0.0.1:8080", "`ADDR` for the daemon's web UI and API (a free port if that one is taken)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	log := logger(stderr, *logLevel, false)
	if err := freshDemoDir(*data); err != nil {
		return err
	}
	if err := mkdata(*data); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "== 1. simulated Pravda network (seed %d, %d days × %d articles/site/day)\n", *seed, *days, *perDay)
	// LiveEvery matters only for the live part: a new story every few seconds.
	srv, err := sim.Start(ctx, sim.Config{Seed: *seed, Days: *days, PerDay: *perDay, Sites: sites, Faults: faults, Logger: log,
		LiveEvery: 3 * time.Second}, "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start simulator: %w", err)
	}
	defer srv.Close()
	caFile := filepath.Join(*data, "sim-ca.pem")
	if err := os.WriteFile(caFile, srv.Network.CA(), 0o644); err != nil {
		return err
	}
	truth := srv.Network.Truth()
	fmt.Fprintf(stdout, "   %d articles served on %s under their real host names (https, CA in %s)\n\n", len(truth), srv.Addr, caFile)

	reg, err := (&seedFlags{}).registry()
	if err != nil {
		return err
	}
	var names []string
	seen := map[string]bool{}
	for _, t := range truth {
		if !seen[t.Site] {
			seen[t.Site] = true
			names = append(names, t.Site)
		}
	}
	chosen, err := reg.Select(names)
	if err != nil {
		return err
	}
	ff := fetchFlags{ca: caFile}
	ff.resolve = append(ff.resolve, crawler.Resolve{Pattern: "*", Addr: srv.Addr})
	o := crawlOptions{data: *data, reg: reg, sites: chosen, since: time.Unix(0, 0), workers: 8, fetch: ff, log: log,
		// Polite shape, quick pace: the simulator is local.
		politeness: crawler.Politeness{PerHost: 2, PerIP: 8, Delay: 5 * time.Millisecond, BackoffBase: 100 * time.Millisecond}}
	if isTerminal(stderr) {
		o.progress = &crawler.Bar{W: stderr, Label: "crawl"}
	}
	fmt.Fprintf(stdout, "== 2. crawl pass over %d sites (API discovery, WARC capture, extraction, catalog)\n", len(chosen))
	sum, err := crawlPass(ctx, o)
	if err != nil {
		return err
	}
	printSummary(indent(stdout), sum)

	fmt.Fprintf(stdout, "\n== 3. the network publishes 5 more stories; an incremental pass fetches only those\n")
	srv.Network.Publish(5)
	sum, err = crawlPass(ctx, o)
	if err != nil {
		return err
	}
	printSummary(indent(stdout), sum)

	fmt.Fprintf(stdout, "\n== 4. verify the archive with an independent WARC reader\n")
	problems, err := verify(ctx, *data, indent(stdout))
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, "   PROBLEM", p)
		}
		return exitCode(1)
	}
	fmt.Fprintln(stdout, "   OK")

	fmt.Fprintf(stdout, "\n== 5. latest Pravda Nihon articles in the catalog (%s)\n", filepath.Join(*data, "catalog.db"))
	if err := printLatest(ctx, stdout, *data, *days); err != nil {
		return err
	}
	if *noServe {
		fmt.Fprintf(stdout, "\nNext: `pravda sim` to keep a simulator running, `pravda crawl --resolve '*=ADDR' --ca FILE`, `pravda verify --data %s`.\n", *data)
		return nil
	}
	return demoLive(ctx, stdout, stderr, srv, o, *listen, *duration, *logLevel)
}

// demoMarker marks a data directory as the demo's own, which a later demo may wipe.
const demoMarker = ".pravda-demo"

// freshDemoDir empties a previous demo's directory: the simulator numbers its stories the
// same way every run, so a reused catalog would take the new run's stories for ones it
// has (and the live part would show no new articles). Any other directory is left alone.
func freshDemoDir(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, demoMarker)); err == nil {
		if _, err := os.Stat(filepath.Join(dir, addrFile)); err == nil {
			return fmt.Errorf("%s: a daemon seems to be running on it (%s exists); stop it first", dir, addrFile)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clear the previous demo: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return os.WriteFile(filepath.Join(dir, demoMarker), []byte("made by `pravda demo`; the next demo clears this directory\n"), 0o644)
	}
	return nil
}

// printLatest lists the newest Pravda Nihon articles of the catalog.
func printLatest(ctx context.Context, stdout io.Writer, data string, days int) error {
	cat, err := catalog.Open(ctx, filepath.Join(data, "catalog.db"))
	if err != nil {
		return err
	}
	defer cat.Close()
	refs, err := cat.Recent(ctx, time.Now().Add(-time.Duration(days+2)*24*time.Hour), []string{"japan"})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "   KEY\tPUBLISHED\tORIGIN\tTITLE")
	for i := len(refs) - 1; i >= 0 && i >= len(refs)-8; i-- {
		a, err := cat.Article(ctx, refs[i].Site, refs[i].ID)
		if err != nil || a == nil {
			continue
		}
		src := a.Origin.Kind
		if id := a.Origin.ID(); id != "" {
			src += " " + id
		}
		fmt.Fprintf(tw, "   %s:%d\t%s\t%s\t%s\n", a.Site, a.ID, a.Published.Format("2006-01-02 15:04"), src, clipRunes(a.Title, 40))
	}
	return tw.Flush()
}

// demoLive turns the simulator live and runs the daemon against it: a crawl pass every
// 10 s, a line per pass, a report after the first one, until ctx ends or d has passed.
func demoLive(ctx context.Context, stdout, stderr io.Writer, srv *sim.Server, o crawlOptions, listen string, d time.Duration, logLevel string) error {
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	cfg := config.Default()
	cfg.Data, cfg.Listen = o.data, listen
	cfg.Fetch.Resolve = []string{"*=" + srv.Addr}
	cfg.Fetch.CA = o.fetch.ca
	// The batch steps' polite shape and quick pace: the simulator is local.
	cfg.Politeness.PerHost, cfg.Politeness.PerIP = 2, 8
	cfg.Politeness.Delay, cfg.Politeness.Backoff = config.Duration(5*time.Millisecond), config.Duration(100*time.Millisecond)
	cfg.Schedules.Crawl = []config.CrawlGroup{{Name: "demo", Sites: siteNames(o.sites), Every: config.Duration(10 * time.Second)}}
	cfg.Schedules.Recheck.Days = 0
	cfg.Log.Level = logLevel
	if err := cfg.Validate(); err != nil {
		return err
	}
	dmn, err := openDaemon(ctx, cfg, logger(stderr, logLevel, false))
	if err != nil && strings.Contains(err.Error(), "listen:") {
		cfg.Listen = "127.0.0.1:0" // the port is taken: any will do
		dmn, err = openDaemon(ctx, cfg, logger(stderr, logLevel, false))
	}
	if err != nil {
		return err
	}
	base := "http://" + dmn.Addr()
	fmt.Fprintf(stdout, "\n== 6. live: the network publishes a story every 3 s; the daemon crawls it every 10 s\n")
	fmt.Fprintf(stdout, "   open %s/   (search, articles, origin chains, captures, reports)\n", base)
	fmt.Fprintf(stdout, "   API: curl -s '%s/api/v1/search?q=%s&site=japan'   (q=東京)\n", base, url.QueryEscape("東京"))
	fmt.Fprintf(stdout, "        curl -s '%s/api/v1/counts?by=site'\n", base)
	fmt.Fprintf(stdout, "        curl -s %s/healthz;  curl -s %s/metrics | grep ^pravda_\n", base, base)
	if d > 0 {
		fmt.Fprintf(stdout, "   running for %s (Ctrl-C stops it sooner)\n\n", d)
	} else {
		fmt.Fprintf(stdout, "   Ctrl-C stops it.\n\n")
	}
	var mu sync.Mutex
	reported := false
	dmn.onPass = func(p passReport) {
		mu.Lock()
		defer mu.Unlock()
		line := fmt.Sprintf("   %s  pass: %3d new articles, %d in the archive", time.Now().Format("15:04:05"), p.Summary.New, p.Articles)
		if p.Err != nil {
			line += "  (" + p.Err.Error() + ")"
		}
		fmt.Fprintln(stdout, line)
		if !reported && p.Err == nil {
			reported = true
			// Today's report, so far: the scheduled one is for yesterday, at 01:00.
			if paths, err := dmn.report(ctx, time.Now().UTC()); err == nil && len(paths) > 0 {
				fmt.Fprintf(stdout, "   %s  report: %s (and at %s/reports/)\n", time.Now().Format("15:04:05"), strings.TrimSuffix(paths[0], filepath.Ext(paths[0]))+".{csv,json,md,html,svg}", base)
			}
		}
	}
	live, stopLive := context.WithCancel(ctx)
	defer stopLive()
	go srv.Network.RunLive(live)
	if err := dmn.serve(ctx, nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nStopped. The archive stays in %s: `pravda verify --data %s`, `pravda serve --data %s`.\n", o.data, o.data, o.data)
	return nil
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// indent prefixes every line written with three spaces.
func indent(w io.Writer) io.Writer { return &prefixWriter{w: w, prefix: []byte("   "), bol: true} }

type prefixWriter struct {
	w      io.Writer
	prefix []byte
	bol    bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	for i, c := range b {
		if p.bol {
			if _, err := p.w.Write(p.prefix); err != nil {
				return i, err
			}
			p.bol = false
		}
		if _, err := p.w.Write([]byte{c}); err != nil {
			return i, err
		}
		if c == '\n' {
			p.bol = true
		}
	}
	return len(b), nil
}

var _ = catalog.Open
