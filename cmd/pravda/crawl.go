package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/ingest"
	"github.com/pravda-archive/pravda/seeds"
)

func init() {
	register("crawl", "one crawl pass over the chosen sites into the data directory (WARC + catalog)", runCrawl)
}

// crawlOptions is everything one pass needs; `pravda crawl` and `pravda demo` fill it.
type crawlOptions struct {
	data       string
	reg        *seeds.Registry
	sites      []*seeds.Site
	since      time.Time
	recheck    time.Duration
	workers    int
	politeness crawler.Politeness
	fetch      fetchFlags
	log        *slog.Logger
	progress   crawler.Progress
	// index, when set, is the open search index to feed (the daemon's); otherwise the pass
	// opens DATA/index itself, and leaves the work queued if another process holds it.
	index *index.Index
	// noIndex leaves the pass's articles in the catalog's index queue.
	noIndex bool
	// warc and cat, when set, are the daemon's open archive writer and catalog, shared by
	// its passes (the archive's lock admits one writer per process too); otherwise the pass
	// opens and closes its own.
	warc *archive.Writer
	cat  *catalog.Catalog
	// onAttempt, when set, also sees every request (the daemon's metrics).
	onAttempt func(crawler.Attempt)
	// transport sets the recording transport's body cap and timeouts (zero: its defaults);
	// userAgent replaces the crawler's default.
	transport archive.TransportOptions
	userAgent string
}

func runCrawl(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("crawl", "[--sites LIST] [--since DATE] [--recheck DAYS] [--data DIR] [--resolve PATTERN=ADDR] [--ca FILE]", stderr)
	data := dataFlag(fs)
	var sf seedFlags
	sf.register(fs)
	var ff fetchFlags
	ff.register(fs)
	since := fs.String("since", "", "backfill back to `DATE` (YYYY-MM-DD), or \"all\"; default: only what is new since the last pass (30 days on a first pass)")
	recheck := fs.Int("recheck", 0, "also revisit articles published in the last `DAYS` days, to catch edits and deletions")
	workers := fs.Int("workers", 8, "concurrent fetches (politeness limits still hold per host and per IP)")
	perHost := fs.Int("per-host", 1, "concurrent requests per host")
	perIP := fs.Int("per-ip", 4, "concurrent requests per IP address")
	delay := fs.Duration("delay", 500*time.Millisecond, "minimum gap between requests to one host (robots.txt Crawl-delay raises it)")
	retries := fs.Int("retries", 4, "attempts after the first on 429, 5xx, timeouts and broken connections")
	backoff := fs.Duration("backoff", time.Second, "first retry backoff (doubled per attempt, jittered, capped at 1m) when no Retry-After is given")
	noPolite := fs.Bool("no-politeness", false, "benchmarks against the simulator only: no per-host/IP limits or delays")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to `FILE` (for `go tool pprof`)")
	memProfile := fs.String("memprofile", "", "write an allocation profile to `FILE` at the end (for `go tool pprof -sample_index=alloc_space`)")
	noIndex := fs.Bool("no-index", false, "leave new articles queued for the search index (the next `pravda search`, `counts`, `serve` or crawl indexes them): faster backfills")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	crawlGC()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		defer func() {
			if err := writeHeapProfile(*memProfile); err != nil {
				slog.Error("memory profile", "err", err)
			}
		}()
	}
	reg, err := sf.registry()
	if err != nil {
		return err
	}
	sites, err := reg.Select(sf.sites)
	if err != nil {
		return err
	}
	o := crawlOptions{data: *data, reg: reg, sites: sites, workers: *workers, fetch: ff,
		politeness: crawler.Politeness{PerHost: *perHost, PerIP: *perIP, Delay: *delay, Off: *noPolite,
			MaxRetries: *retries, BackoffBase: *backoff},
		log:     logger(stderr, *logLevel, !isTerminal(stderr)),
		recheck: time.Duration(*recheck) * 24 * time.Hour, noIndex: *noIndex}
	switch *since {
	case "":
	case "all":
		o.since = time.Unix(0, 0)
	default:
		t, err := time.Parse("2006-01-02", *since)
		if err != nil {
			return fmt.Errorf("--since %q: want YYYY-MM-DD or all", *since)
		}
		o.since = t
	}
	if isTerminal(stderr) {
		o.progress = &crawler.Bar{W: stderr, Label: "crawl"}
	}
	sum, err := crawlPass(ctx, o)
	if *asJSON {
		if jerr := writeJSON(stdout, sum); jerr != nil {
			return jerr
		}
	} else {
		printSummary(stdout, sum)
	}
	return err
}

// crawlPass opens the archive and catalog in o.data and runs one pass.
func crawlPass(ctx context.Context, o crawlOptions) (crawler.Summary, error) {
	if err := mkdata(o.data); err != nil {
		return crawler.Summary{}, err
	}
	tlsConf, err := crawler.TLSConfig(o.fetch.ca)
	if err != nil {
		return crawler.Summary{}, err
	}
	w, cat := o.warc, o.cat
	if w == nil {
		if w, err = openArchive(o.data, o.log); err != nil {
			return crawler.Summary{}, err
		}
		defer func() {
			if err := w.Close(); err != nil {
				o.log.Error("close archive", "err", err)
			}
		}()
	}
	if cat == nil {
		if cat, err = catalog.Open(ctx, filepath.Join(o.data, "catalog.db")); err != nil {
			return crawler.Summary{}, err
		}
		defer cat.Close()
	}
	if err := syncSites(ctx, cat, o.reg); err != nil {
		return crawler.Summary{}, err
	}
	names := make([]string, len(o.sites))
	for i, s := range o.sites {
		names[i] = s.Name
	}
	runID, err := cat.BeginRun(ctx, names)
	if err != nil {
		return crawler.Summary{}, err
	}
	dialer := o.fetch.dialer()
	in := &ingest.Ingester{Registry: o.reg, Catalog: cat, Log: o.log}
	topts := o.transport
	topts.DialContext, topts.TLSConfig = dialer.DialContext, tlsConf
	bodies := crawler.NewBodyBudget(0)
	topts.Reserve = bodies.Reserve
	if topts.MaxIdleConnsPerHost == 0 {
		// Keep a connection for every request that may be in flight to one host: a
		// connection dropped for want of an idle slot costs a new TLS handshake.
		topts.MaxIdleConnsPerHost = max(2, o.politeness.PerHost)
		if o.politeness.Off {
			topts.MaxIdleConnsPerHost = max(2, o.workers)
		}
	}
	cfg := crawler.Config{
		Registry: o.reg, Sites: o.sites, Since: o.since, Recheck: o.recheck,
		Politeness: o.politeness, Workers: o.workers, Dialer: dialer,
		MaxBodySize: topts.MaxBodySize, UserAgent: o.userAgent,
		Transport: w.Transport(topts), Bodies: bodies,
		Frontier: &ingest.Frontier{Catalog: cat, Registry: o.reg, Run: runID},
		// A page fetched whole is archived already: catalog it even when the pass is being
		// stopped (SIGTERM), so that what was archived is cataloged.
		Handler: crawler.HandlerFunc(func(ctx context.Context, p crawler.Page) (crawler.Outcome, error) {
			return in.Handle(context.WithoutCancel(ctx), p)
		}),
		OnAttempt: func(a crawler.Attempt) {
			cat.LogFetch(ctx, catalog.FetchLog{Run: runID, URL: a.URL, Host: a.Host, Status: a.Status,
				ErrorKind: a.Kind, Bytes: a.Bytes, StartedAt: a.Started, Duration: a.Duration})
			if o.onAttempt != nil {
				o.onAttempt(a)
			}
		},
		Logger: o.log, Progress: o.progress,
	}
	// One request path for the pass and its trace stage: one robots.txt read per host,
	// one set of politeness gates.
	fetcher, err := crawler.NewFetcher(cfg)
	if err != nil {
		return crawler.Summary{}, err
	}
	cfg.Fetcher = fetcher
	// The trace stage (credited sources → chains → origin pages → stories) starts with the
	// pass: new articles are traced as they are stored, the rest after the pass.
	tr := newTracer(o, cat, fetcher, in)
	stream := tr.Stream(ctx)
	in.OnArticle = func(_ context.Context, row *catalog.Article, res catalog.PutResult) {
		if res.Outcome == catalog.Inserted {
			stream.Add(row)
		}
	}
	passStart := time.Now()
	sum, err := crawler.Run(ctx, cfg)
	if err == nil {
		if terr := traceAfterPass(ctx, o, cat, tr, passStart, stream); terr != nil {
			o.log.Error("trace stage", "err", terr)
			sum.SiteErrors = append(sum.SiteErrors, "trace: "+terr.Error())
		}
	} else {
		stream.Close()
	}
	if err == nil && !o.noIndex {
		if ierr := syncIndex(ctx, o, cat); ierr != nil {
			o.log.Warn("search index not updated (articles stay queued for the next sync)", "err", ierr)
		}
	}
	status := "ok"
	if err != nil {
		status = "failed: " + err.Error()
		if errors.Is(err, context.Canceled) {
			status = "interrupted"
		}
	}
	// A cancelled context must not stop the run from being closed on the record.
	if ferr := cat.FinishRun(context.WithoutCancel(ctx), runID, status, sum); ferr != nil {
		o.log.Error("finish run", "err", ferr)
	}
	return sum, err
}

// openArchive opens the WARC writer of a data directory.
func openArchive(data string, log *slog.Logger) (*archive.Writer, error) {
	w, err := archive.Open(filepath.Join(data, "warc"), archive.WithLogger(log),
		archive.WithInfo("operator", "pravda-archive"), archive.WithInfo("robots", "obey"))
	if err != nil {
		return nil, fmt.Errorf("open archive: %w", err)
	}
	return w, nil
}

// indexSync serialises the feeds of one process's index: two at once would index the
// same queued articles twice.
var indexSync sync.Mutex

// syncIndex feeds the search index from the catalog's queue.
func syncIndex(ctx context.Context, o crawlOptions, cat *catalog.Catalog) error {
	indexSync.Lock()
	defer indexSync.Unlock()
	x := o.index
	if x == nil {
		var err error
		if x, err = openIndex(o.data); err != nil {
			return err
		}
		defer x.Close()
	}
	n, err := index.Sync(ctx, cat, x)
	o.log.Info("indexed", "articles", n)
	if err != nil || n == 0 {
		return err
	}
	// A month that has ended is merged to one segment once, and again only when late
	// articles split it: its searches stay fast for the archive's lifetime.
	_, err = x.MergeClosed(ctx, time.Now(), index.DefaultMergeGrace)
	return err
}

func syncSites(ctx context.Context, cat *catalog.Catalog, reg *seeds.Registry) error {
	rows := make([]catalog.Site, 0, len(reg.Sites))
	for _, s := range reg.Sites {
		rows = append(rows, catalog.Site{Name: s.Name, Host: s.Host, Display: s.Display,
			Langs: s.Langs, Country: s.Country, Kind: s.Kind})
	}
	if err := cat.SyncSites(ctx, rows); err != nil {
		return fmt.Errorf("sync sites: %w", err)
	}
	return nil
}

func printSummary(w io.Writer, s crawler.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "sites\t%d\n", s.Sites)
	fmt.Fprintf(tw, "discovered\t%d\n", s.Discovered)
	fmt.Fprintf(tw, "new articles\t%d\n", s.New)
	fmt.Fprintf(tw, "new versions\t%d\n", s.Versions)
	fmt.Fprintf(tw, "unchanged\t%d\n", s.Unchanged)
	fmt.Fprintf(tw, "deletions\t%d\n", s.Deletions)
	fmt.Fprintf(tw, "failed\t%d\n", s.Failed)
	fmt.Fprintf(tw, "requests\t%d\n", s.Requests)
	if s.New > 0 {
		fmt.Fprintf(tw, "requests per new article\t%.2f\n", s.PerNew)
	}
	fmt.Fprintf(tw, "duration\t%s\n", s.Duration.Round(time.Millisecond))
	kinds := make([]string, 0, len(s.ErrorsBy))
	for k := range s.ErrorsBy {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(tw, "errors: %s\t%d\n", k, s.ErrorsBy[k])
	}
	for _, e := range s.SiteErrors {
		fmt.Fprintf(tw, "site error\t%s\n", e)
	}
	tw.Flush()
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
