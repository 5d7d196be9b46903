package extract

import (
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/pravda-archive/pravda/seeds"
)

// Caps on list fields: a hostile page can carry any number of links.
const (
	maxImages     = 100
	maxLinks      = 500
	maxAlternates = 300
	maxURLLen     = 4096
)

// base is the URL relative references resolve against: the page's <base href> if it has a
// usable one, else the URL it was fetched from.
func base(doc *goquery.Document, pageURL string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(pageURL))
	if err != nil || !u.IsAbs() {
		u = nil
	}
	if href, ok := doc.Find("head base[href]").First().Attr("href"); ok {
		if b := resolve(u, href); b != "" {
			if bu, err := url.Parse(b); err == nil {
				return bu
			}
		}
	}
	return u
}

// resolve makes ref absolute against b and keeps it only if it is http(s). Fragments are
// dropped: they name a place in a page, not a page.
func resolve(b *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > maxURLLen {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if b != nil {
		r = b.ResolveReference(r)
	}
	if r.Scheme != "http" && r.Scheme != "https" || r.Host == "" {
		return ""
	}
	r.Fragment, r.RawFragment = "", ""
	return r.String()
}

// meta reads a <meta property=…> or <meta name=…> content, cleaned to one line.
func meta(doc *goquery.Document, key string) string {
	sel := doc.Find(`meta[property="` + key + `"], meta[name="` + key + `"]`).First()
	c, _ := sel.Attr("content")
	return cleanText(c)
}

// linkHref is the first <link rel=…> href with the given rel token.
func linkHref(doc *goquery.Document, rel string) string {
	h, _ := doc.Find(`link[rel~="` + rel + `"][href]`).First().Attr("href")
	return h
}

// alternates reads the hreflang links (other language editions of the story).
func alternates(doc *goquery.Document, b *url.URL) []Alternate {
	var out []Alternate
	seen := map[string]bool{}
	doc.Find(`link[rel~="alternate"][hreflang]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		lang := strings.ToLower(cleanText(s.AttrOr("hreflang", "")))
		u := resolve(b, s.AttrOr("href", ""))
		if lang == "" || u == "" || len(lang) > 35 || seen[lang+" "+u] {
			return true
		}
		seen[lang+" "+u] = true
		out = append(out, Alternate{Lang: lang, URL: u})
		return len(out) < maxAlternates
	})
	return out
}

// images collects og:image and the images inside scope: lazy data-src, src (not the blank
// placeholder) and AMP's amp-img. Network images are deduplicated by their md5 name, others
// by URL.
func images(doc *goquery.Document, scope *goquery.Selection, b *url.URL) []Image {
	var out []Image
	seen := map[string]bool{}
	add := func(raw string) {
		u := resolve(b, raw)
		if u == "" || placeholder(u) || len(out) >= maxImages {
			return
		}
		key := u
		md5 := ""
		if im, err := seeds.ParseImageURL(u); err == nil {
			md5, key = im.MD5, im.MD5
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, Image{URL: u, MD5: md5})
	}
	doc.Find(`meta[property="og:image"], meta[property="og:image:url"], meta[name="og:image"]`).Each(
		func(_ int, s *goquery.Selection) { add(s.AttrOr("content", "")) })
	if scope == nil {
		return out
	}
	scope.Find("img, amp-img").Each(func(_ int, s *goquery.Selection) {
		if ds, ok := s.Attr("data-src"); ok && strings.TrimSpace(ds) != "" {
			add(ds)
			return
		}
		add(s.AttrOr("src", ""))
	})
	return out
}

// placeholder is the blank image lazy loading puts in src until data-src replaces it.
func placeholder(u string) bool {
	p := strings.ToLower(u)
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return strings.HasSuffix(p, "/blank.gif") || strings.HasSuffix(p, "/blank.png") ||
		strings.HasSuffix(p, "/spacer.gif") || strings.HasSuffix(p, "/pixel.gif")
}

// links lists the absolute http(s) hrefs inside scope, in order, once each.
func links(scope *goquery.Selection, b *url.URL) []string {
	var out []string
	seen := map[string]bool{}
	scope.Find("a[href]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		u := resolve(b, s.AttrOr("href", ""))
		if u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
		return len(out) < maxLinks
	})
	return out
}

// htmlLang is the page's declared language (<html lang>), lower-cased primary subtag.
func htmlLang(doc *goquery.Document) string {
	l := strings.ToLower(strings.TrimSpace(doc.Find("html").First().AttrOr("lang", "")))
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	if len(l) > 8 {
		return ""
	}
	return l
}

// isAMP reports whether the page is an AMP document (<html amp> or <html ⚡>).
func isAMP(doc *goquery.Document) bool {
	h := doc.Find("html").First()
	_, amp := h.Attr("amp")
	_, bolt := h.Attr("⚡")
	return amp || bolt
}

// siteTitle strips a " - Site Name" suffix from a <title>.
func siteTitle(title, display string) string {
	title = cleanText(title)
	if display != "" {
		for _, sep := range []string{" - ", " – ", " — ", " | "} {
			if t, ok := strings.CutSuffix(title, sep+display); ok {
				return strings.TrimSpace(t)
			}
		}
	}
	return title
}
