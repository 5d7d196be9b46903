package extract

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pravda-archive/pravda/seeds"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page extracts an article from a page in the network's template. pageURL is the URL the
// page was fetched from; reg resolves hosts to sites (nil means seeds.Default()).
//
// It fails only on input over MaxSize or input that is not HTML at all; whatever the page
// lacks or garbles yields a partial Article whose Warnings say what is missing and which
// fallback filled a field.
func Page(data []byte, pageURL string, reg *seeds.Registry) (*Article, error) {
	doc, warnings, err := loadArticle(data)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	a := fromTemplate(scanDoc(doc), pageURL, reg)
	a.Warnings = append(warnings, a.Warnings...)
	return a, nil
}

func fromTemplate(ds *docScan, pageURL string, reg *seeds.Registry) *Article {
	if reg == nil {
		reg = defaultRegistry()
	}
	a := &Article{URL: strings.TrimSpace(pageURL), Template: TemplateNetwork}
	b := base(ds, pageURL)
	id := identify(ds, pageURL, b, reg)
	id.apply(a, reg)
	a.Warnings = append(a.Warnings, id.warnings...)
	if a.Lang == "" {
		a.Lang = htmlLang(ds)
	}
	a.AMP = id.pageAMP || isAMP(ds)

	root := ds.textArticle
	if root == nil {
		root = ds.article
	}
	if root == nil {
		a.warn("template: no article element")
		root = ds.body
	}
	var sc scopeScan
	if root != nil {
		sc = scanScope(root)
	}
	body := sc.text

	a.OGTitle = meta(ds, metaOGTitle)
	a.OGDescription = meta(ds, metaOGDescription)
	a.Category = category(ds)
	if a.Category == "" {
		a.warn("category: no breadcrumb label")
	}
	a.Title = templateTitle(a, ds, &sc, id.display())
	a.Published = templatePublished(a, &sc, id)

	var paras []string
	if body != nil {
		paras = paragraphs(body, templateParts)
	} else if root != nil {
		a.warn("text: no div.article__text; text from the article element")
		paras = paragraphs(root, templateChrome)
		body = root
	}
	paras = dropHeadline(paras, a.Title, a.OGTitle)
	a.Text = strings.Join(paras, "\n\n")
	if a.Text == "" {
		a.warn("text: empty")
	}
	a.BodyHash = bodyHash(a.Title, a.Text)

	a.Alternates = alternates(ds, b)
	a.Images = images(ds.ogImages, sc.images, b)
	a.Source = source(a, ds, &sc, b)
	if body != nil {
		a.Links = links(body, b)
	}
	return a
}

// templateParts are the template's blocks around the body. They are skipped inside the
// body too, where a page with unclosed tags nests them.
func templateParts(n *html.Node) bool {
	if n.DataAtom == atom.Aside {
		return true
	}
	for _, at := range n.Attr {
		if at.Key != "class" {
			continue
		}
		for rest := at.Val; ; {
			var c string
			if c, rest = nextField(rest); c == "" {
				break
			}
			switch c {
			case "article__breadcrumbs", "article__title", "article__time", "article__image",
				"article__source", "article-meta", "sidebar", "news-item":
				return true
			}
		}
	}
	return false
}

// templateChrome is templateParts plus the headline and time elements, for reading the
// body from the whole article element.
func templateChrome(n *html.Node) bool {
	return templateParts(n) || n.DataAtom == atom.H1 || n.DataAtom == atom.Time
}

// category is the active breadcrumb's label ("世界"), the site's name for the category.
func category(ds *docScan) string {
	for _, n := range [...]*html.Node{ds.crumbActiveI, ds.crumbActiveA, ds.crumbActive} {
		if t := cleanText(textOf(n)); t != "" {
			return t
		}
	}
	// Without the active marker the last crumb is the category, unless it is the only one
	// (the site's home).
	if ds.crumbs > 1 {
		return cleanText(textOf(ds.lastCrumb))
	}
	return ""
}

func templateTitle(a *Article, ds *docScan, sc *scopeScan, display string) string {
	if t := cleanText(textOf(sc.titleH1)); t != "" {
		return t
	}
	if t := cleanText(textOf(sc.h1)); t != "" {
		return t
	}
	if a.OGTitle != "" {
		a.warn("title: no h1; from og:title")
		return a.OGTitle
	}
	if t := siteTitle(textOf(ds.title), display); t != "" {
		a.warn("title: no h1 or og:title; from <title>")
		return t
	}
	a.warn("title: none")
	return ""
}

// source reads the credit: the machine-readable span.source-link[data-source-url] first,
// the human-readable div.article__source link as the fallback. The article's own credit
// markup wins over any elsewhere on the page.
func source(a *Article, ds *docScan, sc *scopeScan, b *url.URL) *Source {
	span := sc.sourceSpan
	if span == nil {
		span = ds.sourceSpan
	}
	div := sc.sourceDiv
	if div == nil {
		div = ds.sourceDiv
	}
	if span == nil && div == nil {
		return nil
	}
	var s Source
	s.URL = resolve(b, attrOr(span, "data-source-url", ""))
	s.Title = cleanText(textOf(span))
	var link *html.Node
	if div != nil {
		link = firstUnder(div, hrefLink)
	}
	divURL := resolve(b, attrOr(link, "href", ""))
	switch {
	case s.URL == "" && divURL != "":
		s.URL = divURL
		if span != nil {
			a.warn("source: span.source-link has no data-source-url; URL from div.article__source")
		}
	case s.URL != "" && divURL != "" && s.URL != divURL:
		a.warn("source: span.source-link and div.article__source credit different URLs (%s, %s)",
			clip(s.URL), clip(divURL))
	}
	if s.Title == "" {
		s.Title = cleanText(textOf(link))
	}
	if s.Title == "" {
		s.Title = creditLabel(cleanText(textOf(div)))
	}
	if s.URL == "" && s.Title == "" {
		a.warn("source: credit markup is empty")
		return nil
	}
	return &s
}

// hrefLink is a[href].
func hrefLink(n *html.Node) bool { return n.Data == "a" && hasAttr(n, "href") }

// creditLabel strips the "Источник:" / "Source:" label from a credit's visible text.
func creditLabel(s string) string {
	if i := strings.IndexAny(s, ":："); i >= 0 && i <= 40 {
		_, size := utf8.DecodeRuneInString(s[i:])
		return strings.TrimSpace(s[i+size:])
	}
	return s
}

// templatePublished reads the publication time: the time element's datetime attribute, else
// its visible text (Moscow time), else the date in the URL.
func templatePublished(a *Article, sc *scopeScan, id identity) time.Time {
	day := id.day()
	el := sc.timeInTime
	if el == nil {
		el = sc.time
	}
	shown := ""
	if el != nil {
		if dt, ok := attr(el, "datetime"); ok && strings.TrimSpace(dt) != "" {
			if t, ok := parseDatetime(dt); ok {
				return checkDay(a, t, day)
			}
			a.warn("published: unreadable datetime %q", clip(dt))
		}
		shown = textOf(el)
	} else {
		shown = textOf(sc.timeBox)
	}
	if t, ok := parseShown(cleanText(shown), day); ok {
		return checkDay(a, t, day)
	}
	if !day.IsZero() {
		a.warn("published: no readable time; date from the URL")
		return day
	}
	a.warn("published: none")
	return time.Time{}
}

// checkDay warns when a publication time is not on the date the URL carries: one of the
// two is wrong, and the record says so rather than silently picking.
func checkDay(a *Article, t, day time.Time) time.Time {
	if !day.IsZero() {
		if d := t.Sub(day); d < -24*time.Hour || d >= 48*time.Hour {
			a.warn("published: %s is not on the URL's date %s", t.Format(time.RFC3339), day.Format("2006-01-02"))
		}
	}
	return t
}
