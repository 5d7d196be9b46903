package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/sim"
)

func init() {
	register("demo", "run the whole system offline: simulated network → crawl → WARC + catalog → verify", runDemo)
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "[--data DIR] [--sites LIST] [--days N] [--per-day N] [--faults LIST]", stderr)
	data := fs.String("data", "demo-data", "data `DIR` for the demo (created; reused if it exists)")
	var sites, faults listFlag
	fs.Var(&sites, "sites", "sites to simulate and crawl (default: japan, hub, francais, deutsch, canada, abkhazia)")
	fs.Var(&faults, "faults", "simulator faults to inject (e.g. 429,5xx,reset)")
	days := fs.Int("days", 2, "days of simulated history")
	perDay := fs.Int("per-day", 15, "simulated articles per site per day")
	seed := fs.Int64("seed", 1, "simulation seed")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	log := logger(stderr, *logLevel, false)
	if err := mkdata(*data); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "== 1. simulated Pravda network (seed %d, %d days × %d articles/site/day)\n", *seed, *days, *perDay)
	srv, err := sim.Start(ctx, sim.Config{Seed: *seed, Days: *days, PerDay: *perDay, Sites: sites, Faults: faults, Logger: log}, "127.0.0.1:0")
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
	cat, err := catalog.Open(ctx, filepath.Join(*data, "catalog.db"))
	if err != nil {
		return err
	}
	defer cat.Close()
	refs, err := cat.Recent(ctx, time.Now().Add(-time.Duration(*days+2)*24*time.Hour), []string{"japan"})
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
	tw.Flush()
	fmt.Fprintf(stdout, "\nNext: `pravda sim` to keep a simulator running, `pravda crawl --resolve '*=ADDR' --ca FILE`, `pravda verify --data %s`.\n", *data)
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
