package main

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/seeds"
)

// metrics are the daemon's Prometheus metrics, on a registry of its own so
// that nothing a library registers globally leaks into /metrics.
type metrics struct {
	reg *prometheus.Registry
	// in says which hosts may be labels: only seeded ones, so that a hostile
	// redirect to a million hosts cannot blow up the series count.
	in func(host string) bool

	requests    *prometheus.CounterVec // host, status
	errors      *prometheus.CounterVec // kind
	articles    *prometheus.CounterVec // group: new articles archived
	versions    *prometheus.CounterVec // group
	deletions   *prometheus.CounterVec // group
	failed      *prometheus.CounterVec // group: URLs given up for this pass
	passes      *prometheus.CounterVec // group, result
	passSeconds *prometheus.HistogramVec
	queue       prometheus.Gauge
	running     prometheus.Gauge
	lastSuccess *prometheus.GaugeVec // site
	lag         prometheus.Histogram
	refused     *prometheus.CounterVec // job
	reports     *prometheus.CounterVec // result
}

func newMetrics(reg *seeds.Registry) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		in:  reg.InScope,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pravda_fetch_requests_total",
			Help: "HTTP requests sent (retries included), by host and response status (\"none\" when no response came).",
		}, []string{"host", "status"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pravda_fetch_errors_total",
			Help: "Failed or refused requests by kind: network, timeout, http_429, http_5xx, http_4xx, robots, off_scope, truncated.",
		}, []string{"kind"}),
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pravda_articles_archived_total",
			Help: "New articles archived and cataloged, by crawl group.",
		}, []string{"group"}),
		versions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pravda_article_versions_total",
			Help: "New versions of known articles (changed bodies), by crawl group.",
		}, []string{"group"}),
		deletions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pravda_article_deletions_total",
			Help: "Articles found deleted (404/410 on a recheck), by crawl group.",
		}, []string{"group"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pravda_fetch_failed_total",
			Help: "Article fetches given up for the pass after retries, by crawl group (retried next pass).",
		}, []string{"group"}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pravda_passes_total",
			Help: "Crawl passes finished, by group and result (ok, failed, interrupted).",
		}, []string{"group", "result"}),
		passSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pravda_pass_duration_seconds",
			Help:    "Duration of crawl passes, by group.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600},
		}, []string{"group"}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pravda_queue_depth",
			Help: "Article URLs planned by the passes running now and not yet fetched.",
		}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pravda_passes_running",
			Help: "Crawl passes running now.",
		}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pravda_last_success_timestamp_seconds",
			Help: "Unix time the last successful pass over a site started.",
		}, []string{"site"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "pravda_origin_lag_seconds",
			Help: "Republication lag of newly archived articles: publication time minus the origin's, from the deepest hop whose time is known.",
			// A minute to a week: relays of Telegram posts take minutes, rewrites of outlet articles hours.
			Buckets: []float64{60, 300, 900, 1800, 3600, 2 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400},
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pravda_schedule_refused_total",
			Help: "Scheduled runs refused because the previous run over the same sites was still going, by job.",
		}, []string{"job"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pravda_reports_total",
			Help: "Daily reports written, by result.",
		}, []string{"result"}),
	}
	m.reg.MustRegister(m.requests, m.errors, m.articles, m.versions, m.deletions, m.failed,
		m.passes, m.passSeconds, m.queue, m.running, m.lastSuccess, m.lag, m.refused, m.reports,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the registry, behind a bearer token when one is set.
func (m *metrics) handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pravda metrics"`)
			http.Error(w, "metrics need a bearer token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// attempt counts one request.
func (m *metrics) attempt(a crawler.Attempt) {
	host := a.Host
	if !m.in(host) {
		host = "other"
	}
	status := "none"
	if a.Status != 0 {
		status = strconv.Itoa(a.Status)
	}
	m.requests.WithLabelValues(host, status).Inc()
	if a.Kind != "" {
		m.errors.WithLabelValues(a.Kind).Inc()
	}
}

// pass counts what a finished pass did.
func (m *metrics) pass(group string, sites []string, start time.Time, sum crawler.Summary, err error, interrupted bool) {
	result := "ok"
	switch {
	case interrupted:
		result = "interrupted"
	case err != nil:
		result = "failed"
	}
	m.passes.WithLabelValues(group, result).Inc()
	m.passSeconds.WithLabelValues(group).Observe(time.Since(start).Seconds())
	m.articles.WithLabelValues(group).Add(float64(sum.New))
	m.versions.WithLabelValues(group).Add(float64(sum.Versions))
	m.deletions.WithLabelValues(group).Add(float64(sum.Deletions))
	m.failed.WithLabelValues(group).Add(float64(sum.Failed))
	if result == "ok" {
		for _, s := range sites {
			m.lastSuccess.WithLabelValues(s).Set(float64(start.Unix()))
		}
	}
}

// observeLags adds the origin lags of the articles first seen since start on
// sites. It reads the catalog after the pass's trace stage has set the hops.
func (m *metrics) observeLags(ctx context.Context, cat *catalog.Catalog, since time.Time, sites []string) (int, error) {
	// Captures carry whole-second times: a page caught in the pass's first second is
	// stamped before the pass's own start.
	refs, err := cat.Recent(ctx, since.Truncate(time.Second), sites)
	if err != nil {
		return 0, err
	}
	n := 0
	// A backfill can bring in a year of articles; a sample of that size says enough.
	refs = refs[:min(len(refs), maxLagSample)]
	for _, r := range refs {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		a, err := cat.ArticleByRowID(ctx, r.RowID)
		if err != nil || a == nil {
			continue
		}
		if lag, ok := originLag(a.Hops); ok {
			m.lag.Observe(lag.Seconds())
			n++
		}
	}
	return n, nil
}

const maxLagSample = 5000

// originLag is the lag of the deepest hop whose origin time is known, the
// same rule the daily report uses.
func originLag(hops []catalog.Hop) (time.Duration, bool) {
	for i := len(hops) - 1; i >= 0; i-- {
		if !hops[i].OriginTime.IsZero() {
			return hops[i].Lag, true
		}
	}
	return 0, false
}

// queueProgress keeps the queue-depth gauge as a pass plans and fetches.
type queueProgress struct {
	g    prometheus.Gauge
	mu   sync.Mutex
	left int
}

func (q *queueProgress) Start(total int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.g.Add(float64(total - q.left))
	q.left = total
}

func (q *queueProgress) Add(n int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, q.left)
	q.left -= n
	q.g.Sub(float64(n))
}

func (q *queueProgress) Finish() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.g.Sub(float64(q.left))
	q.left = 0
}
