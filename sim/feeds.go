package sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// robots is a site's robots.txt. The real file is unknown; this one keeps crawling fast
// (no Crawl-delay) unless the robots fault asks for one.
func (n *Network) robots(ss *simSite) string {
	var b strings.Builder
	b.WriteString("User-agent: *\nDisallow: /search/\n")
	if ss.disallow != "" {
		b.WriteString("Disallow: " + ss.disallow + "\nCrawl-delay: 1\n")
	}
	if !n.faults.has(fNoSitemapLine) {
		b.WriteString("\nSitemap: https://" + ss.site.Host + "/sitemap.xml\n")
	}
	return b.String()
}

const sitemapSize = 1000

// sitemapArticles are the site's listed articles, every edition, newest first.
func (n *Network) sitemapArticles(ss *simSite, now time.Time) []*article {
	var out []*article
	for _, seq := range ss.seqs {
		for _, a := range seq.arts {
			if listed(a, now) {
				out = append(out, a)
			}
		}
	}
	slices.SortFunc(out, func(a, b *article) int {
		if c := b.pub.Compare(a.pub); c != 0 {
			return c
		}
		if a.seq != b.seq {
			return a.seq.index - b.seq.index
		}
		return int(b.id - a.id)
	})
	return out
}

func (x *exchange) sitemapIndex(ss *simSite) {
	x.n.mu.RLock()
	arts := x.n.sitemapArticles(ss, x.now)
	x.n.mu.RUnlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	files := max(1, (len(arts)+sitemapSize-1)/sitemapSize)
	for i := range files {
		mod := x.now
		if chunk := chunkOf(arts, i); len(chunk) > 0 {
			mod = newestMod(chunk)
		}
		b.WriteString("  <sitemap><loc>https://" + ss.site.Host + "/sitemap_news_" + strconv.Itoa(i+1) + ".xml.gz</loc>" +
			"<lastmod>" + mod.In(msk).Format(time.RFC3339) + "</lastmod></sitemap>\n")
	}
	b.WriteString("</sitemapindex>\n")
	x.send(http.StatusOK, "application/xml; charset=utf-8", []byte(b.String()))
}

func chunkOf(arts []*article, i int) []*article {
	lo := i * sitemapSize
	if lo >= len(arts) {
		return nil
	}
	return arts[lo:min(len(arts), lo+sitemapSize)]
}

func newestMod(arts []*article) time.Time {
	var m time.Time
	for _, a := range arts {
		if t := a.lastMod(); t.After(m) {
			m = t
		}
	}
	return m
}

// sitemapFile serves /sitemap_news_N.xml.gz: a gzip file (not a gzip transfer encoding),
// as news sitemaps are published.
func (x *exchange) sitemapFile(ss *simSite, rest string) {
	num := strings.TrimSuffix(strings.TrimPrefix(rest, "/sitemap_news_"), ".xml.gz")
	i, err := strconv.Atoi(num)
	if err != nil || i < 1 || !strings.HasSuffix(rest, ".xml.gz") || strconv.Itoa(i) != num {
		x.notFound(ss.primary)
		return
	}
	x.n.mu.RLock()
	arts := x.n.sitemapArticles(ss, x.now)
	chunk := chunkOf(arts, i-1)
	var b strings.Builder
	if len(chunk) > 0 || (i == 1 && len(arts) == 0) {
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">` + "\n")
		for _, a := range chunk {
			_, v2 := a.state()
			title := x.n.w.articleBody(a, v2).title
			b.WriteString("  <url><loc>" + a.url(false) + "</loc><lastmod>" + a.lastMod().In(msk).Format(time.RFC3339) + "</lastmod>" +
				"<news:news><news:publication><news:name>" + esc(ss.site.Display) + "</news:name><news:language>" + a.seq.lang +
				"</news:language></news:publication><news:publication_date>" + a.pub.In(msk).Format(time.RFC3339) +
				"</news:publication_date><news:title>" + esc(title) + "</news:title></news:news></url>\n")
		}
		b.WriteString("</urlset>\n")
	}
	x.n.mu.RUnlock()
	if b.Len() == 0 {
		x.notFound(ss.primary)
		return
	}
	x.sendRaw(http.StatusOK, "application/x-gzip", gzipBytes([]byte(b.String())))
}

const apiBatch = 20

type apiBlock struct {
	Key  string `json:"key"`
	News string `json:"news"`
}

func (x *exchange) fragment(items []*article) string {
	var b strings.Builder
	for _, a := range items {
		x.n.w.writeItem(&b, a, "")
	}
	return b.String()
}

// apiBlocks serves /api/blocks: the newest batch overall ("all") and per category.
func (x *exchange) apiBlocks(seq *sequence) {
	x.n.mu.RLock()
	items, _ := before(seq.arts, 0, x.now, 0, apiBatch)
	blocks := []apiBlock{{Key: "all", News: x.fragment(items)}}
	for _, c := range seq.cats {
		items, _ := before(seq.byCat[c.slug], 0, x.now, 0, apiBatch)
		blocks = append(blocks, apiBlock{Key: c.slug, News: x.fragment(items)})
	}
	x.n.mu.RUnlock()
	body, _ := json.Marshal(struct {
		Blocks []apiBlock `json:"blocks"`
	}{blocks})
	x.send(http.StatusOK, "application/json; charset=utf-8", body)
}

// apiCat serves /api/cat?key=K&id=LAST&type=block: the batch older than LAST in K, or
// {"news":""} when there is none (or K is unknown).
func (x *exchange) apiCat(seq *sequence) {
	q := x.r.URL.Query()
	key, idStr := q.Get("key"), q.Get("id")
	var id int64
	ok := true
	if idStr != "" {
		v, err := strconv.ParseInt(idStr, 10, 64)
		id, ok = v, err == nil && v > 0
	}
	news := ""
	x.n.mu.RLock()
	var list []*article
	switch {
	case !ok:
	case key == "all":
		list = seq.arts
	case seq.catBySlug[key] != nil:
		list = seq.byCat[key]
	}
	if list != nil {
		items, _ := before(list, id, x.now, 0, apiBatch)
		news = x.fragment(items)
	}
	x.n.mu.RUnlock()
	body, _ := json.Marshal(struct {
		News string `json:"news"`
	}{news})
	x.send(http.StatusOK, "application/json; charset=utf-8", body)
}
