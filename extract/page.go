package extract

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
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
	doc, warnings, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", clip(pageURL), err)
	}
	a := fromTemplate(doc, pageURL, reg)
	a.Warnings = append(warnings, a.Warnings...)
	return a, nil
}

func fromTemplate(doc *goquery.Document, pageURL string, reg *seeds.Registry) *Article {
	if reg == nil {
		reg = defaultRegistry()
	}
	a := &Article{URL: strings.TrimSpace(pageURL), Template: TemplateNetwork}
	b := base(doc, pageURL)
	id := identify(doc, pageURL, b, reg)
	id.apply(a, reg)
	a.Warnings = append(a.Warnings, id.warnings...)
	if a.Lang == "" {
		a.Lang = htmlLang(doc)
	}
	pu, perr := seeds.ParseArticleURL(pageURL)
	a.AMP = perr == nil && pu.AMP || isAMP(doc)

	root := doc.Find("article:has(div.article__text)").First()
	if root.Length() == 0 {
		root = doc.Find("article").First()
	}
	if root.Length() == 0 {
		a.warn("template: no article element")
		root = doc.Find("body").First()
	}
	body := root.Find("div.article__text").First()

	a.OGTitle = meta(doc, "og:title")
	a.OGDescription = meta(doc, "og:description")
	a.Category = category(doc)
	if a.Category == "" {
		a.warn("category: no breadcrumb label")
	}
	a.Title = templateTitle(a, doc, root, id.display())
	a.Published = templatePublished(a, root, id)

	var paras []string
	if body.Length() > 0 {
		paras = paragraphs(body.Nodes[0], templateParts)
	} else if root.Length() > 0 {
		a.warn("text: no div.article__text; text from the article element")
		paras = paragraphs(root.Nodes[0], templateChrome)
		body = root
	}
	paras = dropHeadline(paras, a.Title, a.OGTitle)
	a.Text = strings.Join(paras, "\n\n")
	if a.Text == "" {
		a.warn("text: empty")
	}
	a.BodyHash = bodyHash(a.Title, a.Text)

	a.Alternates = alternates(doc, b)
	a.Images = images(doc, root, b)
	a.Source = source(a, doc, root, b)
	if body.Length() > 0 {
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

// templateChrome is templateParts plus the headline and time elements, for reading the
// body from the whole article element.
func templateChrome(n *html.Node) bool {
	return templateParts(n) || n.DataAtom == atom.H1 || n.DataAtom == atom.Time
}

// category is the active breadcrumb's label ("世界"), the site's name for the category.
func category(doc *goquery.Document) string {
	for _, sel := range []string{
		".article__breadcrumb_active a i",
		".article__breadcrumb_active a",
		".article__breadcrumb_active",
	} {
		if t := cleanText(doc.Find(sel).First().Text()); t != "" {
			return t
		}
	}
	// Without the active marker the last crumb is the category, unless it is the only one
	// (the site's home).
	crumbs := doc.Find(".article__breadcrumb")
	if crumbs.Length() > 1 {
		return cleanText(crumbs.Last().Text())
	}
	return ""
}

func templateTitle(a *Article, doc *goquery.Document, root *goquery.Selection, display string) string {
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

// source reads the credit: the machine-readable span.source-link[data-source-url] first,
// the human-readable div.article__source link as the fallback.
func source(a *Article, doc *goquery.Document, root *goquery.Selection, b *url.URL) *Source {
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
func templatePublished(a *Article, root *goquery.Selection, id identity) time.Time {
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
