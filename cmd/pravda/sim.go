package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pravda-archive/pravda/sim"
)

func init() {
	register("sim", "serve the simulated Pravda network (real host names, API, sitemaps, faults, ground truth)", runSim)
}

func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sim", "[--listen ADDR] [--ca-out FILE] [--truth FILE] [--seed N] [--days N] [--per-day N] [--sites LIST] [--faults LIST] [--live] [--pad-kb N]", stderr)
	listen := fs.String("listen", "127.0.0.1:8443", "`ADDR` to serve http and https on (one port for both)")
	caOut := fs.String("ca-out", "sim-ca.pem", "write the simulator's CA certificate to `FILE` (give it to clients as --ca)")
	truth := fs.String("truth", "", "write the ground truth, one JSON line per article, to `FILE`")
	seed := fs.Int64("seed", 1, "generation seed: the same seed gives the same network")
	days := fs.Int("days", 3, "days of history")
	perDay := fs.Int("per-day", 20, "articles per site per day")
	var sites, faults listFlag
	fs.Var(&sites, "sites", "sites to simulate, names or hosts (default: japan, hub, francais, deutsch, canada, abkhazia)")
	fs.Var(&faults, "faults", "faults to inject: 429,5xx,slow,reset,truncate,malformed,oversize,redirectloop,edit,delete,robots,nositemapline,hostile or all")
	live := fs.Bool("live", false, "keep publishing new stories while running")
	padKB := fs.Int("pad-kb", 0, "pad every article page to at least `N` KiB with a comment after the article (memory benchmarks; padded pages are sent uncompressed and without validators)")
	liveEvery := fs.Duration("live-every", 10*time.Second, "in --live mode, one new story per `DURATION`")
	seedsFile := fs.String("seeds", "", "seeds registry `FILE` replacing the embedded one")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	sf := seedFlags{seedsFile: *seedsFile}
	reg, err := sf.registry()
	if err != nil {
		return err
	}
	log := logger(stderr, *logLevel, !isTerminal(stderr))
	cfg := sim.Config{Seed: *seed, Days: *days, PerDay: *perDay, Sites: sites, Faults: faults,
		Live: *live, LiveEvery: *liveEvery, Pad: *padKB << 10, Registry: reg, Logger: log}
	srv, err := sim.Start(ctx, cfg, *listen)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	defer srv.Close()
	if *caOut != "" {
		if err := os.WriteFile(*caOut, srv.Network.CA(), 0o644); err != nil {
			return fmt.Errorf("--ca-out: %w", err)
		}
	}
	writeTruth := func() error {
		if *truth == "" {
			return nil
		}
		f, err := os.CreateTemp(filepath.Dir(*truth), ".truth-*")
		if err != nil {
			return fmt.Errorf("--truth: %w", err)
		}
		if err := srv.Network.WriteTruth(f); err != nil {
			f.Close()
			return fmt.Errorf("--truth: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("--truth: %w", err)
		}
		return os.Rename(f.Name(), *truth)
	}
	if err := writeTruth(); err != nil {
		return err
	}
	n := len(srv.Network.Truth())
	fmt.Fprintf(stdout, "pravda sim: %d articles on %s (http and https)\n", n, srv.Addr)
	fmt.Fprintf(stdout, "  CA certificate: %s   ground truth: %s\n", *caOut, orDash(*truth))
	fmt.Fprintf(stdout, "  try: curl --connect-to ::%s --cacert %s https://japan.news-pravda.com/api/blocks\n", srv.Addr, *caOut)
	fmt.Fprintf(stdout, "  crawl: pravda crawl --resolve '*=%s' --ca %s --sites japan\n", srv.Addr, *caOut)
	if len(faults) > 0 {
		fmt.Fprintf(stdout, "  faults: %s\n", strings.Join(faults, ","))
	}
	if *live && *truth != "" {
		// Keep the truth file current as stories appear.
		t := time.NewTicker(*liveEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return writeTruth()
			case <-t.C:
				if err := writeTruth(); err != nil {
					log.Error("truth", "err", err)
				}
			}
		}
	}
	<-ctx.Done()
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
