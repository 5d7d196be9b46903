package extract

// The goquery implementation this package had before the single-walk rewrite, kept under
// ref* names so the differential tests (equivalence_test.go) can hold the new code to
// exactly its output: same Article, same warnings in the same order, same error. The text
// helpers that gained fast paths (collapseSpace, cleanLine, dropHeadline, parseShown,
// boilerplate, templateParts) are here too, and compared on their own: the ref extractors
// call the current ones, except that the body text comes from refParagraphs, the text walk
// as it was, built on the ref helpers. A change meant to alter the output (a new field, a
// fixed bug) goes into both, or replaces this oracle with golden files of the new output.

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"unicode"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/PuerkitoBio/goquery"
	"github.com/pravda-archive/pravda/seeds"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

func refPage(data []byte, pageURL string, reg *seeds.Registry) (*Article, error) {
	doc, warnings, err := refParse(data)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	a := refFromTemplate(doc, pageURL, reg)
	a.Warnings = append(warnings, a.Warnings...)
	return a, nil
}

func refFromTemplate(doc *goquery.Document, pageURL string, reg *seeds.Registry) *Article {
	if reg == nil {
		reg = defaultRegistry()
	}
	a := &Article{URL: strings.TrimSpace(pageURL), Template: TemplateNetwork}
	b := refBase(doc, pageURL)
	id := refIdentify(doc, pageURL, b, reg)
	id.apply(a, reg)
	a.Warnings = append(a.Warnings, id.warnings...)
	if a.Lang == "" {
		a.Lang = refHtmlLang(doc)
	}
	pu, perr := seeds.ParseArticleURL(pageURL)
	a.AMP = perr == nil && pu.AMP || refIsAMP(doc)

	root := doc.Find("article:has(div.article__text)").First()
	if root.Length() == 0 {
		root = doc.Find("article").First()
	}
	if root.Length() == 0 {
		a.warn("template: no article element")
		root = doc.Find("body").First()
	}
	body := root.Find("div.article__text").First()

	a.OGTitle = refMeta(doc, "og:title")
	a.OGDescription = refMeta(doc, "og:description")
	a.Category = refCategory(doc)
	if a.Category == "" {
		a.warn("category: no breadcrumb label")
	}
	a.Title = refTemplateTitle(a, doc, root, id.display())
	a.Published = refTemplatePublished(a, root, id)

	var paras []string
	if body.Length() > 0 {
		paras = refParagraphs(body.Nodes[0], refTemplateParts)
	} else if root.Length() > 0 {
		a.warn("text: no div.article__text; text from the article element")
		paras = refParagraphs(root.Nodes[0], refTemplateChrome)
		body = root
	}
	paras = dropHeadline(paras, a.Title, a.OGTitle)
	a.Text = strings.Join(paras, "\n\n")
	if a.Text == "" {
		a.warn("text: empty")
	}
	a.BodyHash = bodyHash(a.Title, a.Text)

	a.Alternates = refAlternates(doc, b)
	a.Images = refImages(doc, root, b)
	a.Source = refSource(a, doc, root, b)
	if body.Length() > 0 {
		a.Links = refLinks(body, b)
	}
	return a
}

func refCategory(doc *goquery.Document) string {
	for _, sel := range []string{
		".article__breadcrumb_active a i",
		".article__breadcrumb_active a",
		".article__breadcrumb_active",
	} {
		if t := cleanText(doc.Find(sel).First().Text()); t != "" {
			return t
		}
	}

	crumbs := doc.Find(".article__breadcrumb")
	if crumbs.Length() > 1 {
		return cleanText(crumbs.Last().Text())
	}
	return ""
}

func refTemplateTitle(a *Article, doc *goquery.Document, root *goquery.Selection, display string) string {
	if t := cleanText(root.Find("h1.article__title").First().Text()); t != "" {
		return t
	}
	if t := cleanText(root.Find("h1").First().Text()); t != "" {
		return t
	}
	if a.OGTitle != "" {
		a.warn("title: no h1; from og:title")
		return a.OGTitle
	}
	if t := siteTitle(doc.Find("title").First().Text(), display); t != "" {
		a.warn("title: no h1 or og:title; from <title>")
		return t
	}
	a.warn("title: none")
	return ""
}

func refSource(a *Article, doc *goquery.Document, root *goquery.Selection, b *url.URL) *Source {
	span := root.Find("span.source-link").First()
	if span.Length() == 0 {
		span = doc.Find("span.source-link").First()
	}
	div := root.Find("div.article__source").First()
	if div.Length() == 0 {
		div = doc.Find("div.article__source").First()
	}
	if span.Length() == 0 && div.Length() == 0 {
		return nil
	}
	var s Source
	s.URL = resolve(b, span.AttrOr("data-source-url", ""))
	s.Title = cleanText(span.Text())
	link := div.Find("a[href]").First()
	divURL := resolve(b, link.AttrOr("href", ""))
	switch {
	case s.URL == "" && divURL != "":
		s.URL = divURL
		if span.Length() > 0 {
			a.warn("source: span.source-link has no data-source-url; URL from div.article__source")
		}
	case s.URL != "" && divURL != "" && s.URL != divURL:
		a.warn("source: span.source-link and div.article__source credit different URLs (%s, %s)",
			clip(s.URL), clip(divURL))
	}
	if s.Title == "" {
		s.Title = cleanText(link.Text())
	}
	if s.Title == "" {
		s.Title = creditLabel(cleanText(div.Text()))
	}
	if s.URL == "" && s.Title == "" {
		a.warn("source: credit markup is empty")
		return nil
	}
	return &s
}

func refTemplatePublished(a *Article, root *goquery.Selection, id identity) time.Time {
	day := id.day()
	el := root.Find(".article__time time").First()
	if el.Length() == 0 {
		el = root.Find("time").First()
	}
	shown := ""
	if el.Length() > 0 {
		if dt, ok := el.Attr("datetime"); ok && strings.TrimSpace(dt) != "" {
			if t, ok := parseDatetime(dt); ok {
				return checkDay(a, t, day)
			}
			a.warn("published: unreadable datetime %q", clip(dt))
		}
		shown = el.Text()
	} else {
		shown = root.Find(".article__time").First().Text()
	}
	if t, ok := refParseShown(cleanText(shown), day); ok {
		return checkDay(a, t, day)
	}
	if !day.IsZero() {
		a.warn("published: no readable time; date from the URL")
		return day
	}
	a.warn("published: none")
	return time.Time{}
}

func refBase(doc *goquery.Document, pageURL string) *url.URL {
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

func refMeta(doc *goquery.Document, key string) string {
	sel := doc.Find(`meta[property="` + key + `"], meta[name="` + key + `"]`).First()
	c, _ := sel.Attr("content")
	return cleanText(c)
}

func refLinkHref(doc *goquery.Document, rel string) string {
	h, _ := doc.Find(`link[rel~="` + rel + `"][href]`).First().Attr("href")
	return h
}

func refAlternates(doc *goquery.Document, b *url.URL) []Alternate {
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

func refImages(doc *goquery.Document, scope *goquery.Selection, b *url.URL) []Image {
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

func refLinks(scope *goquery.Selection, b *url.URL) []string {
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

func refHtmlLang(doc *goquery.Document) string {
	l := strings.ToLower(strings.TrimSpace(doc.Find("html").First().AttrOr("lang", "")))
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	if len(l) > 8 {
		return ""
	}
	return l
}

func refIsAMP(doc *goquery.Document) bool {
	h := doc.Find("html").First()
	_, amp := h.Attr("amp")
	_, bolt := h.Attr("⚡")
	return amp || bolt
}

func refIdentify(doc *goquery.Document, pageURL string, b *url.URL, reg *seeds.Registry) identity {
	var id identity
	raw := refLinkHref(doc, "canonical")
	id.canon = resolve(b, raw)
	if id.canon != "" {
		if s, au, err := reg.Article(id.canon); err == nil {
			id.site, id.url = s, au
		}
	}
	ps, pu, perr := reg.Article(pageURL)
	switch {
	case id.site != nil:
		if perr == nil && pu.Key() != id.url.Key() {
			id.warn("identity: canonical %s and page URL name different articles (%s, %s)",
				id.canon, id.url.Key(), pu.Key())
		}
	case perr == nil:
		id.site, id.url = ps, pu
		if strings.TrimSpace(raw) == "" {
			id.warn("canonical: missing; identity from the page URL")
		} else {
			id.warn("canonical: %q is not a network article URL; identity from the page URL", clip(raw))
		}
	default:
		id.warn("identity: neither the canonical link nor the page URL is a network article URL")
	}
	return id
}

func refGeneric(data []byte, pageURL string) (*Article, error) {
	doc, warnings, err := refParse(data)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	a := refFromGeneric(doc, pageURL)
	a.Warnings = append(warnings, a.Warnings...)
	return a, nil
}

func refPublishedTime(data []byte, pageURL string) (time.Time, error) {
	doc, _, err := refParse(data)
	if err != nil {
		return time.Time{}, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	if t, ok := refGenericPublished(doc); ok {
		return t, nil
	}
	return refFromGeneric(doc, pageURL).Published, nil
}

func refFromGeneric(doc *goquery.Document, pageURL string) *Article {
	a := &Article{URL: strings.TrimSpace(pageURL), Template: TemplateGeneric}
	b := refBase(doc, pageURL)
	a.CanonicalURL = resolve(b, refLinkHref(doc, "canonical"))
	if a.CanonicalURL == "" {
		a.CanonicalURL = resolve(b, refMeta(doc, "og:url"))
	}
	if a.CanonicalURL == "" {
		a.CanonicalURL = resolve(nil, a.URL)
	}
	pu, perr := seeds.ParseArticleURL(pageURL)
	a.AMP = perr == nil && pu.AMP || refIsAMP(doc)
	a.Lang = refHtmlLang(doc)
	a.OGTitle = refMeta(doc, "og:title")
	a.OGDescription = refMeta(doc, "og:description")
	a.Category = refMeta(doc, "article:section")
	a.Alternates = refAlternates(doc, b)
	h1 := cleanText(doc.Find("h1").First().Text())
	pageTitle := cleanText(doc.Find("title").First().Text())
	published, pubFound := refGenericPublished(doc)

	p := readability.NewParser()
	p.MaxElemsToParse = maxGenericElements
	p.KeepClasses = true
	var (
		ra  readability.Article
		err error
	)
	if len(doc.Nodes) > 0 {
		ra, err = p.ParseAndMutate(doc.Nodes[0], b)
	}
	if err != nil {
		a.warn("generic: %v", err)
	}

	switch {
	case a.OGTitle != "":
		a.Title = a.OGTitle
	case cleanText(ra.Title()) != "":
		a.Title = cleanText(ra.Title())
	case h1 != "":
		a.Title = h1
	default:
		a.Title = pageTitle
	}
	if a.Title == "" {
		a.warn("title: none")
	}
	if a.Lang == "" {
		a.Lang = strings.ToLower(cleanText(ra.Language()))
	}
	if !pubFound {
		if t, err := ra.PublishedTime(); err == nil && plausible(t) {
			published, pubFound = t, true
		}
	}
	if !pubFound && perr == nil {
		published, pubFound = urlDay(pu.Date), true
		a.warn("published: no readable time; date from the URL")
	}
	if !pubFound {
		a.warn("published: none")
	}
	a.Published = published

	var content *goquery.Selection
	if ra.Node != nil {
		content = goquery.NewDocumentFromNode(ra.Node).Selection
		paras := dropHeadline(refParagraphs(ra.Node, nil), a.Title, a.OGTitle, h1)
		a.Text = strings.Join(paras, "\n\n")
		a.Links = refLinks(content, b)
	}
	if a.Text == "" {
		a.warn("text: no readable content found")
	}
	a.Images = refImages(doc, content, b)
	a.BodyHash = bodyHash(a.Title, a.Text)
	return a
}

func refGenericPublished(doc *goquery.Document) (time.Time, bool) {
	for _, key := range []string{"article:published_time", "og:published_time", "pubdate",
		"publish-date", "date", "dc.date.issued"} {
		if t, ok := parseDatetime(refMeta(doc, key)); ok {
			return t, true
		}
	}
	if v, ok := doc.Find(`[itemprop="datePublished"]`).First().Attr("content"); ok {
		if t, ok := parseDatetime(v); ok {
			return t, true
		}
	}
	found := false
	var t time.Time
	doc.Find("article time[datetime], main time[datetime], time[datetime]").EachWithBreak(
		func(_ int, s *goquery.Selection) bool {
			t, found = parseDatetime(s.AttrOr("datetime", ""))
			return !found
		})
	return t, found
}

func refAny(data []byte, pageURL string, reg *seeds.Registry) (*Article, error) {
	doc, warnings, err := refParse(data)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	if reg == nil {
		reg = defaultRegistry()
	}
	var a *Article
	if refIsTemplate(doc, pageURL, reg) {
		a = refFromTemplate(doc, pageURL, reg)
	} else {

		id := refIdentify(doc, pageURL, refBase(doc, pageURL), reg)
		a = refFromGeneric(doc, pageURL)
		if id.site != nil {
			id.apply(a, reg)
		}
	}
	a.Warnings = append(warnings, a.Warnings...)
	return a, nil
}

func refIsTemplate(doc *goquery.Document, pageURL string, reg *seeds.Registry) bool {
	if doc.Find("article div.article__text").Length() == 0 {
		return false
	}
	for _, raw := range []string{pageURL, refLinkHref(doc, "canonical")} {
		if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.Host != "" {
			if _, ok := reg.SiteByHost(u.Hostname()); ok {
				return true
			}
		}
	}
	return doc.Find(".article__breadcrumb_active, span.source-link[data-source-url]").Length() > 0
}

func refParse(data []byte) (*goquery.Document, []string, error) {
	root, warnings, err := load(data)
	if err != nil {
		return nil, nil, err
	}
	return goquery.NewDocumentFromNode(root), warnings, nil
}

var refDMY = regexp.MustCompile(`(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[,\s]{1,4}(\d{1,2}):(\d{2}))?`)

var refHM = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)

func refParseShown(s string, day time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return time.Time{}, false
	}
	if m := refDMY.FindStringSubmatch(s); m != nil {
		d, mo, y := atoi(m[1]), atoi(m[2]), atoi(m[3])
		h, mi := 0, 0
		if m[4] != "" {
			h, mi = atoi(m[4]), atoi(m[5])
		}
		return civil(y, mo, d, h, mi)
	}
	if m := refHM.FindStringSubmatch(s); m != nil && !day.IsZero() {
		return civil(day.Year(), int(day.Month()), day.Day(), atoi(m[1]), atoi(m[2]))
	}
	return time.Time{}, false
}
func refCollapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space, newline := false, false
	prev := rune(0)
	for _, r := range s {
		if isCollapsible(r) {
			space = true
			newline = newline || r == '\n' || r == '\r'
			continue
		}
		if space && !(newline && wide(prev) && wide(r)) {
			b.WriteByte(' ')
		}
		space, newline = false, false
		b.WriteRune(r)
		prev = r
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

func refCleanLine(s string) string {
	s = norm.NFC.String(s)
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || invisible(r) })
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	prev := rune(0)
	for _, r := range s {
		switch {
		case r == '\u200B' || r == '\uFEFF' || r == '\u2060':
			continue
		case r >= '\uFE00' && r <= '\uFE0F' && (prev == ' ' || prev == '\u3000'):
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return strings.TrimSpace(b.String())
}

func refDropHeadline(paras []string, titles ...string) []string {
	if len(paras) == 0 {
		return paras
	}
	first := fold(paras[0])
	if first == "" {
		return paras
	}
	for _, t := range titles {
		if t != "" && fold(t) == first {
			return paras[1:]
		}
	}
	return paras
}
func refBoilerplate(n *html.Node) bool {
	if nonText[n.DataAtom] || (n.DataAtom == 0 && n.Data == "amp-ad") {
		return true
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			s := strings.ToLower(a.Val)
			if strings.Contains(strings.ReplaceAll(s, " ", ""), "display:none") {
				return true
			}
		case "class", "id":
			if len(a.Val) > 512 {
				continue
			}
			v := strings.ToLower(a.Val)
			for _, b := range boilerClass {
				if strings.Contains(v, b) {
					return true
				}
			}
			for _, tok := range strings.Fields(v) {
				if tok == "ad" || tok == "ads" || tok == "adv" {
					return true
				}
			}
		}
	}
	return false
}

func refTemplateParts(n *html.Node) bool {
	if n.DataAtom == atom.Aside {
		return true
	}
	for _, at := range n.Attr {
		if at.Key != "class" {
			continue
		}
		for _, c := range strings.Fields(at.Val) {
			switch c {
			case "article__breadcrumbs", "article__title", "article__time", "article__image",
				"article__source", "article-meta", "sidebar", "news-item":
				return true
			}
		}
	}
	return false
}

// refParagraphs is paragraphs as it was before its buffer was reused across blocks and its
// lines cut without strings.Split.
func refParagraphs(n *html.Node, skip func(*html.Node) bool) []string {
	w := refWalker{skip: skip}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, 1)
	}
	w.flush()
	return w.paras
}

type refWalker struct {
	skip  func(*html.Node) bool
	buf   strings.Builder
	paras []string
	size  int
	pre   int
}

func (w *refWalker) walk(n *html.Node, depth int) {
	if depth > maxWalkDepth || w.size > maxTextBytes {
		return
	}
	switch n.Type {
	case html.TextNode:
		if w.pre > 0 {
			w.buf.WriteString(n.Data)
		} else {
			w.buf.WriteString(refCollapseSpace(n.Data))
		}
		return
	case html.ElementNode:
		if refBoilerplate(n) || (w.skip != nil && w.skip(n)) {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.Br:
		w.buf.WriteByte('\n')
		return
	case atom.Td, atom.Th:
		w.buf.WriteByte(' ')
	case atom.Pre:
		w.pre++
		defer func() { w.pre-- }()
	}
	block := blockElements[n.DataAtom]
	if block {
		w.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
	if block {
		w.flush()
	}
}

func (w *refWalker) flush() {
	if w.buf.Len() == 0 {
		return
	}
	var lines []string
	for _, line := range strings.Split(w.buf.String(), "\n") {
		line = refCleanLine(line)
		if line == "" {
			w.add(lines)
			lines = nil
			continue
		}
		lines = append(lines, line)
	}
	w.add(lines)
	w.buf.Reset()
}

func (w *refWalker) add(lines []string) {
	if len(lines) == 0 {
		return
	}
	p := strings.Join(lines, "\n")
	w.size += len(p)
	w.paras = append(w.paras, p)
}

func refTemplateChrome(n *html.Node) bool {
	return refTemplateParts(n) || n.DataAtom == atom.H1 || n.DataAtom == atom.Time
}
