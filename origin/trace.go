package origin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/extract"
	"github.com/pravda-archive/pravda/seeds"
)

// DefaultMaxDepth bounds an origin chain: real chains are one to three hops (a network
// page, a relay channel's forward, the root post).
const DefaultMaxDepth = 6

// Fetcher fetches one URL through the archive; crawler.Fetcher is one. The response header
// locates the capture (archive.CaptureFromHeader).
type Fetcher interface {
	Get(ctx context.Context, url string) (*http.Response, []byte, error)
}

// IngestFunc stores a fetched network article page in the catalog (ingest.Ingester.Put
// does the work; the tracer cannot import ingest, which imports this package).
type IngestFunc func(ctx context.Context, pageURL string, resp *http.Response, body []byte) error

// Tracer follows the sources articles credit, hop by hop, to their root origin: through
// other network pages (looked up in the catalog, fetched and ingested if missing), Telegram
// posts (their public t.me/s/ view, archived, then any "Forwarded from" post) and state
// outlets (their page, for the publication time). It records each hop with the evidence
// that proved it and sets the article's origin to the end of the chain.
//
// A hop that cannot be fetched (404, timeout, no Fetcher) is recorded as unreachable and
// ends the chain there; it never fails the trace. Tracer is safe for concurrent use; it
// remembers the pages it fetched for its lifetime, so one Tracer per pass.
type Tracer struct {
	Registry *seeds.Registry // nil: seeds.Default()
	Catalog  *catalog.Catalog
	Fetcher  Fetcher    // nil: offline, nothing is fetched
	Ingest   IngestFunc // nil: network pages missing from the catalog are unreachable
	MaxDepth int        // hops per chain; 0 means DefaultMaxDepth
	Workers  int        // TraceAll's concurrency; 0 means 4
	Log      *slog.Logger

	telegram memo[tgKey, *tgResult]
	outlets  memo[string, *pageResult]
	network  memo[string, error] // article key → fetch-and-ingest outcome
	fetches  atomic.Int64
}

// Chain is one article's traced origin chain, as stored.
type Chain struct {
	RowID     int64
	Key       string // "site:id"
	Day       string // the article's publication day
	Published time.Time
	Credited  bool // the article credits a source at all
	Hops      []catalog.Hop
	Root      catalog.Origin // the end of the chain; Kind "none" for an uncredited article
}

// Lag is the total republication lag: the article's publication time minus the earliest
// origin time known along the chain (normally the root's). ok is false when no hop has a
// time or the article's time is unknown.
func (c *Chain) Lag() (lag time.Duration, ok bool) {
	for i := len(c.Hops) - 1; i >= 0; i-- {
		if h := c.Hops[i]; !h.OriginTime.IsZero() && !c.Published.IsZero() {
			return h.Lag, true
		}
	}
	return 0, false
}

// Unreachable reports whether a hop could not be fetched.
func Unreachable(h catalog.Hop) bool { return strings.Contains(h.Evidence, evUnreachable) }

const (
	evUnreachable = "unreachable: "
	evInferred    = "inferred: "
)

// Inferred reports whether the hops record an origin inherited from a story rather than
// traced from a credit.
func Inferred(hops []catalog.Hop) bool {
	return len(hops) > 0 && strings.HasPrefix(hops[0].Evidence, evInferred)
}

func (t *Tracer) reg() *seeds.Registry {
	if t.Registry == nil {
		return defaultRegistry()
	}
	return t.Registry
}

func (t *Tracer) log() *slog.Logger {
	if t.Log == nil {
		return slog.Default()
	}
	return t.Log
}

// Trace traces the article with catalog row id rowID and stores its hops and root origin.
// An uncredited article has no chain: its traced hops, if any, are cleared, and an origin
// inferred from its story is left for Grouper to keep or drop.
func (t *Tracer) Trace(ctx context.Context, rowID int64) (*Chain, error) {
	a, err := t.Catalog.ArticleHeadByRowID(ctx, rowID)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	return t.trace(ctx, a, false)
}

// errDeferred ends a walk that would have to fetch a network page the catalog lacks
// while a pass may still be fetching it (see Stream).
var errDeferred = errors.New("network page not in the catalog yet")

// trace walks and stores a's chain. With deferNetwork, a chain that reaches a network
// article missing from the catalog stores nothing and returns errDeferred.
func (t *Tracer) trace(ctx context.Context, a *catalog.Article, deferNetwork bool) (*Chain, error) {
	c := &Chain{RowID: a.RowID, Key: a.Site + ":" + strconv.FormatInt(a.ID, 10), Day: a.PublishedDay,
		Published: a.Published, Root: catalog.Origin{Kind: string(KindNone)}}
	links, err := t.walk(ctx, a, deferNetwork)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err // a cancelled walk looks unreachable everywhere: store nothing
	}
	if len(links) == 0 {
		if Inferred(a.Hops) { // the grouper's to keep or withdraw
			c.Hops, c.Root = a.Hops, a.Origin
			return c, nil
		}
		var hops []catalog.Hop
		if a.SourceURL != "" || a.SourceTitle != "" {
			// A credit nobody can read is recorded as such, so that it is not picked up
			// again as untraced on every pass.
			hops = []catalog.Hop{{N: 1, Kind: string(KindNone), Evidence: fmt.Sprintf(
				"credit not understood: data-source-url %q, text %q on %s", clip(a.SourceURL), clip(a.SourceTitle), describe(a))}}
		}
		c.Hops = hops
		if len(hops) > 0 || len(a.Hops) > 0 {
			return c, t.store(ctx, a, c)
		}
		return c, nil
	}
	c.Credited = true
	for i, l := range links {
		h := l.hop
		h.N = i + 1
		if !h.OriginTime.IsZero() && !a.Published.IsZero() {
			h.Lag = a.Published.Sub(h.OriginTime)
		}
		c.Hops = append(c.Hops, h)
	}
	c.Root = links[len(links)-1].root()
	return c, t.store(ctx, a, c)
}

// store writes the origin and the hops in one commit: an article with hops counts as
// traced, so a chain is never kept with a stale root. A chain the article held already
// (as read before the walk) is not written again: one whose hops needed no page fetched
// (a network page the catalog holds, a credit by name, an unreadable credit) comes out
// the same each time an article is retraced.
func (t *Tracer) store(ctx context.Context, a *catalog.Article, c *Chain) error {
	if a.Origin == c.Root && sameHops(a.Hops, c.Hops) {
		return nil
	}
	if err := t.Catalog.SetTrace(ctx, a.RowID, c.Root, c.Hops); err != nil {
		return fmt.Errorf("trace %s: %w", c.Key, err)
	}
	return nil
}

// sameHops reports whether stored hops, as the catalog reads them back, are the hops
// about to be written: times come back to the millisecond, lags to the second. Anything
// the catalog would clip differs, which costs a write, never a lost one.
func sameHops(stored, hops []catalog.Hop) bool {
	if len(stored) != len(hops) {
		return false
	}
	for i, h := range hops {
		s := h
		s.N = i + 1
		s.OriginTime, s.Lag = time.Time{}, 0
		if !h.OriginTime.IsZero() {
			s.Lag = h.Lag / time.Second * time.Second
		}
		st := stored[i]
		if !st.OriginTime.Equal(h.OriginTime.Truncate(time.Millisecond)) {
			return false
		}
		st.OriginTime = time.Time{}
		if st != s {
			return false
		}
	}
	return true
}

// TraceStats sums up TraceAll.
type TraceStats struct {
	Articles    int // traced
	Credited    int
	Hops        int
	Unreachable int // chains ending in an unreachable hop
	Failed      int // articles whose trace failed (catalog errors), logged
	Fetches     int64
	From, To    string // range of the traced articles' publication days
	Duration    time.Duration
}

// add counts one traced chain.
func (st *TraceStats) add(c *Chain) {
	st.Articles++
	if c.Credited {
		st.Credited++
	}
	if !Inferred(c.Hops) {
		st.Hops += len(c.Hops)
		if n := len(c.Hops); n > 0 && Unreachable(c.Hops[n-1]) {
			st.Unreachable++
		}
	}
	if c.Day != "" {
		if st.From == "" || c.Day < st.From {
			st.From = c.Day
		}
		if c.Day > st.To {
			st.To = c.Day
		}
	}
}

// TraceAll traces the articles with Workers goroutines. A failure on one article is logged
// and counted, not returned; only a cancelled context stops it early.
func (t *Tracer) TraceAll(ctx context.Context, rowIDs []int64) (TraceStats, error) {
	start := time.Now()
	fetched := t.fetches.Load()
	workers := t.Workers
	if workers <= 0 {
		workers = 4
	}
	ids := make(chan int64)
	chains := make(chan *Chain)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range min(workers, max(1, len(rowIDs))) {
		wg.Go(func() {
			for id := range ids {
				c, err := t.Trace(ctx, id)
				if err != nil {
					if ctx.Err() == nil {
						failed.Add(1)
						t.log().Warn("trace", "article", id, "err", err)
					}
					continue
				}
				chains <- c
			}
		})
	}
	go func() {
		defer close(ids)
		for _, id := range rowIDs {
			select {
			case ids <- id:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(chains) }()
	var st TraceStats
	for c := range chains {
		st.add(c)
	}
	st.Failed = int(failed.Load())
	st.Fetches = t.fetches.Load() - fetched
	st.Duration = time.Since(start)
	return st, ctx.Err()
}

// link is one hop as the walk finds it, with the classified origin the root is made of.
type link struct {
	hop catalog.Hop
	o   Origin
}

func (l link) root() catalog.Origin {
	o := l.o
	r := catalog.Origin{Kind: string(o.Kind), Outlet: o.Outlet, Owner: o.Owner, Channel: o.Channel,
		Platform: o.Platform, URL: o.URL, Site: o.Site, ArtID: o.ID}
	if o.Post > 0 {
		r.Post = strconv.FormatInt(o.Post, 10)
	}
	return r
}

// credit is a source credit read on one page, with where it was read.
type credit struct {
	url, title string
	field      string // data-source-url, credit text, forwarded_from
	on         string // the page: "japan:123 (file@offset)", "t.me/s/CH/1 (file@offset)"
}

// walk follows a's credit to its root. It returns no links for an uncredited article.
func (t *Tracer) walk(ctx context.Context, a *catalog.Article, deferNetwork bool) ([]link, error) {
	maxDepth := t.MaxDepth
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	var links []link
	self := articleKey(a)
	visited := map[string]bool{"net:" + self: true}
	src := credit{url: a.SourceURL, title: a.SourceTitle, on: describe(a)}
	for {
		o, field := t.classify(src)
		if o.Kind == KindNone {
			return links, nil
		}
		if len(links) == maxDepth {
			links[len(links)-1].hop.Evidence += fmt.Sprintf("; depth cap %d: not followed to %s", maxDepth, clip(firstOf(o.URL, src.url, src.title)))
			return links, nil
		}
		l := link{o: o, hop: catalog.Hop{Kind: string(o.Kind), URL: o.URL, Channel: o.Channel, Outlet: o.Outlet,
			Evidence: field + " on " + src.on}}
		if o.Post > 0 {
			l.hop.Post = strconv.FormatInt(o.Post, 10)
		}
		id := identity(o)
		if visited[id] {
			what := firstOf(o.Key, o.URL)
			if len(links) == 0 {
				l.hop.Evidence += "; cycle: the article credits itself"
				return append(links, l), nil
			}
			links[len(links)-1].hop.Evidence += "; cycle: credits " + what + ", already in the chain"
			return links, nil
		}
		visited[id] = true

		switch o.Kind {
		case KindNetwork:
			if o.Key == "" { // a site named, or a network page that is no article
				return append(links, l), nil
			}
			b, err := t.networkArticle(ctx, o, deferNetwork)
			if errors.Is(err, errDeferred) {
				return nil, err
			}
			if err != nil {
				l.hop.Evidence += "; " + evUnreachable + err.Error()
				return append(links, l), nil
			}
			if b.CanonicalURL != "" {
				l.hop.URL, l.o.URL = b.CanonicalURL, b.CanonicalURL
			}
			if v := currentVersion(b); v != nil {
				l.hop.WARCFile, l.hop.WARCOffset = v.WARCFile, v.WARCOffset
			}
			l.hop.OriginTime = b.Published
			links = append(links, l)
			visited["net:"+articleKey(b)] = true
			src = credit{url: b.SourceURL, title: b.SourceTitle, on: describe(b)}

		case KindTelegramPost:
			if o.Channel == "" { // t.me/c/…: a private channel, no public view
				l.hop.Evidence += "; private channel: no public view to fetch"
				return append(links, l), nil
			}
			r := t.telegramPost(ctx, o.Channel, o.Post)
			if r.err != nil {
				l.hop.Evidence += "; " + evUnreachable + r.err.Error()
				return append(links, l), nil
			}
			p := r.post
			l.hop.WARCFile, l.hop.WARCOffset = r.capture.File, r.capture.Offset
			l.hop.OriginTime = p.Time
			links = append(links, l)
			page := "post " + p.Channel + "/" + strconv.FormatInt(p.Post, 10) + " as " + r.shown + " shows it (" + where(r.capture) + ")"
			switch {
			case p.ForwardedFrom != "":
				src = credit{url: p.ForwardedFrom, field: "forwarded_from", on: page}
			case p.ForwardedName != "":
				links[len(links)-1].hop.Evidence += "; forwarded from " + strconv.Quote(p.ForwardedName) + " with no public link"
				return links, nil
			default:
				return links, nil
			}

		case KindStateMedia:
			if !hasPath(o.URL) { // credited by name or home page: nothing to date
				return append(links, l), nil
			}
			r := t.outletPage(ctx, o.URL)
			if r.err != nil {
				l.hop.Evidence += "; " + evUnreachable + r.err.Error()
				return append(links, l), nil
			}
			l.hop.WARCFile, l.hop.WARCOffset = r.capture.File, r.capture.Offset
			l.hop.OriginTime = r.published
			return append(links, l), nil

		default: // a channel without a post, a social page, any other web page: the end
			return append(links, l), nil
		}
	}
}

// classify reads a credit and names the field that decided it.
func (t *Tracer) classify(c credit) (Origin, string) {
	if o, ok := classifyURL(t.reg(), c.url); ok {
		f := c.field
		if f == "" {
			f = "data-source-url"
		}
		return o, f
	}
	if c.field == "forwarded_from" {
		return Origin{Kind: KindNone}, ""
	}
	if o, ok := classifyTitle(t.reg(), c.title); ok {
		return o, "credit text " + strconv.Quote(clip(c.title))
	}
	return Origin{Kind: KindNone}, ""
}

// identity keys an origin for the cycle check.
func identity(o Origin) string {
	switch {
	case o.Kind == KindNetwork && o.Key != "":
		return "net:" + o.Key
	case o.Kind == KindTelegramPost && o.Channel != "":
		return "tg:" + strings.ToLower(o.Channel) + "/" + strconv.FormatInt(o.Post, 10)
	}
	return string(o.Kind) + ":" + o.URL + "|" + o.Channel + "|" + o.Outlet + "|" + o.Site
}

func articleKey(a *catalog.Article) string { return a.Site + ":" + strconv.FormatInt(a.ID, 10) }

// describe names an article page and its capture for evidence.
func describe(a *catalog.Article) string {
	s := articleKey(a)
	if v := currentVersion(a); v != nil && v.WARCFile != "" {
		s += " (" + v.WARCFile + "@" + strconv.FormatInt(v.WARCOffset, 10) + ")"
	}
	return s
}

func where(c archive.Capture) string {
	if c.File == "" {
		return "not archived"
	}
	return c.File + "@" + strconv.FormatInt(c.Offset, 10)
}

func currentVersion(a *catalog.Article) *catalog.Version {
	for i := range a.Versions {
		if a.Versions[i].N == a.CurrentVersion {
			return &a.Versions[i]
		}
	}
	if n := len(a.Versions); n > 0 {
		return &a.Versions[n-1]
	}
	return nil
}

func hasPath(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.Trim(u.Path, "/") != ""
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// errOffline is the reason given for hops that need a page when there is no Fetcher.
var errOffline = errors.New("not fetched (offline)")

// fetch gets a page and insists on 200.
func (t *Tracer) fetch(ctx context.Context, u string) (*http.Response, []byte, archive.Capture, error) {
	if t.Fetcher == nil {
		return nil, nil, archive.Capture{}, errOffline
	}
	t.fetches.Add(1)
	resp, body, err := t.Fetcher.Get(ctx, u)
	if err != nil {
		return nil, nil, archive.Capture{}, err
	}
	c, _ := archive.CaptureFromHeader(resp.Header)
	if resp.StatusCode != http.StatusOK {
		return resp, body, c, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
	}
	return resp, body, c, nil
}

// networkArticle returns the network article o names from the catalog, fetching and
// ingesting it first when the catalog does not hold it.
func (t *Tracer) networkArticle(ctx context.Context, o Origin, deferNetwork bool) (*catalog.Article, error) {
	b, err := t.Catalog.ArticleHead(ctx, o.Site, o.ID)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, catalog.ErrNotFound) {
		return nil, err
	}
	if deferNetwork {
		return nil, errDeferred
	}
	ferr := t.network.get(o.Key, func() error {
		if t.Ingest == nil && t.Fetcher != nil {
			return errors.New("not in the catalog, and nothing to ingest it with")
		}
		resp, body, _, err := t.fetch(ctx, o.URL)
		if err != nil {
			return err
		}
		if err := t.Ingest(ctx, o.URL, resp, body); err != nil {
			return fmt.Errorf("ingest %s: %w", o.URL, err)
		}
		return nil
	})
	if ferr != nil {
		return nil, ferr
	}
	b, err = t.Catalog.ArticleHead(ctx, o.Site, o.ID)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil, fmt.Errorf("%s: fetched, but no article %s on the page", o.URL, o.Key)
	}
	return b, err
}

// maxPostsPerPage bounds how many of a feed page's other posts are read into the cache.
const maxPostsPerPage = 50

type tgKey struct {
	channel string // lower case
	post    int64
}

type tgResult struct {
	post    *TelegramPost // without its text, which no hop reads
	shown   string        // the page that shows it: t.me/s/CH/POST
	capture archive.Capture
	err     error
}

// telegramPost reads a post from its public feed view. The view shows the channel's posts
// around it, and they are remembered too: articles credit neighbouring posts of a few
// channels, so one capture often proves several hops.
func (t *Tracer) telegramPost(ctx context.Context, ch string, post int64) *tgResult {
	k := tgKey{strings.ToLower(ch), post}
	return t.telegram.get(k, func() *tgResult {
		pageURL := "https://t.me/s/" + ch + "/" + strconv.FormatInt(post, 10)
		r := &tgResult{shown: "t.me/s/" + ch + "/" + strconv.FormatInt(post, 10)}
		_, body, c, err := t.fetch(ctx, pageURL)
		r.capture = c
		if err != nil {
			r.err = err
			return r
		}
		p, others, err := parseTelegramPage(body, pageURL, maxPostsPerPage, false)
		// The other posts on the page, proved by the same capture.
		for _, q := range others {
			if k2 := (tgKey{strings.ToLower(q.Channel), q.Post}); k2 != k && !t.telegram.has(k2) {
				t.telegram.put(k2, &tgResult{post: q, shown: r.shown, capture: c})
			}
		}
		if err != nil {
			r.err = err
			return r
		}
		r.post = p
		return r
	})
}

type pageResult struct {
	published time.Time
	capture   archive.Capture
	err       error
}

// outletPage fetches a state outlet's article for its publication time.
func (t *Tracer) outletPage(ctx context.Context, u string) *pageResult {
	return t.outlets.get(u, func() *pageResult {
		r := &pageResult{}
		_, body, c, err := t.fetch(ctx, u)
		r.capture = c
		if err != nil {
			r.err = err
			return r
		}
		if len(body) > extract.MaxSize {
			body = body[:extract.MaxSize]
		}
		r.published, r.err = extract.PublishedTime(body, u)
		return r
	})
}
