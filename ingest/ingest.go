package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/extract"
	"github.com/pravda-archive/pravda/origin"
	"github.com/pravda-archive/pravda/seeds"
)

// Capture is one archived HTTP response as ingest needs it.
type Capture struct {
	URL     string // the URL requested (the key the frontier knows)
	Status  int
	Header  http.Header
	Body    []byte // decoded payload
	Record  archive.Capture
	Fetched time.Time
}

// Time is when the capture was taken: its WARC-Date, else the fetch time, else now.
func (c Capture) Time() time.Time {
	switch {
	case !c.Record.Time.IsZero():
		return c.Record.Time
	case !c.Fetched.IsZero():
		return c.Fetched
	}
	return time.Now()
}

// Ingester stores captures in the catalog. It is safe for concurrent use.
type Ingester struct {
	Registry *seeds.Registry
	Catalog  *catalog.Catalog
	Log      *slog.Logger
	// OnArticle, when set, is told of every article stored or changed, with the row as
	// stored: its row id, current version (without its text) and, for a new article, no
	// hops. The crawl pass's tracer hangs off it.
	OnArticle func(ctx context.Context, row *catalog.Article, res catalog.PutResult)
}

// Handle implements crawler.Handler.
func (in *Ingester) Handle(ctx context.Context, p crawler.Page) (crawler.Outcome, error) {
	rec, _ := archive.CaptureFromHeader(p.Header)
	return in.Put(ctx, Capture{URL: p.URL, Status: p.Status, Header: p.Header, Body: p.Body, Record: rec, Fetched: p.Fetched})
}

// Put stores one capture. A 404 or 410 for a known article marks it deleted; a 200 article
// page becomes a new article, a new version or nothing (same body as before).
func (in *Ingester) Put(ctx context.Context, c Capture) (crawler.Outcome, error) {
	when := c.Time()
	switch {
	case c.Status == http.StatusNotFound || c.Status == http.StatusGone:
		_, a, err := in.Registry.Article(c.URL)
		if err != nil {
			return crawler.Skipped, nil
		}
		ok, err := in.Catalog.MarkDeleted(ctx, a.SiteKey(), a.ID, when, c.Status)
		if err != nil {
			return crawler.Skipped, fmt.Errorf("mark %s deleted: %w", a.Key(), err)
		}
		if ok {
			return crawler.Deleted, nil
		}
		return crawler.Skipped, nil
	case c.Status != http.StatusOK:
		return crawler.Skipped, nil
	}
	body := c.Body
	if len(body) > extract.MaxSize {
		// A padded or hostile page: the article sits at the top, the rest is not parsed.
		in.log().Warn("page over the extraction cap, extracting its beginning", "url", c.URL, "bytes", len(body))
		body = body[:extract.MaxSize]
	}
	art, err := extract.Page(body, c.URL, in.Registry)
	if err != nil {
		return crawler.Skipped, fmt.Errorf("extract %s: %w", c.URL, err)
	}
	if art.Site == "" || art.ID == 0 {
		in.log().Warn("not an article page", "url", c.URL, "warnings", art.Warnings)
		return crawler.Skipped, nil
	}
	// Links to hosts outside the registry are recorded, never fetched.
	for _, l := range art.Links {
		if u, err := url.Parse(l); err == nil && u.Hostname() != "" && !in.Registry.InScope(u.Hostname()) {
			in.Catalog.LogFetch(ctx, catalog.FetchLog{URL: l, Host: u.Hostname(), ErrorKind: "off_scope_link", StartedAt: when})
		}
	}
	row, ver := Row(in.Registry, art, c)
	res, err := in.Catalog.PutArticle(ctx, row, ver)
	if err != nil {
		return crawler.Skipped, fmt.Errorf("catalog %s:%d: %w", art.Site, art.ID, err)
	}
	if in.OnArticle != nil && res.Outcome != catalog.Unchanged {
		ver.N, ver.Text = res.Version, ""
		row.RowID, row.CurrentVersion, row.Versions = res.RowID, res.Version, []catalog.Version{ver}
		in.OnArticle(ctx, &row, res)
	}
	switch res.Outcome {
	case catalog.Inserted:
		return crawler.New, nil
	case catalog.NewVersion:
		return crawler.Version, nil
	case catalog.Unchanged:
		return crawler.Unchanged, nil
	}
	return crawler.Skipped, errors.New("catalog: unknown outcome")
}

func (in *Ingester) log() *slog.Logger {
	if in.Log == nil {
		return slog.Default()
	}
	return in.Log
}

// Row maps an extracted article and its capture to catalog rows.
func Row(reg *seeds.Registry, art *extract.Article, c Capture) (catalog.Article, catalog.Version) {
	row := catalog.Article{
		Site: art.Site, ID: art.ID, CanonicalURL: art.CanonicalURL, URL: art.URL, Lang: art.Lang,
		Category: art.Category, Title: art.Title, Published: art.Published,
		OGTitle: art.OGTitle, OGDescription: art.OGDescription,
	}
	if a, err := seeds.ParseArticleURL(art.CanonicalURL); err == nil {
		row.PublishedDay = a.Date.Format("2006-01-02")
	}
	if art.Source != nil {
		row.SourceTitle, row.SourceURL = art.Source.Title, art.Source.URL
	}
	var src extract.Source
	if art.Source != nil {
		src = *art.Source
	}
	o := origin.Classify(reg, src.URL, src.Title)
	row.Origin = catalog.Origin{Kind: string(o.Kind), Outlet: o.Outlet, Owner: o.Owner, Channel: o.Channel,
		Platform: o.Platform, URL: o.URL, Site: o.Site, ArtID: o.ID}
	if o.Post > 0 {
		row.Origin.Post = strconv.FormatInt(o.Post, 10)
	}
	for _, a := range art.Alternates {
		row.Alternates = append(row.Alternates, catalog.Alternate{Lang: a.Lang, URL: a.URL})
	}
	for _, im := range art.Images {
		row.Images = append(row.Images, catalog.Image{URL: im.URL, MD5: im.MD5})
	}
	ver := catalog.Version{
		CapturedAt: c.Time(), URL: c.URL, Status: c.Status, BodyHash: art.BodyHash,
		Title: art.Title, Text: art.Text,
		WARCFile: c.Record.File, WARCOffset: c.Record.Offset, WARCLength: c.Record.Length,
		RecordID: c.Record.RecordID, PayloadDigest: c.Record.PayloadDigest,
	}
	if c.Header != nil {
		ver.ETag, ver.LastModified = c.Header.Get("ETag"), c.Header.Get("Last-Modified")
	}
	return row, ver
}
