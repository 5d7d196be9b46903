package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/seeds"
)

func init() {
	register("bench", "benchmarks against a peer in the same run: crawl (vs wget --warc-file), index (vs SQLite FTS5)", runBench)
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "[crawl|index|all|fetch] [--per-day N] [--days N] [--pad-kb N] [--docs N]", stderr)
	perDay := fs.Int("per-day", 150, "crawl: simulated articles per site per day")
	days := fs.Int("days", 3, "crawl: days of simulated history")
	sites := fs.String("sites", "japan,hub,francais,deutsch", "crawl: simulated sites")
	workers := fs.Int("workers", 16, "crawl: concurrent fetches")
	padKB := fs.Int("pad-kb", 0, "crawl: pad every simulated article page to at least `N` KiB (peak RSS with big pages)")
	docs := fs.Int("docs", 20000, "index: synthetic articles (the issue's full size is 1000000)")
	noLean := fs.Bool("no-lean", false, "index: leave out the lean engine (bodies not stored)")
	dir := fs.String("dir", "", "scratch directory (default: a temporary one, removed afterwards)")
	list := fs.String("list", "", "fetch: `FILE` of URLs, one a line, to fetch and archive into --dir (the crawl benchmark's fetch-only row)")
	var ff fetchFlags
	ff.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	what := "all"
	if len(pos) > 0 {
		what = pos[0]
	}
	if what == "fetch" {
		if *list == "" || *dir == "" {
			return errors.New("bench fetch: --list and --dir are required")
		}
		return benchFetch(ctx, *list, *dir, ff, *workers)
	}
	scratch := *dir
	if scratch == "" {
		if scratch, err = os.MkdirTemp("", "pravda-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(scratch)
	}
	if what == "crawl" || what == "all" {
		if err := benchCrawl(ctx, stdout, stderr, filepath.Join(scratch, "crawl"), *sites, *days, *perDay, *workers, *padKB); err != nil {
			return fmt.Errorf("crawl benchmark: %w", err)
		}
	}
	if what == "index" || what == "all" {
		indexGC() // as serve and reindex run it; the FTS5 peer shares the process and the setting
		fmt.Fprintf(stdout, "\n## Index: %d synthetic articles (ja, ru, fr, de, en), ours vs SQLite FTS5\n\n", *docs)
		if _, err := index.Bench(ctx, index.BenchConfig{Docs: *docs, Dir: scratch, Out: stdout, NoLean: *noLean}); err != nil {
			return fmt.Errorf("index benchmark: %w", err)
		}
	}
	if what != "crawl" && what != "index" && what != "all" {
		return fmt.Errorf("unknown benchmark %q: want crawl, index or all", what)
	}
	return nil
}

// benchFetch fetches every URL in list through the crawl's own request path (scope, the
// recording transport, WARC files in dir) with workers at a time and politeness off, and
// keeps nothing else: wget's job, done by our code, for the crawl benchmark.
func benchFetch(ctx context.Context, list, dir string, ff fetchFlags, workers int) error {
	data, err := os.ReadFile(list)
	if err != nil {
		return err
	}
	urls := strings.Fields(string(data))
	tlsConf, err := crawler.TLSConfig(ff.ca)
	if err != nil {
		return err
	}
	w, err := archive.Open(filepath.Join(dir, "warc"), archive.WithInfo("operator", "pravda-archive bench"))
	if err != nil {
		return fmt.Errorf("open archive: %w", err)
	}
	defer w.Close()
	dialer := ff.dialer()
	bodies := crawler.NewBodyBudget(0)
	f, err := crawler.NewFetcher(crawler.Config{Registry: seeds.Default(), Dialer: dialer, Bodies: bodies,
		Politeness: crawler.Politeness{Off: true},
		Transport: w.Transport(archive.TransportOptions{DialContext: dialer.DialContext, TLSConfig: tlsConf,
			MaxIdleConnsPerHost: max(2, workers), Reserve: bodies.Reserve})})
	if err != nil {
		return err
	}
	next := make(chan string)
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for u := range next {
				if _, _, err := f.Get(ctx, u); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	for _, u := range urls {
		next <- u
	}
	close(next)
	wg.Wait()
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("%d of %d fetches failed", n, len(urls))
	}
	return w.Close()
}

// cost is what one child process took.
type cost struct {
	wall time.Duration
	cpu  time.Duration
	rss  int64 // peak resident set, bytes
}

func runMeasured(ctx context.Context, cmd *exec.Cmd) (cost, error) {
	start := time.Now()
	err := cmd.Run()
	u := cost{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
		u.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		u.rss = ru.Maxrss * 1024
	}
	return u, err
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// benchCrawl crawls a simulator (a separate process) with politeness off, then has wget
// fetch and archive the same article URLs, and prints both side by side.
func benchCrawl(ctx context.Context, stdout, stderr io.Writer, dir, sites string, days, perDay, workers, padKB int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	addr, err := freePort()
	if err != nil {
		return err
	}
	ca, truth := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "truth.jsonl")
	simCmd := exec.CommandContext(ctx, self, "sim", "--listen", addr, "--ca-out", ca, "--truth", truth,
		"--days", fmt.Sprint(days), "--per-day", fmt.Sprint(perDay), "--sites", sites, "--pad-kb", fmt.Sprint(padKB), "--log-level", "error")
	simCmd.Stdout, simCmd.Stderr = io.Discard, stderr
	if err := simCmd.Start(); err != nil {
		return err
	}
	defer func() { simCmd.Process.Signal(syscall.SIGTERM); simCmd.Wait() }()
	if err := waitFile(ctx, truth, 60*time.Second); err != nil {
		return fmt.Errorf("simulator did not start: %w", err)
	}
	urls, err := truthURLs(truth)
	if err != nil {
		return err
	}
	padded := ""
	if padKB > 0 {
		padded = fmt.Sprintf(", each padded to %d KiB", padKB)
	}
	fmt.Fprintf(stdout, "## Crawl: %d article pages%s on %d simulated sites, politeness off (simulator in its own process)\n\n", len(urls), padded, len(strings.Split(sites, ",")))

	data := filepath.Join(dir, "data")
	ours := exec.CommandContext(ctx, self, "crawl", "--data", data, "--resolve", "*="+addr, "--ca", ca,
		"--sites", sites, "--since", "all", "--no-politeness", "--no-index", "--workers", fmt.Sprint(workers), "--json", "--log-level", "error")
	var out strings.Builder
	ours.Stdout, ours.Stderr = &out, stderr
	u1, err := runMeasured(ctx, ours)
	if err != nil {
		return fmt.Errorf("pravda crawl: %w", err)
	}
	var sum struct {
		New      int `json:"new"`
		Requests int `json:"requests"`
	}
	json.Unmarshal([]byte(out.String()), &sum)

	rows := [][]string{row("pravda crawl (https; fetch+WARC+extract+trace+catalog; index deferred)", sum.New, u1)}
	list := filepath.Join(dir, "urls.txt")
	var b strings.Builder
	for _, u := range urls {
		b.WriteString(u + "\n")
	}
	if err := os.WriteFile(list, []byte(b.String()), 0o644); err != nil {
		return err
	}
	// Our own fetch and WARC path doing wget's job, the same URL list and nothing else:
	// what the crawl costs before it extracts, traces and catalogs.
	fetchOnly := exec.CommandContext(ctx, self, "bench", "fetch", "--list", list, "--dir", filepath.Join(dir, "fetch-only"),
		"--resolve", "*="+addr, "--ca", ca, "--workers", fmt.Sprint(workers))
	fetchOnly.Stdout, fetchOnly.Stderr = io.Discard, stderr
	u3, err := runMeasured(ctx, fetchOnly)
	if err != nil {
		return fmt.Errorf("pravda bench fetch: %w", err)
	}
	rows = append(rows, row("pravda fetch+WARC only (the same URL list as wget)", len(urls), u3))
	if wget, err := exec.LookPath("wget"); err == nil {
		// wget has no --connect-to: it reaches the simulator through CONNECT, as an https
		// proxy that tunnels to itself, and speaks TLS to each host as we do.
		w := exec.CommandContext(ctx, wget, "--quiet", "--warc-file="+filepath.Join(dir, "wget"), "--no-warc-keep-log",
			"-e", "use_proxy=yes", "-e", "https_proxy=http://"+addr, "--ca-certificate="+ca, "-i", list, "-O", os.DevNull)
		w.Stdout, w.Stderr = io.Discard, io.Discard
		u2, err := runMeasured(ctx, w)
		if err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				return fmt.Errorf("wget: %w", err)
			}
		}
		rows = append(rows, row("wget --warc-file (https; fetch+WARC only, one connection)", len(urls), u2))
	} else {
		rows = append(rows, []string{"wget (not installed: apt-get install wget)", "-", "-", "-", "-", "-", "-"})
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "tool\tpages\twall s\tpages/s\tCPU s\tpages/CPU s\tpeak RSS MB")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n(targets: ≥300 pages/s on 2 cores; pages/CPU s ≥ wget's; peak RSS < 300 MB; %d requests for %d new articles)\n", sum.Requests, sum.New)
	return nil
}

func row(name string, pages int, u cost) []string {
	return []string{name, fmt.Sprint(pages), fmt.Sprintf("%.2f", u.wall.Seconds()),
		fmt.Sprintf("%.0f", float64(pages)/u.wall.Seconds()), fmt.Sprintf("%.2f", u.cpu.Seconds()),
		fmt.Sprintf("%.0f", float64(pages)/max(u.cpu.Seconds(), 1e-9)), fmt.Sprintf("%.0f", float64(u.rss)/(1<<20))}
}

func waitFile(ctx context.Context, p string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if st, err := os.Stat(p); err == nil && st.Size() > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not written within %s", p, d)
}

// truthURLs reads the canonical URLs of the simulator's articles that robots.txt allows.
func truthURLs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var urls []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var t struct {
			URL        string `json:"canonical_url"`
			Disallowed bool   `json:"disallowed"`
		}
		if json.Unmarshal(sc.Bytes(), &t) == nil && !t.Disallowed {
			urls = append(urls, t.URL)
		}
	}
	return urls, sc.Err()
}
