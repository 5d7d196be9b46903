package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Errors a polite transport returns without sending anything.
var (
	ErrOffScope     = errors.New("host is not in the seeds registry")
	ErrRobots       = errors.New("disallowed by robots.txt")
	ErrRetryTooLong = errors.New("server asked to wait longer than allowed")
)

// Politeness holds the limits the crawler keeps towards each host and each IP address
// (the network's sites share a few Cloudflare addresses, so a per-host limit alone is not
// polite). Zero values take the defaults below.
type Politeness struct {
	PerHost       int           // concurrent requests per host (default 1)
	PerIP         int           // concurrent requests per IP address (default 4)
	Delay         time.Duration // minimum gap between two requests to one host (default 500ms)
	MaxRetries    int           // attempts after the first, on 429/5xx/timeouts (default 4)
	BackoffBase   time.Duration // first backoff (default 1s), doubled per attempt, full jitter
	BackoffMax    time.Duration // backoff ceiling (default 60s)
	MaxRetryAfter time.Duration // longest Retry-After obeyed before giving up (default 10m)
	Off           bool          // benchmarks only: no limits, no delays (retries still happen)
}

func (p Politeness) withDefaults() Politeness {
	if p.PerHost <= 0 {
		p.PerHost = 1
	}
	if p.PerIP <= 0 {
		p.PerIP = 4
	}
	if p.Delay == 0 && !p.Off {
		p.Delay = 500 * time.Millisecond
	}
	if p.MaxRetries == 0 {
		p.MaxRetries = 4
	}
	if p.BackoffBase == 0 {
		p.BackoffBase = time.Second
	}
	if p.BackoffMax == 0 {
		p.BackoffMax = time.Minute
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = 10 * time.Minute
	}
	return p
}

// Attempt describes one request as sent (or refused), for the fetch log and metrics.
type Attempt struct {
	URL      string
	Host     string
	Status   int
	Err      error
	Kind     string // "", "network", "timeout", "http_429", "http_5xx", "http_4xx", "robots", "off_scope", "truncated"
	Try      int
	Started  time.Time
	Duration time.Duration
	Bytes    int64
}

// host is the politeness state of one host or IP.
type gate struct {
	sem     chan struct{}
	mu      sync.Mutex
	next    time.Time // earliest start of the next request
	blocked time.Time // Retry-After: nothing before this
}

// polite is the RoundTripper between colly and the archive transport: scope, robots,
// per-host and per-IP limits, Retry-After and retries with jittered exponential backoff.
// Every attempt goes through to the archive, so retries are on the record too.
type polite struct {
	base    http.RoundTripper
	p       Politeness
	dialer  *Dialer
	scope   func(host string) bool
	robots  *robotsCache
	onTry   atomic.Pointer[func(Attempt)] // swapped by each pass while the trace stage fetches
	sleep   func(ctx context.Context, d time.Duration) error
	mu      sync.Mutex
	hosts   map[string]*gate
	ips     map[string]*gate
	delayOf func(host string) time.Duration // robots Crawl-delay, when longer than Delay
}

func (t *polite) gate(m map[string]*gate, key string, n int) *gate {
	t.mu.Lock()
	defer t.mu.Unlock()
	g, ok := m[key]
	if !ok {
		g = &gate{sem: make(chan struct{}, n)}
		m[key] = g
	}
	return g
}

func (t *polite) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	host := req.URL.Hostname()
	if !t.scope(host) {
		t.report(Attempt{URL: req.URL.String(), Host: host, Err: ErrOffScope, Kind: "off_scope", Started: time.Now()})
		return nil, fmt.Errorf("fetch %s: %w", req.URL, ErrOffScope)
	}
	if t.robots != nil && req.URL.Path != "/robots.txt" {
		ok, err := t.robots.allowed(ctx, req.URL)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: robots.txt: %w", req.URL, err)
		}
		if !ok {
			t.report(Attempt{URL: req.URL.String(), Host: host, Err: ErrRobots, Kind: "robots", Started: time.Now()})
			return nil, fmt.Errorf("fetch %s: %w", req.URL, ErrRobots)
		}
	}
	idempotent := req.Method == http.MethodGet || req.Method == http.MethodHead
	for try := 0; ; try++ {
		resp, err := t.once(req, try)
		if !idempotent || try >= t.p.MaxRetries {
			return resp, err
		}
		wait, retry := t.retryAfter(resp, err, try)
		if !retry {
			return resp, err
		}
		if wait > t.p.MaxRetryAfter {
			if resp != nil {
				return resp, nil
			}
			return nil, fmt.Errorf("fetch %s: wait %s: %w", req.URL, wait, ErrRetryTooLong)
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
				g := t.gate(t.hosts, host, t.p.PerHost)
				g.mu.Lock()
				if until := time.Now().Add(wait); until.After(g.blocked) {
					g.blocked = until
				}
				g.mu.Unlock()
			}
		}
		if err := t.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("fetch %s: %w", req.URL, err)
		}
	}
}

// once sends one attempt, holding the host and IP gates.
func (t *polite) once(req *http.Request, try int) (*http.Response, error) {
	ctx := req.Context()
	host := req.URL.Hostname()
	port := req.URL.Port()
	if port == "" {
		port = map[string]string{"https": "443"}[req.URL.Scheme]
		if port == "" {
			port = "80"
		}
	}
	var hg, ig *gate
	if !t.p.Off {
		ig = t.gate(t.ips, t.dialer.IPKey(ctx, host, port), t.p.PerIP)
		hg = t.gate(t.hosts, host, t.p.PerHost)
		if err := acquire(ctx, ig); err != nil {
			return nil, err
		}
		defer func() { <-ig.sem }()
		if err := acquire(ctx, hg); err != nil {
			return nil, err
		}
		defer func() { <-hg.sem }()
		delay := t.p.Delay
		if t.delayOf != nil {
			if d := t.delayOf(host); d > delay {
				delay = d
			}
		}
		hg.mu.Lock()
		start := time.Now()
		if hg.next.After(start) {
			start = hg.next
		}
		if hg.blocked.After(start) {
			start = hg.blocked
		}
		hg.next = start.Add(delay)
		hg.mu.Unlock()
		if err := t.sleep(ctx, time.Until(start)); err != nil {
			return nil, err
		}
	}
	a := Attempt{URL: req.URL.String(), Host: host, Try: try, Started: time.Now()}
	r := req
	if try > 0 {
		r = req.Clone(ctx)
	}
	resp, err := t.base.RoundTrip(r)
	a.Duration = time.Since(a.Started)
	a.Err = err
	if resp != nil {
		a.Status = resp.StatusCode
		a.Bytes = resp.ContentLength
	}
	a.Kind = errorKind(resp, err)
	t.report(a)
	return resp, err
}

func acquire(ctx context.Context, g *gate) error {
	select {
	case g.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *polite) report(a Attempt) {
	if f := t.onTry.Load(); f != nil && *f != nil {
		(*f)(a)
	}
}

// setOnTry installs the callback every attempt reports to and returns the one it replaced.
func (t *polite) setOnTry(f func(Attempt)) (prev func(Attempt)) {
	if old := t.onTry.Swap(&f); old != nil {
		return *old
	}
	return nil
}

// retryAfter decides whether an attempt is worth repeating and after how long.
func (t *polite) retryAfter(resp *http.Response, err error, try int) (time.Duration, bool) {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && !isTimeout(err) {
			return 0, false
		}
		if errors.Is(err, ErrPrivateAddress) || errors.Is(err, ErrOffScope) {
			return 0, false
		}
		return t.backoff(try), true
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return d, true
		}
		return t.backoff(try), true
	}
	return 0, false
}

func (t *polite) backoff(try int) time.Duration {
	ceil := t.p.BackoffBase << min(try, 20)
	if ceil > t.p.BackoffMax || ceil <= 0 {
		ceil = t.p.BackoffMax
	}
	// Full jitter: spreads the retries of many workers hit by one outage.
	return time.Duration(rand.Int64N(int64(ceil)) + 1)
}

// parseRetryAfter reads delta-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func errorKind(resp *http.Response, err error) string {
	switch {
	case err != nil && isTimeout(err):
		return "timeout"
	case err != nil:
		return "network"
	case resp.StatusCode == http.StatusTooManyRequests:
		return "http_429"
	case resp.StatusCode >= 500:
		return "http_5xx"
	case resp.StatusCode >= 400:
		return "http_4xx"
	}
	return ""
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
