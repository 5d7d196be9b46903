package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/pravda-archive/pravda/seeds"
)

// DefaultUserAgent names the project and where to reach it, as a polite archiver should.
const DefaultUserAgent = "Mozilla/5.0 (compatible; pravda-archive/0.1; +https://github.com/pravda-archive/pravda)"

// Item is one URL in the persistent frontier.
type Item struct {
	Site string // site name
	URL  string // canonical URL
	Key  string // site[/edition]:id
	ID   int64
}

// Revisit is an archived article to check again for edits and deletions.
type Revisit struct {
	Item
	ETag         string
	LastModified string
}

// Frontier persists what a pass has yet to do, so that a killed crawl resumes.
type Frontier interface {
	Cursor(ctx context.Context, siteKey string) (int64, error)
	SetCursor(ctx context.Context, siteKey string, id int64) error
	Enqueue(ctx context.Context, items []Item) error // idempotent; never reopens a done URL
	// Pending returns up to limit of the items still to fetch for site that were
	// enqueued after position after, in enqueue order, and the position of the last
	// one read (items it cannot use are skipped but still move it): next == after when
	// none are left. A pass reads its frontier a page at a time.
	Pending(ctx context.Context, site string, after int64, limit int) (items []Item, next int64, err error)
	CountPending(ctx context.Context, site string) (int, error)
	Done(ctx context.Context, url string) error
	Failed(ctx context.Context, url string, err error) error
	Recent(ctx context.Context, since time.Time, sites []string) ([]Revisit, error)
}

// Page is one fetched article page, already written to the archive.
type Page struct {
	Item
	Status   int
	Header   http.Header
	Body     []byte
	Recheck  bool
	Fetched  time.Time
	FinalURL string
}

// Outcome is what a Handler did with a page.
type Outcome int

const (
	Skipped Outcome = iota
	New
	Version
	Unchanged
	Deleted
)

// Handler receives every article page the crawler fetched (any status: a 404/410 on a
// recheck is how deletions are found).
type Handler interface {
	Handle(ctx context.Context, p Page) (Outcome, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, p Page) (Outcome, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, p Page) (Outcome, error) { return f(ctx, p) }

// Config is one crawl pass.
type Config struct {
	Registry    *seeds.Registry
	Sites       []*seeds.Site
	Since       time.Time     // backfill limit; zero: up to DefaultBackfill before now on a first pass
	Recheck     time.Duration // revisit articles published within this window; zero: none
	Politeness  Politeness
	Workers     int   // concurrent fetches (default 8; politeness still applies per host/IP)
	MaxBodySize int64 // default 16 MiB
	UserAgent   string
	Transport   http.RoundTripper // the archive's recording transport (required)
	Dialer      *Dialer           // used for per-IP politeness keys (required)
	Frontier    Frontier
	Handler     Handler
	OnAttempt   func(Attempt) // every request, for the fetch log and metrics
	// Fetcher, when set, is the request path the pass uses, so that the pass and the
	// single fetches around it (the trace stage) share one robots.txt cache and one set of
	// per-host and per-IP gates instead of reading robots.txt and pacing hosts twice.
	Fetcher *Fetcher
	// Bodies, when set, bounds the big page bodies held between the wire and the handle
	// stage; its Reserve must be the Transport's (archive.TransportOptions.Reserve) for
	// the bound to hold. Nil: no bound but the handle stage's.
	Bodies   *BodyBudget
	Logger   *slog.Logger
	Progress Progress
	Now      func() time.Time
	sleep    func(context.Context, time.Duration) error
}

// DefaultBackfill bounds a first pass over a site with no --since: the live sites hold
// years of history, which a backfill should ask for explicitly.
const DefaultBackfill = 30 * 24 * time.Hour

// Summary is what a pass did.
type Summary struct {
	Sites       int            `json:"sites"`
	Discovered  int            `json:"discovered"`
	Fetched     int            `json:"fetched"`
	New         int            `json:"new"`
	Versions    int            `json:"versions"`
	Unchanged   int            `json:"unchanged"`
	Deletions   int            `json:"deletions"`
	Failed      int            `json:"failed"`
	Requests    int            `json:"requests"`
	ErrorsBy    map[string]int `json:"errors_by_kind"`
	Discovery   map[string]string
	Duration    time.Duration `json:"duration_ns"`
	PerNew      float64       `json:"requests_per_new_article"`
	SiteErrors  []string      `json:"site_errors,omitempty"`
	StatusCount map[int]int   `json:"status_count"`
}

// Run makes one crawl pass over cfg.Sites.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	if cfg.Transport == nil || cfg.Dialer == nil || cfg.Frontier == nil || cfg.Handler == nil || cfg.Registry == nil {
		return Summary{}, errors.New("crawler: Registry, Transport, Dialer, Frontier and Handler are required")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.MaxBodySize <= 0 {
		cfg.MaxBodySize = 16 << 20
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.sleep == nil {
		cfg.sleep = sleepCtx
	}
	if cfg.Progress == nil {
		cfg.Progress = nopProgress{}
	}
	r := &run{cfg: cfg, sum: Summary{ErrorsBy: map[string]int{}, StatusCount: map[int]int{}, Discovery: map[string]string{}}}
	start := time.Now()
	err := r.pass(ctx)
	// The trace stage may still be fetching through a shared Fetcher with this pass's
	// callback: close the summary to it before reading.
	r.mu.Lock()
	r.ended = true
	sum := r.sum
	r.mu.Unlock()
	sum.Duration = time.Since(start)
	if sum.New > 0 {
		sum.PerNew = float64(sum.Requests) / float64(sum.New)
	}
	return sum, err
}

type run struct {
	cfg      Config
	transp   *polite
	client   *http.Client
	robots   *robotsCache
	mu       sync.Mutex
	sum      Summary
	ended    bool // the summary is returned: later attempts are not the pass's
	requests atomic.Int64
}

func (r *run) attempt(a Attempt) {
	r.requests.Add(1)
	r.mu.Lock()
	if !r.ended {
		r.sum.Requests++
		if a.Kind != "" {
			r.sum.ErrorsBy[a.Kind]++
		}
		if a.Status != 0 {
			r.sum.StatusCount[a.Status]++
		}
	}
	r.mu.Unlock()
	if r.cfg.OnAttempt != nil {
		r.cfg.OnAttempt(a)
	}
}

func (r *run) pass(ctx context.Context) error {
	cfg := r.cfg
	var st *stack
	if cfg.Fetcher != nil {
		// Count the pass's requests in its summary while it runs; the fetcher's own
		// callback (cfg.OnAttempt, which r.attempt also calls) is back once it ends.
		st = cfg.Fetcher.st
		prev := st.transp.setOnTry(r.attempt)
		defer st.transp.setOnTry(prev)
	} else {
		st = newStack(cfg, r.attempt)
	}
	r.transp, r.client, r.robots = st.transp, st.client, st.robots
	uaTransport := st.ua
	r.sum.Sites = len(cfg.Sites)

	coll := colly.NewCollector(
		colly.UserAgent(cfg.UserAgent),
		colly.MaxBodySize(int(cfg.MaxBodySize)),
		colly.AllowURLRevisit(),
		colly.ParseHTTPErrorResponse(),
		colly.StdlibContext(ctx),
	)
	// Robots, redirects and scope are ours (polite, checkRedirect): colly's robots handling
	// has no Crawl-delay and no per-site switch.
	coll.IgnoreRobotsTxt = true
	coll.WithTransport(uaTransport)
	coll.SetRedirectHandler(checkRedirect(cfg.Registry))
	coll.SetRequestTimeout(2 * time.Minute)

	// Every site is discovered before any is fetched, so that the bar knows its total;
	// the jobs themselves are read from the frontier a page at a time as they are fed.
	var plans []*sitePlan
	total := 0
	for _, s := range cfg.Sites {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := r.plan(ctx, s)
		if err != nil {
			r.mu.Lock()
			r.sum.SiteErrors = append(r.sum.SiteErrors, err.Error())
			r.mu.Unlock()
			cfg.Logger.Warn("site planning failed", "site", s.Name, "err", err)
		}
		if p != nil {
			plans = append(plans, p)
			total += p.pending + len(p.revs)
		}
	}
	cfg.Progress.Start(total)
	defer cfg.Progress.Finish()
	ch := make(chan job)
	hs := newHandleStage(ctx, r, cfg.Workers)
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				if !r.fetch(ctx, coll, j, hs) {
					cfg.Progress.Add(1)
				}
			}
		}()
	}
	for _, p := range plans {
		if err := r.feed(ctx, p, ch); err != nil {
			if ctx.Err() != nil {
				break
			}
			r.mu.Lock()
			r.sum.SiteErrors = append(r.sum.SiteErrors, err.Error())
			r.mu.Unlock()
			cfg.Logger.Warn("reading the frontier failed", "site", p.site.Name, "err", err)
		}
	}
	close(ch)
	wg.Wait()
	hs.close()
	sort.Strings(r.sum.SiteErrors)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(r.sum.SiteErrors) > 0 && len(r.sum.SiteErrors) == len(cfg.Sites) && total == 0 {
		return fmt.Errorf("every site failed: %s", r.sum.SiteErrors[0])
	}
	return nil
}

type job struct {
	Item
	recheck bool
	etag    string
	lastMod string
}

// sitePlan is what a pass will fetch of one site: what its frontier holds pending
// (earlier killed passes included) and the articles to recheck.
type sitePlan struct {
	site    *seeds.Site
	pending int
	revs    []Revisit
}

// pendingPage is how many frontier items a pass reads at a time: a backfill of the
// whole network enqueues millions, some 200 bytes each as jobs.
const pendingPage = 1000

// plan discovers a site's new articles, stores them in the frontier, moves the cursor, and
// counts what is pending for the site.
func (r *run) plan(ctx context.Context, s *seeds.Site) (*sitePlan, error) {
	cfg := r.cfg
	keys := []string{s.Name}
	for _, l := range s.Langs[1:] {
		keys = append(keys, s.Name+"/"+l)
	}
	cursor := map[string]int64{}
	first := true
	for _, k := range keys {
		c, err := cfg.Frontier.Cursor(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("cursor %s: %w", k, err)
		}
		cursor[k] = c
		if c > 0 {
			first = false
		}
	}
	since := cfg.Since
	if since.IsZero() && first {
		since = cfg.Now().Add(-DefaultBackfill)
	}
	var found []Found
	var derr error
	for _, ed := range append([]string{""}, s.Langs[1:]...) {
		d := &discoverer{client: r.client, reg: cfg.Registry, site: s, edition: ed, cursor: cursor, since: since,
			maxPages: 100000, maxSize: 64 << 20, robots: r.robots,
			log: func(msg string, args ...any) { cfg.Logger.Info(msg, args...) }}
		f, method, err := d.run(ctx)
		found = append(found, f...)
		derr = errors.Join(derr, err)
		name := s.Name
		if ed != "" {
			name += "/" + ed
		}
		r.mu.Lock()
		r.sum.Discovery[name] = method
		r.sum.Discovered += len(f)
		r.mu.Unlock()
		cfg.Logger.Info("discovered", "site", name, "method", method, "new", len(f), "requests", d.pages)
	}
	items := make([]Item, 0, len(found))
	top := map[string]int64{}
	for _, f := range found {
		items = append(items, Item{Site: s.Name, URL: f.URL, Key: f.Key, ID: f.ID})
		if f.ID > top[f.SiteKey] {
			top[f.SiteKey] = f.ID
		}
	}
	if err := cfg.Frontier.Enqueue(ctx, items); err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", s.Name, err)
	}
	// The cursor moves only after a complete discovery whose finds are safely enqueued.
	if derr == nil && ctx.Err() == nil {
		for k, id := range top {
			if id > cursor[k] {
				if err := cfg.Frontier.SetCursor(ctx, k, id); err != nil {
					return nil, fmt.Errorf("cursor %s: %w", k, err)
				}
			}
		}
	}
	p := &sitePlan{site: s}
	var err error
	if p.pending, err = cfg.Frontier.CountPending(ctx, s.Name); err != nil {
		return nil, fmt.Errorf("pending %s: %w", s.Name, err)
	}
	if cfg.Recheck > 0 {
		if p.revs, err = cfg.Frontier.Recent(ctx, cfg.Now().Add(-cfg.Recheck), []string{s.Name}); err != nil {
			return p, fmt.Errorf("recheck %s: %w", s.Name, err)
		}
	}
	return p, derr
}

// feed sends a site's pending items to the workers, page by page, then its rechecks: an
// article both pending and due for a recheck is fetched once, as pending.
func (r *run) feed(ctx context.Context, p *sitePlan, ch chan<- job) error {
	cfg := r.cfg
	recheck := make(map[string]int, len(p.revs))
	for i, rv := range p.revs {
		recheck[rv.URL] = i
	}
	queued := make([]bool, len(p.revs))
	send := func(j job) error {
		select {
		case ch <- j:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	fed := 0
	for after := int64(0); ; {
		items, next, err := cfg.Frontier.Pending(ctx, p.site.Name, after, pendingPage)
		if err != nil {
			return fmt.Errorf("pending %s: %w", p.site.Name, err)
		}
		for _, it := range items {
			if i, ok := recheck[it.URL]; ok {
				queued[i] = true
			}
			if err := send(job{Item: it}); err != nil {
				return err
			}
			fed++
		}
		if next == after {
			break
		}
		after = next
	}
	// Keep the bar true to what was counted: items the frontier could not use, or a
	// recheck that went as a pending fetch, are not coming.
	skipped := max(0, p.pending-fed)
	for i, rv := range p.revs {
		if queued[i] {
			skipped++
			continue
		}
		if err := send(job{Item: rv.Item, recheck: true, etag: rv.ETag, lastMod: rv.LastModified}); err != nil {
			return err
		}
	}
	cfg.Progress.Add(skipped)
	return nil
}

// fetch gets one article page through colly and hands it to the handle stage;
// handed tells whether it did (the stage then finishes the job).
func (r *run) fetch(ctx context.Context, coll *colly.Collector, j job, hs *handleStage) (handed bool) {
	cfg := r.cfg
	hdr := http.Header{}
	if j.recheck {
		if j.etag != "" {
			hdr.Set("If-None-Match", j.etag)
		}
		if j.lastMod != "" {
			hdr.Set("If-Modified-Since", j.lastMod)
		}
	}
	var page *Page
	cctx := colly.NewContext()
	c := coll.Clone()
	// The page's body is on the budget from the transport until the handle stage has it.
	var l *lease
	c.Context, l = cfg.Bodies.begin(coll.Context)
	defer l.end()
	c.OnResponse(func(resp *colly.Response) {
		page = &Page{Item: j.Item, Status: resp.StatusCode, Header: *resp.Headers, Body: resp.Body,
			Recheck: j.recheck, Fetched: time.Now(), FinalURL: resp.Request.URL.String()}
	})
	var fetchErr error
	c.OnError(func(resp *colly.Response, err error) {
		if resp != nil && resp.StatusCode != 0 && page == nil {
			page = &Page{Item: j.Item, Status: resp.StatusCode, Header: *resp.Headers, Body: resp.Body,
				Recheck: j.recheck, Fetched: time.Now(), FinalURL: resp.Request.URL.String()}
			return
		}
		fetchErr = err
	})
	err := c.Request(http.MethodGet, j.URL, nil, cctx, hdr)
	if page == nil {
		if err == nil {
			err = fetchErr
		}
		if err == nil {
			err = errors.New("no response")
		}
		if errors.Is(err, ErrRobots) || errors.Is(err, ErrOffScope) {
			// Permanent: asking again next pass would not change the answer.
			cfg.Logger.Info("not fetched", "url", j.URL, "why", err)
			cfg.Frontier.Done(ctx, j.URL)
			return false
		}
		r.fail(ctx, j, err)
		return false
	}
	if page.Status == http.StatusNotModified {
		r.count(Unchanged)
		cfg.Frontier.Done(ctx, j.URL)
		return false
	}
	r.mu.Lock()
	r.sum.Fetched++
	r.mu.Unlock()
	return hs.hand(j, page)
}

// handle passes a fetched page to the Handler and records the outcome.
func (r *run) handle(ctx context.Context, j job, page *Page) {
	cfg := r.cfg
	out, herr := cfg.Handler.Handle(ctx, *page)
	if herr != nil {
		r.fail(ctx, j, fmt.Errorf("handle %s: %w", j.URL, herr))
		return
	}
	if out == Skipped && page.Status >= 500 || page.Status == http.StatusTooManyRequests {
		r.fail(ctx, j, fmt.Errorf("fetch %s: status %d after retries", j.URL, page.Status))
		return
	}
	r.count(out)
	if err := cfg.Frontier.Done(ctx, j.URL); err != nil {
		cfg.Logger.Error("frontier done", "url", j.URL, "err", err)
	}
}

func (r *run) fail(ctx context.Context, j job, err error) {
	r.mu.Lock()
	r.sum.Failed++
	r.mu.Unlock()
	r.cfg.Logger.Warn("fetch failed", "url", j.URL, "err", err)
	if ferr := r.cfg.Frontier.Failed(ctx, j.URL, err); ferr != nil {
		r.cfg.Logger.Error("frontier failed", "url", j.URL, "err", ferr)
	}
}

func (r *run) count(o Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch o {
	case New:
		r.sum.New++
	case Version:
		r.sum.Versions++
	case Unchanged:
		r.sum.Unchanged++
	case Deleted:
		r.sum.Deletions++
	}
}

// stack is the request path every fetch takes: user agent → polite (scope, robots,
// limits, retries) → the archive's recording transport.
type stack struct {
	transp *polite
	ua     *userAgent
	client *http.Client
	robots *robotsCache
}

func newStack(cfg Config, onTry func(Attempt)) *stack {
	robotsOn := map[string]bool{}
	for _, s := range cfg.Registry.Sites {
		for _, h := range append([]string{s.Host}, s.Aliases...) {
			robotsOn[h] = s.HonoursRobots()
		}
	}
	sleep := cfg.sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	t := &polite{
		base: cfg.Transport, p: cfg.Politeness.withDefaults(), dialer: cfg.Dialer,
		scope: cfg.Registry.InScope, sleep: sleep,
		hosts: map[string]*gate{}, ips: map[string]*gate{},
	}
	t.setOnTry(onTry)
	st := &stack{transp: t, ua: &userAgent{base: t, ua: ua}}
	st.client = &http.Client{Transport: st.ua, Timeout: 5 * time.Minute, CheckRedirect: checkRedirect(cfg.Registry)}
	st.robots = &robotsCache{client: st.client, maxSize: 512 << 10, applies: func(h string) bool {
		on, ok := robotsOn[h]
		return !ok || on
	}}
	t.robots = st.robots
	t.delayOf = st.robots.crawlDelay
	return st
}

// Fetcher fetches single URLs (origin pages, chain hops) through the same polite, scoped,
// archived path as a crawl pass. It is safe for concurrent use.
type Fetcher struct {
	st      *stack
	maxBody int64
	bodies  *BodyBudget
}

// NewFetcher builds a Fetcher from the fields of cfg that a single fetch needs (Registry,
// Transport, Dialer, Politeness, UserAgent, OnAttempt, MaxBodySize, Bodies).
func NewFetcher(cfg Config) (*Fetcher, error) {
	if cfg.Transport == nil || cfg.Dialer == nil || cfg.Registry == nil {
		return nil, errors.New("crawler: Registry, Transport and Dialer are required")
	}
	if cfg.MaxBodySize <= 0 {
		cfg.MaxBodySize = 16 << 20
	}
	return &Fetcher{st: newStack(cfg, cfg.OnAttempt), maxBody: cfg.MaxBodySize, bodies: cfg.Bodies}, nil
}

// Get fetches u and returns the final response with its body read (at most the body cap);
// the response's header carries the archive capture (archive.CaptureFromHeader). A big
// body is on the body budget until Get returns.
func (f *Fetcher) Get(ctx context.Context, u string) (*http.Response, []byte, error) {
	ctx, l := f.bodies.begin(ctx)
	defer l.end()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	resp, err := f.st.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBody))
	if err != nil {
		return resp, nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	return resp, body, nil
}

// checkRedirect keeps redirects in scope and bounded; a redirect loop ends as an error.
func checkRedirect(reg *seeds.Registry) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return fmt.Errorf("stopped after %d redirects (loop?) at %s", len(via), req.URL)
		}
		if !reg.InScope(req.URL.Hostname()) {
			return fmt.Errorf("redirect to %s: %w", req.URL.Host, ErrOffScope)
		}
		return nil
	}
}

// userAgent sets the crawler's identity and asks for gzip on every request.
type userAgent struct {
	base http.RoundTripper
	ua   string
}

func (t *userAgent) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", t.ua)
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8")
	}
	return t.base.RoundTrip(req)
}
