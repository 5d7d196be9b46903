package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/config"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/report"
	"github.com/pravda-archive/pravda/schedule"
	"github.com/pravda-archive/pravda/seeds"
	"github.com/pravda-archive/pravda/web"
)

func init() {
	register("serve", "run the daemon: scheduled crawls, rechecks and daily reports; web UI, API, /metrics, /healthz", runServe)
}

// addrFile is where a running daemon writes its listen address, so that CLI
// commands can find its API.
const addrFile = "serve.addr"

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "[--config FILE] [--data DIR] [--listen ADDR] [--sites LIST --every DURATION] [--resolve PATTERN=ADDR] [--ca FILE]", stderr)
	file := fs.String("config", "", "config `FILE` (YAML; `pravda config example` prints a commented one); the flags below override it")
	data := fs.String("data", "", "data `DIR` (default from the config, else data; env PRAVDA_DATA)")
	listen := fs.String("listen", "", "HTTP `ADDR` for the web UI, API, /metrics and /healthz (default 127.0.0.1:8080; env PRAVDA_LISTEN)")
	var sf seedFlags
	sf.register(fs)
	every := fs.Duration("every", 0, "crawl --sites (default: every active site) every `DURATION`, as one group replacing the config's")
	var ff fetchFlags
	ff.register(fs)
	logLevel := fs.String("log-level", "", "debug, info, warn or error (default info; env PRAVDA_LOG_LEVEL)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	indexGC()
	cfg, err := config.Load(*file)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["data"] {
		cfg.Data = *data
	}
	if set["listen"] {
		cfg.Listen = *listen
	}
	if set["seeds"] {
		cfg.Seeds = sf.seedsFile
	}
	if set["log-level"] {
		cfg.Log.Level = *logLevel
	}
	if set["ca"] {
		cfg.Fetch.CA = ff.ca
	}
	for _, r := range ff.resolve {
		cfg.Fetch.Resolve = append(cfg.Fetch.Resolve, r.Pattern+"="+r.Addr)
	}
	if set["sites"] || set["every"] {
		g := config.DefaultGroup
		g.Name, g.Sites = "cli", sf.sites
		if *every > 0 {
			g.Every = config.Duration(*every)
		}
		cfg.Schedules.Crawl = []config.CrawlGroup{g}
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	// Under TestMain, and wherever Main is called without main's signal
	// handling, SIGTERM must still stop the daemon cleanly.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := configLogger(stderr, cfg.Log)
	d, err := openDaemon(ctx, cfg, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pravda serve: http://%s/  (data %s; /metrics, /healthz)\n", d.Addr(), cfg.Data)
	return d.serve(ctx, stop)
}

func configLogger(stderr io.Writer, c config.Log) *slog.Logger {
	asJSON := c.Format == "json" || c.Format == "auto" && !isTerminal(stderr)
	return logger(stderr, c.Level, asJSON)
}

// daemon owns the archive writer, the catalog and the search index for as
// long as it runs, and runs every pass, recheck and report through them.
type daemon struct {
	cfg    *config.Config
	reg    *seeds.Registry
	groups []config.Group
	log    *slog.Logger

	idx  *index.Index
	warc *archive.Writer
	cat  *catalog.Catalog
	ln   net.Listener

	met   *metrics
	sched *schedule.Scheduler
	locks *schedule.Locks
	slots chan struct{} // one token per pass allowed to run at once

	fetch     fetchFlags
	transport archive.TransportOptions
	zone      *time.Location // the daily report's
	started   time.Time

	// onPass, when set, hears of every finished pass (the demo prints them).
	onPass func(passReport)
}

// passReport is one finished pass, for onPass.
type passReport struct {
	Group    string
	Sites    []string
	Summary  crawler.Summary
	Err      error
	Articles int64 // in the catalog after the pass
}

// openDaemon takes the data directory: the index first, since its lock is
// what tells a second daemon to go away, then the archive and the catalog;
// then it binds the listen address.
func openDaemon(ctx context.Context, cfg *config.Config, log *slog.Logger) (_ *daemon, err error) {
	d := &daemon{cfg: cfg, log: log, locks: &schedule.Locks{}, started: time.Now()}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	if d.reg, err = cfg.Registry(); err != nil {
		return nil, err
	}
	if d.groups, err = cfg.Groups(d.reg); err != nil {
		return nil, err
	}
	for _, r := range cfg.Fetch.Resolve {
		x, err := crawler.ParseResolve(r)
		if err != nil {
			return nil, err
		}
		d.fetch.resolve = append(d.fetch.resolve, x)
	}
	d.fetch.ca = cfg.Fetch.CA
	t := cfg.Fetch.Timeouts
	d.transport = archive.TransportOptions{MaxBodySize: int64(cfg.Fetch.MaxBody),
		ConnectTimeout: time.Duration(t.Connect), TLSHandshakeTimeout: time.Duration(t.TLS),
		ResponseHeaderTimeout: time.Duration(t.Header), BodyTimeout: time.Duration(t.Body)}
	if err := mkdata(cfg.Data); err != nil {
		return nil, err
	}
	dir := filepath.Join(cfg.Data, "index")
	d.idx, err = index.Open(dir, index.WithLockTimeout(2*time.Second), index.WithLogger(log))
	if errors.Is(err, index.ErrLocked) {
		return nil, fmt.Errorf("another process owns data directory %s: %w", cfg.Data, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	if d.warc, err = openArchive(cfg.Data, log); err != nil {
		return nil, err
	}
	if d.cat, err = catalog.Open(ctx, filepath.Join(cfg.Data, "catalog.db")); err != nil {
		return nil, err
	}
	if err := syncSites(ctx, d.cat, d.reg); err != nil {
		return nil, err
	}
	if d.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	d.met = newMetrics(d.reg)
	d.slots = make(chan struct{}, max(1, cfg.Schedules.MaxConcurrent))
	if err := d.schedule(); err != nil {
		return nil, err
	}
	return d, nil
}

// Addr is the address the daemon listens on.
func (d *daemon) Addr() string { return d.ln.Addr().String() }

// schedule sets up the jobs: a pass per crawl group, the recheck, the report.
func (d *daemon) schedule() error {
	d.sched = &schedule.Scheduler{Store: d.cat, Locks: d.locks, Log: d.log,
		OnRefused: func(job string, busy []string) { d.met.refused.WithLabelValues(job).Inc() }}
	for _, g := range d.groups {
		if len(g.Sites) == 0 {
			d.log.Warn("crawl group has no sites", "group", g.Name)
			continue
		}
		err := d.sched.Add(schedule.Job{Name: "crawl:" + g.Name, When: g.When, Sites: siteNames(g.Sites),
			Run: func(ctx context.Context) error { return d.crawlGroup(ctx, g, 0) }})
		if err != nil {
			return err
		}
	}
	when, err := d.cfg.RecheckSchedule()
	if err != nil {
		return fmt.Errorf("recheck: %w", err)
	}
	if when != nil {
		days := time.Duration(d.cfg.Schedules.Recheck.Days) * 24 * time.Hour
		// A first start has just fetched everything recent: nothing to recheck yet.
		if err := d.sched.Add(schedule.Job{Name: "recheck", When: when, WaitFirst: true, Run: func(ctx context.Context) error {
			return d.recheck(ctx, days)
		}}); err != nil {
			return err
		}
	}
	when, d.zone, err = d.cfg.ReportSchedule()
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if when != nil {
		if err := d.sched.Add(schedule.Job{Name: "report", When: when, Run: func(ctx context.Context) error {
			// Count what the passes in flight bring in too: wait for them to end
			// (only that: the report reads in a snapshot of its own, and passes
			// starting meanwhile do not disturb it), but not forever: on a daemon
			// whose passes never pause, a late report beats none.
			wait, cancel := context.WithTimeout(ctx, reportWait)
			release, err := d.locks.Acquire(wait, "report", d.allSites())
			cancel()
			switch {
			case err == nil:
				release()
			case ctx.Err() != nil:
				return ctx.Err()
			default:
				d.log.Warn("daily report: passes still running; reporting without waiting for them", "waited", reportWait)
			}
			_, err = d.report(ctx, time.Now().In(d.zone).AddDate(0, 0, -1))
			return err
		}}); err != nil {
			return err
		}
	}
	// Series that exist from the start read as 0 rather than missing, so
	// that rate() and alerts work before the first event.
	for _, st := range d.sched.Status() {
		d.met.refused.WithLabelValues(st.Job)
		if g, ok := strings.CutPrefix(st.Job, "crawl:"); ok {
			for _, c := range []*prometheus.CounterVec{d.met.articles, d.met.versions, d.met.deletions, d.met.failed} {
				c.WithLabelValues(g)
			}
		}
	}
	return nil
}

// reportWait bounds how long the daily report waits for the passes in flight.
const reportWait = 30 * time.Minute

// allSites names every site of every group.
func (d *daemon) allSites() []string {
	var names []string
	for _, g := range d.groups {
		names = append(names, siteNames(g.Sites)...)
	}
	return names
}

func siteNames(sites []*seeds.Site) []string {
	names := make([]string, len(sites))
	for i, s := range sites {
		names[i] = s.Name
	}
	return names
}

// serve runs the schedules and the HTTP server until ctx ends, then stops
// scheduling, lets the passes in flight wind down (their contexts end with
// ctx: the crawler takes no new work, and what it fetched whole is archived
// and cataloged), stops the HTTP server and closes the index, the catalog and
// the archive. unhook, when set, restores default signal handling once
// shutdown begins, so that a second Ctrl-C kills at once.
func (d *daemon) serve(ctx context.Context, unhook func()) error {
	defer d.close()
	addrPath := filepath.Join(d.cfg.Data, addrFile)
	if err := writeFileAtomic(addrPath, []byte(d.Addr()+"\n")); err != nil {
		return err
	}
	defer os.Remove(addrPath)

	mux, err := d.mux()
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(d.log.Handler(), slog.LevelWarn)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	httpErr := make(chan error, 1)
	go func() {
		err := srv.Serve(d.ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		httpErr <- err
		cancel() // a dead listener takes the daemon down with it
	}()
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		d.sched.Run(ctx)
	}()
	syncDone := make(chan struct{})
	go func() {
		defer close(syncDone)
		d.syncQueued(ctx)
	}()
	d.log.Info("serving", "addr", d.Addr(), "data", d.cfg.Data, "groups", len(d.groups))

	<-ctx.Done()
	if unhook != nil {
		unhook()
	}
	d.log.Info("stopping: no new passes; waiting for the passes in flight to wind down")
	<-schedDone
	<-syncDone
	shut, cancelShut := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShut()
	if err := srv.Shutdown(shut); err != nil {
		d.log.Warn("http shutdown", "err", err)
	}
	err = <-httpErr
	if cerr := d.close(); cerr != nil {
		return cerr
	}
	d.log.Info("stopped")
	return err
}

// queueSyncEvery is how often the daemon indexes what others queued: a `pravda crawl
// --no-index` or a crawl that found the index held leaves articles in the catalog's queue,
// and they must become searchable without waiting for the daemon's next pass.
var queueSyncEvery = 30 * time.Second

// syncQueued indexes the catalog's queue every queueSyncEvery until ctx ends.
func (d *daemon) syncQueued(ctx context.Context) {
	if d.idx == nil {
		return
	}
	t := time.NewTicker(queueSyncEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := d.cat.QueueLen(ctx)
		if err != nil || n == 0 {
			continue
		}
		o := crawlOptions{index: d.idx, log: d.log}
		if err := syncIndex(ctx, o, d.cat); err != nil && ctx.Err() == nil {
			d.log.Warn("index the queue", "err", err)
		}
	}
}

// close closes what is open, once; later calls return nil.
func (d *daemon) close() error {
	var errs []error
	if d.ln != nil {
		d.ln.Close() // a no-op error once the server closed it
		d.ln = nil
	}
	if d.idx != nil {
		errs = append(errs, d.idx.Close())
		d.idx = nil
	}
	if d.cat != nil {
		errs = append(errs, d.cat.Close())
		d.cat = nil
	}
	if d.warc != nil {
		errs = append(errs, d.warc.Close())
		d.warc = nil
	}
	return errors.Join(errs...)
}

func (d *daemon) mux() (*http.ServeMux, error) {
	ui, err := web.New(web.Options{Catalog: d.cat, Index: d.idx, Registry: d.reg,
		WARCDir: filepath.Join(d.cfg.Data, "warc"), ReportsDir: filepath.Join(d.cfg.Data, "reports"), Logger: d.log})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", d.met.handler(d.cfg.MetricsToken))
	mux.HandleFunc("GET /healthz", d.healthz)
	mux.Handle("/", ui)
	return mux, nil
}

// health is the /healthz answer.
type health struct {
	OK      bool              `json:"ok"`
	Started time.Time         `json:"started"`
	Uptime  float64           `json:"uptime_seconds"`
	Index   bool              `json:"index_open"`
	Catalog bool              `json:"catalog_open"`
	Error   string            `json:"error,omitempty"`
	Groups  map[string]any    `json:"groups"` // last pass per crawl group
	Jobs    []schedule.Status `json:"jobs"`
}

func (d *daemon) healthz(w http.ResponseWriter, r *http.Request) {
	h := health{Started: d.started.UTC(), Uptime: time.Since(d.started).Seconds(), Index: d.idx != nil,
		Groups: map[string]any{}, Jobs: d.sched.Status()}
	if d.cat != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if _, _, err := d.cat.State(ctx, "healthz"); err != nil {
			h.Error = err.Error()
		} else {
			h.Catalog = true
		}
	}
	if d.idx != nil {
		if _, err := d.idx.Count(); err != nil {
			h.Index, h.Error = false, err.Error()
		}
	}
	for _, st := range h.Jobs {
		if g, ok := strings.CutPrefix(st.Job, "crawl:"); ok {
			h.Groups[g] = map[string]any{"last_ok": zeroNil(st.LastOK), "last_start": zeroNil(st.LastStart),
				"last_end": zeroNil(st.LastEnd), "running": st.Running, "last_error": st.LastError, "next": st.Next}
		}
	}
	h.OK = h.Index && h.Catalog
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !h.OK {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(h)
}

func zeroNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// crawlGroup runs the passes of one group: sites with the same politeness
// share one pass. recheck > 0 also revisits what was first seen that recently.
func (d *daemon) crawlGroup(ctx context.Context, g config.Group, recheck time.Duration) error {
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-d.slots }()
	var errs []error
	for _, part := range d.partition(g.Sites) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.pass(ctx, g.Name, part.sites, part.polite, recheck); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type part struct {
	polite crawler.Politeness
	sites  []*seeds.Site
}

// partition groups sites by their effective politeness, in site order.
func (d *daemon) partition(sites []*seeds.Site) []part {
	var parts []part
	for _, s := range sites {
		p := crawlerPoliteness(d.cfg.Politeness.For(s.Name))
		i := slices.IndexFunc(parts, func(x part) bool { return x.polite == p })
		if i < 0 {
			parts = append(parts, part{polite: p})
			i = len(parts) - 1
		}
		parts[i].sites = append(parts[i].sites, s)
	}
	return parts
}

func crawlerPoliteness(p config.Politeness) crawler.Politeness {
	delay := time.Duration(p.Delay)
	if delay == 0 {
		delay = time.Nanosecond // the crawler reads 0 as "its default"; the config's 0 means none
	}
	return crawler.Politeness{PerHost: p.PerHost, PerIP: p.PerIP, Delay: delay, MaxRetries: p.Retries,
		BackoffBase: time.Duration(p.Backoff), BackoffMax: time.Duration(p.BackoffMax),
		MaxRetryAfter: time.Duration(p.MaxRetryAfter)}
}

// pass runs one crawl pass through the daemon's open archive, catalog and index.
func (d *daemon) pass(ctx context.Context, group string, sites []*seeds.Site, polite crawler.Politeness, recheck time.Duration) error {
	names := siteNames(sites)
	o := crawlOptions{data: d.cfg.Data, reg: d.reg, sites: sites, recheck: recheck, workers: d.cfg.Fetch.Workers,
		politeness: polite, fetch: d.fetch, log: d.log.With("group", group),
		progress: &queueProgress{g: d.met.queue}, index: d.idx, warc: d.warc, cat: d.cat,
		onAttempt: d.met.attempt, transport: d.transport, userAgent: d.cfg.Fetch.UserAgent}
	d.met.running.Inc()
	defer d.met.running.Dec()
	start := time.Now()
	sum, err := crawlPass(ctx, o)
	interrupted := ctx.Err() != nil
	d.met.pass(group, names, start, sum, err, interrupted)
	if err == nil && !interrupted {
		if _, lerr := d.met.observeLags(ctx, d.cat, start, names); lerr != nil {
			d.log.Warn("origin lags", "group", group, "err", lerr)
		}
	}
	d.log.Info("pass done", "group", group, "sites", len(sites), "new", sum.New, "versions", sum.Versions,
		"deletions", sum.Deletions, "failed", sum.Failed, "requests", sum.Requests,
		"took", time.Since(start).Round(time.Millisecond), "err", err)
	if d.onPass != nil {
		rep := passReport{Group: group, Sites: names, Summary: sum, Err: err}
		if st, serr := d.cat.Stats(context.WithoutCancel(ctx)); serr == nil {
			rep.Articles = st.Articles
		}
		d.onPass(rep)
	}
	return err
}

// recheck runs a recheck pass per crawl group, each waiting for the group's
// own pass to finish rather than being refused: rechecks are rare and must
// not be lost to a busy group.
func (d *daemon) recheck(ctx context.Context, window time.Duration) error {
	var errs []error
	for _, g := range d.groups {
		if len(g.Sites) == 0 {
			continue
		}
		release, err := d.locks.Acquire(ctx, "recheck", siteNames(g.Sites))
		if err != nil {
			return err
		}
		err = d.crawlGroup(ctx, g, window)
		release()
		if err != nil {
			errs = append(errs, fmt.Errorf("recheck %s: %w", g.Name, err))
		}
	}
	return errors.Join(errs...)
}

// report writes the daily report of day in every format under DATA/reports.
func (d *daemon) report(ctx context.Context, day time.Time) ([]string, error) {
	rep, err := report.Daily(ctx, d.cat, day, report.Options{Zone: d.zone, SiteLocal: d.cfg.Schedules.Report.SiteLocal})
	if err == nil {
		var paths []string
		if paths, err = rep.WriteAll(d.cfg.Data); err == nil {
			d.met.reports.WithLabelValues("ok").Inc()
			d.log.Info("daily report written", "day", rep.Date, "zone", rep.Zone, "articles", rep.Total.N, "spikes", len(rep.Spikes))
			return paths, nil
		}
	}
	d.met.reports.WithLabelValues("failed").Inc()
	return nil, err
}

// writeFileAtomic writes data to a temporary file and renames it over path.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(f.Name(), path)
}
