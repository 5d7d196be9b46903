package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/ingest"
	"github.com/pravda-archive/pravda/origin"
	"github.com/pravda-archive/pravda/seeds"
)

func init() {
	register("trace", "show where an article came from: its origin chain hop by hop with evidence and lags, and its story's editions", runTrace)
}

func runTrace(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("trace", "URL|SITE:ID [--data DIR] [--json] [--refresh [--resolve PATTERN=ADDR] [--ca FILE]]", stderr)
	data := dataFlag(fs)
	var sf seedFlags
	fs.StringVar(&sf.seedsFile, "seeds", "", "seeds registry `FILE` (YAML) replacing the embedded one")
	var ff fetchFlags
	ff.register(fs)
	refresh := fs.Bool("refresh", false, "trace again now: fetch and archive the origin pages (and the article, if the catalog lacks it), then regroup its story")
	asJSON := fs.Bool("json", false, "print the trace as JSON")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	reg, err := sf.registry()
	if err != nil {
		return err
	}
	log := logger(stderr, *logLevel, !isTerminal(stderr))
	cat, err := openCatalog(ctx, *data)
	if err != nil {
		return err
	}
	defer cat.Close()

	a, err := findArticle(ctx, cat, reg, pos[0])
	if err != nil && !(*refresh && errors.Is(err, catalog.ErrNotFound)) {
		return err
	}
	if *refresh {
		if a, err = retrace(ctx, *data, reg, cat, ff, log, pos[0], a); err != nil {
			return err
		}
	}
	rep, err := traceReportOf(ctx, cat, a)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	return rep.write(stdout)
}

// findArticle resolves URL or SITE:ID to a catalog article.
func findArticle(ctx context.Context, cat *catalog.Catalog, reg *seeds.Registry, arg string) (*catalog.Article, error) {
	if strings.Contains(arg, "/") && !strings.Contains(arg, ":") || strings.Contains(arg, "://") {
		u := arg
		if !strings.Contains(u, "://") {
			u = "https://" + u
		}
		a, err := cat.ArticleByURL(ctx, u)
		if err == nil || !errors.Is(err, catalog.ErrNotFound) {
			return a, err
		}
		// Another host of the same site, an AMP copy: the article is (site, id).
		if _, au, perr := reg.Article(u); perr == nil {
			return cat.Article(ctx, au.SiteKey(), au.ID)
		}
		return nil, err
	}
	site, id, err := seeds.ParseKey(arg)
	if err != nil {
		return nil, fmt.Errorf("%q: want an article URL or SITE:ID", arg)
	}
	return cat.Article(ctx, site, id)
}

// retrace fetches what the trace needs through a polite archiving fetcher, traces the
// article again and regroups the days around it. a is nil when the catalog lacks the
// article: then arg must be its URL, which is fetched and ingested first.
func retrace(ctx context.Context, data string, reg *seeds.Registry, cat *catalog.Catalog, ff fetchFlags,
	log *slog.Logger, arg string, a *catalog.Article) (*catalog.Article, error) {
	tlsConf, err := crawler.TLSConfig(ff.ca)
	if err != nil {
		return nil, err
	}
	w, err := archive.Open(filepath.Join(data, "warc"), archive.WithLogger(log),
		archive.WithInfo("operator", "pravda-archive"), archive.WithInfo("robots", "obey"))
	if err != nil {
		return nil, fmt.Errorf("open archive (is the daemon running? trace without --refresh reads the catalog only): %w", err)
	}
	defer func() {
		if err := w.Close(); err != nil {
			log.Error("close archive", "err", err)
		}
	}()
	dialer := ff.dialer()
	fetcher, err := crawler.NewFetcher(crawler.Config{Registry: reg, Dialer: dialer,
		Transport: w.Transport(archive.TransportOptions{DialContext: dialer.DialContext, TLSConfig: tlsConf})})
	if err != nil {
		return nil, err
	}
	in := &ingest.Ingester{Registry: reg, Catalog: cat, Log: log}
	tr := newTracer(crawlOptions{reg: reg, log: log, workers: 1}, cat, fetcher, in)
	if a == nil {
		u, err := reg.Canonical(arg)
		if err != nil {
			return nil, fmt.Errorf("%q is not in the catalog, and not a network article URL to fetch", arg)
		}
		if err := fetchAndIngest(ctx, fetcher, tr, u); err != nil {
			return nil, err
		}
		if a, err = cat.ArticleByURL(ctx, u); err != nil {
			return nil, fmt.Errorf("fetched %s: %w", u, err)
		}
	}
	if _, err := tr.Trace(ctx, a.RowID); err != nil {
		return nil, err
	}
	g := &origin.Grouper{Registry: reg, Catalog: cat, Log: log}
	from, to := widen(a.PublishedDay, a.PublishedDay, regroupMargin)
	if _, err := g.Regroup(ctx, origin.Scope{From: from, To: to, Changed: []int64{a.RowID}}); err != nil {
		return nil, err
	}
	return cat.ArticleByRowID(ctx, a.RowID)
}

func fetchAndIngest(ctx context.Context, f *crawler.Fetcher, tr *origin.Tracer, u string) error {
	resp, body, err := f.Get(ctx, u)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", u, err)
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("fetch %s: HTTP %d", u, resp.StatusCode)
	}
	return tr.Ingest(ctx, u, resp, body)
}

// traceReport is what `pravda trace` prints.
type traceReport struct {
	Article  traceArticle   `json:"article"`
	Hops     []traceHop     `json:"hops"`
	Root     catalog.Origin `json:"root"`
	Inferred bool           `json:"inferred"` // the origin comes from the story, not from a credit
	// LagSeconds is the article's publication time minus the earliest known origin time
	// along the chain; null when unknown.
	LagSeconds *int64      `json:"lag_seconds"`
	Story      *traceStory `json:"story"`
}

type traceArticle struct {
	Key         string    `json:"key"`
	URL         string    `json:"url"`
	Lang        string    `json:"lang"`
	Title       string    `json:"title"`
	Published   time.Time `json:"published"`
	CreditTitle string    `json:"credit_title"`
	CreditURL   string    `json:"credit_url"`
	Capture     string    `json:"capture"` // WARC file@offset of the current version
}

type traceHop struct {
	N          int        `json:"n"`
	Kind       string     `json:"kind"`
	URL        string     `json:"url"`
	Channel    string     `json:"channel,omitempty"`
	Post       string     `json:"post,omitempty"`
	Outlet     string     `json:"outlet,omitempty"`
	Evidence   string     `json:"evidence"`
	Capture    string     `json:"capture,omitempty"` // WARC file@offset of the hop's page
	OriginTime *time.Time `json:"origin_time"`
	// LagSeconds: the article's publication minus this hop's time. StepSeconds: the
	// previous hop's time (the article's, for hop 1) minus this one's.
	LagSeconds  *int64 `json:"lag_seconds"`
	StepSeconds *int64 `json:"step_seconds"`
	Unreachable bool   `json:"unreachable,omitempty"`
}

type traceStory struct {
	ID       int64          `json:"id"`
	Method   string         `json:"method"`
	Editions []traceEdition `json:"editions"`
}

type traceEdition struct {
	Site  string `json:"site"`
	Lang  string `json:"lang"`
	Key   string `json:"key"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

func traceReportOf(ctx context.Context, cat *catalog.Catalog, a *catalog.Article) (*traceReport, error) {
	r := &traceReport{
		Article: traceArticle{Key: a.Site + ":" + strconv.FormatInt(a.ID, 10), URL: firstNonEmpty(a.CanonicalURL, a.URL),
			Lang: a.Lang, Title: a.Title, Published: a.Published, CreditTitle: a.SourceTitle, CreditURL: a.SourceURL},
		Root: a.Origin, Inferred: origin.Inferred(a.Hops), Hops: []traceHop{},
	}
	for _, v := range a.Versions {
		if v.N == a.CurrentVersion && v.WARCFile != "" {
			r.Article.Capture = v.WARCFile + "@" + strconv.FormatInt(v.WARCOffset, 10)
		}
	}
	prev := a.Published
	for _, h := range a.Hops {
		th := traceHop{N: h.N, Kind: h.Kind, URL: h.URL, Channel: h.Channel, Post: h.Post, Outlet: h.Outlet,
			Evidence: h.Evidence, Unreachable: origin.Unreachable(h)}
		if h.WARCFile != "" {
			th.Capture = h.WARCFile + "@" + strconv.FormatInt(h.WARCOffset, 10)
		}
		if !h.OriginTime.IsZero() {
			t := h.OriginTime
			th.OriginTime = &t
			if !a.Published.IsZero() {
				lag := int64(h.Lag / time.Second)
				th.LagSeconds = &lag
				r.LagSeconds = &lag
			}
			if !prev.IsZero() {
				step := int64(prev.Sub(t) / time.Second)
				th.StepSeconds = &step
			}
			prev = t
		}
		r.Hops = append(r.Hops, th)
	}
	if a.StoryID != 0 {
		refs, err := cat.StoryArticles(ctx, a.StoryID)
		if err != nil {
			return nil, err
		}
		method, err := cat.StoryMethod(ctx, a.StoryID)
		if err != nil {
			return nil, err
		}
		s := &traceStory{ID: a.StoryID, Method: method}
		for _, ref := range refs {
			e := traceEdition{Site: ref.Site, Lang: ref.Lang, Key: ref.Site + ":" + strconv.FormatInt(ref.ID, 10),
				URL: firstNonEmpty(ref.CanonicalURL, ref.URL)}
			if b, err := cat.ArticleByRowID(ctx, ref.RowID); err == nil {
				e.Title = b.Title
			}
			s.Editions = append(s.Editions, e)
		}
		r.Story = s
	}
	return r, nil
}

func (r *traceReport) write(w io.Writer) error {
	a := r.Article
	fmt.Fprintf(w, "%s  %s\n  %s\n", a.Key, a.Title, a.URL)
	if !a.Published.IsZero() {
		fmt.Fprintf(w, "  published %s · %s", a.Published.Format("2006-01-02 15:04 -07:00"), a.Lang)
	}
	if a.Capture != "" {
		fmt.Fprintf(w, " · archived %s", a.Capture)
	}
	fmt.Fprintln(w)
	switch {
	case a.CreditTitle != "" || a.CreditURL != "":
		fmt.Fprintf(w, "  credit: %s %s\n", a.CreditTitle, bracket(a.CreditURL))
	default:
		fmt.Fprintln(w, "  credit: none")
	}
	fmt.Fprintln(w)
	if len(r.Hops) == 0 {
		fmt.Fprintln(w, "origin chain: none (no credit, and nothing links the article to a credited edition)")
	} else {
		title := "origin chain:"
		if r.Inferred {
			title = "origin (inferred from the story, not credited):"
		}
		fmt.Fprintln(w, title)
	}
	for _, h := range r.Hops {
		fmt.Fprintf(w, "  %d. %-15s %s", h.N, h.Kind, h.URL)
		if h.OriginTime != nil {
			fmt.Fprintf(w, "  at %s", h.OriginTime.UTC().Format("2006-01-02 15:04 UTC"))
		}
		if h.LagSeconds != nil {
			fmt.Fprintf(w, "  lag %s", seconds(*h.LagSeconds))
			if h.StepSeconds != nil && h.N > 1 {
				fmt.Fprintf(w, " (this hop %s)", seconds(*h.StepSeconds))
			}
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "     evidence: %s\n", h.Evidence)
		if h.Capture != "" {
			fmt.Fprintf(w, "     archived: %s\n", h.Capture)
		}
	}
	if len(r.Hops) > 0 {
		o := r.Root
		fmt.Fprintf(w, "root: %s %s", o.Kind, o.URL)
		var parts []string
		for _, p := range [][2]string{{"channel", o.Channel}, {"post", o.Post}, {"outlet", o.Outlet}, {"owner", o.Owner}, {"site", o.Site}} {
			if p[1] != "" {
				parts = append(parts, p[0]+" "+p[1])
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
		}
		if r.LagSeconds != nil {
			fmt.Fprintf(w, "; total lag %s", seconds(*r.LagSeconds))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	if r.Story == nil {
		fmt.Fprintln(w, "story: no other edition found")
		return nil
	}
	fmt.Fprintf(w, "story %d (%s): %d editions\n", r.Story.ID, r.Story.Method, len(r.Story.Editions))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SITE\tLANG\tKEY\tTITLE")
	for _, e := range r.Story.Editions {
		mark := ""
		if e.Key == a.Key {
			mark = " *"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s%s\n", e.Site, e.Lang, e.Key, e.Title, mark)
	}
	return tw.Flush()
}

func bracket(u string) string {
	if u == "" {
		return ""
	}
	return "<" + u + ">"
}

func seconds(s int64) string { return (time.Duration(s) * time.Second).String() }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
