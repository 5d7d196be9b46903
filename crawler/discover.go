package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/pravda-archive/pravda/seeds"
)

// Found is an article URL discovered for a site, already canonical.
type Found struct {
	URL     string // canonical URL
	Key     string // site[/edition]:id
	SiteKey string
	ID      int64
	Date    time.Time // publication date from the URL
}

// discoverer pages back through one site's listings until it reaches what the archive
// already holds (the cursor, per id sequence) or the --since date.
type discoverer struct {
	client   *http.Client
	reg      *seeds.Registry
	site     *seeds.Site
	edition  string           // "" for the primary edition, "fr" for /fr/
	cursor   map[string]int64 // site key → highest id already discovered
	since    time.Time
	maxPages int
	maxSize  int64
	robots   *robotsCache
	log      func(msg string, args ...any)

	found map[string]Found
	order []string
	pages int // listing requests made
}

// stop reports whether an item is at or below what is already known.
func (d *discoverer) old(f Found) bool {
	if f.ID <= d.cursor[f.SiteKey] {
		return true
	}
	return !d.since.IsZero() && f.Date.Before(d.since.Truncate(24*time.Hour))
}

// add records an article link; it reports whether the link was new and not old.
func (d *discoverer) add(raw string, base *url.URL) (Found, bool) {
	u, err := base.Parse(strings.TrimSpace(raw))
	if err != nil {
		return Found{}, false
	}
	s, a, err := d.reg.Article(u.String())
	if err != nil || s.Name != d.site.Name || a.Edition != d.edition {
		return Found{}, false
	}
	f := Found{URL: seeds.CanonicalURL(s, a), Key: a.Key(), SiteKey: a.SiteKey(), ID: a.ID, Date: a.Date}
	if d.old(f) {
		return f, false
	}
	if _, dup := d.found[f.Key]; !dup {
		d.found[f.Key] = f
		d.order = append(d.order, f.Key)
	}
	return f, true
}

// run discovers new articles: the JSON API first, then news sitemaps, then listing pages.
func (d *discoverer) run(ctx context.Context) ([]Found, string, error) {
	d.found = map[string]Found{}
	base := &url.URL{Scheme: "https", Host: d.site.Host, Path: "/"}
	if d.edition != "" {
		// [guess] an edition has its own API and listings under its prefix; the
		// sitemaps (at the root) list every edition.
		base.Path = "/" + d.edition + "/"
	}
	method := "api"
	err := d.api(ctx, base)
	if err != nil {
		d.log("api discovery failed, trying sitemaps", "site", d.site.Name, "err", err)
		method = "sitemap"
		if err = d.sitemaps(ctx, base); err != nil {
			d.log("sitemap discovery failed, trying listing pages", "site", d.site.Name, "err", err)
			method = "listing"
			err = d.listings(ctx, base)
		}
	}
	out := make([]Found, 0, len(d.order))
	for _, k := range d.order {
		out = append(out, d.found[k])
	}
	if err != nil {
		return out, method, fmt.Errorf("discover %s: %w", d.site.Name, err)
	}
	return out, method, nil
}

func (d *discoverer) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	d.pages++
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, d.maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if int64(len(body)) > d.maxSize {
		return nil, fmt.Errorf("GET %s: body over %d bytes", u, d.maxSize)
	}
	return body, nil
}

// fragmentLinks reads the a.news-item__title hrefs of a listing fragment, in order.
func fragmentLinks(html string) ([]string, error) {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		return nil, err
	}
	var links []string
	doc.Find("a.news-item__title").Each(func(_ int, a *goquery.Selection) {
		if h, ok := a.Attr("href"); ok {
			links = append(links, h)
		}
	})
	return links, nil
}

type apiBlocks struct {
	Blocks []struct {
		Key  string `json:"key"`
		News string `json:"news"`
	} `json:"blocks"`
}

// api walks /api/blocks then /api/cat?key=all&id=LAST&type=block backwards.
func (d *discoverer) api(ctx context.Context, base *url.URL) error {
	body, err := d.get(ctx, base.JoinPath("api", "blocks").String())
	if err != nil {
		return err
	}
	var blocks apiBlocks
	if err := json.Unmarshal(body, &blocks); err != nil {
		return fmt.Errorf("api/blocks: %w", err)
	}
	fragment, key := "", "all"
	for _, b := range blocks.Blocks {
		if b.Key == "all" {
			fragment = b.News
		}
	}
	if fragment == "" && len(blocks.Blocks) > 0 {
		// No "all" block [guess: the key set may differ per site]: take the first one.
		fragment, key = blocks.Blocks[0].News, blocks.Blocks[0].Key
	}
	var lastID int64 = -1
	for page := 0; ; page++ {
		links, err := fragmentLinks(fragment)
		if err != nil {
			return fmt.Errorf("api fragment: %w", err)
		}
		if page == 0 && len(links) == 0 {
			return errors.New("api/blocks: no items")
		}
		if len(links) == 0 {
			return nil
		}
		var last Found
		for _, l := range links {
			if f, _ := d.add(l, base); f.ID > 0 {
				last = f
			}
		}
		// Batches run newest first: once the oldest item of one is known, so is the rest.
		if last.ID == 0 || d.old(last) {
			return nil
		}
		if lastID >= 0 && last.ID >= lastID {
			return fmt.Errorf("api/cat: paging did not move back (id %d after %d)", last.ID, lastID)
		}
		if page >= d.maxPages {
			d.log("api paging stopped at page cap", "site", d.site.Name, "pages", page)
			return nil
		}
		lastID = last.ID
		q := url.Values{"key": {key}, "id": {fmt.Sprint(last.ID)}, "type": {"block"}}
		u := base.JoinPath("api", "cat")
		u.RawQuery = q.Encode()
		body, err := d.get(ctx, u.String())
		if err != nil {
			return err
		}
		var next struct {
			News string `json:"news"`
		}
		if err := json.Unmarshal(body, &next); err != nil {
			return fmt.Errorf("api/cat: %w", err)
		}
		fragment = next.News
	}
}

type sitemapDoc struct {
	XMLName  xml.Name
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

// sitemaps reads the robots.txt Sitemap: lines, or the usual names when there are none
// (the network's index name is unknown).
func (d *discoverer) sitemaps(ctx context.Context, base *url.URL) error {
	base = base.ResolveReference(&url.URL{Path: "/"})
	var queue []string
	if d.robots != nil {
		queue = append(queue, d.robots.sitemaps(ctx, base)...)
	}
	if len(queue) == 0 {
		for _, p := range []string{"sitemap.xml", "sitemap_index.xml", "sitemap_news_1.xml.gz", "sitemap-news.xml"} {
			queue = append(queue, base.JoinPath(p).String())
		}
	}
	seen := map[string]bool{}
	read, any := 0, false
	var errs []error
	for len(queue) > 0 && read < 200 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		body, err := d.get(ctx, u)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		read++
		doc, err := parseSitemap(body, d.maxSize)
		if err != nil {
			errs = append(errs, fmt.Errorf("sitemap %s: %w", u, err))
			continue
		}
		any = true
		for _, s := range doc.Sitemaps {
			if lm, err := time.Parse(time.RFC3339, strings.TrimSpace(s.LastMod)); err == nil && !d.since.IsZero() && lm.Before(d.since) {
				continue
			}
			if su, err := base.Parse(strings.TrimSpace(s.Loc)); err == nil && su.Hostname() == base.Hostname() {
				queue = append(queue, su.String())
			}
		}
		for _, x := range doc.URLs {
			d.add(x.Loc, base)
		}
		if len(doc.Sitemaps) == 0 && len(doc.URLs) > 0 && !strings.Contains(u, "sitemap") {
			break
		}
	}
	if !any {
		return fmt.Errorf("no readable sitemap: %w", errors.Join(errs...))
	}
	return nil
}

func parseSitemap(body []byte, max int64) (*sitemapDoc, error) {
	if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(zr, max+1))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		if int64(len(b)) > max {
			return nil, fmt.Errorf("sitemap over %d bytes uncompressed", max)
		}
		body = b
	}
	var doc sitemapDoc
	if err := xml.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	if doc.XMLName.Local != "urlset" && doc.XMLName.Local != "sitemapindex" {
		return nil, fmt.Errorf("root element %q is not a sitemap", doc.XMLName.Local)
	}
	return &doc, nil
}

// listings is the last resort: the home page, the category pages it links, and their
// ?page=N continuations until nothing new appears.
func (d *discoverer) listings(ctx context.Context, base *url.URL) error {
	body, err := d.get(ctx, base.String())
	if err != nil {
		return err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("home page: %w", err)
	}
	cats := []string{base.String()}
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		h, _ := a.Attr("href")
		u, err := base.Parse(h)
		if err != nil || u.Hostname() != base.Hostname() {
			return
		}
		p := strings.Trim(u.Path, "/")
		if p != "" && !strings.Contains(p, "/") && !strings.Contains(p, ".") && len(cats) < 30 {
			cats = append(cats, base.JoinPath(p).String()+"/")
		}
	})
	seen := map[string]bool{}
	for _, c := range cats {
		if seen[c] {
			continue
		}
		seen[c] = true
		for page := 1; page <= d.maxPages; page++ {
			u := c
			if page > 1 {
				u = fmt.Sprintf("%s?page=%d", c, page)
			}
			var b []byte
			if page == 1 && c == base.String() {
				b = body
			} else if b, err = d.get(ctx, u); err != nil {
				break
			}
			links, err := fragmentLinks(string(b))
			if err != nil || len(links) == 0 {
				break
			}
			fresh := 0
			for _, l := range links {
				if _, ok := d.add(l, base); ok {
					fresh++
				}
			}
			if fresh == 0 {
				break
			}
		}
	}
	if len(d.found) == 0 && len(cats) == 1 {
		return errors.New("listing pages hold no article links")
	}
	return nil
}
