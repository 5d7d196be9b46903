package extract

import (
	"net/url"
	"strings"

	"github.com/pravda-archive/pravda/seeds"
	"golang.org/x/net/html"
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
func base(s *docScan, pageURL string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(pageURL))
	if err != nil || !u.IsAbs() {
		u = nil
	}
	if s.base != nil {
		if b := resolve(u, attrOr(s.base, "href", "")); b != "" {
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
func meta(s *docScan, key int) string {
	return cleanText(attrOr(s.meta[key], "content", ""))
}

// canonical is the href of the first <link rel=canonical>.
func canonical(s *docScan) string {
	return attrOr(s.canonical, "href", "")
}

// alternates reads the hreflang links (other language editions of the story).
func alternates(s *docScan, b *url.URL) []Alternate {
	var out []Alternate
	seen := map[string]bool{}
	for _, n := range s.alternates {
		lang := strings.ToLower(cleanText(attrOr(n, "hreflang", "")))
		u := resolve(b, attrOr(n, "href", ""))
		if lang == "" || u == "" || len(lang) > 35 || seen[lang+" "+u] {
			continue
		}
		seen[lang+" "+u] = true
		out = append(out, Alternate{Lang: lang, URL: u})
		if len(out) >= maxAlternates {
			break
		}
	}
	return out
}

// images collects og:image (ogImages are its meta elements) and the images inside the
// article (scoped, the img and amp-img elements there): lazy data-src, src (not the blank
// placeholder) and AMP's amp-img. Network images are deduplicated by their md5 name,
// others by URL.
func images(ogImages, scoped []*html.Node, b *url.URL) []Image {
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
	for _, n := range ogImages {
		add(attrOr(n, "content", ""))
	}
	for _, n := range scoped {
		if ds, ok := attr(n, "data-src"); ok && strings.TrimSpace(ds) != "" {
			add(ds)
			continue
		}
		add(attrOr(n, "src", ""))
	}
	return out
}

// ogImageMetas are the og:image meta elements of a document: the generic extractor reads
// them only after readability has rewritten the tree.
func ogImageMetas(doc *html.Node) []*html.Node { return allUnder(doc, ogImage, nil) }

// imageElements are the img and amp-img elements below scope.
func imageElements(scope *html.Node) []*html.Node { return allUnder(scope, imageElement, nil) }

func imageElement(n *html.Node) bool { return n.Data == "img" || n.Data == "amp-img" }

// placeholder is the blank image lazy loading puts in src until data-src replaces it.
func placeholder(u string) bool {
	p := strings.ToLower(u)
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return strings.HasSuffix(p, "/blank.gif") || strings.HasSuffix(p, "/blank.png") ||
		strings.HasSuffix(p, "/spacer.gif") || strings.HasSuffix(p, "/pixel.gif")
}

// links lists the absolute http(s) hrefs below scope, in order, once each.
func links(scope *html.Node, b *url.URL) []string {
	l := linkList{b: b, seen: map[string]bool{}}
	l.walk(scope)
	return l.out
}

type linkList struct {
	b    *url.URL
	seen map[string]bool
	out  []string
}

// walk reports whether the list is still open.
func (l *linkList) walk(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.Data == "a" {
			if href, ok := attr(c, "href"); ok {
				if u := resolve(l.b, href); u != "" && !l.seen[u] {
					l.seen[u] = true
					l.out = append(l.out, u)
				}
				if len(l.out) >= maxLinks {
					return false
				}
			}
		}
		if !l.walk(c) {
			return false
		}
	}
	return true
}

// htmlLang is the page's declared language (<html lang>), lower-cased primary subtag.
func htmlLang(s *docScan) string {
	l := strings.ToLower(strings.TrimSpace(attrOr(s.html, "lang", "")))
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	if len(l) > 8 {
		return ""
	}
	return l
}

// isAMP reports whether the page is an AMP document (<html amp> or <html ⚡>).
func isAMP(s *docScan) bool {
	return s.html != nil && (hasAttr(s.html, "amp") || hasAttr(s.html, "⚡"))
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
